//! One kind's watcher: keeps a map of the kind's live objects and sends the whole map on after
//! each batch of events, so readers always see a consistent, complete set.
//!
//! A relist (after a dropped watch or a 410) is buffered from `Init` to `InitDone` and then
//! replaces the map in one step: the final state arrives, objects deleted while disconnected go,
//! and nothing is reported twice.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;

use futures::StreamExt;
use kube::Resource;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use super::kind::{FleetKind, ObjectKey};
use super::stores::{KindMap, KindUpdate};

/// What mirrors tell the cache.
#[derive(Debug)]
pub enum MirrorMessage {
    Update(KindUpdate),
    /// The kind's first complete list has been delivered (or its CRD is absent).
    Synced(FleetKind),
    /// The watch failed and is being retried with backoff.
    WatchError(FleetKind),
}

/// Largest batch of events folded into one published map.
const BATCH: usize = 4096;

pub async fn mirror<K, T>(
    api: Api<K>,
    kind: FleetKind,
    convert: fn(K) -> T,
    wrap: fn(KindMap<T>) -> KindUpdate,
    tx: UnboundedSender<MirrorMessage>,
    cancel: CancellationToken,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    T: Send + Sync + 'static,
{
    let stream = watcher::watcher(api, watcher::Config::default())
        .default_backoff()
        .ready_chunks(BATCH);
    futures::pin_mut!(stream);
    let mut live: BTreeMap<ObjectKey, Arc<T>> = BTreeMap::new();
    let mut relist: Option<BTreeMap<ObjectKey, Arc<T>>> = None;
    let mut synced = false;
    let mut announced = false;
    loop {
        let batch = tokio::select! {
            _ = cancel.cancelled() => return,
            batch = stream.next() => match batch {
                Some(batch) => batch,
                None => return,
            },
        };
        let mut changed = false;
        for event in batch {
            match event {
                Ok(Event::Init) => relist = Some(BTreeMap::new()),
                Ok(Event::InitApply(object)) => {
                    let buffer = relist.get_or_insert_with(BTreeMap::new);
                    if let Some(key) = live_key(&object) {
                        buffer.insert(key, Arc::new(convert(object)));
                    }
                }
                Ok(Event::InitDone) => {
                    live = relist.take().unwrap_or_default();
                    changed = true;
                    synced = true;
                }
                Ok(Event::Apply(object)) => {
                    let key = key_of(&object);
                    if object.meta().deletion_timestamp.is_some() {
                        changed |= live.remove(&key).is_some();
                    } else {
                        live.insert(key, Arc::new(convert(object)));
                        changed = true;
                    }
                }
                Ok(Event::Delete(object)) => {
                    changed |= live.remove(&key_of(&object)).is_some();
                }
                Err(e) => {
                    tracing::warn!(kind = kind.name(), error = %e, "watch failed; retrying");
                    let _ = tx.send(MirrorMessage::WatchError(kind));
                }
            }
        }
        if changed {
            if tx
                .send(MirrorMessage::Update(wrap(Arc::new(live.clone()))))
                .is_err()
            {
                return;
            }
            // After the map, through the same channel: whoever sees "synced" has the objects.
            if synced && !announced {
                announced = true;
                let _ = tx.send(MirrorMessage::Synced(kind));
            }
        }
    }
}

fn key_of<K: Resource>(object: &K) -> ObjectKey {
    let meta = object.meta();
    ObjectKey::new(
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

/// Objects being deleted are gone as far as the graph is concerned (as in the Sveltos UI
/// backend, which drops them from its cache when `deletionTimestamp` is set).
fn live_key<K: Resource>(object: &K) -> Option<ObjectKey> {
    object
        .meta()
        .deletion_timestamp
        .is_none()
        .then(|| key_of(object))
}
