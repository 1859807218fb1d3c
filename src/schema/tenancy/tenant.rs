//! `Tenant`: a Capsule tenant fleetgraph manages, with its quotas, limits, network policies,
//! plan and policy sets.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::types::Json;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::cluster::{RegisteredCluster, visible_cluster};
use super::policy_set::PolicySet;
use super::{LabelInput, label_map, labels_out, node_id, principal, row_id, rows, tenancy};
use crate::config::LimitsConfig;
use crate::error::{Error, Result};
use crate::fleet::query::labels::Selector;
use crate::loaders::tenancy_rows::ClusterKey;
use crate::schema::cluster::Label;
use crate::schema::pagination::{KeyPart, Page, PageArgs, SortKey, paginate};
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::tenants::{self, CreateTenant, tenant_ref};
use crate::tenancy::{Access, Tenancy};

pub const TYPE_NAME: &str = "Tenant";

#[derive(Clone)]
pub struct Tenant(pub Arc<TenantRow>);

/// A resource and its quantity, e.g. `cpu` = `2`.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "ResourceQuantityInput")]
pub struct ResourceQuantity {
    pub resource: String,
    pub quantity: String,
}

fn quantities(map: &BTreeMap<String, String>) -> Vec<ResourceQuantity> {
    map.iter()
        .map(|(resource, quantity)| ResourceQuantity {
            resource: resource.clone(),
            quantity: quantity.clone(),
        })
        .collect()
}

fn quantity_map(field: &str, items: Vec<ResourceQuantity>) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for q in items {
        if map.insert(q.resource.clone(), q.quantity).is_some() {
            return Err(Error::bad_field(
                field,
                format!("{field}: {:?} is given twice", q.resource),
            ));
        }
    }
    Ok(map)
}

#[derive(SimpleObject)]
pub struct TenantSummary {
    /// Namespaces labelled for the tenant in its cluster, sorted.
    pub namespaces: Vec<String>,
    pub project_count: usize,
    pub quotas: Vec<ResourceQuantity>,
    pub plan: Option<String>,
}

