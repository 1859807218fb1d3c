//! Usage samples: periodic readings of ResourceQuota usage per tenant or project, so a usage
//! range can answer with average and peak, not only the current value.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, Set};

use super::Store;
use crate::error::Result;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_samples")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `tenant` or `project`.
    pub scope: String,
    pub scope_id: Uuid,
    pub at: DateTimeUtc,
    /// The quota resource name, e.g. `requests.cpu`, `pods`.
    pub resource: String,
    /// In base units: cores for CPU, bytes for memory and storage, a count otherwise.
    pub used: f64,
    pub hard: Option<f64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub type SampleRow = Model;

/// One reading of one resource.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub resource: String,
    pub used: f64,
    pub hard: Option<f64>,
}

impl Store {
    /// Stores one reading per resource for a scope, all at `at`.
    pub async fn record_usage(
        &self,
        scope: &str,
        scope_id: Uuid,
        at: DateTime<Utc>,
        readings: &[Reading],
    ) -> Result<()> {
        if readings.is_empty() {
            return Ok(());
        }
        let rows = readings.iter().map(|r| ActiveModel {
            id: Set(Uuid::new_v4()),
            scope: Set(scope.to_string()),
            scope_id: Set(scope_id),
            at: Set(at),
            resource: Set(r.resource.clone()),
            used: Set(r.used),
            hard: Set(r.hard),
        });
        Entity::insert_many(rows).exec(self.connection()).await?;
        Ok(())
    }

    /// Samples of a scope taken at or after `since`, oldest first.
    pub async fn usage_samples(
        &self,
        scope: &str,
        scope_id: Uuid,
        since: DateTime<Utc>,
    ) -> Result<Vec<SampleRow>> {
        Ok(Entity::find()
            .filter(Column::Scope.eq(scope))
            .filter(Column::ScopeId.eq(scope_id))
            .filter(Column::At.gte(since))
            .order_by_asc(Column::At)
            .order_by_asc(Column::Resource)
            .all(self.connection())
            .await?)
    }

    /// Drops samples older than `before` (the longest range is 30 days).
    pub async fn prune_usage(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(Entity::delete_many()
            .filter(Column::At.lt(before))
            .exec(self.connection())
            .await?
            .rows_affected)
    }
}
