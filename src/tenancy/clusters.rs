//! Registered clusters: registration (validated by connecting before anything is stored),
//! capability probes, the tenancy bootstrap report, and deletion with cleanup.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::cleanup::{self, CleanupReport};
use super::cluster_pool::{build_client, kube_error};
use super::kube_ops::{self, ServedApis};
use super::{Access, Tenancy, kubeconfig, validate};
use crate::error::{Error, Result};
use crate::store::tenancy::clusters::{Model as ClusterRow, NewCluster};

pub struct RegisterCluster {
    pub name: String,
    pub kubeconfig: String,
    pub labels: BTreeMap<String, String>,
    pub capsule_proxy_url: Option<String>,
    pub capsule_proxy_ca: Option<String>,
}

/// Registers a cluster: every field is checked and the cluster is reached with the kubeconfig
/// before the (sealed) kubeconfig is stored.
pub async fn register(
    t: &Tenancy,
    access: &Access<'_>,
    input: RegisterCluster,
) -> Result<ClusterRow> {
    access.require_cluster_admin()?;
    let name = input.name.trim().to_string();
    validate::dns_label("input.name", &name, 63)?;
    validate::labels("input.labels", &input.labels)?;
    let proxy_url = input
        .capsule_proxy_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(|u| validate::https_url("input.capsuleProxyUrl", u))
        .transpose()?;
    let proxy_ca = input
        .capsule_proxy_ca
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| validate::ca_bundle("input.capsuleProxyCa", c))
        .transpose()?;
    if proxy_ca.is_some() && proxy_url.is_none() {
        return Err(Error::bad_field(
            "input.capsuleProxyCa",
            "a capsule-proxy CA needs a capsule-proxy URL",
        ));
    }
    let checked = kubeconfig::check(&input.kubeconfig)?;
    let sealer = t.pool.sealer()?;
    if t.store.clusters().await?.iter().any(|c| c.name == name) {
        return Err(Error::Conflict(format!(
            "a cluster named {name:?} is already registered"
        )));
    }
    let client = build_client(checked.client_config(t.pool.timeout()).await?)?;
    let apis = kube_ops::served_apis(&client).await.map_err(|e| {
        Error::bad_field(
            "input.kubeconfig",
            format!(
                "could not reach the cluster with this kubeconfig: {}",
                kube_error(&name, e)
            ),
        )
    })?;
    let id = Uuid::new_v4();
    let sealed = sealer.seal(checked.yaml.as_bytes(), &id.to_string())?;
    let row = t
        .store
        .insert_cluster(NewCluster {
            id,
            name,
            labels: input.labels,
            api_server: checked.api_server.clone(),
            kubeconfig_ciphertext: sealed.ciphertext,
            key_id: sealed.key_id,
            capsule_proxy_url: proxy_url,
            capsule_proxy_ca: proxy_ca,
        })
        .await?;
    t.pool.record(id, Ok(()));
    t.pool.remember_apis(id, apis);
    if let Err(e) = t.pool.cache(&row).await {
        tracing::warn!(cluster = %row.name, error = %e, "cannot watch the registered cluster yet");
    }
    Ok(row)
}

/// The cluster's client, for an operation that needs it.
pub async fn client(t: &Tenancy, cluster: &ClusterRow) -> Result<kube::Client> {
    t.pool.client(cluster).await
}

/// Which tenancy APIs the cluster serves (cached for 30 s); errors when unreachable.
pub async fn probe(t: &Tenancy, cluster: &ClusterRow) -> Result<ServedApis> {
    if let Some(apis) = t.pool.cached_apis(cluster.id) {
        return Ok(apis);
    }
    let client = t.pool.client(cluster).await?;
    match kube_ops::served_apis(&client).await {
        Ok(apis) => {
            t.pool.record(cluster.id, Ok(()));
            t.pool.remember_apis(cluster.id, apis);
            Ok(apis)
        }
        Err(e) => {
            let err = kube_error(&cluster.name, e);
            t.pool.record(cluster.id, Err(err.to_string()));
            Err(err)
        }
    }
}

/// Fails with UNAVAILABLE unless the cluster serves Capsule's Tenant API.
pub async fn require_capsule(t: &Tenancy, cluster: &ClusterRow) -> Result<()> {
    if probe(t, cluster).await?.capsule {
        Ok(())
    } else {
        Err(Error::Unavailable(format!(
            "cluster {} does not serve capsule.clastix.io/v1beta2 (Capsule is not installed); see bootstrapTenancy",
            cluster.name
        )))
    }
}

/// One thing tenancy needs that a cluster lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    pub component: String,
    pub message: String,
}

/// What the cluster lacks for tenancy; empty when it is ready. Nothing is installed: Capsule,
/// capsule-proxy and KubeVela are installed by the cluster's operators (with their charts).
pub async fn bootstrap_report(
    t: &Tenancy,
    access: &Access<'_>,
    cluster: &ClusterRow,
) -> Result<Vec<Missing>> {
    access.require_cluster_admin()?;
    let apis = probe(t, cluster).await?;
    let mut missing = Vec::new();
    if !apis.capsule {
        missing.push(Missing {
            component: "capsule".into(),
            message: "install Capsule (API capsule.clastix.io/v1beta2, CRD tenants.capsule.clastix.io); tenants cannot be created until then".into(),
        });
    }
    if !apis.kube_vela {
        missing.push(Missing {
            component: "kubevela".into(),
            message: "install KubeVela (API core.oam.dev/v1beta1, CRD applications.core.oam.dev); apps cannot be deployed until then".into(),
        });
    }
    if cluster.capsule_proxy_url.is_none() {
        missing.push(Missing {
            component: "capsule-proxy".into(),
            message: "no capsule-proxy URL registered: issued kubeconfigs point at the API server directly".into(),
        });
    }
    Ok(missing)
}

/// Removes what fleetgraph created on the cluster, then the cluster's rows. Without `force`,
/// anything left behind fails the deletion (nothing is removed from the store, so a retry
/// picks up where this one stopped); with `force` the rows go and the report lists leftovers.
pub async fn delete(
    t: &Tenancy,
    access: &Access<'_>,
    cluster: &ClusterRow,
    force: bool,
) -> Result<CleanupReport> {
    access.require_cluster_admin()?;
    let tenants = t.store.tenants(Some(cluster.id)).await?;
    let mut report = CleanupReport::default();
    let client = t.pool.client(cluster).await;
    for tenant in &tenants {
        let projects = t.store.projects(Some(tenant.id)).await?;
        match &client {
            Ok(client) => report.merge(cleanup::remove_tenant(client, tenant, &projects).await),
            Err(e) => report.merge(CleanupReport::unreachable(
                cleanup::tenant_objects(tenant, &projects),
                &e.to_string(),
            )),
        }
    }
    if !report.is_complete() && !force {
        return Err(Error::Unavailable(format!(
            "cluster {} kept: could not remove {}; retry when the cluster is reachable, or pass force: true to forget it anyway",
            cluster.name,
            report.leftovers.join(", ")
        )));
    }
    t.store.delete_cluster(cluster.id).await?;
    t.pool.evict(cluster.id);
    Ok(report)
}