#[Object]
impl Tenant {
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
    /// The cluster the tenant lives on.
    async fn cluster(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RegisteredCluster>> {
        let t = tenancy(ctx).kn()?;
        Ok(t.store
            .cluster(self.0.cluster_id)
            .await
            .kn()?
            .map(|c| RegisteredCluster(Arc::new(c))))
    }
    /// Capsule owners (users), sorted.
    async fn owners(&self) -> Vec<String> {
        self.0.owners()
    }
    async fn labels(&self) -> Vec<Label> {
        labels_out(&self.0.labels())
    }
    async fn plan(&self) -> Option<&str> {
        self.0.plan.as_deref()
    }
    /// `resourceQuotas` hard limits over the whole tenant, by resource.
    async fn quotas(&self) -> Vec<ResourceQuantity> {
        quantities(&self.0.quotas())
    }
    /// Container `max` limits, by resource.
    async fn limits(&self) -> Vec<ResourceQuantity> {
        quantities(&self.0.limits())
    }
    /// Capsule `networkPolicies.items` (NetworkPolicy specs).
    async fn network_policies(&self) -> Json<Vec<Value>> {
        Json(self.0.network_policies())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// From the cluster's namespace watch (the cluster itself until the watch has synced):
    /// an error on this field alone when the cluster is unreachable.
    async fn summary(&self, ctx: &Context<'_>) -> async_graphql::Result<TenantSummary> {
        let t = tenancy(ctx).kn()?;
        let cluster_id = self.0.cluster_id;
        let cluster = rows(ctx)
            .kn()?
            .load_one(ClusterKey(cluster_id))
            .await
            .map_err(|e| Error::Internal(e.to_string()))
            .and_then(|c| {
                c.ok_or_else(|| {
                    Error::NotFound(format!("no registered cluster with id {cluster_id}"))
                })
            })
            .kn()?;
        let namespaces = tenants::namespaces(t, &cluster, &self.0).await.kn()?;
        let project_count = t.store.projects(Some(self.0.id)).await.kn()?.len();
        Ok(TenantSummary {
            namespaces,
            project_count,
            quotas: quantities(&self.0.quotas()),
            plan: self.0.plan.clone(),
        })
    }
    /// The tenant's projects the caller may see, by name (then id).
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<super::project::Project>> {
        super::project::project_page(ctx, &self.0, PageArgs::new(after, before, first, last))
            .await
            .kn()
    }
    /// Quota usage over `range` (`1h`, `24h` (default), `7d`, `30d`), read from the cluster.
    async fn usage(
        &self,
        ctx: &Context<'_>,
        range: Option<String>,
    ) -> async_graphql::Result<super::usage::Usage> {
        let t = tenancy(ctx).kn()?;
        let range = super::usage::parse_range(range).kn()?;
        let now = Utc::now();
        let aggregates = crate::tenancy::usage::of_tenant(t, &self.0, range, now)
            .await
            .kn()?;
        Ok(super::usage::usage_out(range, now, aggregates))
    }
    /// The tenant's policy sets, by name.
    async fn policy_sets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PolicySet>> {
        let t = tenancy(ctx).kn()?;
        Ok(t.store
            .policy_sets(self.0.id)
            .await
            .kn()?
            .into_iter()
            .map(|p| PolicySet(Arc::new(p)))
            .collect())
    }
}

#[derive(InputObject, Default)]
pub struct TenantFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Kubernetes label selector over the tenant's labels.
    pub label_selector: Option<String>,
    /// Tenants with this owner (exact).
    pub owner: Option<String>,
    /// Tenants on this registered cluster (global id or UUID).
    pub cluster_id: Option<ID>,
}

/// A [`TenantFilter`], checked and compiled; shared by `tenants` and `tenantChanged`.
pub struct TenantMatch {
    name: Option<String>,
    selector: Option<Selector>,
    owner: Option<String>,
    pub cluster: Option<Uuid>,
}

impl TenantMatch {
    pub fn new(filter: TenantFilter) -> Result<Self> {
        Ok(Self {
            name: filter.name.map(|n| n.to_lowercase()),
            selector: filter
                .label_selector
                .as_deref()
                .map(|s| Selector::parse("filter.labelSelector", s))
                .transpose()?,
            owner: filter.owner,
            cluster: filter
                .cluster_id
                .map(|id| row_id("filter.clusterId", super::cluster::TYPE_NAME, &id))
                .transpose()?,
        })
    }

    pub fn matches(&self, row: &TenantRow) -> bool {
        self.name
            .as_ref()
            .is_none_or(|n| row.name.to_lowercase().contains(n.as_str()))
            && self
                .selector
                .as_ref()
                .is_none_or(|s| s.matches(&row.labels()))
            && self.owner.as_ref().is_none_or(|o| row.owners().contains(o))
            && self.cluster.is_none_or(|c| c == row.cluster_id)
    }
}

/// Tenants the caller may see, filtered, as a page by name (then id).
pub async fn tenant_page(
    ctx: &Context<'_>,
    cluster: Option<Uuid>,
    filter: Option<TenantFilter>,
    args: PageArgs,
) -> Result<Page<Tenant>> {
    let t = tenancy(ctx)?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    access.require_caller()?;
    let filter = TenantMatch::new(filter.unwrap_or_default())?;
    let items = t
        .store
        .tenants(cluster.or(filter.cluster))
        .await?
        .into_iter()
        .filter(|r| access.sees_tenant(tenant_ref(r)))
        .filter(|r| filter.matches(r))
        .map(|r| {
            (
                SortKey::ascending([
                    KeyPart::from(r.name.as_str()),
                    KeyPart::from(r.id.to_string()),
                ]),
                r,
            )
        })
        .collect();
    let limits = ctx
        .data::<LimitsConfig>()
        .map_err(|e| Error::Internal(e.message))?;
    paginate(items, "NAME", &args, limits, |r| Tenant(Arc::new(r)))
}

/// One tenant the caller may see, or NOT_FOUND.
pub async fn visible_tenant(t: &Tenancy, access: &Access<'_>, id: Uuid) -> Result<TenantRow> {
    access.require_caller()?;
    let row = t
        .store
        .tenant(id)
        .await?
        .ok_or_else(|| crate::tenancy::access::not_found("tenant", &id.to_string()))?;
    access.require_visible_tenant(tenant_ref(&row))?;
    Ok(row)
}

pub async fn by_node_id(ctx: &Context<'_>, uuid: &str) -> async_graphql::Result<Option<Tenant>> {
    let Ok(id) = Uuid::parse_str(uuid) else {
        return Ok(None);
    };
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    match visible_tenant(t, &Access::new(&principal), id).await {
        Ok(row) => Ok(Some(Tenant(Arc::new(row)))),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e).kn(),
    }
}

