//! The snapshot's two ClusterSummary indexes: by the cluster a summary describes, and by the
//! profile that owns it, then by cluster.
//!
//! Built whole at the first sync. After that a change of a few summaries (a feature status,
//! say) patches the previous indexes: both are persistent maps (`imbl`), so a snapshot shares
//! every untouched entry with the one before it, and a status change costs the touched clusters'
//! lists instead of a pass over all 50,000 summaries (~80 ms per change in BENCHMARKS.md, which
//! every `clusterStatusChanged` subscriber waited for).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::cluster_list::summary_cluster;
use super::kind::ObjectKey;
use super::snapshot::ClusterRef;
use super::stores::Stores;
use crate::fleet::kinds::{ClusterSummary, ProfileId, ProfileKind};

/// Summaries by the cluster they describe, each list in namespace/name order.
pub type ByCluster = imbl::HashMap<ClusterRef, Vec<Arc<ClusterSummary>>>;
/// One profile's summaries by cluster.
pub type Owned = imbl::HashMap<ClusterRef, Arc<ClusterSummary>>;
/// Summaries by owning profile (owner reference), then by cluster.
pub type ByProfile = imbl::HashMap<ProfileId, Owned>;

/// Past this share of all summaries (1/8) changed at once, a full build is about as cheap.
const PATCH_SHARE: usize = 8;

/// The profile owning `summary`. A Profile's summaries live in its own namespace, because a
/// Profile only ever matches clusters of that namespace.
pub fn owner_id(key: &ObjectKey, summary: &ClusterSummary) -> Option<ProfileId> {
    let owner = summary.owner_profile()?;
    Some(match owner.kind {
        ProfileKind::ClusterProfile => ProfileId::cluster_profile(&owner.name),
        ProfileKind::Profile => ProfileId::profile(&key.namespace, &owner.name),
    })
}

pub fn by_cluster(stores: &Stores) -> ByCluster {
    let mut index = ByCluster::new();
    for (key, summary) in stores.cluster_summaries.iter() {
        if let Some(cluster) = summary_cluster(key, summary) {
            index.entry(cluster).or_default().push(summary.clone());
        }
    }
    index
}

pub fn by_profile(stores: &Stores) -> ByProfile {
    let mut index = ByProfile::new();
    // Stores iterate by namespace/name, so on a (never expected) duplicate the first name wins.
    for (key, summary) in stores.cluster_summaries.iter() {
        let (Some(id), Some(cluster)) = (owner_id(key, summary), summary_cluster(key, summary))
        else {
            continue;
        };
        index
            .entry(id)
            .or_default()
            .entry(cluster)
            .or_insert_with(|| summary.clone());
    }
    index
}

/// What a set of changed summaries touches, judged by each summary before and after.
pub struct Touched {
    keys: HashSet<ObjectKey>,
    clusters: BTreeSet<ClusterRef>,
    owners: BTreeSet<(ProfileId, ClusterRef)>,
}

impl Touched {
    /// `None` when so many summaries changed that building whole is the better deal.
    pub fn of<'k>(
        before: &Stores,
        now: &Stores,
        keys: impl IntoIterator<Item = &'k ObjectKey>,
    ) -> Option<Self> {
        let keys: HashSet<ObjectKey> = keys.into_iter().cloned().collect();
        if before.cluster_summaries.is_empty()
            || keys.len() * PATCH_SHARE > now.cluster_summaries.len().max(1)
        {
            return None;
        }
        let mut clusters = BTreeSet::new();
        let mut owners = BTreeSet::new();
        for key in &keys {
            for stores in [before, now] {
                let Some(summary) = stores.cluster_summaries.get(key) else {
                    continue;
                };
                let Some(cluster) = summary_cluster(key, summary) else {
                    continue;
                };
                if let Some(id) = owner_id(key, summary) {
                    owners.insert((id, cluster.clone()));
                }
                clusters.insert(cluster);
            }
        }
        Some(Self {
            keys,
            clusters,
            owners,
        })
    }

    /// `index` with the touched clusters' lists rebuilt from `now`: equal to [`by_cluster`].
    pub fn patch_by_cluster(&self, index: &ByCluster, now: &Stores) -> ByCluster {
        let mut out = index.clone();
        for cluster in &self.clusters {
            let mut list: Vec<Arc<ClusterSummary>> = out
                .get(cluster)
                .map(|old| {
                    old.iter()
                        .filter(|s| !self.keys.contains(&key_of(s)))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for key in &self.keys {
                if let Some(summary) = now.cluster_summaries.get(key)
                    && summary_cluster(key, summary).as_ref() == Some(cluster)
                {
                    list.push(summary.clone());
                }
            }
            list.sort_by_cached_key(|s| key_of(s));
            if list.is_empty() {
                out.remove(cluster);
            } else {
                out.insert(cluster.clone(), list);
            }
        }
        out
    }

    /// `index` with the touched (profile, cluster) entries re-decided from the patched
    /// `by_cluster` (whose lists are in namespace/name order, so the first name still wins):
    /// equal to [`by_profile`].
    pub fn patch_by_profile(&self, index: &ByProfile, by_cluster: &ByCluster) -> ByProfile {
        let mut out = index.clone();
        for (id, cluster) in &self.owners {
            let winner = by_cluster.get(cluster).and_then(|list| {
                list.iter()
                    .find(|s| owner_id(&key_of(s), s).as_ref() == Some(id))
            });
            let mut owned = out.get(id).cloned().unwrap_or_default();
            match winner {
                Some(summary) => {
                    owned.insert(cluster.clone(), summary.clone());
                }
                None => {
                    owned.remove(cluster);
                }
            }
            if owned.is_empty() {
                out.remove(id);
            } else {
                out.insert(id.clone(), owned);
            }
        }
        out
    }
}

/// The store key of a summary: its namespace and name, as the mirror keys it.
fn key_of(summary: &ClusterSummary) -> ObjectKey {
    ObjectKey::new(
        summary.metadata.namespace.clone().unwrap_or_default(),
        summary.metadata.name.clone().unwrap_or_default(),
    )
}
