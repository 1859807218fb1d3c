//! `issued_tokens`: a record of every token issued through the API (never the token itself).

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use super::{from_json, to_json};
use crate::error::Result;
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issued_tokens")]
pub struct Model {
    /// The token's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub roles: String,
    #[sea_orm(column_type = "Text")]
    pub tenants: String,
    #[sea_orm(column_type = "Text")]
    pub projects: String,
    pub issued_by: String,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

impl Model {
    pub fn roles(&self) -> Vec<String> {
        from_json("issued_tokens.roles", &self.roles)
    }
    pub fn tenants(&self) -> Vec<String> {
        from_json("issued_tokens.tenants", &self.tenants)
    }
    pub fn projects(&self) -> Vec<String> {
        from_json("issued_tokens.projects", &self.projects)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub struct NewToken {
    pub id: Uuid,
    pub subject: String,
    pub roles: Vec<String>,
    pub tenants: Vec<String>,
    pub projects: Vec<String>,
    pub issued_by: String,
    pub expires_at: DateTime<Utc>,
}

impl Store {
    pub async fn record_issued_token(&self, new: NewToken) -> Result<Model> {
        Ok(ActiveModel {
            id: Set(new.id),
            subject: Set(new.subject),
            roles: Set(to_json(&new.roles)),
            tenants: Set(to_json(&new.tenants)),
            projects: Set(to_json(&new.projects)),
            issued_by: Set(new.issued_by),
            issued_at: Set(Utc::now()),
            expires_at: Set(new.expires_at),
        }
        .insert(self.connection())
        .await?)
    }

    /// Issued tokens, newest first.
    pub async fn issued_tokens(&self) -> Result<Vec<Model>> {
        Ok(Entity::find()
            .order_by_desc(Column::IssuedAt)
            .order_by_desc(Column::Id)
            .all(self.connection())
            .await?)
    }
}
