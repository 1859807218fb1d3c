//! Which profiles match a cluster: a profile's `clusterSelector` against the cluster's labels,
//! its `clusterRefs`, and — for what the graph cannot evaluate itself (`setRefs`, whose
//! Set/ClusterSet kinds are not read) — addon-controller's own answer in
//! `status.matchingClusters`, plus the ClusterSummaries a profile still owns for the cluster.
//! A Profile (namespaced) only ever matches clusters of its own namespace.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{ClusterRef, FleetCluster, FleetSnapshot};
use crate::fleet::kinds::{ClusterType, ProfileKind};

/// Whether a `metav1.LabelSelector` selects `labels`. An empty selector selects nothing, as
/// Sveltos reads a profile without `clusterSelector` (it matches through refs and sets only).
pub fn selector_selects(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let match_labels = selector.match_labels.as_ref().filter(|m| !m.is_empty());
    let expressions = selector.match_expressions.as_deref().unwrap_or_default();
    if match_labels.is_none() && expressions.is_empty() {
        return false;
    }
    let labels_hold = match_labels
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    labels_hold
        && expressions.iter().all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                // An operator Kubernetes would have refused: select nothing rather than guess.
                _ => false,
            }
        })
}

/// Whether a reference names the cluster (any CAPI version; a missing namespace means the
/// profile's own for a Profile).
fn names_cluster(reference: &ObjectReference, cluster: &ClusterRef, own_namespace: &str) -> bool {
    let namespace = reference
        .namespace
        .as_deref()
        .filter(|ns| !ns.is_empty())
        .unwrap_or(own_namespace);
    ClusterType::of_reference(reference) == Some(cluster.cluster_type)
        && reference.name.as_deref() == Some(cluster.name.as_str())
        && namespace == cluster.namespace
}

/// How a profile matches a cluster; at least one is true.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchReasons {
    /// `spec.clusterSelector` selects the cluster's labels.
    pub selector: bool,
    /// `spec.clusterRefs` names the cluster.
    pub cluster_ref: bool,
    /// addon-controller lists the cluster in `status.matchingClusters` (covers `setRefs`).
    pub status: bool,
    /// The profile owns a ClusterSummary for the cluster.
    pub summary: bool,
}

impl MatchReasons {
    pub fn any(self) -> bool {
        self.selector || self.cluster_ref || self.status || self.summary
    }
}

/// Why (if at all) `profile` matches `cluster`.
pub fn match_reasons(
    snapshot: &FleetSnapshot,
    profile: &FleetProfile,
    cluster: &FleetCluster,
) -> MatchReasons {
    let reference = &cluster.reference;
    let own_namespace = profile.id.namespace.as_deref().unwrap_or_default();
    if profile.id.kind == ProfileKind::Profile && own_namespace != reference.namespace {
        return MatchReasons::default();
    }
    let spec = profile.spec();
    MatchReasons {
        selector: spec
            .cluster_selector
            .as_ref()
            .is_some_and(|s| selector_selects(s, &cluster.info.labels)),
        cluster_ref: spec
            .cluster_refs
            .iter()
            .flatten()
            .any(|r| names_cluster(r, reference, own_namespace)),
        status: profile
            .matching_cluster_refs()
            .iter()
            .any(|r| names_cluster(r, reference, own_namespace)),
        summary: snapshot
            .profile_index()
            .summaries_of(&profile.id)
            .is_some_and(|m| m.contains_key(reference)),
    }
}

/// The profiles matching `cluster`, in kind, namespace, name order.
pub fn matching_profiles(
    snapshot: &FleetSnapshot,
    cluster: &FleetCluster,
) -> Vec<(Arc<FleetProfile>, MatchReasons)> {
    snapshot
        .profile_index()
        .profiles
        .iter()
        .filter_map(|p| {
            let reasons = match_reasons(snapshot, p, cluster);
            reasons.any().then(|| (p.clone(), reasons))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expression(key: &str, operator: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: operator.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn selectors_follow_kubernetes_rules_and_empty_selects_nothing() {
        let cluster = labels(&[("env", "prod"), ("tier", "gold")]);
        assert!(!selector_selects(&LabelSelector::default(), &cluster));
        let by_labels = LabelSelector {
            match_labels: Some([("env".to_string(), "prod".to_string())].into()),
            match_expressions: None,
        };
        assert!(selector_selects(&by_labels, &cluster));
        assert!(!selector_selects(&by_labels, &labels(&[("env", "dev")])));
        for (e, expected) in [
            (expression("tier", "In", &["gold", "silver"]), true),
            (expression("tier", "NotIn", &["gold"]), false),
            (expression("legacy", "NotIn", &["x"]), true),
            (expression("env", "Exists", &[]), true),
            (expression("env", "DoesNotExist", &[]), false),
            (expression("env", "Gt", &["1"]), false),
        ] {
            let selector = LabelSelector {
                match_labels: None,
                match_expressions: Some(vec![e.clone()]),
            };
            assert_eq!(selector_selects(&selector, &cluster), expected, "{e:?}");
        }
    }

    #[test]
    fn references_name_clusters_by_type_namespace_and_name() {
        let cluster = ClusterRef {
            namespace: "ns".into(),
            name: "c1".into(),
            cluster_type: ClusterType::Capi,
        };
        let mut reference = ClusterType::Capi.reference("ns", "c1");
        assert!(names_cluster(&reference, &cluster, ""));
        reference.api_version = Some("cluster.x-k8s.io/v1beta1".into());
        assert!(names_cluster(&reference, &cluster, ""), "any CAPI version");
        assert!(!names_cluster(
            &ClusterType::Sveltos.reference("ns", "c1"),
            &cluster,
            ""
        ));
        let mut no_namespace = ClusterType::Capi.reference("", "c1");
        no_namespace.namespace = None;
        assert!(names_cluster(&no_namespace, &cluster, "ns"));
        assert!(!names_cluster(&no_namespace, &cluster, "other"));
    }
}
