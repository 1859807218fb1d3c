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
pub mod metrics;
pub mod readiness;
pub mod schema;
pub mod server;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenancy;
pub mod ttl_cache;
