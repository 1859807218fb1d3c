//! Translates the fleet cache's per-object events into what subscriptions talk about: clusters
//! added / updated / removed (with health flags), clusters whose profile feature statuses
//! changed, and profiles whose matching clusters or statuses changed. Done once per change for
//! all subscribers; each subscriber only filters and authorizes.

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio_util::sync::CancellationToken;

use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{
    Change, ClusterRef, FleetCache, FleetCluster, FleetEvent, FleetKind, FleetSnapshot, ObjectKey,
    summary_cluster,
};
use crate::fleet::kinds::{
    CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, ClusterSummary, ClusterType, ProfileId, ProfileKind,
};

/// A cluster as it now is (or, when removed, as it last was).
#[derive(Clone, Debug)]
pub struct ClusterChange {
    pub change: Change,
    pub cluster: Arc<FleetCluster>,
    /// The cluster before this change (none when added); filters match either side so that a
    /// subscriber learns when a cluster leaves its filter.
    pub before: Option<Arc<FleetCluster>>,
}

#[derive(Clone, Debug)]
pub struct ProfileChange {
    pub change: Change,
    pub profile: Arc<FleetProfile>,
}

/// Everything one published snapshot changed, already de-duplicated.
#[derive(Clone, Debug, Default)]
pub struct LiveBatch {
    pub snapshot: Arc<FleetSnapshot>,
    pub clusters: Vec<ClusterChange>,
    /// Clusters whose ClusterSummaries or ClusterConfigurations changed.
    pub statuses: Vec<Arc<FleetCluster>>,
    pub profiles: Vec<ProfileChange>,
}

impl LiveBatch {
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty() && self.statuses.is_empty() && self.profiles.is_empty()
    }
}

/// Batches buffered for subscribers; one that falls further behind is closed as too slow.
pub const FEED_BUFFER: usize = 1024;

/// Runs until `cancel`: reads fleet events and publishes [`LiveBatch`]es on `out`.
pub async fn run(
    fleet: FleetCache,
    out: broadcast::Sender<Arc<LiveBatch>>,
    cancel: CancellationToken,
) {
    let mut rx = fleet.subscribe();
    let mut pending: Option<FleetEvent> = None;
    let mut last = fleet.snapshot();
    loop {
        let first = match pending.take() {
            Some(event) => event,
            None => {
                let received = tokio::select! {
                    _ = cancel.cancelled() => return,
                    received = rx.recv() => received,
                };
                match received {
                    Ok(event) => event,
                    Err(RecvError::Closed) => return,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "live feed fell behind the fleet cache; diffing");
                        let now = fleet.snapshot();
                        publish(&out, diff(&last, &now));
                        last = now;
                        continue;
                    }
                }
            }
        };
        // Every event of one cache rebuild shares its snapshot: translate them together.
        let mut events = vec![first];
        loop {
            match rx.try_recv() {
                Ok(event) if Arc::ptr_eq(&event.snapshot, &events[0].snapshot) => {
                    events.push(event)
                }
                Ok(event) => {
                    pending = Some(event);
                    break;
                }
                Err(TryRecvError::Lagged(_)) => {
                    // The next recv reports nothing more; diff to be sure nothing is lost.
                    let now = fleet.snapshot();
                    publish(&out, diff(&events[0].previous, &now));
                    events.clear();
                    last = now;
                    break;
                }
                Err(_) => break,
            }
        }
        if let Some(event) = events.first() {
            last = event.snapshot.clone();
        }
        publish(&out, translate(&events));
    }
}

fn publish(out: &broadcast::Sender<Arc<LiveBatch>>, batch: LiveBatch) {
    if !batch.is_empty() {
        let _ = out.send(Arc::new(batch));
    }
}

