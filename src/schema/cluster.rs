//! Managed clusters of the management cluster: Cluster API `Cluster`s and `SveltosCluster`s.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, Interface, Object, SimpleObject};

use super::addons::{
    DeployedResource, DeployedResourceFilter, HelmRelease, HelmReleaseFilter, ProfileFeatureStatus,
    ProfileStatusFilter,
};
use super::diagnostics::ClusterDiagnostics;
use super::node_id::NodeId;
use super::pagination::{Page, PageArgs};
use super::profile::ProfileNode;
use crate::fleet::cache::FleetCluster;
use crate::fleet::kinds::ClusterType;
use crate::fleet::query::addons::{HelmReleaseQuery, ResourceQuery, StatusQuery};

#[path = "cluster_filter.rs"]
mod filter;
#[path = "cluster_links.rs"]
mod links;
#[path = "cluster_list.rs"]
mod list;
#[path = "cluster_rows.rs"]
mod rows;

pub(crate) use filter::cluster_query;
pub use filter::{ClusterFilter, ClusterOrderBy, ClusterOrderField, OrderDirection};
pub use links::{DryRunHelmChange, DryRunReport, DryRunResourceChange, ProfileKeyInput};
pub use list::ClusterQueryRoot;
pub use rows::request_snapshot;
use rows::{addons_of, page_rows};

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

// The interface lists one `field(...)` per field; clippy reads repeated `ty = "String"` as
// duplicated attributes.
/// Fields every managed cluster has.
#[allow(clippy::duplicated_attributes)]
#[derive(Interface)]
#[graphql(
    field(name = "id", ty = "ID"),
    field(name = "kind", ty = "ClusterKind"),
    field(name = "namespace", ty = "String"),
    field(name = "name", ty = "String"),
    field(name = "uid", ty = "String"),
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
            async fn namespace(&self) -> &str {
                &self.0.reference.namespace
            }
            async fn name(&self) -> &str {
                &self.0.reference.name
            }
            async fn uid(&self) -> &str {
                &self.0.uid
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
            async fn version(&self) -> &str {
                &self.0.info.version
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
        async fn connection_status(&self) -> Option<&str> {
            self.0.info.connection_status.as_deref()
        }
    }
);
