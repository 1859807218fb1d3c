//! What is deployed on one cluster (sveltos-ui-backend.md §1.3-§1.5, §3.4; decisions.md §4):
//! helm releases with the outdated-version join, deployed resources merged by identity, and
//! per-profile feature statuses.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::clusters::contains_ignore_case;
use crate::fleet::cache::{ClusterRef, FleetSnapshot};
use crate::fleet::kinds::{FeatureStatus, HelmReleaseStatus, ProfileKind};
use crate::schema::pagination::{KeyPart, SortKey};

/// The profile a row comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileRef {
    pub kind: ProfileKind,
    /// The cluster's namespace for a Profile; empty for a ClusterProfile.
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct HelmReleaseRow {
    pub repo_url: String,
    pub release_name: String,
    pub release_namespace: String,
    pub chart_version: String,
    pub app_version: Option<String>,
    pub icon: Option<String>,
    pub last_applied_time: Option<Time>,
    pub profile: ProfileRef,
    pub latest_version: Option<String>,
    pub latest_patch_version: Option<String>,
    pub last_checked_time: Option<Time>,
}

#[derive(Clone, Debug)]
pub struct DeployedResourceRow {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The latest of the merged entries.
    pub last_applied_time: Option<Time>,
    pub deployment_types: Vec<String>,
    /// Every profile that deploys it, sorted.
    pub profiles: Vec<ProfileRef>,
}

#[derive(Clone, Debug)]
pub struct FeatureStatusRow {
    pub profile: ProfileRef,
    pub cluster_summary: String,
    pub feature_id: String,
    pub status: Option<FeatureStatus>,
    pub failure_message: Option<String>,
    pub failure_reason: Option<String>,
    pub consecutive_failures: Option<i64>,
    pub last_applied_time: Option<Time>,
}

/// Everything deployed on one cluster, each list in its default order.
#[derive(Clone, Debug, Default)]
pub struct ClusterAddons {
    pub helm_releases: Vec<HelmReleaseRow>,
    pub resources: Vec<DeployedResourceRow>,
    pub statuses: Vec<FeatureStatusRow>,
}

fn time_part(time: &Option<Time>) -> Vec<(KeyPart, bool)> {
    // Rows without a time come after those with one (upstream compares them as "not before").
    match time {
        Some(t) => vec![
            (KeyPart::Int(0), false),
            (KeyPart::Int(t.0.as_second()), false),
        ],
        None => vec![(KeyPart::Int(1), false), (KeyPart::Int(0), false)],
    }
}

fn profile_parts(p: &ProfileRef) -> Vec<(KeyPart, bool)> {
    vec![
        (KeyPart::from(p.kind.as_str()), false),
        (KeyPart::from(p.namespace.as_str()), false),
        (KeyPart::from(p.name.as_str()), false),
    ]
}

impl HelmReleaseRow {
    /// Oldest first; ties by release namespace, release name, then profile.
    pub fn sort_key(&self) -> SortKey {
        let mut parts = time_part(&self.last_applied_time);
        parts.push((KeyPart::from(self.release_namespace.as_str()), false));
        parts.push((KeyPart::from(self.release_name.as_str()), false));
        parts.extend(profile_parts(&self.profile));
        SortKey::new(parts)
    }

    pub fn is_outdated(&self) -> bool {
        self.latest_version.is_some() || self.latest_patch_version.is_some()
    }
}

impl DeployedResourceRow {
    /// Oldest first; ties by `group/version, Kind=kind`, then namespace and name.
    pub fn sort_key(&self) -> SortKey {
        let mut parts = time_part(&self.last_applied_time);
        parts.push((
            KeyPart::from(format!(
                "{}/{}, Kind={}",
                self.group, self.version, self.kind
            )),
            false,
        ));
        parts.push((KeyPart::from(self.namespace.as_str()), false));
        parts.push((KeyPart::from(self.name.as_str()), false));
        SortKey::new(parts)
    }
}

