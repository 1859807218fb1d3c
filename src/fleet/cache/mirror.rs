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
use super::stores::{KeyChanges, KindMap, KindUpdate};

/// What mirrors tell the cache.
#[derive(Debug)]
pub enum MirrorMessage {
    /// The kind's whole map, with the keys that changed since the previous one when the watcher
    /// knows them (`None` after a relist: the cache diffs the maps).
    Update(KindUpdate, Option<KeyChanges>),
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
        // Keys the batch's events touched, with whether each existed before the batch: the
        // cache learns what changed without diffing maps of 50,000 objects per event.
        let mut touched: BTreeMap<ObjectKey, bool> = BTreeMap::new();
        let mut replaced = false;
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
                    replaced = true;
                    synced = true;
                }
                Ok(Event::Apply(object)) => {
                    let key = key_of(&object);
                    touched
                        .entry(key.clone())
                        .or_insert_with(|| live.contains_key(&key));
                    if object.meta().deletion_timestamp.is_some() {
                        changed |= live.remove(&key).is_some();
                    } else {
                        live.insert(key, Arc::new(convert(object)));
                        changed = true;
                    }
                }
                Ok(Event::Delete(object)) => {
                    let key = key_of(&object);
                    touched
                        .entry(key.clone())
                        .or_insert_with(|| live.contains_key(&key));
                    changed |= live.remove(&key).is_some();
                }
                Err(e) => {
                    tracing::warn!(kind = kind.name(), error = %e, "watch failed; retrying");
                    let _ = tx.send(MirrorMessage::WatchError(kind));
                }
            }
        }
        if changed {
            let known = (!replaced).then(|| net_changes(&touched, &live));
            if tx
                .send(MirrorMessage::Update(wrap(Arc::new(live.clone())), known))
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

/// What a batch changed, from the keys it touched: an object deleted after being added within
/// the batch changed nothing.
fn net_changes<T>(
    touched: &BTreeMap<ObjectKey, bool>,
    live: &BTreeMap<ObjectKey, T>,
) -> KeyChanges {
    let mut changes = KeyChanges::default();
    for (key, &existed) in touched {
        match (existed, live.contains_key(key)) {
            (false, true) => changes.added.push(key.clone()),
            (true, true) => changes.updated.push(key.clone()),
            (true, false) => changes.removed.push(key.clone()),
            (false, false) => {}
        }
    }
    changes
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
