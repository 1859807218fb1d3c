//! The snapshot's list of managed clusters (sorted by [`ClusterRef`]) and where each sits in it.
//!
//! Built whole at the first sync. After that a change of a few clusters, or of the summaries
//! their health flags come from, patches the previous list: untouched entries are shared, so a
//! label change on one cluster costs a copy of the list's pointers instead of every cluster's
//! info and health rebuilt, re-sorted and re-indexed (which at 10,000 clusters delayed every
//! subscription event by tens of milliseconds).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::kind::{FleetKind, ObjectKey};
use super::snapshot::{ClusterRef, FleetCluster};
use super::stores::{CapiObject, KeyChanges, Stores};
use crate::fleet::kinds::{ClusterSummary, ClusterType, HealthFlags, SveltosCluster};

pub(super) type Clusters = Arc<Vec<Arc<FleetCluster>>>;
pub(super) type Positions = Arc<HashMap<ClusterRef, usize>>;
pub(super) type SummaryIndex = super::summary_index::ByCluster;

/// Patching touches each changed entry and copies the list once; past this share of the fleet
/// (1/8) a full build is about as cheap and simpler to trust.
const PATCH_SHARE: usize = 8;

/// Every managed cluster of `stores`, sorted, with positions.
pub(super) fn build(stores: &Stores, summaries: &SummaryIndex) -> (Clusters, Positions) {
    let mut clusters =
        Vec::with_capacity(stores.capi_clusters.len() + stores.sveltos_clusters.len());
    for (key, capi) in stores.capi_clusters.iter() {
        clusters.push(Arc::new(from_capi(key, capi, summaries)));
    }
    for (key, sveltos) in stores.sveltos_clusters.iter() {
        clusters.push(Arc::new(from_sveltos(key, sveltos, summaries)));
    }
    clusters.sort_by(|a, b| a.reference.cmp(&b.reference));
    let positions = positions_of(&clusters);
    (Arc::new(clusters), Arc::new(positions))
}

/// The previous list with the `touched` clusters rebuilt from `stores` (added, replaced or
/// removed as the stores now say); the same result as [`build`], sharing what did not change.
pub(super) fn patch(
    clusters: &Clusters,
    positions: &Positions,
    stores: &Stores,
    summaries: &SummaryIndex,
    touched: &BTreeSet<ClusterRef>,
) -> (Clusters, Positions) {
    if touched.is_empty() {
        return (clusters.clone(), positions.clone());
    }
    if clusters.is_empty() || touched.len() > clusters.len() / PATCH_SHARE {
        return build(stores, summaries);
    }
    let mut next: Vec<Arc<FleetCluster>> = clusters.as_ref().clone();
    let mut removed: Vec<usize> = Vec::new();
    let mut added: Vec<Arc<FleetCluster>> = Vec::new();
    for reference in touched {
        match (
            positions.get(reference),
            current(stores, reference, summaries),
        ) {
            (Some(&i), Some(cluster)) => next[i] = Arc::new(cluster),
            (Some(&i), None) => removed.push(i),
            (None, Some(cluster)) => added.push(Arc::new(cluster)),
            (None, None) => {}
        }
    }
    if removed.is_empty() && added.is_empty() {
        // Same clusters in the same places: the positions stay valid.
        return (Arc::new(next), positions.clone());
    }
    removed.sort_unstable();
    let mut index = 0;
    next.retain(|_| {
        let keep = removed.binary_search(&index).is_err();
        index += 1;
        keep
    });
    next.extend(added);
    next.sort_by(|a, b| a.reference.cmp(&b.reference));
    let positions = positions_of(&next);
    (Arc::new(next), Arc::new(positions))
}

/// The clusters whose entry `changes` may alter: changed CAPI and Sveltos clusters, and the
/// clusters that changed ClusterSummaries describe before or after the change (their health
/// flags come from those summaries).
pub(super) fn touched(
    before: &Stores,
    now: &Stores,
    changes: &[(FleetKind, KeyChanges)],
) -> BTreeSet<ClusterRef> {
    let mut touched = BTreeSet::new();
    for (kind, keys) in changes {
        let all = keys.added.iter().chain(&keys.updated).chain(&keys.removed);
        match kind {
            FleetKind::CapiCluster | FleetKind::SveltosCluster => {
                let cluster_type = if *kind == FleetKind::CapiCluster {
                    ClusterType::Capi
                } else {
                    ClusterType::Sveltos
                };
                touched.extend(all.map(|key| ClusterRef {
                    namespace: key.namespace.clone(),
                    name: key.name.clone(),
                    cluster_type,
                }));
            }
            FleetKind::ClusterSummary => {
                for key in all {
                    for stores in [before, now] {
                        if let Some(summary) = stores.cluster_summaries.get(key) {
                            touched.extend(summary_cluster(key, summary));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    touched
}

/// The cluster a ClusterSummary describes: `spec.clusterType`, `spec.clusterNamespace` (the
/// summary's own namespace when empty) and `spec.clusterName`.
pub fn summary_cluster(key: &ObjectKey, summary: &ClusterSummary) -> Option<ClusterRef> {
    let cluster_type = ClusterType::parse(&summary.spec.cluster_type)?;
    let namespace = if summary.spec.cluster_namespace.is_empty() {
        key.namespace.clone()
    } else {
        summary.spec.cluster_namespace.clone()
    };
    Some(ClusterRef {
        namespace,
        name: summary.spec.cluster_name.clone(),
        cluster_type,
    })
}

/// The cluster as `stores` now hold it, if they do.
fn current(
    stores: &Stores,
    reference: &ClusterRef,
    summaries: &SummaryIndex,
) -> Option<FleetCluster> {
    let key = ObjectKey::new(reference.namespace.clone(), reference.name.clone());
    match reference.cluster_type {
        ClusterType::Capi => stores
            .capi_clusters
            .get(&key)
            .map(|capi| from_capi(&key, capi, summaries)),
        ClusterType::Sveltos => stores
            .sveltos_clusters
            .get(&key)
            .map(|sveltos| from_sveltos(&key, sveltos, summaries)),
    }
}

fn from_capi(key: &ObjectKey, capi: &CapiObject, summaries: &SummaryIndex) -> FleetCluster {
    let reference = ClusterRef {
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        cluster_type: ClusterType::Capi,
    };
    let meta = capi.metadata();
    FleetCluster {
        uid: meta.uid.clone().unwrap_or_default(),
        created: meta.creation_timestamp.clone(),
        info: capi.cluster_info(),
        health: health(&reference, summaries),
        reference,
    }
}

fn from_sveltos(
    key: &ObjectKey,
    sveltos: &SveltosCluster,
    summaries: &SummaryIndex,
) -> FleetCluster {
    let reference = ClusterRef {
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        cluster_type: ClusterType::Sveltos,
    };
    FleetCluster {
        uid: sveltos.metadata.uid.clone().unwrap_or_default(),
        created: sveltos.metadata.creation_timestamp.clone(),
        info: sveltos.cluster_info(),
        health: health(&reference, summaries),
        reference,
    }
}

fn health(reference: &ClusterRef, summaries: &SummaryIndex) -> HealthFlags {
    HealthFlags::from_summaries(
        summaries
            .get(reference)
            .into_iter()
            .flatten()
            .map(|s| s.as_ref()),
    )
}

fn positions_of(clusters: &[Arc<FleetCluster>]) -> HashMap<ClusterRef, usize> {
    clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.reference.clone(), i))
        .collect()
}