impl FeatureStatusRow {
    /// Profile kind, then name (and namespace), then feature.
    pub fn sort_key(&self) -> SortKey {
        let mut parts = profile_parts(&self.profile);
        parts.push((KeyPart::from(self.feature_id.as_str()), false));
        parts.push((KeyPart::from(self.cluster_summary.as_str()), false));
        SortKey::new(parts)
    }

    /// `failed only` keeps everything that is not settled (upstream's `failed=true`).
    pub fn is_unsettled(&self) -> bool {
        !matches!(
            self.status,
            Some(FeatureStatus::Provisioned) | Some(FeatureStatus::Removed)
        )
    }
}

/// `latestVersion`, `latestPatchVersion`, `lastCheckedTime` of a managed release.
type NewerVersions = (Option<String>, Option<String>, Option<Time>);

/// Computes the add-on view of `cluster` from the snapshot.
pub fn cluster_addons(snapshot: &FleetSnapshot, cluster: &ClusterRef) -> ClusterAddons {
    let summaries = snapshot.summaries_of(cluster);
    // Outdated versions by "<releaseNamespace>/<releaseName>"; summaries are in name order, so
    // "last writer wins" is deterministic.
    let mut outdated: HashMap<(String, String), NewerVersions> = HashMap::new();
    for summary in summaries {
        let Some(status) = &summary.status else {
            continue;
        };
        for release in &status.helm_release_summaries {
            if release.status == HelmReleaseStatus::Managing {
                outdated.insert(
                    (
                        release.release_namespace.clone(),
                        release.release_name.clone(),
                    ),
                    (
                        release.latest_version.clone(),
                        release.latest_patch_version.clone(),
                        release.last_checked_time.clone(),
                    ),
                );
            }
        }
    }
    let mut helm_releases = Vec::new();
    let mut merged: BTreeMap<(String, String, String, String, String), DeployedResourceRow> =
        BTreeMap::new();
    for configuration in snapshot.configurations_of(cluster) {
        let Some(status) = &configuration.status else {
            continue;
        };
        for (kind, name, features) in status.sections() {
            let profile = ProfileRef {
                kind,
                namespace: match kind {
                    ProfileKind::Profile => cluster.namespace.clone(),
                    ProfileKind::ClusterProfile => String::new(),
                },
                name: name.to_string(),
            };
            for feature in features {
                for chart in &feature.charts {
                    let release_namespace = chart.namespace.clone().unwrap_or_default();
                    let join = outdated
                        .get(&(release_namespace.clone(), chart.release_name.clone()))
                        .cloned()
                        .unwrap_or_default();
                    helm_releases.push(HelmReleaseRow {
                        repo_url: chart.repo_url.clone(),
                        release_name: chart.release_name.clone(),
                        release_namespace,
                        chart_version: chart.chart_version.clone(),
                        app_version: chart.app_version.clone(),
                        icon: chart.icon.clone(),
                        last_applied_time: chart.last_applied_time.clone(),
                        profile: profile.clone(),
                        latest_version: join.0,
                        latest_patch_version: join.1,
                        last_checked_time: join.2,
                    });
                }
                for resource in &feature.resources {
                    let identity = (
                        resource.group.clone(),
                        resource.version.clone(),
                        resource.kind.clone(),
                        resource.namespace.clone().unwrap_or_default(),
                        resource.name.clone(),
                    );
                    let row = merged
                        .entry(identity)
                        .or_insert_with(|| DeployedResourceRow {
                            group: resource.group.clone(),
                            version: resource.version.clone(),
                            kind: resource.kind.clone(),
                            namespace: resource.namespace.clone().unwrap_or_default(),
                            name: resource.name.clone(),
                            last_applied_time: None,
                            deployment_types: Vec::new(),
                            profiles: Vec::new(),
                        });
                    if resource.last_applied_time.as_ref().map(|t| t.0)
                        > row.last_applied_time.as_ref().map(|t| t.0)
                    {
                        row.last_applied_time = resource.last_applied_time.clone();
                    }
                    if let Some(t) = &resource.deployment_type
                        && !row.deployment_types.contains(t)
                    {
                        row.deployment_types.push(t.clone());
                    }
                    if !row.profiles.contains(&profile) {
                        row.profiles.push(profile.clone());
                    }
                }
            }
        }
    }
    let mut resources: Vec<DeployedResourceRow> = merged.into_values().collect();
    for row in &mut resources {
        row.profiles.sort();
        row.deployment_types.sort();
    }
    let mut statuses = Vec::new();
    for summary in summaries {
        let Some(owner) = summary.owner_profile() else {
            continue;
        };
        let profile = ProfileRef {
            kind: owner.kind,
            namespace: match owner.kind {
                ProfileKind::Profile => cluster.namespace.clone(),
                ProfileKind::ClusterProfile => String::new(),
            },
            name: owner.name,
        };
        let summary_name = summary.metadata.name.clone().unwrap_or_default();
        let Some(status) = &summary.status else {
            continue;
        };
        let mut seen = BTreeSet::new();
        for feature in &status.feature_summaries {
            if !seen.insert(feature.feature_id.as_str().to_string()) {
                continue;
            }
            statuses.push(FeatureStatusRow {
                profile: profile.clone(),
                cluster_summary: summary_name.clone(),
                feature_id: feature.feature_id.as_str().to_string(),
                status: feature.status.clone(),
                failure_message: feature.failure_message.clone(),
                failure_reason: feature.failure_reason.clone(),
                consecutive_failures: feature.consecutive_failures,
                last_applied_time: feature.last_applied_time.clone(),
            });
        }
    }
    helm_releases.sort_by_cached_key(HelmReleaseRow::sort_key);
    resources.sort_by_cached_key(DeployedResourceRow::sort_key);
    statuses.sort_by_cached_key(FeatureStatusRow::sort_key);
    ClusterAddons {
        helm_releases,
        resources,
        statuses,
    }
}

