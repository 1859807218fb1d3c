//! ClusterProfiles and Profiles: lists, tiers, one profile, its spec, dependencies, dependents
//! and matching clusters with per-feature status.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::types::Json;
use async_graphql::{Context, ID, Interface, Object};
use serde_json::Value;

use super::addons::ProfileKind;
use super::cluster::{OrderDirection, request_snapshot};
use super::node_id::NodeId;
use super::pagination::{Page, PageArgs, count_sorted, paginate, paginate_sorted, reads_items};
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, visible};
use crate::config::LimitsConfig;
use crate::error::{Error, ResultExt};
use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::fleet::kinds::{ProfileId, ProfileKind as KindValue};
use crate::fleet::query::profiles::{
    MatchingRef, ProfileOrder, ProfileQuery, by_tier, matching_refs, select,
};

// Split out to keep files short; declared here so the schema module list stays untouched.
#[path = "profile_spec.rs"]
mod spec;
pub use spec::ProfileSpec;
#[path = "profile_inputs.rs"]
mod inputs;
pub use inputs::{ProfileFilter, ProfileOrderBy, ProfileOrderField, SyncModeValue};
#[path = "profile_clusters.rs"]
mod clusters;
use clusters::retain_visible_clusters;
pub use clusters::{ProfileClusterFeature, ProfileClusterStatus};

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
            pub async fn id(&self) -> ID {
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
                let mut rows = matching_refs(&snapshot, &self.0);
                retain_visible_clusters(ctx, &mut rows).await?;
                let args = PageArgs::new(after, before, first, last);
                let limits = ctx.data::<LimitsConfig>()?;
                if !reads_items(&ctx.look_ahead()) {
                    return count_sorted(rows, MatchingRef::sort_key, "matching", &args, limits)
                        .gql();
                }
                paginate_sorted(
                    rows,
                    MatchingRef::sort_key,
                    "matching",
                    &args,
                    limits,
                    |r| ProfileClusterStatus(r.resolve(&snapshot, &self.0)),
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

/// The profile a global id names, if it exists and the caller may see it: what `node(id)`
/// needs for the `ClusterProfile` and `NamespacedProfile` types. `None` for other types' ids.
pub async fn profile_by_node_id(
    ctx: &Context<'_>,
    id: &NodeId,
) -> Option<async_graphql::Result<Option<ProfileNode>>> {
    let profile_id = match (id.type_name.as_str(), id.parts.as_slice()) {
        ("ClusterProfile", [name]) => ProfileId::cluster_profile(name),
        ("NamespacedProfile", [namespace, name]) => ProfileId::profile(namespace, name),
        _ => return None,
    };
    let lookup = async {
        let snapshot = request_snapshot(ctx)?;
        let found = snapshot.profile_index().get(&profile_id).cloned();
        Ok(resolve_visible(ctx, found.into_iter()).await?.pop())
    };
    Some(lookup.await)
}

/// Keeps the profiles the caller may see, in the order given.
pub(crate) async fn resolve_visible(
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
pub(crate) async fn retain_visible<T>(
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
