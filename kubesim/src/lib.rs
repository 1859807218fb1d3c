//! kubesim: an in-memory Kubernetes API server that speaks the real protocol, so that the real
//! `kube` client, `kubectl` and fleetgraph can be tested against it over HTTP.

pub mod identity;
pub mod registry;
pub mod schema;
pub mod table;
pub mod authn;
pub mod rbac;
pub mod reviews;
