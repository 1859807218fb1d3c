//! `tenants`: one row per Capsule Tenant fleetgraph manages. Names are global.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue, QueryOrder, Set};
use serde_json::Value;

use super::{Labels, conflict_or, from_json, to_json};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::{StoreChange, StoreOp};

/// The entity name of tenant rows on the change bus.
pub const ENTITY: &str = "tenant";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cluster_id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub owners: String,
    #[sea_orm(column_type = "Text")]
    pub labels: String,
    pub plan: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub quotas: String,
    #[sea_orm(column_type = "Text")]
    pub limits: String,
    #[sea_orm(column_type = "Text")]
    pub network_policies: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    pub fn owners(&self) -> Vec<String> {
        from_json("tenants.owners", &self.owners)
    }
    pub fn labels(&self) -> Labels {
        from_json("tenants.labels", &self.labels)
    }
    /// `resourceQuotas` hard limits (resource name → quantity).
    pub fn quotas(&self) -> Labels {
        from_json("tenants.quotas", &self.quotas)
    }
    /// Container `max` limits (resource name → quantity).
    pub fn limits(&self) -> Labels {
        from_json("tenants.limits", &self.limits)
    }
    /// Capsule `networkPolicies.items` (NetworkPolicy specs).
    pub fn network_policies(&self) -> Vec<Value> {
        from_json("tenants.network_policies", &self.network_policies)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The writable part of a tenant row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TenantSpec {
    pub owners: Vec<String>,
    pub labels: Labels,
    pub plan: Option<String>,
    pub quotas: Labels,
    pub limits: Labels,
    pub network_policies: Vec<Value>,
}

impl TenantSpec {
    pub fn of(model: &Model) -> Self {
        Self {
            owners: model.owners(),
            labels: model.labels(),
            plan: model.plan.clone(),
            quotas: model.quotas(),
            limits: model.limits(),
            network_policies: model.network_policies(),
        }
    }
}

impl Store {
    pub async fn insert_tenant(
        &self,
        id: Uuid,
        cluster_id: Uuid,
        name: &str,
        spec: &TenantSpec,
    ) -> Result<Model> {
        let now = Utc::now();
        let row = ActiveModel {
            id: Set(id),
            cluster_id: Set(cluster_id),
            name: Set(name.to_string()),
            owners: Set(to_json(&spec.owners)),
            labels: Set(to_json(&spec.labels)),
            plan: Set(spec.plan.clone()),
            quotas: Set(to_json(&spec.quotas)),
            limits: Set(to_json(&spec.limits)),
            network_policies: Set(to_json(&spec.network_policies)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.connection())
        .await
        .map_err(|e| conflict_or(e, || format!("a tenant named {name:?} already exists")))?;
        self.changes()
            .announce(change(&row, StoreOp::Created))
            .await;
        Ok(row)
    }

    /// Replaces the writable fields of a tenant.
    pub async fn update_tenant(&self, id: Uuid, spec: &TenantSpec) -> Result<Model> {
        let row = ActiveModel {
            id: ActiveValue::Unchanged(id),
            owners: Set(to_json(&spec.owners)),
            labels: Set(to_json(&spec.labels)),
            plan: Set(spec.plan.clone()),
            quotas: Set(to_json(&spec.quotas)),
            limits: Set(to_json(&spec.limits)),
            network_policies: Set(to_json(&spec.network_policies)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let row = row.update(self.connection()).await?;
        self.changes()
            .announce(change(&row, StoreOp::Updated))
            .await;
        Ok(row)
    }

    pub async fn tenant(&self, id: Uuid) -> Result<Option<Model>> {
        Ok(Entity::find_by_id(id).one(self.connection()).await?)
    }

    /// The tenants with these ids (in no particular order; absent ids are left out).
    pub async fn tenants_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?)
    }

    pub async fn tenant_required(&self, id: Uuid) -> Result<Model> {
        self.tenant(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no tenant with id {id}")))
    }

    pub async fn tenant_by_name(&self, name: &str) -> Result<Option<Model>> {
        Ok(Entity::find()
            .filter(Column::Name.eq(name))
            .one(self.connection())
            .await?)
    }

    /// Tenants, optionally of one cluster, by name then id.
    pub async fn tenants(&self, cluster_id: Option<Uuid>) -> Result<Vec<Model>> {
        let mut select = Entity::find()
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id);
        if let Some(cluster_id) = cluster_id {
            select = select.filter(Column::ClusterId.eq(cluster_id));
        }
        Ok(select.all(self.connection()).await?)
    }

    /// Deletes the tenant row; its projects and policy sets go with it (cascade).
    pub async fn delete_tenant(&self, id: Uuid) -> Result<bool> {
        super::delete_announced::<Entity>(self, id, |row| change(row, StoreOp::Deleted)).await
    }
}

fn change(row: &Model, op: StoreOp) -> StoreChange {
    StoreChange::new(ENTITY, row.id.to_string(), op)
        .in_tenant(row.id)
        .named(&row.name)
}