#[derive(Default)]
pub struct TenantQuery;

#[Object]
impl TenantQuery {
    /// Tenants the caller may see, by name (then id).
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        filter: Option<TenantFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Tenant>> {
        tenant_page(ctx, None, filter, PageArgs::new(after, before, first, last))
            .await
            .kn()
    }

    /// One tenant (global id or UUID); null when absent or not visible.
    async fn tenant(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Tenant>> {
        let uuid = row_id("id", TYPE_NAME, &id).kn()?;
        by_node_id(ctx, &uuid.to_string()).await
    }
}

#[derive(InputObject)]
pub struct CreateTenantInput {
    pub cluster_id: ID,
    /// DNS-1123 label of at most 40 characters, unique across clusters.
    pub name: String,
    #[graphql(default)]
    pub owners: Vec<String>,
    pub labels: Option<Vec<LabelInput>>,
    /// A plan from `plans` (quotas and policy sets).
    pub plan: Option<String>,
}

#[derive(InputObject)]
pub struct SetTenantOwnersInput {
    pub tenant_id: ID,
    pub owners: Vec<String>,
}

#[derive(InputObject)]
pub struct SetTenantQuotasInput {
    pub tenant_id: ID,
    /// Replaces all quotas; empty removes them.
    pub quotas: Vec<ResourceQuantity>,
}

#[derive(InputObject)]
pub struct SetTenantLimitsInput {
    pub tenant_id: ID,
    /// Container max limits; replaces all; empty removes them.
    pub limits: Vec<ResourceQuantity>,
}

#[derive(InputObject)]
pub struct SetTenantNetworkPoliciesInput {
    pub tenant_id: ID,
    /// Shorthand: one policy denying all ingress and egress.
    #[graphql(default)]
    pub default_deny: bool,
    /// NetworkPolicy specs used as given.
    pub items: Option<Json<Vec<Value>>>,
}

#[derive(InputObject)]
pub struct ApplyTenantPlanInput {
    pub tenant_id: ID,
    pub plan: String,
}

#[derive(InputObject)]
pub struct DeleteTenantInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct TenantPayload {
    pub tenant: Tenant,
}

#[derive(SimpleObject)]
pub struct DeleteTenantPayload {
    pub deleted_tenant_id: ID,
    /// Objects removed from the cluster (or already gone), as `Kind/name`.
    pub removed: Vec<String>,
}

/// Runs a spec change on a visible tenant, audited.
async fn change(
    ctx: &Context<'_>,
    operation: &str,
    tenant_id: &ID,
    edit: impl FnOnce(&mut crate::store::tenancy::tenants::TenantSpec) -> Result<()>,
) -> async_graphql::Result<TenantPayload> {
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    let access = Access::new(&principal);
    let target = format!("tenant/{}", tenant_id.as_str());
    let row = audited(&t.store, &principal, operation, target, async {
        let id = row_id("input.tenantId", TYPE_NAME, tenant_id)?;
        let row = visible_tenant(t, &access, id).await?;
        tenants::update(t, &access, &row, edit).await
    })
    .await
    .kn()?;
    Ok(TenantPayload {
        tenant: Tenant(Arc::new(row)),
    })
}

#[derive(Default)]
pub struct TenantMutation;

#[Object]
impl TenantMutation {
    /// Creates a tenant and its Capsule Tenant (admin, ops).
    async fn create_tenant(
        &self,
        ctx: &Context<'_>,
        input: CreateTenantInput,
    ) -> async_graphql::Result<TenantPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("tenant/{}", input.name);
        let row = audited(&t.store, &principal, "createTenant", target, async {
            access.require_tenant_admin()?;
            let cluster_id = row_id(
                "input.clusterId",
                super::cluster::TYPE_NAME,
                &input.cluster_id,
            )?;
            let labels = label_map("input.labels", input.labels)?;
            visible_cluster(t, &access, cluster_id).await?;
            tenants::create(
                t,
                &access,
                CreateTenant {
                    cluster_id,
                    name: input.name,
                    owners: input.owners,
                    labels,
                    plan: input.plan,
                },
            )
            .await
        })
        .await
        .kn()?;
        Ok(TenantPayload {
            tenant: Tenant(Arc::new(row)),
        })
    }

