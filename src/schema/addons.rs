//! What Sveltos deployed on a cluster: helm releases, resources, and profile feature statuses.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::cluster::request_snapshot;
use super::profile::{ProfileNode, resolve_visible};
use crate::fleet::kinds::{
    FeatureStatus as FeatureStatusValue, ProfileId, ProfileKind as KindValue,
};
use crate::fleet::query::addons::{
    DeployedResourceRow, FeatureStatusRow, HelmReleaseQuery, HelmReleaseRow, ProfileRef,
    ResourceQuery, StatusQuery,
};

fn time(t: &Option<Time>) -> Option<DateTime<Utc>> {
    t.as_ref()
        .and_then(|t| DateTime::from_timestamp(t.0.as_second(), t.0.subsec_nanosecond() as u32))
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKind {
    ClusterProfile,
    Profile,
}

impl From<KindValue> for ProfileKind {
    fn from(k: KindValue) -> Self {
        match k {
            KindValue::ClusterProfile => ProfileKind::ClusterProfile,
            KindValue::Profile => ProfileKind::Profile,
        }
    }
}

impl From<ProfileKind> for KindValue {
    fn from(k: ProfileKind) -> Self {
        match k {
            ProfileKind::ClusterProfile => KindValue::ClusterProfile,
            ProfileKind::Profile => KindValue::Profile,
        }
    }
}

/// Which profile something belongs to.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct ProfileReference {
    pub kind: ProfileKind,
    /// Null for a ClusterProfile.
    pub namespace: Option<String>,
    pub name: String,
}

