//! One kind watched in one registered cluster: a kube-runtime reflector store, whether it is
//! synced, and the objects fleetgraph itself wrote that the watch has not delivered yet.
//!
//! A read is answered from the store only when the answer is known to be current: the store
//! has finished a list (and no watch error happened since), and the object read is not one
//! fleetgraph wrote moments ago whose new version the watch has not brought yet. Otherwise the
//! caller reads the cluster directly, so the first read after registration, reads while the
//! cluster is unreachable, and reads right after fleetgraph's own writes stay correct.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher;
use kube::{Api, Resource, ResourceExt};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

/// How long a write waits for its watch event before reads trust the store again anyway (a
/// healthy watch delivers within milliseconds; this bounds the cost of an event never seen).
const PENDING_TTL: Duration = Duration::from_secs(30);
/// Restart delays after a failed list or watch: doubling from the first to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(30));

/// (namespace, name); the namespace is empty for cluster-scoped kinds.
type Key = (String, String);

/// A write of fleetgraph's the store has not caught up with.
struct Pending {
    /// The resourceVersion the write produced; `None` for a deletion.
    version: Option<String>,
    at: Instant,
}

pub struct Reflected<K>
where
    K: Resource<DynamicType = ()> + Clone + 'static,
{
    kind: &'static str,
    store: Store<K>,
    synced: AtomicBool,
    pending: Mutex<HashMap<Key, Pending>>,
}

impl<K> Reflected<K>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    /// Starts watching `api` (filtered by `config`) until `cancel`.
    pub fn start(
        kind: &'static str,
        cluster: String,
        api: Api<K>,
        config: watcher::Config,
        cancel: CancellationToken,
    ) -> Arc<Self> {
        let (store, writer) = reflector::store();
        let this = Arc::new(Self {
            kind,
            store,
            synced: AtomicBool::new(false),
            pending: Mutex::new(HashMap::new()),
        });
        tokio::spawn(this.clone().run(cluster, api, config, writer, cancel));
        this
    }

    pub fn is_synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// The object as the store holds it (`Some(None)`: known absent), or `None` when the
    /// caller must read the cluster.
    pub fn get(&self, namespace: &str, name: &str) -> Option<Option<Arc<K>>> {
        if !self.is_synced() || self.is_pending(&(namespace.to_string(), name.to_string())) {
            return None;
        }
        let key = ObjectRef::<K>::new(name);
        let key = if namespace.is_empty() {
            key
        } else {
            key.within(namespace)
        };
        Some(self.store.get(&key))
    }

    /// Every stored object passing `keep`, or `None` when the caller must read the cluster
    /// (not synced, or one of fleetgraph's writes of this kind not seen yet).
    pub fn list(&self, keep: impl Fn(&K) -> bool) -> Option<Vec<Arc<K>>> {
        if !self.is_synced() {
            return None;
        }
        {
            let mut pending = self.pending.lock();
            pending.retain(|_, p| p.at.elapsed() < PENDING_TTL);
            if !pending.is_empty() {
                return None;
            }
        }
        Some(self.store.state_filter(|o| keep(o)))
    }

    /// Records a write fleetgraph made (`version`: the resourceVersion it answered with;
    /// `None` for a deletion) so reads of the object go to the cluster until the watch brings
    /// it.
    pub fn note_write(&self, namespace: &str, name: &str, version: Option<String>) {
        self.pending.lock().insert(
            (namespace.to_string(), name.to_string()),
            Pending {
                version,
                at: Instant::now(),
            },
        );
    }

    fn is_pending(&self, key: &Key) -> bool {
        let mut pending = self.pending.lock();
        match pending.get(key) {
            Some(p) if p.at.elapsed() < PENDING_TTL => true,
            Some(_) => {
                pending.remove(key);
                false
            }
            None => false,
        }
    }

    /// The watch delivered `obj` (`deleted`: its deletion): a pending write it answers is done.
    fn seen(&self, obj: &K, deleted: bool) {
        let key = (obj.namespace().unwrap_or_default(), obj.name_any());
        let mut pending = self.pending.lock();
        let done = pending.get(&key).is_some_and(|p| match &p.version {
            Some(v) => deleted || obj.resource_version().as_deref() == Some(v.as_str()),
            // A deletion shows as the object going, or as it being marked for deletion.
            None => deleted || obj.meta().deletion_timestamp.is_some(),
        });
        if done {
            pending.remove(&key);
        }
    }

    /// A list that started at `since` holds every write answered before it.
    fn listed(&self, since: Instant) {
        self.pending.lock().retain(|_, p| p.at >= since);
    }

    async fn run(
        self: Arc<Self>,
        cluster: String,
        api: Api<K>,
        config: watcher::Config,
        mut writer: reflector::store::Writer<K>,
        cancel: CancellationToken,
    ) {
        let mut delay = BACKOFF.0;
        loop {
            // Each round starts from a fresh list, so the store is complete again at its end.
            let since = Instant::now();
            let mut events = watcher(api.clone(), config.clone()).boxed();
            let failure = loop {
                let event = tokio::select! {
                    _ = cancel.cancelled() => return,
                    event = events.next() => event,
                };
                match event {
                    None => break None,
                    Some(Err(e)) => break Some(e),
                    Some(Ok(event)) => {
                        writer.apply_watcher_event(&event);
                        match &event {
                            watcher::Event::Apply(o) => self.seen(o, false),
                            watcher::Event::Delete(o) => self.seen(o, true),
                            watcher::Event::InitDone => {
                                self.listed(since);
                                self.synced.store(true, Ordering::Release);
                                delay = BACKOFF.0;
                                tracing::debug!(%cluster, kind = self.kind, "registered-cluster watch synced");
                            }
                            watcher::Event::Init | watcher::Event::InitApply(_) => {}
                        }
                    }
                }
            };
            // Until the next list completes, reads go to the cluster (and fail there when it
            // is unreachable, as they would without a cache).
            self.synced.store(false, Ordering::Release);
            if let Some(e) = failure {
                tracing::warn!(%cluster, kind = self.kind, error = %e,
                    "registered-cluster watch failed; reads go to the cluster until it is back");
            }
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(BACKOFF.1);
        }
    }
}
