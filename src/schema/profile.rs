//! ClusterProfiles and Profiles: lists, tiers, one profile, its spec, dependencies, dependents
//! and matching clusters with per-feature status.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::types::Json;
use async_graphql::{Context, Enum, ID, InputObject, Interface, Object};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::addons::{FeatureStatus, ProfileKind};
use super::cluster::{Cluster, ClusterKind, OrderDirection, request_snapshot};
use super::node_id::NodeId;
use super::pagination::{Page, PageArgs, paginate};
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, visible};
use crate::config::LimitsConfig;
use crate::error::{Error, ResultExt};
use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::fleet::kinds::{
    ClusterType, FeatureSummary, ProfileId, ProfileKind as KindValue, SyncMode,
};
use crate::fleet::query::profiles::{
    MatchingCluster, ProfileOrder, ProfileQuery, by_tier, matching_clusters, select,
};

// Split out to keep files short; declared here so the schema module list stays untouched.
#[path = "profile_spec.rs"]
mod spec;
pub use spec::ProfileSpec;

/// `spec.syncMode`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "SyncMode")]
pub enum SyncModeValue {
    OneTime,
    Continuous,
    ContinuousWithDriftDetection,
    /// Only reports what would change (see a cluster's `dryRun`).
    DryRun,
    /// A mode this server does not know.
    Unknown,
}

impl From<&SyncMode> for SyncModeValue {
    fn from(mode: &SyncMode) -> Self {
        match mode {
            SyncMode::OneTime => SyncModeValue::OneTime,
            SyncMode::Continuous => SyncModeValue::Continuous,
            SyncMode::ContinuousWithDriftDetection => SyncModeValue::ContinuousWithDriftDetection,
            SyncMode::DryRun => SyncModeValue::DryRun,
            SyncMode::Other(_) => SyncModeValue::Unknown,
        }
    }
}

impl From<SyncModeValue> for SyncMode {
    fn from(mode: SyncModeValue) -> Self {
        match mode {
            SyncModeValue::OneTime => SyncMode::OneTime,
            SyncModeValue::Continuous => SyncMode::Continuous,
            SyncModeValue::ContinuousWithDriftDetection => SyncMode::ContinuousWithDriftDetection,
            SyncModeValue::DryRun => SyncMode::DryRun,
            SyncModeValue::Unknown => SyncMode::Other(String::new()),
        }
    }
}

#[derive(InputObject, Default)]
pub struct ProfileFilter {
    pub kind: Option<ProfileKind>,
    /// Case-insensitive substring of the namespace; ClusterProfiles never match a non-empty one.
    pub namespace: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub sync_mode: Option<SyncModeValue>,
    /// `true`: only DryRun profiles; `false`: only the others.
    pub dry_run: Option<bool>,
}

