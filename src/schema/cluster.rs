//! Managed clusters of the management cluster: Cluster API `Cluster`s and `SveltosCluster`s.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Enum, ID, InputObject, Interface, Object, SimpleObject};

use super::addons::{
    DeployedResource, DeployedResourceFilter, HelmRelease, HelmReleaseFilter, ProfileFeatureStatus,
    ProfileStatusFilter,
};
use super::diagnostics::ClusterDiagnostics;
use super::node_id::NodeId;
use super::pagination::{Page, PageArgs, SortKey, paginate, paginate_sorted};
use super::profile::ProfileNode;
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, sees_everything, visible};
use crate::config::LimitsConfig;
use crate::error::ResultExt;
use crate::fleet::cache::{FleetCache, FleetCluster, FleetKind, FleetSnapshot, ObjectKey};
use crate::fleet::kinds::ClusterType;
use crate::fleet::query::addons::{
    ClusterAddons, HelmReleaseQuery, ResourceQuery, StatusQuery, cluster_addons,
};
use crate::fleet::query::clusters::{ClusterOrder, ClusterQuery, select, sort_key};
use crate::fleet::query::labels::Selector;
use crate::loaders::cluster_addons::AddonsLoader;
use crate::loaders::matching_profiles::MatchingProfilesLoader;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterKind {
    /// A Cluster API `Cluster` (cluster.x-k8s.io).
    Capi,
    /// A `SveltosCluster` (lib.projectsveltos.io).
    Sveltos,
}

impl From<ClusterType> for ClusterKind {
    fn from(t: ClusterType) -> Self {
        match t {
            ClusterType::Capi => ClusterKind::Capi,
            ClusterType::Sveltos => ClusterKind::Sveltos,
        }
    }
}

impl From<ClusterKind> for ClusterType {
    fn from(k: ClusterKind) -> Self {
        match k {
            ClusterKind::Capi => ClusterType::Capi,
            ClusterKind::Sveltos => ClusterType::Sveltos,
        }
    }
}

/// A Kubernetes label.
#[derive(SimpleObject, Clone, Debug)]
pub struct Label {
    pub key: String,
    pub value: String,
}

/// The cluster page's health flags, with the Sveltos UI backend's exact rules.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct ClusterHealth {
    /// Some profile feature failed, or is retrying after a failure.
    pub has_issues: bool,
    /// No issues, and some profile is still being deployed or waits for its dependencies.
    pub is_provisioning: bool,
    /// A managed helm release has a newer chart version available.
    pub has_outdated_helm_charts: bool,
}

#[derive(InputObject, Default)]
pub struct ClusterFilter {
    /// Case-insensitive substring of the namespace.
    pub namespace: Option<String>,
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Kubernetes label selector, e.g. `env=prod,tier in (gold,silver),!legacy`.
    pub label_selector: Option<String>,
    pub kind: Option<ClusterKind>,
    pub ready: Option<bool>,
    pub has_issues: Option<bool>,
    pub is_provisioning: Option<bool>,
    pub has_outdated_helm_charts: Option<bool>,
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClusterOrderField {
    /// Namespace, then name, then kind (CAPI first).
    #[default]
    NamespaceName,
    /// Name, then namespace, then kind.
    Name,
    /// Kubernetes version compared numerically (unknown versions last), then namespace/name.
    Version,
    /// Ready clusters first, then namespace/name.
    Ready,
}

#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

#[derive(InputObject, Default)]
pub struct ClusterOrderBy {
    #[graphql(default)]
    pub field: ClusterOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Fields every managed cluster has.
#[path = "cluster_links.rs"]
mod links;
pub use links::{DryRunHelmChange, DryRunReport, DryRunResourceChange, ProfileKeyInput};

// The interface lists one `field(...)` per field; clippy reads repeated `ty = "String"` as
// duplicated attributes.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    field(name = "id", ty = "ID"),
    field(name = "kind", ty = "ClusterKind"),
    field(name = "namespace", ty = "String"),
    field(name = "name", ty = "String"),
    field(name = "labels", ty = "Vec<Label>", desc = "Sorted by key."),
    field(
        name = "version",
        ty = "String",
        desc = "Kubernetes version; empty when unknown."
    ),
    field(name = "ready", ty = "bool"),
    field(name = "paused", ty = "bool"),
    field(name = "pull_mode", ty = "bool"),
    field(name = "failure_message", ty = "Option<String>"),
    field(name = "health", ty = "ClusterHealth"),
    field(
        name = "helm_releases",
        ty = "Page<HelmRelease>",
        desc = "Helm releases deployed by profiles, oldest first.",
        arg(name = "filter", ty = "Option<HelmReleaseFilter>"),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "deployed_resources",
        ty = "Page<DeployedResource>",
        desc = "Resources deployed by profiles, one row per resource, oldest first.",
        arg(name = "filter", ty = "Option<DeployedResourceFilter>"),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "profile_statuses",
        ty = "Page<ProfileFeatureStatus>",
        desc = "Per profile and feature, how deployment stands.",
        arg(name = "filter", ty = "Option<ProfileStatusFilter>"),
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "matching_profiles",
        ty = "Page<ProfileNode>",
        desc = "Profiles matching the cluster, in kind, namespace, name order.",
        arg(name = "first", ty = "Option<i32>"),
        arg(name = "after", ty = "Option<String>"),
        arg(name = "last", ty = "Option<i32>"),
        arg(name = "before", ty = "Option<String>")
    ),
    field(
        name = "diagnostics",
        ty = "Option<ClusterDiagnostics>",
        desc = "Deployment, event and classifier diagnostics from the Sveltos MCP server; null when a diagnostic asked for fails (its error says why)."
    ),
    field(
        name = "dry_run",
        ty = "DryRunReport",
        desc = "What a DryRun profile would change on the cluster.",
        arg(name = "profile", ty = "ProfileKeyInput")
    )
)]
pub enum Cluster {
    Capi(CapiCluster),
    Sveltos(SveltosCluster),
}