/// Filters of `helmReleases`.
#[derive(Clone, Debug, Default)]
pub struct HelmReleaseQuery {
    pub release_namespace: Option<String>,
    pub release_name: Option<String>,
    pub outdated_only: bool,
}

impl HelmReleaseQuery {
    pub fn matches(&self, row: &HelmReleaseRow) -> bool {
        self.release_namespace
            .as_deref()
            .is_none_or(|f| contains_ignore_case(&row.release_namespace, f))
            && self
                .release_name
                .as_deref()
                .is_none_or(|f| contains_ignore_case(&row.release_name, f))
            && (!self.outdated_only || row.is_outdated())
    }
}

/// Filters of `deployedResources`.
#[derive(Clone, Debug, Default)]
pub struct ResourceQuery {
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
}

impl ResourceQuery {
    pub fn matches(&self, row: &DeployedResourceRow) -> bool {
        self.namespace
            .as_deref()
            .is_none_or(|f| contains_ignore_case(&row.namespace, f))
            && self
                .name
                .as_deref()
                .is_none_or(|f| contains_ignore_case(&row.name, f))
            && self
                .kind
                .as_deref()
                .is_none_or(|f| contains_ignore_case(&row.kind, f))
    }
}

/// Filters of `profileStatuses`.
#[derive(Clone, Debug, Default)]
pub struct StatusQuery {
    pub profile_name: Option<String>,
    pub profile_kind: Option<ProfileKind>,
    pub failed_only: bool,
}

impl StatusQuery {
    pub fn matches(&self, row: &FeatureStatusRow) -> bool {
        self.profile_name
            .as_deref()
            .is_none_or(|f| contains_ignore_case(&row.profile.name, f))
            && self.profile_kind.is_none_or(|k| k == row.profile.kind)
            && (!self.failed_only || row.is_unsettled())
    }
}
