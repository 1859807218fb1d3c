//! `PolicySet`, the policy-set catalog and plans.

use std::sync::Arc;

use async_graphql::types::Json;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::tenant::{ResourceQuantity, TYPE_NAME as TENANT, visible_tenant};
use super::{node_id, principal, row_id, tenancy};
use crate::error::{Error, Result};
use crate::store::tenancy::policy_sets::{Attachment, Model as PolicySetRow, PolicySetSpec, Rule};
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::{Access, Tenancy, plans, policy_sets};

pub const TYPE_NAME: &str = "PolicySet";

#[derive(Clone)]
pub struct PolicySet(pub Arc<PolicySetRow>);

/// Where a policy set applies: the whole tenant, or one of its projects.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "AttachmentInput")]
pub struct PolicySetAttachment {
    pub tenant: Option<String>,
    pub project: Option<String>,
}

#[Object]
impl PolicySet {
    pub async fn id(&self) -> ID {
        node_id(TYPE_NAME, self.0.id)
    }
    async fn uid(&self) -> String {
        self.0.id.to_string()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Rules: `{kind: vela.trait|vela.policy, traitType|policyType, spec}`.
    async fn rules(&self) -> Json<Vec<Rule>> {
        Json(self.0.rules())
    }
    /// Empty: applies to every project of the tenant.
    async fn attached_to(&self) -> Vec<PolicySetAttachment> {
        self.0
            .attached_to()
            .into_iter()
            .map(|a| PolicySetAttachment {
                tenant: a.tenant,
                project: a.project,
            })
            .collect()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(SimpleObject)]
pub struct CatalogPolicySet {
    pub name: String,
    pub description: String,
    pub rules: Json<Vec<Rule>>,
}

#[derive(SimpleObject)]
pub struct Plan {
    pub name: String,
    pub description: String,
    pub tenant_quotas: Vec<ResourceQuantity>,
    pub policy_sets: Vec<String>,
}

fn plan_out(p: &plans::Plan) -> Plan {
    Plan {
        name: p.name.clone(),
        description: p.description.clone(),
        tenant_quotas: p
            .tenant_quotas
            .iter()
            .map(|(r, q)| ResourceQuantity {
                resource: r.clone(),
                quantity: q.clone(),
            })
            .collect(),
        policy_sets: p.policy_sets.clone(),
    }
}

/// A policy set the caller may see, with its tenant.
async fn visible_set(
    t: &Tenancy,
    access: &Access<'_>,
    id: Uuid,
) -> Result<(PolicySetRow, TenantRow)> {
    let set = t
        .store
        .policy_set(id)
        .await?
        .ok_or_else(|| crate::tenancy::access::not_found("policy set", &id.to_string()))?;
    let tenant = visible_tenant(t, access, set.tenant_id)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => crate::tenancy::access::not_found("policy set", &id.to_string()),
            other => other,
        })?;
    Ok((set, tenant))
}

pub async fn by_node_id(ctx: &Context<'_>, uuid: &str) -> async_graphql::Result<Option<PolicySet>> {
    let Ok(id) = Uuid::parse_str(uuid) else {
        return Ok(None);
    };
    let t = tenancy(ctx).kn()?;
    let principal = principal(ctx);
    match visible_set(t, &Access::new(&principal), id).await {
        Ok((set, _)) => Ok(Some(PolicySet(Arc::new(set)))),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e).kn(),
    }
}

#[derive(Default)]
pub struct PolicySetQuery;

