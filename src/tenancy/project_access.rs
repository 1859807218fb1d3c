//! `setProjectAccess`: members of a project become, per project role, one Role with the
//! role's verbs and one RoleBinding to its users in the project namespace (legacy B3). Roles
//! left without members lose their binding. Applying is idempotent, so a retry converges.

use serde_json::{Value, json};

use super::cluster_pool::kube_error;
use super::kube_ops::{self, MANAGED_BY};
use super::tenants::tenant_ref;
use super::{Access, ProjectRole, Tenancy, clusters};
use crate::error::{Error, Result};
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::projects::{MemberRecord, Model as ProjectRow};
use crate::store::tenancy::tenants::Model as TenantRow;

fn cut(s: &str, n: usize) -> &str {
    s[..s.len().min(n)].trim_end_matches('-')
}

/// `kubenova-<tenant≤15>-<project≤15>-<role≤10>`, shared by Role, RoleBinding and the
/// kubeconfig ServiceAccount.
pub fn rbac_name(tenant: &str, project: &str, role: ProjectRole) -> String {
    format!(
        "kubenova-{}-{}-{}",
        cut(tenant, 15),
        cut(project, 15),
        cut(role.slug(), 10)
    )
}

/// The Role of a project role: its verbs on the workload resources a project holds.
pub fn role_object(name: &str, namespace: &str, role: ProjectRole) -> Value {
    let verbs = role.verbs();
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {MANAGED_BY.0: MANAGED_BY.1, "kubenova.role": role.as_claim()}},
        "rules": [
            {"apiGroups": [""], "resources": ["pods", "pods/log", "services", "configmaps", "secrets", "persistentvolumeclaims"], "verbs": verbs},
            {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": verbs},
            {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": verbs},
            {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"], "verbs": verbs},
        ],
    })
}

pub fn binding_object(name: &str, namespace: &str, subjects: Vec<Value>) -> Value {
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace, "labels": {MANAGED_BY.0: MANAGED_BY.1}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": subjects,
    })
}

/// Trimmed, known roles, sorted and without duplicates.
pub fn check_members(members: Vec<MemberRecord>) -> Result<Vec<MemberRecord>> {
    let mut out = Vec::with_capacity(members.len());
    for m in members {
        let subject = m.subject.trim().to_string();
        if subject.is_empty() || subject.len() > 253 {
            return Err(Error::bad_field(
                "input.members",
                "input.members: a subject must be 1 to 253 characters",
            ));
        }
        if ProjectRole::from_claim(&m.role).is_none() {
            return Err(Error::bad_field(
                "input.members",
                format!(
                    "input.members: {:?} is not a project role (tenantOwner, projectDev, readOnly)",
                    m.role
                ),
            ));
        }
        out.push(MemberRecord {
            subject,
            role: m.role,
        });
    }
    out.sort();
    out.dedup();
    Ok(out)
}

async fn apply_members(
    t: &Tenancy,
    cluster: &ClusterRow,
    tenant: &TenantRow,
    project: &ProjectRow,
    members: &[MemberRecord],
) -> Result<()> {
    let client = clusters::client(t, cluster).await?;
    let ns = project.namespace.as_str();
    let failed = |e| kube_error(&cluster.name, e);
    for role in ProjectRole::ALL {
        let name = rbac_name(&tenant.name, &project.name, role);
        let subjects: Vec<Value> = members
            .iter()
            .filter(|m| m.role == role.as_claim())
            .map(|m| json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": m.subject}))
            .collect();
        if subjects.is_empty() {
            kube_ops::delete(
                &client,
                &kube_ops::rbac("RoleBinding", "rolebindings"),
                Some(ns),
                &name,
            )
            .await
            .map_err(failed)?;
            continue;
        }
        let r = role_object(&name, ns, role);
        kube_ops::apply(&client, &kube_ops::rbac("Role", "roles"), Some(ns), r)
            .await
            .map_err(failed)?;
        let b = binding_object(&name, ns, subjects);
        kube_ops::apply(
            &client,
            &kube_ops::rbac("RoleBinding", "rolebindings"),
            Some(ns),
            b,
        )
        .await
        .map_err(failed)?;
    }
    Ok(())
}

/// Replaces the project's members: cluster first, then the store. A failure re-applies the
/// previous members, so cluster and store keep agreeing.
pub async fn set(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    project: &ProjectRow,
    members: Vec<MemberRecord>,
) -> Result<ProjectRow> {
    access.require_visible_project(tenant_ref(tenant), &project.name, project.id)?;
    access.require_configure_tenant(tenant_ref(tenant))?;
    let members = check_members(members)?;
    let cluster = t.store.cluster_required(project.cluster_id).await?;
    let old = project.members();
    let result = match apply_members(t, &cluster, tenant, project, &members).await {
        Ok(()) => t.store.update_project_members(project.id, &members).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        let _ = apply_members(t, &cluster, tenant, project, &old).await;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_like_the_legacy_ones() {
        assert_eq!(
            rbac_name("acme", "web", ProjectRole::TenantOwner),
            "kubenova-acme-web-tenantowne"
        );
        let long = rbac_name(
            &"t".repeat(40),
            "a-very-long-project",
            ProjectRole::ReadOnly,
        );
        assert_eq!(
            long,
            format!("kubenova-{}-a-very-long-pro-readonly", "t".repeat(15))
        );
    }
}
