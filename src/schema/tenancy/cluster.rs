//! `RegisteredCluster`: a cluster registered by kubeconfig (stored sealed, never returned).

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{LabelInput, label_map, labels_out, node_id, principal, row_id, tenancy};
use crate::config::LimitsConfig;
use crate::error::{Error, Result};
use crate::fleet::query::labels::Selector;
use crate::schema::cluster::Label;
use crate::schema::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::tenancy::audit::audited;
use crate::tenancy::clusters::{self, RegisterCluster};
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::{Access, Tenancy};

pub const TYPE_NAME: &str = "RegisteredCluster";

#[derive(Clone)]
pub struct RegisteredCluster(pub Arc<ClusterRow>);

/// What a registered cluster offers for tenancy, discovered from its API.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct ClusterCapabilities {
    /// Serves Capsule's `capsule.clastix.io/v1beta2` (tenants).
    pub capsule: bool,
    /// A capsule-proxy URL is registered (kubeconfigs go through it).
    pub capsule_proxy: bool,
    /// Serves KubeVela's `core.oam.dev/v1beta1` (apps).
    pub kube_vela: bool,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

/// A condition in the Kubernetes style.
#[derive(SimpleObject, Clone, Debug)]
pub struct ClusterCondition {
    /// `Reachable`, `CapsuleAvailable` or `KubeVelaAvailable`.
    #[graphql(name = "type")]
    pub type_: String,
    pub status: ConditionStatus,
    pub reason: String,
    pub message: String,
}

#[Object]
impl RegisteredCluster {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        node_id(TYPE_NAME, self.0.id)
    }
    /// The store id (lowercase UUID).
    async fn uid(&self) -> String {
        self.0.id.to_string()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Sorted by key.
    async fn labels(&self) -> Vec<Label> {
        labels_out(&self.0.labels())
    }
    /// The API server of the registered kubeconfig.
    async fn api_server(&self) -> &str {
        &self.0.api_server
    }
    async fn capsule_proxy_url(&self) -> Option<&str> {
        self.0.capsule_proxy_url.as_deref()
    }
    /// Whether a CA bundle for the capsule-proxy is registered.
    async fn has_capsule_proxy_ca(&self) -> bool {
        self.0.capsule_proxy_ca.is_some()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Detected from the cluster (cached briefly); an error on this field alone when the
    /// cluster cannot be reached.
    async fn capabilities(&self, ctx: &Context<'_>) -> async_graphql::Result<ClusterCapabilities> {
        let t = tenancy(ctx).kn()?;
        let apis = clusters::probe(t, &self.0).await.kn()?;
        Ok(ClusterCapabilities {
            capsule: apis.capsule,
            capsule_proxy: self.0.capsule_proxy_url.is_some(),
            kube_vela: apis.kube_vela,
        })
    }
    /// The cluster's tenants the caller may see, by name.
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        filter: Option<super::tenant::TenantFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<super::tenant::Tenant>> {
        super::tenant::tenant_page(
            ctx,
            Some(self.0.id),
            filter,
            PageArgs::new(after, before, first, last),
        )
        .await
        .kn()
    }
    /// Reachability and tenancy APIs; never an error (an unreachable cluster says so here).
    async fn conditions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ClusterCondition>> {
        let t = tenancy(ctx).kn()?;
        Ok(conditions(clusters::probe(t, &self.0).await))
    }
}

fn conditions(probe: Result<crate::tenancy::kube_ops::ServedApis>) -> Vec<ClusterCondition> {
    let api = |type_: &str, present: Option<bool>, group: &str| ClusterCondition {
        type_: type_.to_string(),
        status: match present {
            Some(true) => ConditionStatus::True,
            Some(false) => ConditionStatus::False,
            None => ConditionStatus::Unknown,
        },
        reason: match present {
            Some(true) => "APIServed",
            Some(false) => "APINotServed",
            None => "ClusterUnreachable",
        }
        .to_string(),
        message: match present {
            Some(true) => format!("{group} is served"),
            Some(false) => format!("{group} is not served; see bootstrapTenancy"),
            None => "cluster unreachable".to_string(),
        },
    };
    match probe {
        Ok(apis) => vec![
            ClusterCondition {
                type_: "Reachable".into(),
                status: ConditionStatus::True,
                reason: "APIServerAnswered".into(),
                message: "the API server answered discovery".into(),
            },
            api(
                "CapsuleAvailable",
                Some(apis.capsule),
                "capsule.clastix.io/v1beta2",
            ),
            api(
                "KubeVelaAvailable",
                Some(apis.kube_vela),
                "core.oam.dev/v1beta1",
            ),
        ],
        Err(e) => vec![
            ClusterCondition {
                type_: "Reachable".into(),
                status: ConditionStatus::False,
                reason: "APIServerUnreachable".into(),
                message: e.to_string(),
            },
            api("CapsuleAvailable", None, "capsule.clastix.io/v1beta2"),
            api("KubeVelaAvailable", None, "core.oam.dev/v1beta1"),
        ],
    }
}

/// Filters for `registeredClusters`.
#[derive(InputObject, Default)]
pub struct RegisteredClusterFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Kubernetes label selector, e.g. `env=prod,tier in (gold,silver)`.
    pub label_selector: Option<String>,
}

