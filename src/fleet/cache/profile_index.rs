//! Profiles of both kinds with their dependency graph and the ClusterSummaries they own, rebuilt
//! whenever a ClusterProfile or Profile changes so dependents always reflect the current objects
//! (decisions.md, Sveltos side, point 3); a ClusterSummary change only replaces (or patches) the
//! owned summaries.

use std::collections::HashMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ObjectReference;

use super::stores::Stores;
use super::summary_index::{self, ByProfile, Owned};
use crate::fleet::kinds::{
    ClusterProfile, Profile, ProfileDependencies, ProfileId, ProfileStatus, Spec,
};

/// The object behind a profile, shared with the store.
#[derive(Clone, Debug)]
pub enum ProfileObject {
    Cluster(Arc<ClusterProfile>),
    Namespaced(Arc<Profile>),
}

/// One profile as the graph reads it.
#[derive(Clone, Debug)]
pub struct FleetProfile {
    pub id: ProfileId,
    pub object: ProfileObject,
}

impl FleetProfile {
    pub fn spec(&self) -> &Spec {
        match &self.object {
            ProfileObject::Cluster(p) => &p.spec.0,
            ProfileObject::Namespaced(p) => &p.spec.0,
        }
    }

    pub fn status(&self) -> Option<&ProfileStatus> {
        match &self.object {
            ProfileObject::Cluster(p) => p.status.as_ref(),
            ProfileObject::Namespaced(p) => p.status.as_ref(),
        }
    }

    pub fn uid(&self) -> &str {
        let meta = match &self.object {
            ProfileObject::Cluster(p) => &p.metadata,
            ProfileObject::Namespaced(p) => &p.metadata,
        };
        meta.uid.as_deref().unwrap_or_default()
    }

    /// `status.matchingClusters` (empty without a status).
    pub fn matching_cluster_refs(&self) -> &[ObjectReference] {
        self.status()
            .map(|s| s.matching_clusters.as_slice())
            .unwrap_or_default()
    }
}

/// Profiles by identity, their dependency graph, and the summaries each owns. The profile
/// parts sit behind `Arc`s so that a summary change replaces only the owned summaries.
#[derive(Clone, Debug, Default)]
pub struct ProfileIndex {
    /// Every profile, in [`ProfileId`] order (kind, namespace, name).
    pub profiles: Arc<Vec<Arc<FleetProfile>>>,
    positions: Arc<HashMap<ProfileId, usize>>,
    pub dependencies: Arc<ProfileDependencies>,
    /// Owned ClusterSummaries by profile, then by the cluster they describe.
    summaries: ByProfile,
}

impl ProfileIndex {
    pub fn build(stores: &Stores) -> Self {
        let mut profiles: Vec<Arc<FleetProfile>> = stores
            .cluster_profiles
            .values()
            .map(|p| {
                Arc::new(FleetProfile {
                    id: p.id(),
                    object: ProfileObject::Cluster(p.clone()),
                })
            })
            .chain(stores.profiles.values().map(|p| {
                Arc::new(FleetProfile {
                    id: p.id(),
                    object: ProfileObject::Namespaced(p.clone()),
                })
            }))
            .collect();
        profiles.sort_by(|a, b| a.id.cmp(&b.id));
        let positions = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        let dependencies = ProfileDependencies::resolve(
            profiles
                .iter()
                .map(|p| (p.id.clone(), p.spec().depends_on())),
        );
        Self {
            profiles: Arc::new(profiles),
            positions: Arc::new(positions),
            dependencies: Arc::new(dependencies),
            summaries: summary_index::by_profile(stores),
        }
    }

    /// The same profiles with `summaries` as the owned summaries.
    pub fn with_owned_summaries(&self, summaries: ByProfile) -> Self {
        Self {
            profiles: self.profiles.clone(),
            positions: self.positions.clone(),
            dependencies: self.dependencies.clone(),
            summaries,
        }
    }

    pub fn owned_summaries(&self) -> &ByProfile {
        &self.summaries
    }

    pub fn get(&self, id: &ProfileId) -> Option<&Arc<FleetProfile>> {
        self.positions.get(id).and_then(|&i| self.profiles.get(i))
    }

    /// The ClusterSummaries `id` owns, by cluster.
    pub fn summaries_of(&self, id: &ProfileId) -> Option<&Owned> {
        self.summaries.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::cache::ObjectKey;
    use crate::fleet::kinds::ClusterSummary;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn summary(
        namespace: &str,
        name: &str,
        owner: Option<(&str, &str)>,
        cluster: &str,
    ) -> Arc<ClusterSummary> {
        let mut object = json!({
            "apiVersion": "config.projectsveltos.io/v1beta1",
            "kind": "ClusterSummary",
            "metadata": { "name": name, "namespace": namespace },
            "spec": { "clusterNamespace": namespace, "clusterName": cluster, "clusterType": "Sveltos" },
        });
        if let Some((kind, owner)) = owner {
            object["metadata"]["ownerReferences"] = json!([{
                "apiVersion": "config.projectsveltos.io/v1beta1", "kind": kind, "name": owner, "uid": "u",
            }]);
        }
        Arc::new(serde_json::from_value(object).expect("summary"))
    }

    #[test]
    fn summaries_are_owned_by_profile_and_a_profiles_namespace_is_the_summarys() {
        let summaries: BTreeMap<ObjectKey, Arc<ClusterSummary>> = [
            summary(
                "team-a",
                "p--web-sveltos-c1",
                Some(("Profile", "web")),
                "c1",
            ),
            summary(
                "team-b",
                "p--web-sveltos-c2",
                Some(("Profile", "web")),
                "c2",
            ),
            summary(
                "team-a",
                "web-sveltos-c1",
                Some(("ClusterProfile", "web")),
                "c1",
            ),
            summary("team-a", "orphan", None, "c1"),
        ]
        .into_iter()
        .map(|s| {
            (
                ObjectKey::new(
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default(),
                ),
                s,
            )
        })
        .collect();
        let stores = Stores {
            cluster_summaries: Arc::new(summaries),
            ..Stores::default()
        };
        let index = ProfileIndex::build(&stores);
        let names = |id: &ProfileId| -> Vec<String> {
            let mut names: Vec<String> = index
                .summaries_of(id)
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(|s| s.metadata.name.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(
            names(&ProfileId::profile("team-a", "web")),
            ["p--web-sveltos-c1"]
        );
        assert_eq!(
            names(&ProfileId::profile("team-b", "web")),
            ["p--web-sveltos-c2"]
        );
        assert_eq!(
            names(&ProfileId::cluster_profile("web")),
            ["web-sveltos-c1"]
        );
        // Summaries without a profile owner belong to nobody; no profile objects exist here.
        assert_eq!(index.summaries.values().map(Owned::len).sum::<usize>(), 3);
        assert!(index.profiles.is_empty());
    }
}
