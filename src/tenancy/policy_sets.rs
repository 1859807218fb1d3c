//! Policy sets: per-tenant KubeVela traits and policies, attached to the whole tenant or to
//! some of its projects, materialised into apps on deploy (see [`for_project`]).

use serde_json::Value;

use super::tenants::tenant_ref;
use super::{Access, Tenancy, plans, validate};
use crate::error::{Error, Result};
use crate::store::tenancy::policy_sets::{Attachment, Model as PolicySetRow, PolicySetSpec, Rule};
use crate::store::tenancy::tenants::Model as TenantRow;

fn check_rules(rules: &[Rule]) -> Result<()> {
    for (i, rule) in rules.iter().enumerate() {
        if rule.kind != "vela.trait" && rule.kind != "vela.policy" {
            return Err(Error::bad_field(
                "input.rules",
                format!("input.rules[{i}].kind must be vela.trait or vela.policy"),
            ));
        }
        if !rule.spec.get("type").is_some_and(Value::is_string) {
            return Err(Error::bad_field(
                "input.rules",
                format!("input.rules[{i}].spec needs a string `type` (the trait or policy type)"),
            ));
        }
    }
    Ok(())
}

async fn check_attachments(t: &Tenancy, tenant: &TenantRow, attached: &[Attachment]) -> Result<()> {
    for a in attached {
        if let Some(name) = &a.tenant
            && name != &tenant.name
        {
            return Err(Error::bad_field(
                "input.attachedTo",
                format!("input.attachedTo: {name:?} is not this policy set's tenant"),
            ));
        }
        if let Some(project) = &a.project
            && t.store.project_by_name(tenant.id, project).await?.is_none()
        {
            return Err(Error::bad_field(
                "input.attachedTo",
                format!("input.attachedTo: the tenant has no project {project:?}"),
            ));
        }
    }
    Ok(())
}

pub async fn create(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    name: &str,
    spec: PolicySetSpec,
) -> Result<PolicySetRow> {
    access.require_configure_tenant(tenant_ref(tenant))?;
    validate::dns_label("input.name", name, 63)?;
    check_rules(&spec.rules)?;
    check_attachments(t, tenant, &spec.attached_to).await?;
    t.store.insert_policy_set(tenant.id, name, &spec).await
}

pub async fn update(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    set: &PolicySetRow,
    spec: PolicySetSpec,
) -> Result<PolicySetRow> {
    access.require_configure_tenant(tenant_ref(tenant))?;
    check_rules(&spec.rules)?;
    check_attachments(t, tenant, &spec.attached_to).await?;
    t.store.update_policy_set(set.id, &spec).await
}

pub async fn delete(
    t: &Tenancy,
    access: &Access<'_>,
    tenant: &TenantRow,
    set: &PolicySetRow,
) -> Result<()> {
    access.require_configure_tenant(tenant_ref(tenant))?;
    t.store.delete_policy_set(set.id).await?;
    Ok(())
}

/// Copies a plan's policy sets from the catalog into the tenant, attached to the tenant;
/// an existing set of the same name gets the tenant attachment added.
pub async fn attach_plan(t: &Tenancy, tenant: &TenantRow, plan: &plans::Plan) -> Result<()> {
    let whole_tenant = Attachment {
        tenant: Some(tenant.name.clone()),
        project: None,
    };
    for name in &plan.policy_sets {
        let entry = plans::catalog_policy_set(name).ok_or_else(|| {
            Error::Internal(format!(
                "plan {} names unknown policy set {name}",
                plan.name
            ))
        })?;
        match t.store.policy_set_by_name(tenant.id, name).await? {
            Some(existing) => {
                let mut attached = existing.attached_to();
                if !attached.contains(&whole_tenant) {
                    attached.push(whole_tenant.clone());
                    let spec = PolicySetSpec {
                        description: existing.description.clone(),
                        rules: existing.rules(),
                        attached_to: attached,
                    };
                    t.store.update_policy_set(existing.id, &spec).await?;
                }
            }
            None => {
                let spec = PolicySetSpec {
                    description: entry.description.clone(),
                    rules: entry.rules.clone(),
                    attached_to: vec![whole_tenant.clone()],
                };
                t.store.insert_policy_set(tenant.id, name, &spec).await?;
            }
        }
    }
    Ok(())
}

/// Whether a set applies to `project` of `tenant`: no attachments (applies everywhere), or an
/// attachment naming the tenant as a whole or this project.
pub fn applies_to(set: &PolicySetRow, tenant: &TenantRow, project: &str) -> bool {
    let attached = set.attached_to();
    attached.is_empty()
        || attached.iter().any(|a| {
            let tenant_ok = a.tenant.as_deref().is_none_or(|n| n == tenant.name);
            tenant_ok && a.project.as_deref().is_none_or(|p| p == project)
        })
}

/// What deploying an app in `project` materialises: the traits and the policies of every
/// policy set of the tenant that applies to the project, in policy-set name order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Materialised {
    pub traits: Vec<Value>,
    pub policies: Vec<Value>,
    /// Names of the policy sets that contributed.
    pub policy_sets: Vec<String>,
}

pub async fn for_project(t: &Tenancy, tenant: &TenantRow, project: &str) -> Result<Materialised> {
    let mut out = Materialised::default();
    for set in t.store.policy_sets(tenant.id).await? {
        if !applies_to(&set, tenant, project) {
            continue;
        }
        for rule in set.rules() {
            match rule.kind.as_str() {
                "vela.trait" => out.traits.push(rule.spec),
                "vela.policy" => out.policies.push(rule.spec),
                _ => {}
            }
        }
        out.policy_sets.push(set.name);
    }
    Ok(out)
}
