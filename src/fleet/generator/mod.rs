//! A deterministic generator of consistent Sveltos / Cluster API worlds, for tests, demo mode and
//! benchmarks.
//!
//! [`generate`] turns a [`FleetSpec`] into plain JSON objects in creation order (namespaces,
//! clusters, event sources, classifiers, profiles, event triggers, summaries, configurations,
//! reports); CRDs are not included. Objects carry their `status`: a loader creates each object,
//! then writes its status through the `/status` subresource where the CRD has one.
//!
//! How the world hangs together: clusters are cut into groups of consecutive clusters sharing a
//! namespace and a [`GROUP_LABEL`] value; profile `k` selects group `k mod G` (so a Profile lives
//! in that group's namespace) and ClusterSummaries exist exactly for matched pairs, which keeps
//! `status.matchingClusters`, summaries, configurations and reports consistent, and makes the
//! number of summaries `profiles × group size` (topped up with `clusterRefs` to hit the target).
//! Same seed and sizes give byte-identical output.

mod catalog;
mod classifiers;
mod clusters;
mod events;
mod outcomes;
mod profiles;
mod reports;
mod summaries;
mod support;

use crate::fleet::kinds::ClusterType;
use serde_json::{Value, json};

pub use catalog::{GROUP_LABEL, MISSING_DEPENDENCY, MISSING_EVENT_SOURCE};

/// Sizes and seed of a generated fleet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetSpec {
    pub seed: u64,
    /// Namespaces clusters (and namespaced Profiles) live in.
    pub namespaces: usize,
    /// CAPI plus Sveltos clusters; about 60 % CAPI when `capi` is set.
    pub clusters: usize,
    /// Whether Cluster API clusters exist (false: a management cluster without CAPI).
    pub capi: bool,
    /// ClusterProfiles plus Profiles; about 70 % ClusterProfiles.
    pub profiles: usize,
    /// Target number of ClusterSummaries (met exactly unless the clusters cannot hold them).
    pub summaries: usize,
    /// ClusterConfigurations, one per cluster that has summaries, at most this many.
    pub configurations: usize,
    pub event_sources: usize,
    pub event_triggers: usize,
    pub classifiers: usize,
    pub management_classifiers: usize,
}

impl FleetSpec {
    /// A few dozen clusters: every case at least once, fast enough for unit tests.
    pub fn small(seed: u64) -> FleetSpec {
        FleetSpec {
            seed,
            namespaces: 3,
            clusters: 24,
            capi: true,
            profiles: 14,
            summaries: 50,
            configurations: 24,
            event_sources: 2,
            event_triggers: 3,
            classifiers: 2,
            management_classifiers: 1,
        }
    }

    /// What demo mode loads.
    pub fn demo(seed: u64) -> FleetSpec {
        FleetSpec {
            seed,
            namespaces: 6,
            clusters: 120,
            capi: true,
            profiles: 30,
            summaries: 300,
            configurations: 120,
            event_sources: 4,
            event_triggers: 6,
            classifiers: 4,
            management_classifiers: 2,
        }
    }

    /// The benchmark fleet of graph.md: 10,000 clusters, 1,000 profiles, 50,000
    /// ClusterSummaries, 10,000 ClusterConfigurations.
    pub fn benchmark(seed: u64) -> FleetSpec {
        FleetSpec {
            seed,
            namespaces: 20,
            clusters: 10_000,
            capi: true,
            profiles: 1_000,
            summaries: 50_000,
            configurations: 10_000,
            event_sources: 20,
            event_triggers: 50,
            classifiers: 20,
            management_classifiers: 5,
        }
    }

    /// Clusters per group: how many clusters one profile selects.
    fn group_size(&self) -> usize {
        let per_profile = self.summaries / self.profiles.max(1);
        per_profile.clamp(1, self.clusters.max(1))
    }

    /// Number of cluster groups.
    fn groups(&self) -> usize {
        self.clusters.div_ceil(self.group_size()).max(1)
    }
}

impl Default for FleetSpec {
    fn default() -> Self {
        FleetSpec::demo(42)
    }
}

/// A cluster as planned, before it is written out.
pub(crate) struct PlannedCluster {
    pub cluster_type: ClusterType,
    pub namespace: String,
    pub name: String,
    pub group: usize,
    pub env: &'static str,
    pub region: &'static str,
}

impl PlannedCluster {
    /// The reference Sveltos writes for this cluster.
    fn reference(&self) -> Value {
        json!({
            "apiVersion": self.cluster_type.api_version(),
            "kind": self.cluster_type.kind(),
            "namespace": self.namespace,
            "name": self.name,
        })
    }
}

/// Indices of the clusters of each group, ascending.
fn group_members(spec: &FleetSpec, clusters: &[PlannedCluster]) -> Vec<Vec<usize>> {
    let mut members = vec![Vec::new(); spec.groups()];
    for (i, cluster) in clusters.iter().enumerate() {
        if let Some(group) = members.get_mut(cluster.group) {
            group.push(i);
        }
    }
    members
}

/// Generate the world `spec` describes.
pub fn generate(spec: &FleetSpec) -> Vec<Value> {
    let namespaces = clusters::namespace_names(spec);
    let mut out: Vec<Value> = namespaces
        .iter()
        .map(|ns| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
        .collect();

    let planned_clusters = clusters::plan(spec, &namespaces);
    clusters::write(spec, &planned_clusters, &mut out);
    events::write_sources(spec, &mut out);
    classifiers::write_classifiers(spec, &planned_clusters, &mut out);

    let planned_profiles = profiles::plan(spec, &planned_clusters);
    let profile_specs: Vec<Value> = planned_profiles
        .iter()
        .map(|p| profiles::spec_json(p, &planned_clusters, spec.groups()))
        .collect();
    profiles::write(
        &planned_profiles,
        &profile_specs,
        &planned_clusters,
        &mut out,
    );
    events::write_triggers(spec, &planned_clusters, &mut out);

    let planned_summaries = outcomes::plan(spec, &planned_profiles, &planned_clusters);
    summaries::write(
        spec,
        &planned_summaries,
        &planned_profiles,
        &profile_specs,
        &planned_clusters,
        &mut out,
    );
    summaries::write_configurations(
        spec,
        &planned_summaries,
        &planned_profiles,
        &planned_clusters,
        &mut out,
    );
    reports::write(
        spec,
        &planned_summaries,
        &planned_profiles,
        &planned_clusters,
        &mut out,
    );
    events::write_reports(spec, &planned_clusters, &mut out);
    classifiers::write_reports(spec, &planned_clusters, &mut out);
    out
}

#[cfg(test)]
mod consistency_tests;
#[cfg(test)]
mod tests;
