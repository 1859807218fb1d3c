//! The GraphQL schema, assembled from one module per node type.

pub mod addons;
pub mod app;
pub mod app_mutations;
pub mod classifier;
pub mod cluster;
pub mod diagnostics;
pub mod event_trigger;
mod executor;
mod extensions;
pub mod node;
pub mod node_id;
pub mod pagination;
pub mod profile;
pub mod stats;
pub mod subscription;
pub mod tenancy;
mod version;
mod viewer;
pub mod visibility;

use std::sync::Arc;

use async_graphql::{MergedObject, Schema};

pub use executor::Instrumented;
pub use version::Features;

use crate::config::LimitsConfig;
use crate::fleet::cache::FleetCache;
use crate::metrics::Metrics;
use crate::store::Store;

/// The root query, merged from each node type's root fields.
#[derive(MergedObject, Default)]
pub struct Query(
    version::VersionQuery,
    viewer::ViewerQuery,
    cluster::ClusterQueryRoot,
    profile::ProfileQueryRoot,
    node::NodeQuery,
    stats::StatsQuery,
    tenancy::cluster::RegisteredClusterQuery,
    event_trigger::EventTriggerQueryRoot,
    classifier::ClassifierQueryRoot,
    diagnostics::DiagnosticsQuery,
    app::AppQuery,
    tenancy::tenant::TenantQuery,
    tenancy::policy_set::PolicySetQuery,
    tenancy::project::ProjectQuery,
    tenancy::catalog::CatalogQuery,
);

/// The root mutation, merged from each side's parts.
#[derive(MergedObject, Default)]
pub struct Mutation(
    tenancy::cluster::RegisteredClusterMutation,
    tenancy::tenant::TenantMutation,
    tenancy::policy_set::PolicySetMutation,
    tenancy::project::ProjectMutation,
    tenancy::token::TokenMutation,
    app_mutations::AppMutation,
    tenancy::kubeconfig::KubeconfigMutation,
);

pub use subscription::Subscription;

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// What resolvers read from the schema's data.
pub struct SchemaDeps {
    pub store: Store,
    pub fleet: FleetCache,
    pub metrics: Arc<Metrics>,
    pub limits: LimitsConfig,
    pub features: Features,
    pub tenancy: crate::tenancy::Tenancy,
    /// The Sveltos MCP server behind the diagnostics fields.
    pub mcp: crate::mcp::McpDiagnostics,
}

/// Builds the executable schema with its limits, wrapped in what every transport needs.
pub fn build(deps: SchemaDeps) -> Instrumented {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(deps.limits.max_query_depth)
    .limit_complexity(deps.limits.max_query_complexity);
    if !deps.limits.introspection {
        builder = builder
            .disable_introspection()
            .extension(extensions::IntrospectionGuard);
    }
    let schema = builder
        .data(deps.store)
        .data(deps.fleet)
        .data(deps.limits)
        .data(deps.features)
        .data(deps.tenancy)
        .data(deps.mcp)
        .finish();
    Instrumented::new(schema, deps.metrics)
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}
