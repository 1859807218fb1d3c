//! fleetgraph: a GraphQL API over a Kubernetes fleet — Sveltos add-on management read from a
//! management cluster, and KubeNova-style tenancy written to registered clusters.
//!
//! Data flows one way: HTTP → schema (resolvers) → loaders → fleet cache | store → kube | database.

pub mod auth;
pub mod build_info;
pub mod cli;
pub mod cluster_client;
pub mod config;
pub mod demo;
pub mod error;
pub mod fleet;
pub mod http;
pub mod live;
pub mod loaders;
pub mod mcp;
pub mod metrics;
pub mod readiness;
pub mod schema;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod ttl_cache;

/// The global allocator the server binaries install. A cluster page makes tens of thousands of
/// small allocations (async-graphql builds a value tree per field); glibc's malloc and free
/// were ~23 % of the page's CPU in BENCHMARKS.md's profile.
pub use mimalloc::MiMalloc as Allocator;
