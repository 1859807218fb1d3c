//! kubesim: an in-memory Kubernetes API server that speaks the real protocol, so that the real
//! `kube` client, `kubectl` and fleetgraph can be tested against it over HTTP.

pub mod authn;
pub mod identity;
pub mod openapi;
pub mod protobuf;
pub mod rbac;
pub mod registry;
pub mod reviews;
pub mod schema;
pub mod table;
pub mod tls;

pub mod access;
pub mod apply;
pub mod builtin;
pub mod controls;
mod controls_http;
pub mod crd;
pub mod deletion;
pub mod discovery;
pub mod fields;
mod glue;
pub mod handlers;
pub mod inproc;
pub mod kubeconfig;
pub mod objects;
pub mod patch;
pub mod patch_handler;
pub mod pods;
pub mod route;
pub mod selector;
pub mod server;
mod sim;
pub mod state;
pub mod status;
pub mod store;
pub mod watch;

pub use controls::{Counters, FailureRule};
pub use inproc::KubeSimError;
pub use sim::{KubeSim, KubeSimBuilder};
