//! `projects`: one Namespace per project, unique per tenant (name) and per cluster (namespace).

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use super::{Labels, conflict_or, from_json, to_json};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::{StoreChange, StoreOp};

/// The entity name of project rows on the change bus.
pub const ENTITY: &str = "project";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub cluster_id: Uuid,
    pub name: String,
    pub namespace: String,
    #[sea_orm(column_type = "Text")]
    pub labels: String,
    #[sea_orm(column_type = "Text")]
    pub members: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// One access grant: a Kubernetes user and the project role it holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MemberRecord {
    pub subject: String,
    /// `tenantOwner`, `projectDev` or `readOnly`.
    pub role: String,
}

impl Model {
    pub fn labels(&self) -> Labels {
        from_json("projects.labels", &self.labels)
    }
    pub fn members(&self) -> Vec<MemberRecord> {
        from_json("projects.members", &self.members)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub struct NewProject {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub cluster_id: Uuid,
    pub name: String,
    pub namespace: String,
    pub labels: Labels,
}

impl Store {
    pub async fn insert_project(&self, new: NewProject) -> Result<Model> {
        let now = Utc::now();
        let name = new.name.clone();
        let namespace = new.namespace.clone();
        let row = ActiveModel {
            id: Set(new.id),
            tenant_id: Set(new.tenant_id),
            cluster_id: Set(new.cluster_id),
            name: Set(new.name),
            namespace: Set(new.namespace),
            labels: Set(to_json(&new.labels)),
            members: Set("[]".to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.connection())
        .await
        .map_err(|e| {
            conflict_or(e, || {
                format!(
                    "project {name:?} (namespace {namespace:?}) already exists in this tenant or cluster"
                )
            })
        })?;
        self.changes()
            .announce(change(&row, StoreOp::Created))
            .await;
        Ok(row)
    }

    pub async fn update_project_labels(&self, id: Uuid, labels: &Labels) -> Result<Model> {
        let row = ActiveModel {
            id: ActiveValue::Unchanged(id),
            labels: Set(to_json(labels)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let row = row.update(self.connection()).await?;
        self.changes()
            .announce(change(&row, StoreOp::Updated))
            .await;
        Ok(row)
    }

    pub async fn update_project_members(
        &self,
        id: Uuid,
        members: &[MemberRecord],
    ) -> Result<Model> {
        let row = ActiveModel {
            id: ActiveValue::Unchanged(id),
            members: Set(to_json(&members)),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let row = row.update(self.connection()).await?;
        self.changes()
            .announce(change(&row, StoreOp::Updated))
            .await;
        Ok(row)
    }

    pub async fn project(&self, id: Uuid) -> Result<Option<Model>> {
        Ok(Entity::find_by_id(id).one(self.connection()).await?)
    }

    /// The projects with these ids (in no particular order; absent ids are left out).
    pub async fn projects_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?)
    }

    pub async fn project_required(&self, id: Uuid) -> Result<Model> {
        self.project(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no project with id {id}")))
    }

    /// Projects of some tenants (all when `None`), by tenant, name, id.
    pub async fn projects(&self, tenant_id: Option<Uuid>) -> Result<Vec<Model>> {
        let mut select = Entity::find()
            .order_by_asc(Column::TenantId)
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id);
        if let Some(tenant_id) = tenant_id {
            select = select.filter(Column::TenantId.eq(tenant_id));
        }
        Ok(select.all(self.connection()).await?)
    }

    pub async fn project_by_name(&self, tenant_id: Uuid, name: &str) -> Result<Option<Model>> {
        Ok(Entity::find()
            .filter(Column::TenantId.eq(tenant_id))
            .filter(Column::Name.eq(name))
            .one(self.connection())
            .await?)
    }

    pub async fn delete_project(&self, id: Uuid) -> Result<bool> {
        super::delete_announced::<Entity>(self, id, |row| change(row, StoreOp::Deleted)).await
    }
}

fn change(row: &Model, op: StoreOp) -> StoreChange {
    StoreChange::new(ENTITY, row.id.to_string(), op)
        .in_tenant(row.tenant_id)
        .in_project(row.id)
        .named(&row.name)
}