    async fn set_tenant_owners(
        &self,
        ctx: &Context<'_>,
        input: SetTenantOwnersInput,
    ) -> async_graphql::Result<TenantPayload> {
        change(ctx, "setTenantOwners", &input.tenant_id, |spec| {
            spec.owners = tenants::check_owners(&input.owners)?;
            Ok(())
        })
        .await
    }

    async fn set_tenant_quotas(
        &self,
        ctx: &Context<'_>,
        input: SetTenantQuotasInput,
    ) -> async_graphql::Result<TenantPayload> {
        change(ctx, "setTenantQuotas", &input.tenant_id, |spec| {
            tenants::set_quotas(spec, quantity_map("input.quotas", input.quotas)?)
        })
        .await
    }

    async fn set_tenant_limits(
        &self,
        ctx: &Context<'_>,
        input: SetTenantLimitsInput,
    ) -> async_graphql::Result<TenantPayload> {
        change(ctx, "setTenantLimits", &input.tenant_id, |spec| {
            tenants::set_limits(spec, quantity_map("input.limits", input.limits)?)
        })
        .await
    }

    async fn set_tenant_network_policies(
        &self,
        ctx: &Context<'_>,
        input: SetTenantNetworkPoliciesInput,
    ) -> async_graphql::Result<TenantPayload> {
        let items = input.items.map(|j| j.0).unwrap_or_default();
        change(ctx, "setTenantNetworkPolicies", &input.tenant_id, |spec| {
            tenants::set_network_policies(spec, input.default_deny, items)
        })
        .await
    }

    /// Applies a plan: quotas and policy sets (admin, ops, tenantOwner).
    async fn apply_tenant_plan(
        &self,
        ctx: &Context<'_>,
        input: ApplyTenantPlanInput,
    ) -> async_graphql::Result<TenantPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("tenant/{}", input.tenant_id.as_str());
        let row = audited(&t.store, &principal, "applyTenantPlan", target, async {
            let id = row_id("input.tenantId", TYPE_NAME, &input.tenant_id)?;
            let row = visible_tenant(t, &access, id).await?;
            tenants::apply_plan(t, &access, &row, &input.plan).await
        })
        .await
        .kn()?;
        Ok(TenantPayload {
            tenant: Tenant(Arc::new(row)),
        })
    }

    /// Deletes the tenant's namespaces and Capsule Tenant, then the tenant (admin, ops).
    async fn delete_tenant(
        &self,
        ctx: &Context<'_>,
        input: DeleteTenantInput,
    ) -> async_graphql::Result<DeleteTenantPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("tenant/{}", input.id.as_str());
        let (id, report) = audited(&t.store, &principal, "deleteTenant", target, async {
            let id = row_id("input.id", TYPE_NAME, &input.id)?;
            let row = visible_tenant(t, &access, id).await?;
            Ok((id, tenants::delete(t, &access, &row).await?))
        })
        .await
        .kn()?;
        Ok(DeleteTenantPayload {
            deleted_tenant_id: node_id(TYPE_NAME, id),
            removed: report.removed,
        })
    }
}
