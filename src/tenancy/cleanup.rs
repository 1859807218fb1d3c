//! Removing what fleetgraph created in a cluster for a tenant or project, reporting exactly
//! what could not be removed. Deleting something already gone counts as removed, so a retry
//! after a partial failure converges.

use super::kube_ops;
use crate::store::tenancy::{projects, tenants};

/// What a cleanup did: objects removed (or already gone) and objects left behind, each as
/// `Kind/name` with the reason it was left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanupReport {
    pub removed: Vec<String>,
    pub leftovers: Vec<String>,
}

impl CleanupReport {
    pub fn is_complete(&self) -> bool {
        self.leftovers.is_empty()
    }

    pub fn merge(&mut self, other: CleanupReport) {
        self.removed.extend(other.removed);
        self.leftovers.extend(other.leftovers);
    }

    /// Everything listed as left behind because the cluster could not be reached.
    pub fn unreachable(objects: Vec<String>, reason: &str) -> Self {
        Self {
            removed: Vec::new(),
            leftovers: objects
                .into_iter()
                .map(|o| format!("{o} ({reason})"))
                .collect(),
        }
    }
}

/// The objects a project owns: its namespace (roles, bindings and service accounts inside go
/// with it).
pub fn project_objects(project: &projects::Model) -> Vec<String> {
    vec![format!("Namespace/{}", project.namespace)]
}

/// The objects a tenant owns: its projects' namespaces and the Capsule Tenant.
pub fn tenant_objects(tenant: &tenants::Model, projects: &[projects::Model]) -> Vec<String> {
    let mut out: Vec<String> = projects.iter().flat_map(project_objects).collect();
    out.push(format!("Tenant/{}", tenant.name));
    out
}

pub async fn remove_project(client: &kube::Client, project: &projects::Model) -> CleanupReport {
    let mut report = CleanupReport::default();
    let what = format!("Namespace/{}", project.namespace);
    match kube_ops::delete(
        client,
        &kube_ops::core("Namespace", "namespaces"),
        None,
        &project.namespace,
    )
    .await
    {
        Ok(_) => report.removed.push(what),
        Err(e) => report.leftovers.push(format!("{what} ({})", short(&e))),
    }
    report
}

pub async fn remove_tenant(
    client: &kube::Client,
    tenant: &tenants::Model,
    projects: &[projects::Model],
) -> CleanupReport {
    let mut report = CleanupReport::default();
    for project in projects {
        report.merge(remove_project(client, project).await);
    }
    let what = format!("Tenant/{}", tenant.name);
    match kube_ops::delete(client, &kube_ops::capsule_tenant(), None, &tenant.name).await {
        Ok(_) => report.removed.push(what),
        // A cluster without Capsule has no Tenant to remove.
        Err(kube::Error::Api(s)) if s.code == 404 => report.removed.push(what),
        Err(e) => report.leftovers.push(format!("{what} ({})", short(&e))),
    }
    report
}

fn short(e: &kube::Error) -> String {
    e.to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect()
}
