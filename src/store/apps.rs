//! Apps and their revision history (KubeVela Applications written by fleetgraph).
//!
//! An app row holds what the user asked for (components with their traits, policies) and the
//! number of the revision currently published; each publish appends one revision row with the
//! exact Application spec that was written to the cluster.

use chrono::Utc;
use sea_orm::entity::prelude::*;
use sea_orm::{
    ColumnTrait, Condition, PaginatorTrait, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::Store;
use super::changes::{StoreChange, StoreOp};
use crate::error::{Error, Result};

pub mod app {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "apps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub cluster_id: Uuid,
        pub tenant_id: Uuid,
        pub project_id: Uuid,
        pub name: String,
        pub namespace: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub description: Option<String>,
        pub components: Json,
        pub policies: Json,
        pub revision: i32,
        pub created_by: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(has_many = "super::revision::Entity")]
        Revisions,
    }

    impl Related<super::revision::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Revisions.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod revision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "app_revisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub app_id: Uuid,
        pub number: i32,
        pub action: String,
        pub rolled_back_from: Option<i32>,
        pub publish_version: String,
        pub components: Json,
        pub policies: Json,
        /// The whole Application `spec` written for this revision (policy sets materialised).
        pub application: Json,
        pub created_by: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::app::Entity",
            from = "Column::AppId",
            to = "super::app::Column::Id",
            on_delete = "Cascade"
        )]
        App,
    }

    impl Related<super::app::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::App.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub use app::Model as AppRow;
pub use revision::Model as RevisionRow;

/// A revision about to be recorded.
#[derive(Clone, Debug)]
pub struct NewRevision {
    pub number: i32,
    pub action: String,
    pub rolled_back_from: Option<i32>,
    pub publish_version: String,
    pub components: Json,
    pub policies: Json,
    pub application: Json,
    pub created_by: String,
}

fn is_unique_violation(e: &DbErr) -> bool {
    let text = e.to_string().to_lowercase();
    text.contains("unique") || text.contains("duplicate key")
}

fn revision_model(app_id: Uuid, rev: NewRevision) -> revision::ActiveModel {
    revision::ActiveModel {
        id: Set(Uuid::new_v4()),
        app_id: Set(app_id),
        number: Set(rev.number),
        action: Set(rev.action),
        rolled_back_from: Set(rev.rolled_back_from),
        publish_version: Set(rev.publish_version),
        components: Set(rev.components),
        policies: Set(rev.policies),
        application: Set(rev.application),
        created_by: Set(rev.created_by),
        created_at: Set(Utc::now()),
    }
}

