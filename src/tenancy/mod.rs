//! The tenancy side of the graph (KubeNova): registered clusters, tenants, projects, apps.

pub mod apps;
pub mod catalog;
pub mod usage;