impl Cluster {
    pub fn from_fleet(cluster: Arc<FleetCluster>) -> Self {
        match cluster.reference.cluster_type {
            ClusterType::Capi => Cluster::Capi(CapiCluster(cluster)),
            ClusterType::Sveltos => Cluster::Sveltos(SveltosCluster(cluster)),
        }
    }
}

/// The same fields on both cluster types; `$extra` adds type-specific ones.
macro_rules! cluster_object {
    ($name:ident, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        pub struct $name(pub Arc<FleetCluster>);

        #[Object]
        impl $name {
            /// Opaque global id.
            pub async fn id(&self) -> ID {
                let r = &self.0.reference;
                NodeId::new(stringify!($name), [r.namespace.as_str(), r.name.as_str()]).encode()
            }
            async fn kind(&self) -> ClusterKind {
                self.0.reference.cluster_type.into()
            }
            async fn namespace(&self) -> String {
                self.0.reference.namespace.clone()
            }
            async fn name(&self) -> String {
                self.0.reference.name.clone()
            }
            async fn uid(&self) -> String {
                self.0.uid.clone()
            }
            /// Sorted by key.
            async fn labels(&self) -> Vec<Label> {
                self.0
                    .info
                    .labels
                    .iter()
                    .map(|(key, value)| Label { key: key.clone(), value: value.clone() })
                    .collect()
            }
            /// Kubernetes version; empty when unknown.
            async fn version(&self) -> String {
                self.0.info.version.clone()
            }
            async fn ready(&self) -> bool {
                self.0.info.ready
            }
            async fn paused(&self) -> bool {
                self.0.info.paused
            }
            async fn pull_mode(&self) -> bool {
                self.0.info.pull_mode
            }
            async fn failure_message(&self) -> Option<String> {
                self.0.info.failure_message.clone()
            }
            async fn health(&self) -> ClusterHealth {
                let h = self.0.health;
                ClusterHealth {
                    has_issues: h.has_issues,
                    is_provisioning: h.is_provisioning,
                    has_outdated_helm_charts: h.has_outdated_helm_charts,
                }
            }
            /// Helm releases deployed by profiles, oldest first.
            #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
            async fn helm_releases(
                &self,
                ctx: &Context<'_>,
                filter: Option<HelmReleaseFilter>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Page<HelmRelease>> {
                let addons = addons_of(ctx, &self.0).await?;
                let query = HelmReleaseQuery::from(filter.unwrap_or_default());
                let args = PageArgs::new(after, before, first, last);
                page_rows(ctx, &addons.helm_releases, |r| query.matches(r), |r| r.sort_key(), "helm", &args, HelmRelease)
            }
            /// Resources deployed by profiles, one row per resource, oldest first.
            #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
            async fn deployed_resources(
                &self,
                ctx: &Context<'_>,
                filter: Option<DeployedResourceFilter>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Page<DeployedResource>> {
                let addons = addons_of(ctx, &self.0).await?;
                let query = ResourceQuery::from(filter.unwrap_or_default());
                let args = PageArgs::new(after, before, first, last);
                page_rows(ctx, &addons.resources, |r| query.matches(r), |r| r.sort_key(), "resources", &args, DeployedResource)
            }
            /// Per profile and feature, how deployment stands.
            #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
            async fn profile_statuses(
                &self,
                ctx: &Context<'_>,
                filter: Option<ProfileStatusFilter>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Page<ProfileFeatureStatus>> {
                let addons = addons_of(ctx, &self.0).await?;
                let query = StatusQuery::from(filter.unwrap_or_default());
                let args = PageArgs::new(after, before, first, last);
                page_rows(ctx, &addons.statuses, |r| query.matches(r), |r| r.sort_key(), "statuses", &args, ProfileFeatureStatus)
            }
            /// Profiles matching the cluster (by `clusterSelector`, `clusterRefs`, or as
            /// addon-controller reports it, which covers `setRefs`), plus those still owning a
            /// ClusterSummary for it; only profiles the caller may see; in kind, namespace,
            /// name order.
            #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
            async fn matching_profiles(
                &self,
                ctx: &Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<Page<ProfileNode>> {
                links::matching_profiles(ctx, &self.0, PageArgs::new(after, before, first, last)).await
            }
            /// What a DryRun profile would change on the cluster, from its ClusterReport.
            async fn dry_run(
                &self,
                ctx: &Context<'_>,
                profile: ProfileKeyInput,
            ) -> async_graphql::Result<DryRunReport> {
                links::dry_run(ctx, &self.0, profile).await
            }
            /// Deployment, event and classifier diagnostics from the Sveltos MCP server
            /// (UNAVAILABLE when none is configured or it is down); null when a diagnostic
            /// asked for fails, so the rest of the cluster still answers.
            async fn diagnostics(&self) -> Option<ClusterDiagnostics> {
                Some(ClusterDiagnostics(self.0.reference.clone()))
            }
            $($extra)*
        }
    };
}

/// One page of a cluster's rows that pass `keep`, in `key` order.
fn page_rows<R: Clone, N: async_graphql::OutputType>(
    ctx: &Context<'_>,
    rows: &[R],
    keep: impl Fn(&R) -> bool,
    key: impl Fn(&R) -> SortKey,
    order: &str,
    args: &PageArgs,
    to_node: impl Fn(R) -> N,
) -> async_graphql::Result<Page<N>> {
    let rows = rows
        .iter()
        .filter(|r| keep(r))
        .map(|r| (key(r), r.clone()))
        .collect();
    paginate(rows, order, args, ctx.data::<LimitsConfig>()?, to_node).gql()
}

/// The cluster's add-ons through the request's batching loader.
async fn addons_of(
    ctx: &Context<'_>,
    cluster: &FleetCluster,
) -> async_graphql::Result<Arc<ClusterAddons>> {
    // Subscription events have no per-request loader: read the latest snapshot directly.
    let Some(loader) = ctx.data_opt::<Arc<AddonsLoader>>() else {
        let snapshot = request_snapshot(ctx)?;
        return Ok(Arc::new(cluster_addons(&snapshot, &cluster.reference)));
    };
    let addons = loader
        .load_one(cluster.reference.clone())
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .gql()?;
    Ok(addons.unwrap_or_default())
}

/// Loads the add-ons of a whole page in one batch when the query asks for any of them, so the
/// cost does not depend on how the per-cluster fields are scheduled.
async fn prefetch_addons(ctx: &Context<'_>, page: &Page<Cluster>) -> async_graphql::Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let keys = || {
        page.edges.iter().map(|e| match &e.node {
            Cluster::Capi(c) => c.0.reference.clone(),
            Cluster::Sveltos(c) => c.0.reference.clone(),
        })
    };
    let wanted = ["helmReleases", "deployedResources", "profileStatuses"]
        .iter()
        .any(|f| node.field(f).exists());
    if wanted && let Some(loader) = ctx.data_opt::<Arc<AddonsLoader>>() {
        loader
            .load_many(keys())
            .await
            .map_err(|e| crate::error::Error::Internal(e.to_string()))
            .gql()?;
    }
    if node.field("matchingProfiles").exists()
        && let Some(loader) = ctx.data_opt::<Arc<MatchingProfilesLoader>>()
    {
        loader
            .load_many(keys())
            .await
            .map_err(|e| crate::error::Error::Internal(e.to_string()))
            .gql()?;
    }
    Ok(())
}

/// The request's snapshot (HTTP requests carry one), else the latest. Without a management
/// cluster there is nothing to read: UNAVAILABLE, with what to do about it.
pub fn request_snapshot(ctx: &Context<'_>) -> async_graphql::Result<Arc<FleetSnapshot>> {
    let fleet = ctx.data::<FleetCache>()?;
    if !fleet.is_connected() {
        return Err(crate::error::Error::Unavailable(
            "no management cluster is configured: start the server with --kubeconfig \
             (or in a cluster), or try `fleetgraph demo`"
                .to_string(),
        ))
        .gql();
    }
    if let Some(snapshot) = ctx.data_opt::<Arc<FleetSnapshot>>() {
        return Ok(snapshot.clone());
    }
    Ok(fleet.snapshot())
}

cluster_object!(
    CapiCluster,
    "A Cluster API `Cluster` (cluster.x-k8s.io).",
    {}
);
cluster_object!(
    SveltosCluster,
    "A `SveltosCluster` registered with Sveltos.",
    {
        /// `Healthy` or `Down`, as Sveltos last saw the connection.
        async fn connection_status(&self) -> Option<String> {
            self.0.info.connection_status.clone()
        }
    }
);

#[derive(Default)]
pub struct ClusterQueryRoot;

#[Object]
impl ClusterQueryRoot {
    /// Cluster API and Sveltos clusters the caller may see, filtered and ordered (default:
    /// namespace, name, kind).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn clusters(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClusterFilter>,
        order_by: Option<ClusterOrderBy>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Cluster>> {
        let principal = ctx.data::<Principal>()?;
        let limits = ctx.data::<LimitsConfig>()?;
        let reviews = ctx.data_opt::<Arc<DataLoader<SarLoader>>>();
        let query = cluster_query(filter.unwrap_or_default()).gql()?;
        let order = order_by.unwrap_or_default();
        let descending = order.direction == OrderDirection::Desc;
        let field = match order.field {
            ClusterOrderField::NamespaceName => ClusterOrder::NamespaceName,
            ClusterOrderField::Name => ClusterOrder::Name,
            ClusterOrderField::Version => ClusterOrder::Version,
            ClusterOrderField::Ready => ClusterOrder::Ready,
        };
        let snapshot = request_snapshot(ctx)?;
        let mut selected = select(&snapshot, &query, field, descending);
        // Callers who see everything skip building a review key per cluster of the fleet.
        if !sees_everything(principal) {
            let keys_of = |t: ClusterType| {
                selected
                    .iter()
                    .filter(move |c| c.reference.cluster_type == t)
                    .map(|c| {
                        ObjectKey::new(c.reference.namespace.clone(), c.reference.name.clone())
                    })
                    .collect::<Vec<_>>()
            };
            let capi_keys = keys_of(ClusterType::Capi);
            let sveltos_keys = keys_of(ClusterType::Sveltos);
            let reviews = reviews.map(|r| r.as_ref());
            let capi = visible(principal, reviews, FleetKind::CapiCluster, &capi_keys)
                .await
                .gql()?;
            let sveltos = visible(principal, reviews, FleetKind::SveltosCluster, &sveltos_keys)
                .await
                .gql()?;
            selected.retain(|c| {
                let key = ObjectKey::new(c.reference.namespace.clone(), c.reference.name.clone());
                match c.reference.cluster_type {
                    ClusterType::Capi => capi.allows(&key),
                    ClusterType::Sveltos => sveltos.allows(&key),
                }
            });
        }
        let args = PageArgs::new(after, before, first, last);
        let page = paginate_sorted(
            selected,
            |c| sort_key(c, field, descending),
            &field.tag(descending),
            &args,
            limits,
            Cluster::from_fleet,
        )
        .gql()?;
        prefetch_addons(ctx, &page).await?;
        Ok(page)
    }
}

pub(crate) fn cluster_query(filter: ClusterFilter) -> crate::error::Result<ClusterQuery> {
    let selector = filter
        .label_selector
        .as_deref()
        .map(|s| Selector::parse("filter.labelSelector", s))
        .transpose()?;
    Ok(ClusterQuery {
        namespace: filter.namespace,
        name: filter.name,
        selector,
        cluster_type: filter.kind.map(Into::into),
        ready: filter.ready,
        has_issues: filter.has_issues,
        is_provisioning: filter.is_provisioning,
        has_outdated_helm_charts: filter.has_outdated_helm_charts,
    })
}
