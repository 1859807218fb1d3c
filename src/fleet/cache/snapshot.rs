//! An immutable view of the whole fleet: the raw stores plus the indexes the graph reads.
//! Readers take an `Arc` of it and never block writers.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::cluster_list;
use super::kind::FleetKind;
use super::memo::Memo;
use super::profile_index::ProfileIndex;
use super::report_index::ReportIndex;
use super::stores::{KeyChanges, Stores};
use super::summary_index;
use crate::fleet::kinds::{
    CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, ClusterConfiguration, ClusterInfo, ClusterSummary,
    ClusterType, HealthFlags,
};
use crate::fleet::query::addons::{ClusterAddons, cluster_addons};

/// A managed cluster's identity. Orders by namespace, then name, then type (CAPI first): the
/// documented default order of `clusters`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClusterRef {
    pub namespace: String,
    pub name: String,
    pub cluster_type: ClusterType,
}

/// A managed cluster with everything the cluster page shows about it.
#[derive(Clone, Debug)]
pub struct FleetCluster {
    pub reference: ClusterRef,
    pub uid: String,
    pub created: Option<Time>,
    pub info: ClusterInfo,
    pub health: HealthFlags,
}

#[derive(Clone, Debug, Default)]
pub struct FleetSnapshot {
    pub stores: Stores,
    /// Every managed cluster, in [`ClusterRef`] order.
    pub clusters: Arc<Vec<Arc<FleetCluster>>>,
    cluster_positions: Arc<HashMap<ClusterRef, usize>>,
    summaries_by_cluster: Arc<summary_index::ByCluster>,
    configurations_by_cluster: Arc<HashMap<ClusterRef, Vec<Arc<ClusterConfiguration>>>>,
    profile_index: Arc<ProfileIndex>,
    report_index: Arc<ReportIndex>,
    /// Per-cluster add-on views, computed on first read (they depend on summaries and
    /// configurations only).
    addons: Arc<Memo<ClusterRef, ClusterAddons>>,
    /// Whether every kind has delivered its first complete list.
    pub synced: bool,
}

impl FleetSnapshot {
    pub fn cluster(&self, reference: &ClusterRef) -> Option<&Arc<FleetCluster>> {
        self.cluster_positions
            .get(reference)
            .and_then(|&i| self.clusters.get(i))
    }

    /// The cluster's ClusterSummaries, by namespace/name.
    pub fn summaries_of(&self, cluster: &ClusterRef) -> &[Arc<ClusterSummary>] {
        self.summaries_by_cluster
            .get(cluster)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The cluster's ClusterConfigurations (normally one), by name.
    pub fn configurations_of(&self, cluster: &ClusterRef) -> &[Arc<ClusterConfiguration>] {
        self.configurations_by_cluster
            .get(cluster)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Profiles, their dependencies and dependents, and the summaries each owns.
    pub fn profile_index(&self) -> &ProfileIndex {
        &self.profile_index
    }

    /// Classifier reports by classifier.
    pub fn report_index(&self) -> &ReportIndex {
        &self.report_index
    }

    /// What is deployed on `cluster`, computed once per snapshot: a page of clusters asks for
    /// the add-ons of each of its clusters on every request.
    pub fn addons_of(&self, cluster: &ClusterRef) -> Arc<ClusterAddons> {
        self.addons
            .get_or_compute(cluster, || cluster_addons(self, cluster))
    }

    /// Rebuilds the indexes that depend on the kinds in `changes`, reusing the others; the
    /// cluster list is patched where the changed keys touch it.
    pub fn rebuild(
        &self,
        stores: Stores,
        changes: &[(FleetKind, KeyChanges)],
        synced: bool,
    ) -> Self {
        let dirty: BTreeSet<FleetKind> = changes.iter().map(|(kind, _)| *kind).collect();
        let touches = |kinds: &[FleetKind]| kinds.iter().any(|k| dirty.contains(k));
        // A few changed summaries patch both summary indexes; many (or the first sync) build.
        let touched_summaries = touches(&[FleetKind::ClusterSummary])
            .then(|| {
                let keys = changes
                    .iter()
                    .filter(|(kind, _)| *kind == FleetKind::ClusterSummary)
                    .flat_map(|(_, c)| c.added.iter().chain(&c.updated).chain(&c.removed));
                summary_index::Touched::of(&self.stores, &stores, keys)
            })
            .flatten();
        let summaries_by_cluster = match (&touched_summaries, touches(&[FleetKind::ClusterSummary]))
        {
            (Some(touched), _) => {
                Arc::new(touched.patch_by_cluster(&self.summaries_by_cluster, &stores))
            }
            (None, true) => Arc::new(summary_index::by_cluster(&stores)),
            (None, false) => self.summaries_by_cluster.clone(),
        };
        let configurations_by_cluster = if touches(&[FleetKind::ClusterConfiguration]) {
            Arc::new(index_configurations(&stores))
        } else {
            self.configurations_by_cluster.clone()
        };
        let addons = if touches(&[FleetKind::ClusterSummary, FleetKind::ClusterConfiguration]) {
            Arc::default()
        } else {
            self.addons.clone()
        };
        let profile_index = if touches(&[FleetKind::ClusterProfile, FleetKind::Profile]) {
            Arc::new(ProfileIndex::build(&stores))
        } else if let Some(touched) = &touched_summaries {
            let owned = touched
                .patch_by_profile(self.profile_index.owned_summaries(), &summaries_by_cluster);
            Arc::new(self.profile_index.with_owned_summaries(owned))
        } else if touches(&[FleetKind::ClusterSummary]) {
            Arc::new(
                self.profile_index
                    .with_owned_summaries(summary_index::by_profile(&stores)),
            )
        } else {
            self.profile_index.clone()
        };
        let report_index = if touches(&[
            FleetKind::ClassifierReport,
            FleetKind::ManagementClusterClassifierReport,
        ]) {
            Arc::new(ReportIndex::build(&stores))
        } else {
            self.report_index.clone()
        };
        let (clusters, cluster_positions) = if touches(&[
            FleetKind::CapiCluster,
            FleetKind::SveltosCluster,
            FleetKind::ClusterSummary,
        ]) {
            let touched = cluster_list::touched(&self.stores, &stores, changes);
            cluster_list::patch(
                &self.clusters,
                &self.cluster_positions,
                &stores,
                &summaries_by_cluster,
                &touched,
            )
        } else {
            (self.clusters.clone(), self.cluster_positions.clone())
        };
        Self {
            stores,
            clusters,
            cluster_positions,
            summaries_by_cluster,
            configurations_by_cluster,
            profile_index,
            report_index,
            addons,
            synced,
        }
    }
}

/// ClusterConfigurations by the cluster named in their labels, in the same namespace.
fn index_configurations(stores: &Stores) -> HashMap<ClusterRef, Vec<Arc<ClusterConfiguration>>> {
    let mut index: HashMap<ClusterRef, Vec<Arc<ClusterConfiguration>>> = HashMap::new();
    for (key, configuration) in stores.cluster_configurations.iter() {
        let labels = configuration.metadata.labels.as_ref();
        let name = labels.and_then(|l| l.get(CLUSTER_NAME_LABEL));
        let cluster_type = labels
            .and_then(|l| l.get(CLUSTER_TYPE_LABEL))
            .and_then(|t| ClusterType::parse(t));
        let (Some(name), Some(cluster_type)) = (name, cluster_type) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        index
            .entry(ClusterRef {
                namespace: key.namespace.clone(),
                name: name.clone(),
                cluster_type,
            })
            .or_default()
            .push(configuration.clone());
    }
    index
}
