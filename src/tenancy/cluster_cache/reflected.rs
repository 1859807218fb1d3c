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
        Some(self.store.get(&object_ref(namespace, name)))
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
    /// it. The watch may have brought it already (its event can beat the write's answer):
    /// checked under the same lock the watch applies its events under.
    pub fn note_write(&self, namespace: &str, name: &str, version: Option<String>) {
        let key = (namespace.to_string(), name.to_string());
        let mut pending = self.pending.lock();
        let current = self.store.get(&object_ref(namespace, name));
        let caught_up = match &version {
            Some(v) => current.is_some_and(|o| o.resource_version().as_deref() == Some(v.as_str())),
            None => current.is_none(),
        };
        if caught_up {
            pending.remove(&key);
        } else {
            pending.insert(
                key,
                Pending {
                    version,
                    at: Instant::now(),
                },
            );
        }
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

    /// Applies one watch event to the store, and settles the pending writes it answers: a
    /// write whose version (or deletion) it brings, or, at the end of a list that started at
    /// `since`, every write answered before then.
    fn apply(
        &self,
        writer: &mut reflector::store::Writer<K>,
        event: &watcher::Event<K>,
        since: Instant,
    ) {
        let mut pending = self.pending.lock();
        writer.apply_watcher_event(event);
        let (obj, deleted) = match event {
            watcher::Event::Apply(o) => (o, false),
            watcher::Event::Delete(o) => (o, true),
            watcher::Event::InitDone => {
                pending.retain(|_, p| p.at >= since);
                self.synced.store(true, Ordering::Release);
                return;
            }
            watcher::Event::Init | watcher::Event::InitApply(_) => return,
        };
        let key = (obj.namespace().unwrap_or_default(), obj.name_any());
        let done = pending.get(&key).is_some_and(|p| match &p.version {
            Some(v) => deleted || obj.resource_version().as_deref() == Some(v.as_str()),
            // A deletion shows as the object going, or as it being marked for deletion.
            None => deleted || obj.meta().deletion_timestamp.is_some(),
        });
        if done {
            pending.remove(&key);
        }
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
                        self.apply(&mut writer, &event, since);
                        if matches!(event, watcher::Event::InitDone) {
                            delay = BACKOFF.0;
                            tracing::debug!(%cluster, kind = self.kind, "registered-cluster watch synced");
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

fn object_ref<K>(namespace: &str, name: &str) -> ObjectRef<K>
where
    K: Resource<DynamicType = ()>,
{
    let key = ObjectRef::<K>::new(name);
    if namespace.is_empty() {
        key
    } else {
        key.within(namespace)
    }
}
