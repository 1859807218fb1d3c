//! Tenants: a store row plus the Capsule `Tenant` (v1beta2) fleetgraph writes with
//! server-side apply. Changes go to the cluster first and then to the store; when the store
//! write fails the previous spec is applied again, so the two never disagree for long.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::cleanup;
use super::cluster_cache::TENANT_LABEL;
use super::cluster_pool::kube_error;
use super::kube_ops::{self, MANAGED_BY};
use super::{Access, Tenancy, TenantRef, clusters, plans, policy_sets, validate};
use crate::error::{Error, Result};
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::tenants::{Model as TenantRow, TenantSpec};

/// Tenant names become Capsule Tenant names and namespace prefixes (`<tenant>-<project>`).
pub const MAX_TENANT_NAME: usize = 40;

pub fn tenant_ref(row: &TenantRow) -> TenantRef<'_> {
    TenantRef {
        id: row.id,
        name: &row.name,
    }
}

/// The Capsule Tenant for a spec.
pub fn capsule_object(id: Uuid, name: &str, spec: &TenantSpec) -> Value {
    let mut labels: BTreeMap<String, String> = spec.labels.clone();
    labels.insert(MANAGED_BY.0.into(), MANAGED_BY.1.into());
    labels.insert("kubenova.tenant".into(), name.into());
    let mut annotations = BTreeMap::from([("fleetgraph.io/tenant-id".to_string(), id.to_string())]);
    if let Some(plan) = &spec.plan {
        annotations.insert("kubenova.io/plan".into(), plan.clone());
    }
    let owners: Vec<Value> = spec
        .owners
        .iter()
        .map(|o| json!({"kind": "User", "name": o}))
        .collect();
    let mut body = json!({"owners": owners});
    if !spec.quotas.is_empty() {
        body["resourceQuotas"] = json!({"scope": "Tenant", "items": [{"hard": spec.quotas}]});
    }
    if !spec.limits.is_empty() {
        body["limitRanges"] =
            json!({"items": [{"limits": [{"type": "Container", "max": spec.limits}]}]});
    }
    if !spec.network_policies.is_empty() {
        body["networkPolicies"] = json!({"items": spec.network_policies});
    }
    json!({
        "apiVersion": "capsule.clastix.io/v1beta2",
        "kind": "Tenant",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": body,
    })
}

async fn apply(
    t: &Tenancy,
    cluster: &ClusterRow,
    id: Uuid,
    name: &str,
    spec: &TenantSpec,
) -> Result<()> {
    let client = clusters::client(t, cluster).await?;
    kube_ops::apply(
        &client,
        &kube_ops::capsule_tenant(),
        None,
        capsule_object(id, name, spec),
    )
    .await
    .map(|_| ())
    .map_err(|e| kube_error(&cluster.name, e))
}

pub fn check_owners(owners: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = owners.iter().map(|o| o.trim().to_string()).collect();
    if out.iter().any(|o| o.is_empty() || o.len() > 253) {
        return Err(Error::bad_field(
            "input.owners",
            "owners must be 1 to 253 characters",
        ));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub struct CreateTenant {
    pub cluster_id: Uuid,
    pub name: String,
    pub owners: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub plan: Option<String>,
}

pub async fn create(t: &Tenancy, access: &Access<'_>, input: CreateTenant) -> Result<TenantRow> {
    access.require_tenant_admin()?;
    let name = input.name.trim().to_string();
    validate::dns_label("input.name", &name, MAX_TENANT_NAME)?;
    let owners = check_owners(&input.owners)?;
    validate::labels("input.labels", &input.labels)?;
    let plan = match input.plan.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(plans::plan(p).ok_or_else(|| {
            Error::bad_field("input.plan", format!("input.plan: no plan named {p:?}"))
        })?),
        None => None,
    };
    let cluster = t.store.cluster_required(input.cluster_id).await?;
    if t.store.tenant_by_name(&name).await?.is_some() {
        return Err(Error::Conflict(format!(
            "a tenant named {name:?} already exists"
        )));
    }
    clusters::require_capsule(t, &cluster).await?;
    let spec = TenantSpec {
        owners,
        labels: input.labels,
        plan: plan.map(|p| p.name.clone()),
        quotas: plan.map(|p| p.tenant_quotas.clone()).unwrap_or_default(),
        ..TenantSpec::default()
    };
    let id = Uuid::new_v4();
    let row = t.store.insert_tenant(id, cluster.id, &name, &spec).await?;
    let landed = async {
        apply(t, &cluster, id, &name, &spec).await?;
        if let Some(plan) = plan {
            policy_sets::attach_plan(t, &row, plan).await?;
        }
        Ok::<_, Error>(())
    }
    .await;
    if let Err(e) = landed {
        // Undo: neither a row nor a Tenant stays behind.
        if let Ok(client) = clusters::client(t, &cluster).await {
            let _ = cleanup::remove_tenant(&client, &row, &[]).await;
        }
        t.store.delete_tenant(id).await?;
        return Err(e);
    }
    Ok(row)
}

/// Changes a tenant's spec: cluster first, then store (re-applying the old spec if the store
/// write fails).
pub async fn update(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    change: impl FnOnce(&mut TenantSpec) -> Result<()>,
) -> Result<TenantRow> {
    access.require_configure_tenant(tenant_ref(tenant))?;
    let old = TenantSpec::of(tenant);
    let mut new = old.clone();
    change(&mut new)?;
    let cluster = t.store.cluster_required(tenant.cluster_id).await?;
    apply(t, &cluster, tenant.id, &tenant.name, &new).await?;
    match t.store.update_tenant(tenant.id, &new).await {
        Ok(row) => Ok(row),
        Err(e) => {
            let _ = apply(t, &cluster, tenant.id, &tenant.name, &old).await;
            Err(e)
        }
    }
}

pub fn set_quotas(spec: &mut TenantSpec, quotas: BTreeMap<String, String>) -> Result<()> {
    validate::resource_map("input.quotas", &quotas)?;
    spec.quotas = quotas;
    Ok(())
}

pub fn set_limits(spec: &mut TenantSpec, limits: BTreeMap<String, String>) -> Result<()> {
    validate::resource_map("input.limits", &limits)?;
    spec.limits = limits;
    Ok(())
}

/// `defaultDeny: true` is shorthand for one policy denying all ingress and egress; `items`
/// are NetworkPolicy specs used as given. Both may be combined.
pub fn set_network_policies(
    spec: &mut TenantSpec,
    default_deny: bool,
    items: Vec<Value>,
) -> Result<()> {
    if items.iter().any(|i| !i.is_object()) {
        return Err(Error::bad_field(
            "input.items",
            "input.items: each item must be a NetworkPolicy spec object",
        ));
    }
    let mut policies = Vec::new();
    if default_deny {
        policies.push(json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}));
    }
    policies.extend(items);
    spec.network_policies = policies;
    Ok(())
}

