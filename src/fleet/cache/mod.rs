//! The fleet cache: mirrors of every Sveltos / Cluster API kind on the management cluster, with
//! the indexes the graph needs, published as immutable snapshots. A read query makes no
//! Kubernetes API call; it reads the latest snapshot.
//!
//! Flow: CRD presence → one mirror (watcher) per installed kind → the indexer, which folds the
//! mirrors' maps into a new [`FleetSnapshot`], swaps it in, and announces what changed.

mod cluster_list;
mod kind;
mod memo;
mod mirror;
mod presence;
pub mod profile_index;
pub mod report_index;
mod snapshot;
mod stores;
pub mod summary_index;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

pub use cluster_list::summary_cluster;
pub use kind::{FleetKind, ObjectKey};
pub use snapshot::{ClusterRef, FleetCluster, FleetSnapshot};
pub use stores::{CapiObject, KeyChanges, KindMap, KindUpdate, Stores};

use mirror::MirrorMessage;

use crate::readiness::Readiness;

/// The readiness gate that stays closed until every kind has been listed once.
pub const READY_GATE: &str = "fleet-cache";

/// How many change events a slow subscriber may fall behind before it is told it lagged.
const EVENT_BUFFER: usize = 8192;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Updated,
    Removed,
}

/// One object's change, with the first snapshot that contains it and the one it replaced
/// (subscribers compare the two, e.g. for health flags, and find removed objects there).
#[derive(Clone, Debug)]
pub struct FleetEvent {
    pub kind: FleetKind,
    pub key: ObjectKey,
    pub change: Change,
    pub snapshot: Arc<FleetSnapshot>,
    pub previous: Arc<FleetSnapshot>,
}

#[derive(Clone)]
pub struct FleetCache {
    slot: Arc<ArcSwap<FleetSnapshot>>,
    events: broadcast::Sender<FleetEvent>,
    synced: watch::Receiver<bool>,
    watch_errors: Arc<AtomicU64>,
    connected: bool,
    cancel: CancellationToken,
}

impl std::fmt::Debug for FleetCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetCache")
            .field("synced", &*self.synced.borrow())
            .finish_non_exhaustive()
    }
}

impl FleetCache {
    /// Starts mirroring the management cluster behind `client`. `/readyz` waits for the first
    /// complete sync through the [`READY_GATE`].
    pub fn start(client: kube::Client, readiness: Readiness) -> Self {
        readiness.register(READY_GATE);
        let cancel = CancellationToken::new();
        let (tx, rx) = mpsc::unbounded_channel();
        let (synced_tx, synced) = watch::channel(false);
        let slot = Arc::new(ArcSwap::from_pointee(FleetSnapshot::default()));
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let watch_errors = Arc::new(AtomicU64::new(0));
        tokio::spawn(presence::run(client, tx, cancel.child_token()));
        tokio::spawn(index(
            rx,
            Indexer {
                slot: slot.clone(),
                events: events.clone(),
                synced: synced_tx,
                readiness,
                watch_errors: watch_errors.clone(),
            },
            cancel.child_token(),
        ));
        Self {
            slot,
            events,
            synced,
            watch_errors,
            connected: true,
            cancel,
        }
    }

    /// A cache with no management cluster: always empty, never synced.
    pub fn disconnected() -> Self {
        let (_, synced) = watch::channel(false);
        let (events, _) = broadcast::channel(1);
        Self {
            slot: Arc::new(ArcSwap::from_pointee(FleetSnapshot::default())),
            events,
            synced,
            watch_errors: Arc::new(AtomicU64::new(0)),
            connected: false,
            cancel: CancellationToken::new(),
        }
    }

    /// Whether there is a management cluster behind this cache.
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The latest snapshot. Cheap; never blocks.
    pub fn snapshot(&self) -> Arc<FleetSnapshot> {
        self.slot.load_full()
    }

    /// Change events from now on (only after the first sync; the initial list is not replayed).
    pub fn subscribe(&self) -> broadcast::Receiver<FleetEvent> {
        self.events.subscribe()
    }

    pub fn is_synced(&self) -> bool {
        *self.synced.borrow()
    }

    /// Waits for the first complete sync; false if it did not happen within `timeout`.
    pub async fn wait_synced(&self, timeout: Duration) -> bool {
        let mut synced = self.synced.clone();
        tokio::time::timeout(timeout, synced.wait_for(|s| *s))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Watches that failed and were restarted since start (for `/metrics`).
    pub fn watch_errors(&self) -> u64 {
        self.watch_errors.load(Ordering::Relaxed)
    }

    /// Stops every watch.
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

/// Where the indexer publishes.
struct Indexer {
    slot: Arc<ArcSwap<FleetSnapshot>>,
    events: broadcast::Sender<FleetEvent>,
    synced: watch::Sender<bool>,
    readiness: Readiness,
    watch_errors: Arc<AtomicU64>,
}

async fn index(
    mut rx: mpsc::UnboundedReceiver<MirrorMessage>,
    out: Indexer,
    cancel: CancellationToken,
) {
    let Indexer {
        slot,
        events,
        synced: synced_tx,
        readiness,
        watch_errors,
    } = out;
    let mut stores = Stores::default();
    let mut synced_kinds: BTreeSet<FleetKind> = BTreeSet::new();
    let mut all_synced = false;
    loop {
        let first = tokio::select! {
            _ = cancel.cancelled() => return,
            message = rx.recv() => match message {
                Some(message) => message,
                None => return,
            },
        };
        let mut changes = Vec::new();
        let mut newly_synced = false;
        // Fold everything already queued into one snapshot: bursts cost one rebuild.
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                MirrorMessage::Update(update, known) => {
                    changes.push(stores.apply_known(update, known));
                }
                MirrorMessage::Synced(kind) => {
                    newly_synced |= synced_kinds.insert(kind);
                }
                MirrorMessage::WatchError(kind) => {
                    tracing::debug!(kind = kind.name(), "watch restarted");
                    watch_errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            next = rx.try_recv().ok();
        }
        if changes.is_empty() && !newly_synced {
            continue;
        }
        let was_synced = all_synced;
        all_synced = synced_kinds.len() == FleetKind::ALL.len();
        let previous = slot.load_full();
        let snapshot = Arc::new(previous.rebuild(stores.clone(), &changes, all_synced));
        slot.store(snapshot.clone());
        if all_synced && !was_synced {
            let sizes = stores.sizes();
            tracing::info!(
                objects = sizes.iter().map(|(_, n)| n).sum::<usize>(),
                "fleet cache synced"
            );
            readiness.open(READY_GATE);
            let _ = synced_tx.send(true);
        }
        // The initial list is state, not news: announce changes only once synced.
        if was_synced && events.receiver_count() > 0 {
            for (kind, keys) in changes {
                let announce = |key: ObjectKey, change: Change| FleetEvent {
                    kind,
                    key,
                    change,
                    snapshot: snapshot.clone(),
                    previous: previous.clone(),
                };
                for key in keys.added {
                    let _ = events.send(announce(key, Change::Added));
                }
                for key in keys.updated {
                    let _ = events.send(announce(key, Change::Updated));
                }
                for key in keys.removed {
                    let _ = events.send(announce(key, Change::Removed));
                }
            }
        }
    }
}