#[Object]
impl PolicySetQuery {
    async fn policy_set(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PolicySet>> {
        let uuid = row_id("id", TYPE_NAME, &id).kn()?;
        by_node_id(ctx, &uuid.to_string()).await
    }

    /// Policy sets shipped with fleetgraph, which plans attach.
    async fn policy_set_catalog(&self) -> Vec<CatalogPolicySet> {
        plans::policy_set_catalog()
            .iter()
            .map(|p| CatalogPolicySet {
                name: p.name.clone(),
                description: p.description.clone(),
                rules: Json(p.rules.clone()),
            })
            .collect()
    }

    /// Plans shipped with fleetgraph, by name.
    async fn plans(&self) -> Vec<Plan> {
        let mut out: Vec<Plan> = plans::plans().iter().map(plan_out).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    async fn plan(&self, name: String) -> Option<Plan> {
        plans::plan(&name).map(plan_out)
    }
}

#[derive(InputObject)]
pub struct CreatePolicySetInput {
    pub tenant_id: ID,
    pub name: String,
    #[graphql(default)]
    pub description: String,
    pub rules: Json<Vec<Value>>,
    #[graphql(default)]
    pub attached_to: Vec<PolicySetAttachment>,
}

#[derive(InputObject)]
pub struct UpdatePolicySetInput {
    pub id: ID,
    pub description: Option<String>,
    pub rules: Option<Json<Vec<Value>>>,
    pub attached_to: Option<Vec<PolicySetAttachment>>,
}

#[derive(InputObject)]
pub struct DeletePolicySetInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct PolicySetPayload {
    pub policy_set: PolicySet,
}

#[derive(SimpleObject)]
pub struct DeletePolicySetPayload {
    pub deleted_policy_set_id: ID,
}

fn rules_in(rules: Vec<Value>) -> Result<Vec<Rule>> {
    rules
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::from_value(r)
                .map_err(|e| Error::bad_field("input.rules", format!("input.rules[{i}]: {e}")))
        })
        .collect()
}

fn attachments_in(items: Vec<PolicySetAttachment>) -> Vec<Attachment> {
    items
        .into_iter()
        .map(|a| Attachment {
            tenant: a.tenant,
            project: a.project,
        })
        .collect()
}

#[derive(Default)]
pub struct PolicySetMutation;

#[Object]
impl PolicySetMutation {
    /// Creates a policy set in a tenant (admin, ops, tenantOwner).
    async fn create_policy_set(
        &self,
        ctx: &Context<'_>,
        input: CreatePolicySetInput,
    ) -> async_graphql::Result<PolicySetPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!(
            "tenant/{}/policyset/{}",
            input.tenant_id.as_str(),
            input.name
        );
        let row = audited(&t.store, &principal, "createPolicySet", target, async {
            let id = row_id("input.tenantId", TENANT, &input.tenant_id)?;
            let tenant = visible_tenant(t, &access, id).await?;
            let spec = PolicySetSpec {
                description: input.description,
                rules: rules_in(input.rules.0)?,
                attached_to: attachments_in(input.attached_to),
            };
            policy_sets::create(t, &access, &tenant, &input.name, spec).await
        })
        .await
        .kn()?;
        Ok(PolicySetPayload {
            policy_set: PolicySet(Arc::new(row)),
        })
    }

    async fn update_policy_set(
        &self,
        ctx: &Context<'_>,
        input: UpdatePolicySetInput,
    ) -> async_graphql::Result<PolicySetPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("policyset/{}", input.id.as_str());
        let row = audited(&t.store, &principal, "updatePolicySet", target, async {
            let id = row_id("input.id", TYPE_NAME, &input.id)?;
            let (set, tenant) = visible_set(t, &access, id).await?;
            let spec = PolicySetSpec {
                description: input.description.unwrap_or_else(|| set.description.clone()),
                rules: match input.rules {
                    Some(r) => rules_in(r.0)?,
                    None => set.rules(),
                },
                attached_to: match input.attached_to {
                    Some(a) => attachments_in(a),
                    None => set.attached_to(),
                },
            };
            policy_sets::update(t, &access, &tenant, &set, spec).await
        })
        .await
        .kn()?;
        Ok(PolicySetPayload {
            policy_set: PolicySet(Arc::new(row)),
        })
    }

    async fn delete_policy_set(
        &self,
        ctx: &Context<'_>,
        input: DeletePolicySetInput,
    ) -> async_graphql::Result<DeletePolicySetPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("policyset/{}", input.id.as_str());
        let id = audited(&t.store, &principal, "deletePolicySet", target, async {
            let id = row_id("input.id", TYPE_NAME, &input.id)?;
            let (set, tenant) = visible_set(t, &access, id).await?;
            policy_sets::delete(t, &access, &tenant, &set).await?;
            Ok(id)
        })
        .await
        .kn()?;
        Ok(DeletePolicySetPayload {
            deleted_policy_set_id: node_id(TYPE_NAME, id),
        })
    }
}