/// Applies a plan: its quotas and plan name on the Tenant, its policy sets attached.
pub async fn apply_plan(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    name: &str,
) -> Result<TenantRow> {
    let plan = plans::plan(name).ok_or_else(|| {
        Error::bad_field("input.plan", format!("input.plan: no plan named {name:?}"))
    })?;
    let row = update(t, access, tenant, |spec| {
        spec.quotas = plan.tenant_quotas.clone();
        spec.plan = Some(plan.name.clone());
        Ok(())
    })
    .await?;
    policy_sets::attach_plan(t, &row, plan).await?;
    Ok(row)
}

/// Removes the tenant's namespaces and Capsule Tenant, then its rows. Anything left in the
/// cluster fails the deletion and keeps the rows, so a retry finishes the job.
pub async fn delete(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
) -> Result<cleanup::CleanupReport> {
    access.require_visible_tenant(tenant_ref(tenant))?;
    access.require_tenant_admin()?;
    let cluster = t.store.cluster_required(tenant.cluster_id).await?;
    let projects = t.store.projects(Some(tenant.id)).await?;
    for project in &projects {
        super::projects::note_namespace(t, &cluster, &project.namespace, None).await;
    }
    let report = match clusters::client(t, &cluster).await {
        Ok(client) => cleanup::remove_tenant(&client, tenant, &projects).await,
        Err(e) => cleanup::CleanupReport::unreachable(
            cleanup::tenant_objects(tenant, &projects),
            &e.to_string(),
        ),
    };
    if !report.is_complete() {
        return Err(Error::Unavailable(format!(
            "tenant {} kept: could not remove {}; retry when the cluster is reachable",
            tenant.name,
            report.leftovers.join(", ")
        )));
    }
    t.store.delete_tenant(tenant.id).await?;
    Ok(report)
}

/// The tenant's namespaces as Capsule labels them, from the cluster's namespace watch when it
/// is synced and current, from the cluster otherwise.
pub async fn namespaces(
    t: &Tenancy,
    cluster: &ClusterRow,
    tenant: &TenantRow,
) -> Result<Vec<String>> {
    let cached = match t.pool.cache(cluster).await {
        Ok(cache) => cache.namespaces.list(|ns| {
            ns.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(TENANT_LABEL))
                .is_some_and(|v| *v == tenant.name)
        }),
        Err(_) => None,
    };
    let mut names: Vec<String> = match cached {
        Some(objects) => objects
            .iter()
            .filter_map(|o| o.metadata.name.clone())
            .collect(),
        None => {
            let client = clusters::client(t, cluster).await?;
            kube_ops::list(
                &client,
                &kube_ops::core("Namespace", "namespaces"),
                None,
                &format!("{TENANT_LABEL}={}", tenant.name),
            )
            .await
            .map_err(|e| kube_error(&cluster.name, e))?
            .into_iter()
            .filter_map(|o| o.metadata.name)
            .collect()
        }
    };
    names.sort();
    Ok(names)
}