/// One cache rebuild's events as one batch.
pub fn translate(events: &[FleetEvent]) -> LiveBatch {
    let Some(first) = events.first() else {
        return LiveBatch::default();
    };
    let (now, before) = (&first.snapshot, &first.previous);
    let mut clusters: Vec<ClusterChange> = Vec::new();
    let mut seen_clusters: BTreeSet<ClusterRef> = BTreeSet::new();
    let mut statuses: BTreeSet<ClusterRef> = BTreeSet::new();
    let mut profiles: BTreeSet<(ProfileId, u8)> = BTreeSet::new();
    for event in events {
        match event.kind {
            FleetKind::CapiCluster | FleetKind::SveltosCluster => {
                let cluster_type = if event.kind == FleetKind::CapiCluster {
                    ClusterType::Capi
                } else {
                    ClusterType::Sveltos
                };
                // One rebuild may fold several updates of one object: judge by the states.
                let reference = cluster_ref(&event.key, cluster_type);
                if !seen_clusters.insert(reference.clone()) {
                    continue;
                }
                let old = before.cluster(&reference).cloned();
                let change = match (&old, now.cluster(&reference)) {
                    (None, Some(new)) => Some((Change::Added, new.clone())),
                    (Some(_), Some(new)) => Some((Change::Updated, new.clone())),
                    (Some(old), None) => Some((Change::Removed, old.clone())),
                    (None, None) => None,
                };
                if let Some((change, cluster)) = change {
                    clusters.push(ClusterChange {
                        change,
                        cluster,
                        before: old,
                    });
                }
            }
            FleetKind::ClusterSummary => {
                for snapshot in [now, before] {
                    if let Some(summary) = snapshot.stores.cluster_summaries.get(&event.key) {
                        if let Some(reference) = summary_cluster(&event.key, summary) {
                            statuses.insert(reference);
                        }
                        if let Some(owner) = summary.owner_profile() {
                            let id = match owner.kind {
                                ProfileKind::ClusterProfile => {
                                    ProfileId::cluster_profile(&owner.name)
                                }
                                ProfileKind::Profile => {
                                    ProfileId::profile(&event.key.namespace, &owner.name)
                                }
                            };
                            profiles.insert((id, 1));
                        }
                    }
                }
            }
            FleetKind::ClusterConfiguration => {
                for snapshot in [now, before] {
                    let labels = snapshot
                        .stores
                        .cluster_configurations
                        .get(&event.key)
                        .and_then(|c| c.metadata.labels.clone());
                    let name = labels.as_ref().and_then(|l| l.get(CLUSTER_NAME_LABEL));
                    let kind = labels
                        .as_ref()
                        .and_then(|l| l.get(CLUSTER_TYPE_LABEL))
                        .and_then(|t| ClusterType::parse(t));
                    if let (Some(name), Some(kind)) = (name, kind) {
                        statuses.insert(ClusterRef {
                            namespace: event.key.namespace.clone(),
                            name: name.clone(),
                            cluster_type: kind,
                        });
                    }
                }
            }
            FleetKind::ClusterProfile => {
                let id = ProfileId::cluster_profile(&event.key.name);
                profiles.insert((id, change_rank(event.change)));
            }
            FleetKind::Profile => {
                let id = ProfileId::profile(&event.key.namespace, &event.key.name);
                profiles.insert((id, change_rank(event.change)));
            }
            _ => {}
        }
    }
    // Summaries move health flags: a cluster whose flags changed is an update of the cluster.
    for reference in &statuses {
        if seen_clusters.contains(reference) {
            continue;
        }
        if let (Some(old), Some(new)) = (before.cluster(reference), now.cluster(reference))
            && old.health != new.health
        {
            clusters.push(ClusterChange {
                change: Change::Updated,
                cluster: new.clone(),
                before: Some(old.clone()),
            });
        }
    }
    clusters.sort_by(|a, b| a.cluster.reference.cmp(&b.cluster.reference));
    let statuses = statuses
        .iter()
        .filter_map(|r| now.cluster(r).cloned())
        .collect();
    LiveBatch {
        snapshot: now.clone(),
        clusters,
        statuses,
        profiles: profile_changes(now, before, profiles),
    }
}

