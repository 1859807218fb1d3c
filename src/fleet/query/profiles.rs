//! `profiles`, `profileTiers` and a profile's matching clusters: filters and orders over the
//! snapshot's profile index.

use std::collections::BTreeMap;
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

/// One of a profile's matching clusters as far as ordering and visibility need it, borrowed from
/// the profile and the snapshot: a page of a profile matching thousands of clusters builds the
/// full [`MatchingCluster`] for its own rows only.
#[derive(Clone, Copy, Debug)]
pub struct MatchingRef<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub cluster_type: ClusterType,
    /// Listed in the profile's `status.matchingClusters`.
    pub in_status: bool,
}

impl<'a> MatchingRef<'a> {
    /// Compares as [`ClusterRef`] does.
    fn identity(&self) -> (&'a str, &'a str, ClusterType) {
        (self.namespace, self.name, self.cluster_type)
    }

    pub fn reference(&self) -> ClusterRef {
        ClusterRef {
            namespace: self.namespace.to_string(),
            name: self.name.to_string(),
            cluster_type: self.cluster_type,
        }
    }

    /// The same key as [`MatchingCluster::sort_key`].
    pub fn sort_key(&self) -> SortKey {
        SortKey::ascending([
            KeyPart::from(self.namespace),
            KeyPart::from(self.name),
            KeyPart::from(self.cluster_type.as_str()),
        ])
    }

    /// The cluster object and the profile's summary for it.
    pub fn resolve(&self, snapshot: &FleetSnapshot, profile: &FleetProfile) -> MatchingCluster {
        let reference = self.reference();
        MatchingCluster {
            cluster: snapshot.cluster(&reference).cloned(),
            in_status: self.in_status,
            summary: snapshot
                .profile_index()
                .summaries_of(&profile.id)
                .and_then(|m| m.get(&reference))
                .cloned(),
            reference,
        }
    }
}

/// The clusters in the profile's `status.matchingClusters` plus those it owns a ClusterSummary
/// for (addon-controller may lag behind either), each once, in [`ClusterRef`] order.
pub fn matching_refs<'a>(
    snapshot: &'a FleetSnapshot,
    profile: &'a FleetProfile,
) -> Vec<MatchingRef<'a>> {
    let mut refs: Vec<MatchingRef<'a>> = profile
        .matching_cluster_refs()
        .iter()
        .filter_map(|r| {
            Some(MatchingRef {
                namespace: r.namespace.as_deref().unwrap_or_default(),
                name: r.name.as_deref()?,
                cluster_type: ClusterType::of_reference(r)?,
                in_status: true,
            })
        })
        .collect();
    let owned = snapshot.profile_index().summaries_of(&profile.id);
    refs.extend(
        owned
            .into_iter()
            .flat_map(|m| m.keys())
            .map(|r| MatchingRef {
                namespace: &r.namespace,
                name: &r.name,
                cluster_type: r.cluster_type,
                in_status: false,
            }),
    );
    sort_and_merge(&mut refs);
    refs
}

/// Sorts `refs` in [`ClusterRef`] order and keeps one entry per cluster, listed if any was.
fn sort_and_merge(refs: &mut Vec<MatchingRef<'_>>) {
    // Listed entries first among equals, so the one kept says whether any was listed.
    refs.sort_unstable_by(|a, b| {
        a.identity()
            .cmp(&b.identity())
            .then(b.in_status.cmp(&a.in_status))
    });
    refs.dedup_by(|later, kept| later.identity() == kept.identity());
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
    fn matching_refs_merge_in_cluster_ref_order() {
        let entry = |namespace, name, cluster_type, in_status| MatchingRef {
            namespace,
            name,
            cluster_type,
            in_status,
        };
        let (capi, sveltos) = (ClusterType::Capi, ClusterType::Sveltos);
        let mut refs = vec![
            entry("b", "x", sveltos, true),
            entry("a", "y", capi, false),
            entry("b", "x", sveltos, false),
            entry("a", "y", sveltos, true),
            entry("a", "y", capi, true),
            entry("a", "z", capi, false),
            entry("a", "z", capi, false),
            entry("b", "x", capi, false),
        ];
        // What the page showed before: a set of ClusterRefs, listed if the status names it.
        let listed: std::collections::BTreeSet<ClusterRef> = refs
            .iter()
            .filter(|r| r.in_status)
            .map(MatchingRef::reference)
            .collect();
        let all: std::collections::BTreeSet<ClusterRef> =
            refs.iter().map(MatchingRef::reference).collect();
        sort_and_merge(&mut refs);
        let merged: Vec<(ClusterRef, bool)> =
            refs.iter().map(|r| (r.reference(), r.in_status)).collect();
        let expected: Vec<(ClusterRef, bool)> = all
            .into_iter()
            .map(|r| {
                let in_status = listed.contains(&r);
                (r, in_status)
            })
            .collect();
        assert_eq!(merged, expected);
        let keys: Vec<SortKey> = refs.iter().map(MatchingRef::sort_key).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keys follow the order"
        );
    }

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