#[ComplexObject]
impl ProfileReference {
    /// The profile itself; null when it no longer exists or the caller may not see it.
    async fn node(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProfileNode>> {
        let id = match (self.kind, &self.namespace) {
            (ProfileKind::ClusterProfile, _) => ProfileId::cluster_profile(&self.name),
            (ProfileKind::Profile, namespace) => {
                ProfileId::profile(namespace.as_deref().unwrap_or_default(), &self.name)
            }
        };
        let snapshot = request_snapshot(ctx)?;
        let found = snapshot.profile_index().get(&id).cloned();
        Ok(resolve_visible(ctx, found.into_iter()).await?.pop())
    }
}

impl From<&ProfileRef> for ProfileReference {
    fn from(p: &ProfileRef) -> Self {
        Self {
            kind: p.kind.into(),
            namespace: (!p.namespace.is_empty()).then(|| p.namespace.clone()),
            name: p.name.clone(),
        }
    }
}

/// A helm release a profile deployed on the cluster.
pub struct HelmRelease(pub HelmReleaseRow);

#[Object]
impl HelmRelease {
    async fn repo_url(&self) -> &str {
        &self.0.repo_url
    }
    async fn release_name(&self) -> &str {
        &self.0.release_name
    }
    async fn release_namespace(&self) -> &str {
        &self.0.release_namespace
    }
    async fn chart_version(&self) -> &str {
        &self.0.chart_version
    }
    async fn app_version(&self) -> Option<&str> {
        self.0.app_version.as_deref()
    }
    async fn icon(&self) -> Option<&str> {
        self.0.icon.as_deref()
    }
    async fn last_applied_time(&self) -> Option<DateTime<Utc>> {
        time(&self.0.last_applied_time)
    }
    async fn profile(&self) -> ProfileReference {
        (&self.0.profile).into()
    }
    /// Newest chart version available, when Sveltos found a newer one.
    async fn latest_version(&self) -> Option<&str> {
        self.0.latest_version.as_deref()
    }
    /// Newest patch of the deployed minor version, when newer.
    async fn latest_patch_version(&self) -> Option<&str> {
        self.0.latest_patch_version.as_deref()
    }
    async fn last_checked_time(&self) -> Option<DateTime<Utc>> {
        time(&self.0.last_checked_time)
    }
    /// A newer version or patch is available.
    async fn outdated(&self) -> bool {
        self.0.is_outdated()
    }
}

/// A Kubernetes resource deployed on the cluster, with every profile that deploys it.
pub struct DeployedResource(pub DeployedResourceRow);

#[Object]
impl DeployedResource {
    async fn group(&self) -> &str {
        &self.0.group
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// Null for cluster-scoped resources.
    async fn namespace(&self) -> Option<&str> {
        (!self.0.namespace.is_empty()).then_some(self.0.namespace.as_str())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The latest time any profile applied it.
    async fn last_applied_time(&self) -> Option<DateTime<Utc>> {
        time(&self.0.last_applied_time)
    }
    /// `Local` and/or `Remote`, sorted.
    async fn deployment_types(&self) -> &[String] {
        &self.0.deployment_types
    }
    /// Sorted by kind, namespace, name.
    async fn profiles(&self) -> Vec<ProfileReference> {
        self.0.profiles.iter().map(Into::into).collect()
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureStatus {
    Provisioning,
    Provisioned,
    Failed,
    FailedNonRetriable,
    Removing,
    AgentRemoving,
    Removed,
    /// A status this server does not know; `statusText` has it.
    Unknown,
}

impl From<&FeatureStatusValue> for FeatureStatus {
    fn from(s: &FeatureStatusValue) -> Self {
        match s {
            FeatureStatusValue::Provisioning => FeatureStatus::Provisioning,
            FeatureStatusValue::Provisioned => FeatureStatus::Provisioned,
            FeatureStatusValue::Failed => FeatureStatus::Failed,
            FeatureStatusValue::FailedNonRetriable => FeatureStatus::FailedNonRetriable,
            FeatureStatusValue::Removing => FeatureStatus::Removing,
            FeatureStatusValue::AgentRemoving => FeatureStatus::AgentRemoving,
            FeatureStatusValue::Removed => FeatureStatus::Removed,
            FeatureStatusValue::Other(_) => FeatureStatus::Unknown,
        }
    }
}

/// How one feature (Helm, Resources, Kustomize) of one profile stands on the cluster.
pub struct ProfileFeatureStatus(pub FeatureStatusRow);

#[Object]
impl ProfileFeatureStatus {
    async fn profile(&self) -> ProfileReference {
        (&self.0.profile).into()
    }
    async fn cluster_summary_name(&self) -> &str {
        &self.0.cluster_summary
    }
    /// `Helm`, `Resources` or `Kustomize`.
    async fn feature_id(&self) -> &str {
        &self.0.feature_id
    }
    /// Null while Sveltos has not reported one.
    async fn status(&self) -> Option<FeatureStatus> {
        self.0.status.as_ref().map(Into::into)
    }
    /// The status as Sveltos wrote it.
    async fn status_text(&self) -> Option<&str> {
        self.0.status.as_ref().map(|s| s.as_str())
    }
    async fn failure_message(&self) -> Option<&str> {
        self.0.failure_message.as_deref()
    }
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure_reason.as_deref()
    }
    async fn consecutive_failures(&self) -> Option<i64> {
        self.0.consecutive_failures
    }
    async fn last_applied_time(&self) -> Option<DateTime<Utc>> {
        time(&self.0.last_applied_time)
    }
}

#[derive(InputObject, Default)]
pub struct HelmReleaseFilter {
    /// Case-insensitive substring of the release namespace.
    pub release_namespace: Option<String>,
    /// Case-insensitive substring of the release name.
    pub release_name: Option<String>,
    /// Only releases with a newer version available.
    #[graphql(default)]
    pub outdated_only: bool,
}

impl From<HelmReleaseFilter> for HelmReleaseQuery {
    fn from(f: HelmReleaseFilter) -> Self {
        Self {
            release_namespace: f.release_namespace,
            release_name: f.release_name,
            outdated_only: f.outdated_only,
        }
    }
}

#[derive(InputObject, Default)]
pub struct DeployedResourceFilter {
    /// Case-insensitive substrings.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
}

impl From<DeployedResourceFilter> for ResourceQuery {
    fn from(f: DeployedResourceFilter) -> Self {
        Self {
            namespace: f.namespace,
            name: f.name,
            kind: f.kind,
        }
    }
}

#[derive(InputObject, Default)]
pub struct ProfileStatusFilter {
    /// Case-insensitive substring of the profile name.
    pub profile_name: Option<String>,
    pub profile_kind: Option<ProfileKind>,
    /// Only features that are not Provisioned or Removed.
    #[graphql(default)]
    pub failed_only: bool,
}

impl From<ProfileStatusFilter> for StatusQuery {
    fn from(f: ProfileStatusFilter) -> Self {
        Self {
            profile_name: f.profile_name,
            profile_kind: f.profile_kind.map(Into::into),
            failed_only: f.failed_only,
        }
    }
}