impl From<ProfileFilter> for ProfileQuery {
    fn from(f: ProfileFilter) -> Self {
        ProfileQuery {
            kind: f.kind.map(Into::into),
            namespace: f.namespace,
            name: f.name,
            sync_mode: f.sync_mode.map(Into::into),
            dry_run: f.dry_run,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProfileOrderField {
    /// Namespace (ClusterProfiles, which have none, first), then name, then kind.
    #[default]
    NamespaceName,
    /// Name, then namespace, then kind.
    Name,
    /// Tier, then namespace, name, kind.
    Tier,
}

#[derive(InputObject, Default)]
pub struct ProfileOrderBy {
    #[graphql(default)]
    pub field: ProfileOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Fields both profile kinds have.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    name = "Profile",
    field(name = "id", ty = "ID"),
    field(name = "kind", ty = "ProfileKind"),
    field(
        name = "namespace",
        ty = "Option<String>",
        desc = "Null for a ClusterProfile."
    ),
    field(name = "name", ty = "String"),
    field(name = "uid", ty = "String"),
    field(name = "tier", ty = "i32", desc = "`spec.tier` (default 100)."),
    field(name = "sync_mode", ty = "SyncModeValue"),
    field(name = "spec", ty = "ProfileSpec"),
    field(
        name = "spec_json",
        ty = "Json<Value>",
        desc = "The full spec as stored."
    ),
    field(name = "dependencies", ty = "Vec<ProfileNode>"),
    field(name = "unresolved_dependencies", ty = "Vec<String>"),
    field(name = "dependents", ty = "Vec<ProfileNode>"),
    field(
        name = "matching_clusters",
        ty = "Page<ProfileClusterStatus>",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    )
)]
pub enum ProfileNode {
    ClusterProfile(ClusterProfileNode),
    Namespaced(NamespacedProfileNode),
}

impl ProfileNode {
    pub fn from_fleet(profile: Arc<FleetProfile>) -> Self {
        match profile.id.kind {
            KindValue::ClusterProfile => ProfileNode::ClusterProfile(ClusterProfileNode(profile)),
            KindValue::Profile => ProfileNode::Namespaced(NamespacedProfileNode(profile)),
        }
    }
}

macro_rules! profile_object {
    ($name:ident, $graphql:literal, $doc:literal) => {
        #[doc = $doc]
        pub struct $name(pub Arc<FleetProfile>);

        #[Object(name = $graphql)]
        impl $name {
            /// Opaque global id.
            async fn id(&self) -> ID {
                let id = &self.0.id;
                let parts = id.namespace.iter().chain([&id.name]).map(String::as_str);
                NodeId::new($graphql, parts).encode()
            }
            async fn kind(&self) -> ProfileKind {
                self.0.id.kind.into()
            }
            /// Null for a ClusterProfile.
            async fn namespace(&self) -> Option<String> {
                self.0.id.namespace.clone()
            }
            async fn name(&self) -> String {
                self.0.id.name.clone()
            }
            async fn uid(&self) -> String {
                self.0.uid().to_owned()
            }
            /// `spec.tier` (default 100).
            async fn tier(&self) -> i32 {
                self.0.spec().tier()
            }
            async fn sync_mode(&self) -> SyncModeValue {
                (&self.0.spec().sync_mode()).into()
            }
            async fn spec(&self) -> ProfileSpec {
                ProfileSpec(self.0.clone())
            }
            /// The full spec as stored.
            async fn spec_json(&self) -> Json<Value> {
                Json(self.0.spec().to_json())
            }
            /// Existing profiles named in `dependsOn` that the caller may see, in kind,
            /// namespace, name order. A Profile's dependencies are Profiles of its namespace.
            async fn dependencies(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<Vec<ProfileNode>> {
                let snapshot = request_snapshot(ctx)?;
                let index = snapshot.profile_index();
                let ids = index.dependencies.dependencies_of(&self.0.id);
                resolve_visible(ctx, ids.iter().filter_map(|id| index.get(id).cloned())).await
            }
            /// `dependsOn` names that match no existing profile (never shown as profiles).
            async fn unresolved_dependencies(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<Vec<String>> {
                let snapshot = request_snapshot(ctx)?;
                let index = snapshot.profile_index();
                Ok(index
                    .dependencies
                    .unresolved_of(&self.0.id)
                    .iter()
                    .map(|id| id.name.clone())
                    .collect())
            }
            /// Profiles whose `dependsOn` names this one, that the caller may see, in kind,
            /// namespace, name order.
            async fn dependents(
                &self,
                ctx: &Context<'_>,
            ) -> async_graphql::Result<Vec<ProfileNode>> {
                let snapshot = request_snapshot(ctx)?;
                let index = snapshot.profile_index();
                let ids = index.dependencies.dependents_of(&self.0.id);
                resolve_visible(ctx, ids.iter().filter_map(|id| index.get(id).cloned())).await
            }
            /// Clusters the profile matches (its `status.matchingClusters`, plus clusters it
            /// already owns a ClusterSummary for), in namespace, name, kind order; clusters the
            /// caller may not see are neither shown nor counted.
            #[graphql(
                complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1"
            )]
            async fn matching_clusters(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Page<ProfileClusterStatus>> {
                let snapshot = request_snapshot(ctx)?;
                let mut rows = matching_clusters(&snapshot, &self.0);
                retain_visible_clusters(ctx, &mut rows).await?;
                let rows = rows.into_iter().map(|r| (r.sort_key(), r)).collect();
                let args = PageArgs::new(after, before, first, last);
                paginate(
                    rows,
                    "matching",
                    &args,
                    ctx.data::<LimitsConfig>()?,
                    ProfileClusterStatus,
                )
                .gql()
            }
        }
    };
}

profile_object!(
    ClusterProfileNode,
    "ClusterProfile",
    "A `ClusterProfile`: add-ons for clusters of any namespace."
);
profile_object!(
    NamespacedProfileNode,
    "NamespacedProfile",
    "A `Profile`: add-ons for clusters of its own namespace."
);

/// Keeps the profiles the caller may see, in the order given.
async fn resolve_visible(
    ctx: &Context<'_>,
    profiles: impl Iterator<Item = Arc<FleetProfile>>,
) -> async_graphql::Result<Vec<ProfileNode>> {
    let mut profiles: Vec<Arc<FleetProfile>> = profiles.collect();
    retain_visible(ctx, &mut profiles, |p| p).await?;
    Ok(profiles.into_iter().map(ProfileNode::from_fleet).collect())
}

fn object_key(id: &ProfileId) -> ObjectKey {
    ObjectKey::new(id.namespace.clone().unwrap_or_default(), id.name.clone())
}

/// Drops the items whose profile the caller may not see (reviews per kind, as `clusters`).
async fn retain_visible<T>(
    ctx: &Context<'_>,
    items: &mut Vec<T>,
    profile: impl Fn(&T) -> &FleetProfile,
) -> async_graphql::Result<()> {
    let principal = ctx.data::<Principal>()?;
    let reviews = ctx
        .data_opt::<Arc<DataLoader<SarLoader>>>()
        .map(|r| r.as_ref());
    let keys_of = |kind: KindValue| {
        items
            .iter()
            .map(&profile)
            .filter(|p| p.id.kind == kind)
            .map(|p| object_key(&p.id))
            .collect::<Vec<_>>()
    };
    let (cluster_keys, profile_keys) = (
        keys_of(KindValue::ClusterProfile),
        keys_of(KindValue::Profile),
    );
    let cluster_profiles = visible(principal, reviews, FleetKind::ClusterProfile, &cluster_keys)
        .await
        .gql()?;
    let profiles = visible(principal, reviews, FleetKind::Profile, &profile_keys)
        .await
        .gql()?;
    items.retain(|item| {
        let p = profile(item);
        match p.id.kind {
            KindValue::ClusterProfile => cluster_profiles.allows(&object_key(&p.id)),
            KindValue::Profile => profiles.allows(&object_key(&p.id)),
        }
    });
    Ok(())
}

/// Drops the matching clusters the caller may not see.
async fn retain_visible_clusters(
    ctx: &Context<'_>,
    rows: &mut Vec<MatchingCluster>,
) -> async_graphql::Result<()> {
    let principal = ctx.data::<Principal>()?;
    let reviews = ctx
        .data_opt::<Arc<DataLoader<SarLoader>>>()
        .map(|r| r.as_ref());
    let key = |r: &MatchingCluster| {
        ObjectKey::new(r.reference.namespace.clone(), r.reference.name.clone())
    };
    let keys_of = |t: ClusterType| {
        rows.iter()
            .filter(|r| r.reference.cluster_type == t)
            .map(key)
            .collect::<Vec<_>>()
    };
    let (capi_keys, sveltos_keys) = (keys_of(ClusterType::Capi), keys_of(ClusterType::Sveltos));
    let capi = visible(principal, reviews, FleetKind::CapiCluster, &capi_keys)
        .await
        .gql()?;
    let sveltos = visible(principal, reviews, FleetKind::SveltosCluster, &sveltos_keys)
        .await
        .gql()?;
    rows.retain(|r| match r.reference.cluster_type {
        ClusterType::Capi => capi.allows(&key(r)),
        ClusterType::Sveltos => sveltos.allows(&key(r)),
    });
    Ok(())
}

/// A cluster a profile matches and how each of the profile's features stands there.
pub struct ProfileClusterStatus(pub MatchingCluster);

#[Object]
impl ProfileClusterStatus {
    async fn cluster_kind(&self) -> ClusterKind {
        self.0.reference.cluster_type.into()
    }
    async fn cluster_namespace(&self) -> &str {
        &self.0.reference.namespace
    }
    async fn cluster_name(&self) -> &str {
        &self.0.reference.name
    }
    /// Null when the cluster object no longer exists.
    async fn cluster(&self) -> Option<Cluster> {
        self.0.cluster.clone().map(Cluster::from_fleet)
    }
    /// Whether the profile's `status.matchingClusters` lists the cluster (false: only a
    /// ClusterSummary is left, e.g. while the profile withdraws from it).
    async fn listed_in_status(&self) -> bool {
        self.0.in_status
    }
    /// The ClusterSummary the profile owns for this cluster; null before Sveltos created it.
    async fn cluster_summary_name(&self) -> Option<&str> {
        self.0
            .summary
            .as_ref()
            .and_then(|s| s.metadata.name.as_deref())
    }
    /// The summary's dependency note, e.g. "All dependencies deployed".
    async fn dependencies_status(&self) -> Option<&str> {
        self.0
            .summary
            .as_ref()?
            .status
            .as_ref()?
            .dependencies
            .as_deref()
    }
    /// Per feature, by feature id; empty without a ClusterSummary.
    async fn features(&self) -> Vec<ProfileClusterFeature> {
        let mut features: Vec<ProfileClusterFeature> = self
            .0
            .summary
            .iter()
            .flat_map(|s| s.feature_summaries().iter().cloned())
            .map(ProfileClusterFeature)
            .collect();
        features.sort_by(|a, b| a.0.feature_id.as_str().cmp(b.0.feature_id.as_str()));
        features
    }
}

/// One feature (Helm, Resources, Kustomize) of a profile on a cluster.
pub struct ProfileClusterFeature(FeatureSummary);

#[Object]
impl ProfileClusterFeature {
    /// `Helm`, `Resources` or `Kustomize`.
    async fn feature_id(&self) -> &str {
        self.0.feature_id.as_str()
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
        let t = self.0.last_applied_time.as_ref()?;
        DateTime::from_timestamp(t.0.as_second(), t.0.subsec_nanosecond() as u32)
    }
    /// Group/version/kinds deployed by this feature, as Sveltos lists them.
    async fn deployed_group_version_kinds(&self) -> &[String] {
        &self.0.deployed_group_version_kind
    }
}

/// The profiles of one tier.
pub struct ProfileTier {
    tier: i32,
    profiles: Vec<(super::pagination::SortKey, Arc<FleetProfile>)>,
}

#[Object]
impl ProfileTier {
    async fn tier(&self) -> i32 {
        self.tier
    }
    /// In namespace (ClusterProfiles first), name, kind order.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn profiles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<ProfileNode>> {
        let args = PageArgs::new(after, before, first, last);
        let tag = ProfileOrder::NamespaceName.tag(false);
        let rows = self.profiles.clone();
        paginate(
            rows,
            &tag,
            &args,
            ctx.data::<LimitsConfig>()?,
            ProfileNode::from_fleet,
        )
        .gql()
    }
}

#[derive(Default)]
pub struct ProfileQueryRoot;

#[Object]
impl ProfileQueryRoot {
    /// ClusterProfiles and Profiles the caller may see, filtered and ordered (default:
    /// namespace, name, kind).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn profiles(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProfileFilter>,
        order_by: Option<ProfileOrderBy>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<ProfileNode>> {
        let order = order_by.unwrap_or_default();
        let descending = order.direction == OrderDirection::Desc;
        let field = match order.field {
            ProfileOrderField::NamespaceName => ProfileOrder::NamespaceName,
            ProfileOrderField::Name => ProfileOrder::Name,
            ProfileOrderField::Tier => ProfileOrder::Tier,
        };
        let snapshot = request_snapshot(ctx)?;
        let query = ProfileQuery::from(filter.unwrap_or_default());
        let mut selected = select(&snapshot, &query, field, descending);
        retain_visible(ctx, &mut selected, |(_, p)| p).await?;
        let args = PageArgs::new(after, before, first, last);
        let limits = ctx.data::<LimitsConfig>()?;
        paginate(
            selected,
            &field.tag(descending),
            &args,
            limits,
            ProfileNode::from_fleet,
        )
        .gql()
    }

    /// The visible profiles grouped by `spec.tier`, tiers ascending; tiers without a profile
    /// are left out.
    async fn profile_tiers(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProfileFilter>,
    ) -> async_graphql::Result<Vec<ProfileTier>> {
        let snapshot = request_snapshot(ctx)?;
        let query = ProfileQuery::from(filter.unwrap_or_default());
        let mut selected = select(&snapshot, &query, ProfileOrder::NamespaceName, false);
        retain_visible(ctx, &mut selected, |(_, p)| p).await?;
        Ok(by_tier(selected, |p| p.spec().tier())
            .into_iter()
            .map(|(tier, profiles)| ProfileTier { tier, profiles })
            .collect())
    }

    /// One profile, or null when it does not exist or the caller may not see it. `namespace`
    /// is required for a Profile and must be absent (or empty) for a ClusterProfile.
    async fn profile(
        &self,
        ctx: &Context<'_>,
        kind: ProfileKind,
        namespace: Option<String>,
        name: String,
    ) -> async_graphql::Result<Option<ProfileNode>> {
        let namespace = namespace.filter(|ns| !ns.is_empty());
        let id = match (KindValue::from(kind), namespace) {
            (KindValue::ClusterProfile, None) => ProfileId::cluster_profile(&name),
            (KindValue::Profile, Some(ns)) => ProfileId::profile(&ns, &name),
            (KindValue::ClusterProfile, Some(_)) => {
                return Err(Error::bad_field(
                    "namespace",
                    "a ClusterProfile has no namespace; leave it out",
                ))
                .gql();
            }
            (KindValue::Profile, None) => {
                return Err(Error::bad_field(
                    "namespace",
                    "a Profile is namespaced; give its namespace",
                ))
                .gql();
            }
        };
        let snapshot = request_snapshot(ctx)?;
        let found = snapshot.profile_index().get(&id).cloned();
        Ok(resolve_visible(ctx, found.into_iter()).await?.pop())
    }
}
