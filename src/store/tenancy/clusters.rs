//! `registered_clusters`: clusters registered by kubeconfig. The kubeconfig is only ever
//! stored sealed (AES-256-GCM); `key_id` names the key that sealed it.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use super::{Labels, conflict_or, from_json, to_json};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::{StoreChange, StoreOp};

/// The entity name of registered clusters on the change bus.
pub const ENTITY: &str = "cluster";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registered_clusters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub labels: String,
    /// The API server URL of the kubeconfig's current context (not secret).
    pub api_server: String,
    #[sea_orm(column_type = "Text")]
    pub kubeconfig_ciphertext: String,
    pub key_id: String,
    pub capsule_proxy_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub capsule_proxy_ca: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    pub fn labels(&self) -> Labels {
        from_json("registered_clusters.labels", &self.labels)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A cluster about to be stored.
pub struct NewCluster {
    pub id: Uuid,
    pub name: String,
    pub labels: Labels,
    pub api_server: String,
    pub kubeconfig_ciphertext: String,
    pub key_id: String,
    pub capsule_proxy_url: Option<String>,
    pub capsule_proxy_ca: Option<String>,
}

impl Store {
    pub async fn insert_cluster(&self, new: NewCluster) -> Result<Model> {
        let now = Utc::now();
        let name = new.name.clone();
        ActiveModel {
            id: Set(new.id),
            name: Set(new.name),
            labels: Set(to_json(&new.labels)),
            api_server: Set(new.api_server),
            kubeconfig_ciphertext: Set(new.kubeconfig_ciphertext),
            key_id: Set(new.key_id),
            capsule_proxy_url: Set(new.capsule_proxy_url),
            capsule_proxy_ca: Set(new.capsule_proxy_ca),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(self.connection())
        .await
        .map_err(|e| {
            conflict_or(e, || {
                format!("a cluster named {name:?} is already registered")
            })
        })
    }

    pub async fn cluster(&self, id: Uuid) -> Result<Option<Model>> {
        Ok(Entity::find_by_id(id).one(self.connection()).await?)
    }

    /// The clusters with these ids (in no particular order; absent ids are left out).
    pub async fn clusters_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .filter(Column::Id.is_in(ids.iter().copied()))
            .all(self.connection())
            .await?)
    }

    /// The cluster, or NOT_FOUND.
    pub async fn cluster_required(&self, id: Uuid) -> Result<Model> {
        self.cluster(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no registered cluster with id {id}")))
    }

    /// Every registered cluster, by name then id.
    pub async fn clusters(&self) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id)
            .all(self.connection())
            .await?)
    }

    /// Deletes the cluster row; tenants, projects and policy sets go with it (cascade).
    /// Deletes the row and announces it, so that every replica stops the cluster's watches.
    pub async fn delete_cluster(&self, id: Uuid) -> Result<bool> {
        let deleted = Entity::delete_by_id(id)
            .exec(self.connection())
            .await?
            .rows_affected
            > 0;
        if deleted {
            self.changes()
                .announce(StoreChange::new(ENTITY, id.to_string(), StoreOp::Deleted))
                .await;
        }
        Ok(deleted)
    }
}