/// The clusters the caller may see: all for admin/ops/readOnly, else those hosting one of
/// its tenants.
pub async fn visible_clusters(t: &Tenancy, access: &Access<'_>) -> Result<Vec<ClusterRow>> {
    access.require_caller()?;
    let all = t.store.clusters().await?;
    if access.sees_all_clusters() {
        return Ok(all);
    }
    let tenants = t.store.tenants(None).await?;
    Ok(all
        .into_iter()
        .filter(|c| {
            tenants.iter().any(|tn| {
                tn.cluster_id == c.id
                    && access.sees_tenant(crate::tenancy::TenantRef {
                        id: tn.id,
                        name: &tn.name,
                    })
            })
        })
        .collect())
}

/// One visible cluster, or NOT_FOUND.
pub async fn visible_cluster(
    t: &Tenancy,
    access: &Access<'_>,
    id: uuid::Uuid,
) -> Result<ClusterRow> {
    visible_clusters(t, access)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| crate::tenancy::access::not_found("registered cluster", &id.to_string()))
}

#[derive(Default)]
pub struct RegisteredClusterQuery;

#[Object]
impl RegisteredClusterQuery {
    /// Clusters registered by kubeconfig, by name (then id).
    #[allow(clippy::too_many_arguments)]
    async fn registered_clusters(
        &self,
        ctx: &Context<'_>,
        filter: Option<RegisteredClusterFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<RegisteredCluster>> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let filter = filter.unwrap_or_default();
        let selector = filter
            .label_selector
            .as_deref()
            .map(|s| Selector::parse("filter.labelSelector", s))
            .transpose()
            .kn()?;
        let name = filter.name.map(|n| n.to_lowercase());
        let rows = visible_clusters(t, &access).await.kn()?;
        let items = rows
            .into_iter()
            .filter(|c| {
                name.as_ref()
                    .is_none_or(|n| c.name.to_lowercase().contains(n))
            })
            .filter(|c| selector.as_ref().is_none_or(|s| s.matches(&c.labels())))
            .map(|c| {
                (
                    SortKey::ascending([
                        KeyPart::from(c.name.as_str()),
                        KeyPart::from(c.id.to_string()),
                    ]),
                    c,
                )
            })
            .collect();
        let limits = ctx.data::<LimitsConfig>()?;
        paginate(
            items,
            "NAME",
            &PageArgs::new(after, before, first, last),
            limits,
            |c| RegisteredCluster(Arc::new(c)),
        )
        .kn()
    }

    /// One registered cluster by id (global id or UUID); null when absent or not visible.
    async fn registered_cluster(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<RegisteredCluster>> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let id = row_id("id", TYPE_NAME, &id).kn()?;
        match visible_cluster(t, &access, id).await {
            Ok(row) => Ok(Some(RegisteredCluster(Arc::new(row)))),
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e).kn(),
        }
    }
}

/// `node(id)` for registered clusters.
pub async fn by_node_id(
    ctx: &Context<'_>,
    uuid: &str,
) -> async_graphql::Result<Option<RegisteredCluster>> {
    let Ok(id) = uuid::Uuid::parse_str(uuid) else {
        return Ok(None);
    };
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    match visible_cluster(t, &access, id).await {
        Ok(row) => Ok(Some(RegisteredCluster(Arc::new(row)))),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e).kn(),
    }
}

#[derive(InputObject)]
pub struct RegisterClusterInput {
    /// DNS-1123 label, unique among registered clusters.
    pub name: String,
    /// The kubeconfig, as base64 or inline YAML. Stored sealed; never returned.
    pub kubeconfig: String,
    pub labels: Option<Vec<LabelInput>>,
    /// capsule-proxy endpoint issued kubeconfigs point at.
    pub capsule_proxy_url: Option<String>,
    /// capsule-proxy CA bundle (PEM, or base64 of PEM).
    pub capsule_proxy_ca: Option<String>,
}

