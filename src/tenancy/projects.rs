//! Projects: a store row plus one Namespace `tn-<tenant>-app-<project>` (kubenova.md B3)
//! labelled for KubeNova and Capsule. Create writes the row, then the namespace, and undoes
//! both on failure; label changes go to the cluster first, then the store.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::cleanup;
use super::cluster_pool::kube_error;
use super::kube_ops::{self, MANAGED_BY};
use super::tenants::tenant_ref;
use super::{Access, Tenancy, clusters, validate};
use crate::error::{Error, Result};
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::projects::{Model as ProjectRow, NewProject};
use crate::store::tenancy::tenants::Model as TenantRow;

pub const MAX_PROJECT_NAME: usize = 40;
/// Tenant and project segments of a namespace name are cut to this length (legacy B3).
const SEGMENT: usize = 25;
pub const PROJECT_ID_ANNOTATION: &str = "fleetgraph.io/project-id";
/// Labels fleetgraph sets itself; clients cannot set them.
const RESERVED: [&str; 4] = [
    "kubenova.project",
    "kubenova.tenant",
    "capsule.clastix.io/tenant",
    "kubenova.namespace-type",
];

fn segment(name: &str) -> &str {
    name[..name.len().min(SEGMENT)].trim_end_matches('-')
}

/// The namespace of a project; at most 58 characters for valid names.
pub fn namespace_for(tenant: &str, project: &str) -> String {
    format!("tn-{}-app-{}", segment(tenant), segment(project))
}

fn namespace_object(
    tenant: &str,
    project: &str,
    id: Uuid,
    namespace: &str,
    labels: &BTreeMap<String, String>,
) -> Value {
    let mut all = labels.clone();
    all.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
    all.insert("kubenova.project".into(), project.into());
    all.insert("kubenova.tenant".into(), tenant.into());
    all.insert("capsule.clastix.io/tenant".into(), tenant.into());
    all.insert("kubenova.namespace-type".into(), "app".into());
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace,
            "labels": all,
            "annotations": {PROJECT_ID_ANNOTATION: id.to_string()},
        },
    })
}

fn check_labels(labels: &BTreeMap<String, String>) -> Result<()> {
    validate::labels("input.labels", labels)?;
    if let Some(key) = labels
        .keys()
        .find(|k| RESERVED.contains(&k.as_str()) || k.as_str() == MANAGED_BY.0)
    {
        return Err(Error::bad_field(
            "input.labels",
            format!("input.labels: {key:?} is set by fleetgraph"),
        ));
    }
    Ok(())
}

async fn apply_namespace(
    t: &Tenancy,
    cluster: &ClusterRow,
    tenant: &str,
    project: &ProjectRow,
    labels: &BTreeMap<String, String>,
) -> Result<()> {
    let client = clusters::client(t, cluster).await?;
    let object = namespace_object(
        tenant,
        &project.name,
        project.id,
        &project.namespace,
        labels,
    );
    let written = kube_ops::apply(
        &client,
        &kube_ops::core("Namespace", "namespaces"),
        None,
        object,
    )
    .await
    .map_err(|e| kube_error(&cluster.name, e))?;
    note_namespace(
        t,
        cluster,
        &project.namespace,
        written.metadata.resource_version,
    )
    .await;
    Ok(())
}

/// Tells the cluster's namespace watch of a namespace fleetgraph wrote (`version`) or deletes
/// (`None`), so tenant summaries read the cluster until the watch has brought the change.
pub async fn note_namespace(
    t: &Tenancy,
    cluster: &ClusterRow,
    name: &str,
    version: Option<String>,
) {
    if let Ok(cache) = t.pool.cache(cluster).await {
        cache.namespaces.note_write("", name, version);
    }
}

/// A namespace of that name not created for this project is someone else's.
async fn require_free_namespace(t: &Tenancy, cluster: &ClusterRow, namespace: &str) -> Result<()> {
    let client = clusters::client(t, cluster).await?;
    let existing = kube_ops::get(
        &client,
        &kube_ops::core("Namespace", "namespaces"),
        None,
        namespace,
    )
    .await
    .map_err(|e| kube_error(&cluster.name, e))?;
    if existing.is_some() {
        return Err(Error::Conflict(format!(
            "namespace {namespace} already exists in cluster {}",
            cluster.name
        )));
    }
    Ok(())
}

