//! `policy_sets`: per-tenant guardrails (KubeVela traits and policies) attached to the whole
//! tenant or to some of its projects.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{conflict_or, from_json, to_json};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::{StoreChange, StoreOp};

/// The entity name of policy set rows on the change bus.
pub const ENTITY: &str = "policy_set";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_sets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub rules: String,
    #[sea_orm(column_type = "Text")]
    pub attached_to: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Where a policy set applies: a tenant (all its projects) or one project of it, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attachment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

/// One rule: `kind` is `vela.trait` or `vela.policy`; `spec` is the trait / policy object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "traitType")]
    pub trait_type: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "policyType"
    )]
    pub policy_type: Option<String>,
    #[serde(default)]
    pub spec: Value,
}

impl Model {
    pub fn rules(&self) -> Vec<Rule> {
        from_json("policy_sets.rules", &self.rules)
    }
    pub fn attached_to(&self) -> Vec<Attachment> {
        from_json("policy_sets.attached_to", &self.attached_to)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySetSpec {
    pub description: String,
    pub rules: Vec<Rule>,
    pub attached_to: Vec<Attachment>,
}

impl Store {
    pub async fn insert_policy_set(
        &self,
        tenant_id: Uuid,
        name: &str,
        spec: &PolicySetSpec,
    ) -> Result<Model> {
        let now = Utc::now();
        let row = ActiveModel {
            id: Set(Uuid::new_v4()),
            tenant_id: Set(tenant_id),
            name: Set(name.to_string()),
            description: Set(spec.description.clone()),
            rules: Set(to_json(&spec.rules)),
            attached_to: Set(to_json(&spec.attached_to)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.connection())
        .await
        .map_err(|e| {
            conflict_or(e, || {
                format!("the tenant already has a policy set named {name:?}")
            })
        })?;
        self.changes()
            .announce(change(&row, StoreOp::Created))
            .await;
        Ok(row)
    }

    pub async fn update_policy_set(&self, id: Uuid, spec: &PolicySetSpec) -> Result<Model> {
        let row = ActiveModel {
            id: ActiveValue::Unchanged(id),
            description: Set(spec.description.clone()),
            rules: Set(to_json(&spec.rules)),
            attached_to: Set(to_json(&spec.attached_to)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let row = row.update(self.connection()).await?;
        self.changes()
            .announce(change(&row, StoreOp::Updated))
            .await;
        Ok(row)
    }

    pub async fn policy_set(&self, id: Uuid) -> Result<Option<Model>> {
        Ok(Entity::find_by_id(id).one(self.connection()).await?)
    }

    pub async fn policy_set_required(&self, id: Uuid) -> Result<Model> {
        self.policy_set(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no policy set with id {id}")))
    }

    pub async fn policy_set_by_name(&self, tenant_id: Uuid, name: &str) -> Result<Option<Model>> {
        Ok(Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Name.eq(name))
            .one(self.connection())
            .await?)
    }

    /// A tenant's policy sets by name, then id.
    pub async fn policy_sets(&self, tenant_id: Uuid) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id)
            .all(self.connection())
            .await?)
    }

    pub async fn delete_policy_set(&self, id: Uuid) -> Result<bool> {
        super::delete_announced::<Entity>(self, id, |row| change(row, StoreOp::Deleted)).await
    }
}

fn change(row: &Model, op: StoreOp) -> StoreChange {
    StoreChange::new(ENTITY, row.id.to_string(), op)
        .in_tenant(row.tenant_id)
        .named(&row.name)
}