#[derive(SimpleObject)]
pub struct RegisterClusterPayload {
    pub cluster: RegisteredCluster,
}

#[derive(InputObject)]
pub struct ClusterRefInput {
    /// The cluster (global id or UUID).
    pub cluster_id: ID,
}

#[derive(InputObject)]
pub struct DeleteClusterInput {
    pub id: ID,
    /// Forget the cluster even when some of what fleetgraph created there could not be
    /// removed (the payload lists it).
    #[graphql(default)]
    pub force: bool,
}

#[derive(SimpleObject)]
pub struct DeleteClusterPayload {
    pub deleted_cluster_id: ID,
    /// Objects removed from the cluster (or already gone), as `Kind/name`.
    pub removed: Vec<String>,
    /// Objects left behind, with the reason (only with `force`).
    pub leftovers: Vec<String>,
}

#[derive(SimpleObject)]
pub struct MissingComponent {
    pub component: String,
    pub message: String,
}

#[derive(SimpleObject)]
pub struct BootstrapTenancyPayload {
    pub cluster: RegisteredCluster,
    /// Capsule and KubeVela are both served.
    pub ready: bool,
    /// What is missing and what to do about it; empty when nothing is.
    pub missing: Vec<MissingComponent>,
}

#[derive(Default)]
pub struct RegisteredClusterMutation;

#[Object]
impl RegisteredClusterMutation {
    /// Registers a cluster after connecting to it with the kubeconfig (admin, ops).
    async fn register_cluster(
        &self,
        ctx: &Context<'_>,
        input: RegisterClusterInput,
    ) -> async_graphql::Result<RegisterClusterPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("cluster/{}", input.name);
        let row = audited(&t.store, &principal, "registerCluster", target, async {
            let labels = label_map("input.labels", input.labels)?;
            clusters::register(
                t,
                &access,
                RegisterCluster {
                    name: input.name,
                    kubeconfig: input.kubeconfig,
                    labels,
                    capsule_proxy_url: input.capsule_proxy_url,
                    capsule_proxy_ca: input.capsule_proxy_ca,
                },
            )
            .await
        })
        .await
        .kn()?;
        Ok(RegisterClusterPayload {
            cluster: RegisteredCluster(Arc::new(row)),
        })
    }

    /// Reports what the cluster lacks for tenancy (admin, ops). Installs nothing.
    async fn bootstrap_tenancy(
        &self,
        ctx: &Context<'_>,
        input: ClusterRefInput,
    ) -> async_graphql::Result<BootstrapTenancyPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("cluster/{}", input.cluster_id.as_str());
        let (row, missing) = audited(&t.store, &principal, "bootstrapTenancy", target, async {
            let id = row_id("input.clusterId", TYPE_NAME, &input.cluster_id)?;
            let row = visible_cluster(t, &access, id).await?;
            let missing = clusters::bootstrap_report(t, &access, &row).await?;
            Ok((row, missing))
        })
        .await
        .kn()?;
        let ready = !missing
            .iter()
            .any(|m| m.component == "capsule" || m.component == "kubevela");
        Ok(BootstrapTenancyPayload {
            cluster: RegisteredCluster(Arc::new(row)),
            ready,
            missing: missing
                .into_iter()
                .map(|m| MissingComponent {
                    component: m.component,
                    message: m.message,
                })
                .collect(),
        })
    }

    /// Removes the tenants' objects fleetgraph created on the cluster, then forgets the
    /// cluster with its tenants, projects and policy sets (admin, ops).
    async fn delete_cluster(
        &self,
        ctx: &Context<'_>,
        input: DeleteClusterInput,
    ) -> async_graphql::Result<DeleteClusterPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("cluster/{}", input.id.as_str());
        let (id, report) = audited(&t.store, &principal, "deleteCluster", target, async {
            let id = row_id("input.id", TYPE_NAME, &input.id)?;
            let row = visible_cluster(t, &access, id).await?;
            let report = clusters::delete(t, &access, &row, input.force).await?;
            Ok((id, report))
        })
        .await
        .kn()?;
        Ok(DeleteClusterPayload {
            deleted_cluster_id: node_id(TYPE_NAME, id),
            removed: report.removed,
            leftovers: report.leftovers,
        })
    }
}
