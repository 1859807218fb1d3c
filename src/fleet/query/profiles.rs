//! `profiles`, `profileTiers` and a profile's matching clusters: filters and orders over the
//! snapshot's profile index.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::clusters::contains_ignore_case;
use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{ClusterRef, FleetCluster, FleetSnapshot};
use crate::fleet::kinds::{ClusterSummary, ClusterType, ProfileKind, SyncMode};
use crate::schema::pagination::{KeyPart, SortKey};

/// Every filter is optional; all given ones must hold.
#[derive(Clone, Debug, Default)]
pub struct ProfileQuery {
    pub kind: Option<ProfileKind>,
    /// Case-insensitive substring of the namespace; ClusterProfiles (no namespace) never match a
    /// non-empty one, as upstream.
    pub namespace: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// `SyncMode::Other(_)` stands for every mode this server does not know.
    pub sync_mode: Option<SyncMode>,
    /// `true`: only DryRun profiles; `false`: only the others.
    pub dry_run: Option<bool>,
}

impl ProfileQuery {
    pub fn matches(&self, profile: &FleetProfile) -> bool {
        let id = &profile.id;
        let spec = profile.spec();
        self.kind.is_none_or(|k| k == id.kind)
            && self.namespace.as_deref().is_none_or(|ns| {
                contains_ignore_case(id.namespace.as_deref().unwrap_or_default(), ns)
            })
            && self
                .name
                .as_deref()
                .is_none_or(|n| contains_ignore_case(&id.name, n))
            && self
                .sync_mode
                .as_ref()
                .is_none_or(|m| same_mode(m, &spec.sync_mode()))
            && self.dry_run.is_none_or(|d| d == spec.is_dry_run())
    }
}

fn same_mode(wanted: &SyncMode, actual: &SyncMode) -> bool {
    match (wanted, actual) {
        (SyncMode::Other(_), SyncMode::Other(_)) => true,
        _ => wanted == actual,
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProfileOrder {
    /// Namespace (ClusterProfiles, which have none, first), then name, then kind.
    #[default]
    NamespaceName,
    /// Name, then namespace, then kind.
    Name,
    /// Tier, then namespace, name, kind.
    Tier,
}

impl ProfileOrder {
    pub fn tag(self, descending: bool) -> String {
        format!("{self:?}{}", if descending { "-desc" } else { "" })
    }
}

/// The profiles matching `query`, sorted, each with its sort key.
pub fn select(
    snapshot: &FleetSnapshot,
    query: &ProfileQuery,
    order: ProfileOrder,
    descending: bool,
) -> Vec<(SortKey, Arc<FleetProfile>)> {
    let mut selected: Vec<(SortKey, Arc<FleetProfile>)> = snapshot
        .profile_index()
        .profiles
        .iter()
        .filter(|p| query.matches(p))
        .map(|p| (sort_key(p, order, descending), p.clone()))
        .collect();
    selected.sort_by(|a, b| a.0.cmp(&b.0));
    selected
}

/// `selected` grouped by tier, tiers ascending, each group keeping the order it was given in.
pub fn by_tier<T>(
    selected: Vec<(SortKey, T)>,
    tier: impl Fn(&T) -> i32,
) -> BTreeMap<i32, Vec<(SortKey, T)>> {
    let mut tiers: BTreeMap<i32, Vec<(SortKey, T)>> = BTreeMap::new();
    for (key, item) in selected {
        tiers.entry(tier(&item)).or_default().push((key, item));
    }
    tiers
}

pub fn sort_key(profile: &FleetProfile, order: ProfileOrder, descending: bool) -> SortKey {
    let id = &profile.id;
    let namespace = KeyPart::from(id.namespace.as_deref().unwrap_or_default());
    let name = KeyPart::from(id.name.as_str());
    let kind = KeyPart::from(id.kind.as_str());
    let mut parts = Vec::with_capacity(4);
    match order {
        ProfileOrder::NamespaceName => parts.extend([namespace, name, kind]),
        ProfileOrder::Name => parts.extend([name, namespace, kind]),
        ProfileOrder::Tier => parts.extend([
            KeyPart::Int(i64::from(profile.spec().tier())),
            namespace,
            name,
            kind,
        ]),
    }
    SortKey::new(parts.into_iter().map(|p| (p, descending)).collect())
}

/// A cluster a profile matches, with what Sveltos reports about the pair.
#[derive(Clone, Debug)]
pub struct MatchingCluster {
    pub reference: ClusterRef,
    /// The cluster object, when the cache has it.
    pub cluster: Option<Arc<FleetCluster>>,
    /// Listed in the profile's `status.matchingClusters`.
    pub in_status: bool,
    /// The ClusterSummary the profile owns for this cluster.
    pub summary: Option<Arc<ClusterSummary>>,
}

impl MatchingCluster {
    /// Namespace, name, type (CAPI first): the order of `matchingClusters`.
    pub fn sort_key(&self) -> SortKey {
        let r = &self.reference;
        SortKey::ascending([
            KeyPart::from(r.namespace.as_str()),
            KeyPart::from(r.name.as_str()),
            KeyPart::from(r.cluster_type.as_str()),
        ])
    }
}

/// The clusters in the profile's `status.matchingClusters` plus those it owns a ClusterSummary
/// for (addon-controller may lag behind either), in [`ClusterRef`] order.
pub fn matching_clusters(snapshot: &FleetSnapshot, profile: &FleetProfile) -> Vec<MatchingCluster> {
    let in_status: BTreeSet<ClusterRef> = profile
        .matching_cluster_refs()
        .iter()
        .filter_map(|r| {
            Some(ClusterRef {
                namespace: r.namespace.clone().unwrap_or_default(),
                name: r.name.clone()?,
                cluster_type: ClusterType::of_reference(r)?,
            })
        })
        .collect();
    let owned = snapshot.profile_index().summaries_of(&profile.id);
    let mut all: BTreeSet<ClusterRef> = in_status.clone();
    all.extend(owned.into_iter().flat_map(|m| m.keys().cloned()));
    all.into_iter()
        .map(|reference| MatchingCluster {
            cluster: snapshot.cluster(&reference).cloned(),
            in_status: in_status.contains(&reference),
            summary: owned.and_then(|m| m.get(&reference)).cloned(),
            reference,
        })
        .collect()
}

/// A label selector in the Kubernetes text grammar (`a=b,c in (d,e),!f`), as kubectl prints
/// it; empty when it selects everything.
pub fn selector_text(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expression in selector.match_expressions.iter().flatten() {
        let mut values = expression.values.clone().unwrap_or_default();
        values.sort();
        let key = &expression.key;
        parts.push(match expression.operator.as_str() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({})", values.join(",")),
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    #[test]
    fn selectors_print_in_the_kubernetes_grammar() {
        let selector = LabelSelector {
            match_labels: Some([("env".to_string(), "prod".to_string())].into()),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "In".into(),
                    values: Some(vec!["silver".into(), "gold".into()]),
                },
                LabelSelectorRequirement {
                    key: "legacy".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(
            selector_text(&selector),
            "env=prod,tier in (gold,silver),!legacy"
        );
        assert_eq!(selector_text(&LabelSelector::default()), "");
    }
}