pub struct CreateProject {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

pub async fn create(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    input: CreateProject,
) -> Result<ProjectRow> {
    access.require_configure_tenant(tenant_ref(tenant))?;
    let name = input.name.trim().to_string();
    validate::dns_label("input.name", &name, MAX_PROJECT_NAME)?;
    check_labels(&input.labels)?;
    if t.store.project_by_name(tenant.id, &name).await?.is_some() {
        return Err(Error::Conflict(format!(
            "a project named {name:?} already exists in tenant {}",
            tenant.name
        )));
    }
    let cluster = t.store.cluster_required(tenant.cluster_id).await?;
    let namespace = namespace_for(&tenant.name, &name);
    require_free_namespace(t, &cluster, &namespace).await?;
    let row = t
        .store
        .insert_project(NewProject {
            id: Uuid::new_v4(),
            tenant_id: tenant.id,
            cluster_id: cluster.id,
            name,
            namespace,
            labels: input.labels.clone(),
        })
        .await?;
    if let Err(e) = apply_namespace(t, &cluster, &tenant.name, &row, &input.labels).await {
        // Undo: neither a row nor a namespace stays behind.
        if let Ok(client) = clusters::client(t, &cluster).await {
            let _ = cleanup::remove_project(&client, &row).await;
        }
        t.store.delete_project(row.id).await?;
        return Err(e);
    }
    Ok(row)
}

/// Replaces the project's own labels: namespace first, then the store (re-applying the old
/// labels if the store write fails).
pub async fn update_labels(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    project: &ProjectRow,
    labels: BTreeMap<String, String>,
) -> Result<ProjectRow> {
    access.require_work_in_project(tenant_ref(tenant), &project.name, project.id)?;
    check_labels(&labels)?;
    let cluster = t.store.cluster_required(project.cluster_id).await?;
    apply_namespace(t, &cluster, &tenant.name, project, &labels).await?;
    match t.store.update_project_labels(project.id, &labels).await {
        Ok(row) => Ok(row),
        Err(e) => {
            let _ = apply_namespace(t, &cluster, &tenant.name, project, &project.labels()).await;
            Err(e)
        }
    }
}

/// Removes the namespace (and with it the roles, bindings, service accounts and apps inside),
/// then the rows. Anything left in the cluster fails the deletion and keeps the rows.
pub async fn delete(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    project: &ProjectRow,
) -> Result<cleanup::CleanupReport> {
    access.require_visible_project(tenant_ref(tenant), &project.name, project.id)?;
    access.require_configure_tenant(tenant_ref(tenant))?;
    let cluster = t.store.cluster_required(project.cluster_id).await?;
    note_namespace(t, &cluster, &project.namespace, None).await;
    let report = match clusters::client(t, &cluster).await {
        Ok(client) => cleanup::remove_project(&client, project).await,
        Err(e) => {
            cleanup::CleanupReport::unreachable(cleanup::project_objects(project), &e.to_string())
        }
    };
    if !report.is_complete() {
        return Err(Error::Unavailable(format!(
            "project {} kept: could not remove {}; retry when the cluster is reachable",
            project.name,
            report.leftovers.join(", ")
        )));
    }
    for app in t.store.apps_of_project(project.id).await? {
        t.store.delete_app(app.id).await?;
    }
    t.store.delete_project(project.id).await?;
    Ok(report)
}

/// One project the caller may see, with its tenant, or NOT_FOUND.
pub async fn visible(
    t: &Tenancy,
    access: &Access<'_>,
    id: Uuid,
) -> Result<(TenantRow, ProjectRow)> {
    access.require_caller()?;
    let missing = || super::access::not_found("project", &id.to_string());
    let project = t.store.project(id).await?.ok_or_else(missing)?;
    let tenant = t
        .store
        .tenant(project.tenant_id)
        .await?
        .ok_or_else(missing)?;
    access.require_visible_project(tenant_ref(&tenant), &project.name, project.id)?;
    Ok((tenant, project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_follow_the_legacy_convention() {
        assert_eq!(namespace_for("acme", "web"), "tn-acme-app-web");
        let long = "a".repeat(24) + "-b";
        assert_eq!(
            namespace_for(&long, "web"),
            format!("tn-{}-app-web", "a".repeat(24))
        );
        let ns = namespace_for(&"t".repeat(40), &"p".repeat(40));
        assert!(ns.len() <= 63);
        assert!(validate::dns_label("ns", &ns, 63).is_ok());
    }
}