/// Ranks so that an object's own add/remove outranks "its summaries changed" (1 = updated).
fn change_rank(change: Change) -> u8 {
    match change {
        Change::Added => 0,
        Change::Updated => 1,
        Change::Removed => 2,
    }
}

fn profile_changes(
    now: &FleetSnapshot,
    before: &FleetSnapshot,
    touched: BTreeSet<(ProfileId, u8)>,
) -> Vec<ProfileChange> {
    let mut out: Vec<ProfileChange> = Vec::new();
    let mut last: Option<ProfileId> = None;
    for (id, rank) in touched {
        // Sorted by id then rank: keep the first (strongest) entry per profile.
        if last.as_ref() == Some(&id) {
            continue;
        }
        last = Some(id.clone());
        let (change, profile) = match rank {
            2 => (Change::Removed, before.profile_index().get(&id)),
            0 => (Change::Added, now.profile_index().get(&id)),
            _ => (Change::Updated, now.profile_index().get(&id)),
        };
        if let Some(profile) = profile {
            out.push(ProfileChange {
                change,
                profile: profile.clone(),
            });
        }
    }
    out
}

/// Everything that differs between two snapshots (after the feed missed events).
pub fn diff(before: &FleetSnapshot, now: &FleetSnapshot) -> LiveBatch {
    let mut clusters = Vec::new();
    let mut statuses = Vec::new();
    for cluster in now.clusters.iter() {
        let reference = &cluster.reference;
        match before.cluster(reference) {
            None => clusters.push(ClusterChange {
                change: Change::Added,
                cluster: cluster.clone(),
                before: None,
            }),
            Some(old) => {
                if old.uid != cluster.uid
                    || old.info != cluster.info
                    || old.health != cluster.health
                {
                    clusters.push(ClusterChange {
                        change: Change::Updated,
                        cluster: cluster.clone(),
                        before: Some(old.clone()),
                    });
                }
                let same = |a: &[Arc<ClusterSummary>], b: &[Arc<ClusterSummary>]| {
                    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x, y))
                };
                if !same(before.summaries_of(reference), now.summaries_of(reference)) {
                    statuses.push(cluster.clone());
                }
            }
        }
    }
    for old in before.clusters.iter() {
        if now.cluster(&old.reference).is_none() {
            clusters.push(ClusterChange {
                change: Change::Removed,
                cluster: old.clone(),
                before: Some(old.clone()),
            });
        }
    }
    let mut profiles = Vec::new();
    for profile in now.profile_index().profiles.iter() {
        match before.profile_index().get(&profile.id) {
            None => profiles.push(ProfileChange {
                change: Change::Added,
                profile: profile.clone(),
            }),
            Some(old) if !same_object(old, profile) => profiles.push(ProfileChange {
                change: Change::Updated,
                profile: profile.clone(),
            }),
            Some(_) => {}
        }
    }
    for old in before.profile_index().profiles.iter() {
        if now.profile_index().get(&old.id).is_none() {
            profiles.push(ProfileChange {
                change: Change::Removed,
                profile: old.clone(),
            });
        }
    }
    LiveBatch {
        snapshot: Arc::new(now.clone()),
        clusters,
        statuses,
        profiles,
    }
}

/// Indexes are rebuilt whole; the objects inside are shared while unchanged.
fn same_object(a: &FleetProfile, b: &FleetProfile) -> bool {
    use crate::fleet::cache::profile_index::ProfileObject;
    match (&a.object, &b.object) {
        (ProfileObject::Cluster(x), ProfileObject::Cluster(y)) => Arc::ptr_eq(x, y),
        (ProfileObject::Namespaced(x), ProfileObject::Namespaced(y)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

fn cluster_ref(key: &ObjectKey, cluster_type: ClusterType) -> ClusterRef {
    ClusterRef {
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        cluster_type,
    }
}