impl Store {
    /// Inserts a new app with its first revision, in one transaction.
    pub async fn insert_app(&self, row: AppRow, first: NewRevision) -> Result<AppRow> {
        let txn = self.connection().begin().await?;
        let app_id = row.id;
        let name = row.name.clone();
        let active: app::ActiveModel = row.into();
        let inserted = match active.insert(&txn).await {
            Ok(m) => m,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Conflict(format!(
                    "an app named {name} already exists in this project"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        revision_model(app_id, first).insert(&txn).await?;
        txn.commit().await?;
        self.changes()
            .announce(app_change(&inserted, StoreOp::Created))
            .await;
        Ok(inserted)
    }

    /// Records a published revision and moves the app to it, provided the app is still at
    /// `expected_revision` (another publish in between makes this one a CONFLICT).
    pub async fn publish_app_revision(
        &self,
        app_id: Uuid,
        expected_revision: i32,
        components: Json,
        policies: Json,
        rev: NewRevision,
    ) -> Result<AppRow> {
        let txn = self.connection().begin().await?;
        let number = rev.number;
        let updated = app::Entity::update_many()
            .col_expr(app::Column::Components, Expr::value(components))
            .col_expr(app::Column::Policies, Expr::value(policies))
            .col_expr(app::Column::Revision, Expr::value(number))
            .col_expr(app::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(app::Column::Id.eq(app_id))
            .filter(app::Column::Revision.eq(expected_revision))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            return Err(Error::Conflict(
                "the app changed while this operation ran; read it again and retry".into(),
            ));
        }
        match revision_model(app_id, rev).insert(&txn).await {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::Conflict(format!(
                    "revision {number} was recorded by another operation; retry"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        txn.commit().await?;
        let row = self
            .app(app_id)
            .await?
            .ok_or_else(|| Error::Internal(format!("app {app_id} vanished after an update")))?;
        self.changes()
            .announce(app_change(&row, StoreOp::Updated))
            .await;
        Ok(row)
    }

    pub async fn app(&self, id: Uuid) -> Result<Option<AppRow>> {
        Ok(app::Entity::find_by_id(id).one(self.connection()).await?)
    }

    /// One page of a project's apps ordered by name then id, and the total count.
    pub async fn project_apps(
        &self,
        project_id: Uuid,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<AppRow>, u64)> {
        let select = app::Entity::find().filter(app::Column::ProjectId.eq(project_id));
        let total = select.clone().count(self.connection()).await?;
        let rows = select
            .order_by_asc(app::Column::Name)
            .order_by_asc(app::Column::Id)
            .offset(offset)
            .limit(limit)
            .all(self.connection())
            .await?;
        Ok((rows, total))
    }

    /// How many apps belong to any of the given projects (or tenants, when `tenant` is set).
    pub async fn count_apps(&self, tenant: Option<Uuid>, project: Option<Uuid>) -> Result<u64> {
        let mut cond = Condition::all();
        if let Some(t) = tenant {
            cond = cond.add(app::Column::TenantId.eq(t));
        }
        if let Some(p) = project {
            cond = cond.add(app::Column::ProjectId.eq(p));
        }
        Ok(app::Entity::find()
            .filter(cond)
            .count(self.connection())
            .await?)
    }

    /// Every app of a project (for cascading deletes), by name.
    pub async fn apps_of_project(&self, project_id: Uuid) -> Result<Vec<AppRow>> {
        Ok(app::Entity::find()
            .filter(app::Column::ProjectId.eq(project_id))
            .order_by_asc(app::Column::Name)
            .all(self.connection())
            .await?)
    }

    /// Every app of these projects, by name then id.
    pub async fn apps_of_projects(&self, project_ids: &[Uuid]) -> Result<Vec<AppRow>> {
        Ok(app::Entity::find()
            .filter(app::Column::ProjectId.is_in(project_ids.iter().copied()))
            .order_by_asc(app::Column::Name)
            .order_by_asc(app::Column::Id)
            .all(self.connection())
            .await?)
    }

    /// An app's revisions, oldest first.
    pub async fn app_revisions(&self, app_id: Uuid) -> Result<Vec<RevisionRow>> {
        Ok(revision::Entity::find()
            .filter(revision::Column::AppId.eq(app_id))
            .order_by_asc(revision::Column::Number)
            .all(self.connection())
            .await?)
    }

    pub async fn app_revision(&self, app_id: Uuid, number: i32) -> Result<Option<RevisionRow>> {
        Ok(revision::Entity::find()
            .filter(revision::Column::AppId.eq(app_id))
            .filter(revision::Column::Number.eq(number))
            .one(self.connection())
            .await?)
    }

    /// Deletes an app and (by cascade, and explicitly for SQLite without foreign keys) its
    /// revisions. Deleting an absent app is not an error: a retried delete converges.
    pub async fn delete_app(&self, app_id: Uuid) -> Result<bool> {
        let before = self.app(app_id).await?;
        let txn = self.connection().begin().await?;
        revision::Entity::delete_many()
            .filter(revision::Column::AppId.eq(app_id))
            .exec(&txn)
            .await?;
        let deleted = app::Entity::delete_by_id(app_id).exec(&txn).await?;
        txn.commit().await?;
        if let (Some(row), true) = (before, deleted.rows_affected > 0) {
            self.changes()
                .announce(app_change(&row, StoreOp::Deleted))
                .await;
        }
        Ok(deleted.rows_affected > 0)
    }
}

/// The entity name of app rows on the change bus.
pub const ENTITY: &str = "app";

fn app_change(row: &AppRow, op: StoreOp) -> StoreChange {
    StoreChange::new(ENTITY, row.id.to_string(), op)
        .in_tenant(row.tenant_id)
        .in_project(row.project_id)
        .named(&row.name)
}
