//! The audit log: who did what to which target, when, and how it ended.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect, Set};

use super::Store;
use crate::error::Result;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub principal: String,
    pub auth_kind: String,
    pub operation: String,
    pub target: String,
    pub outcome: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How an audited operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// Rejected before any effect (validation, authorization).
    Denied,
    /// Attempted and failed.
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failure => "failure",
        }
    }
}

/// What a mutation records.
#[derive(Clone, Debug)]
pub struct AuditEntry {
    /// The principal's subject, e.g. `alice` or `system:serviceaccount:ns:sa`.
    pub principal: String,
    /// How the principal authenticated (`jwt`, `kubernetes`, `anonymous`, `disabled`).
    pub auth_kind: String,
    /// The GraphQL mutation field, e.g. `createTenant`.
    pub operation: String,
    /// What it acted on, e.g. `tenant/acme` or a node id.
    pub target: String,
    pub outcome: Outcome,
    /// Error message or short detail; never secrets.
    pub detail: Option<String>,
}

/// Filter for reading the log back, newest first.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub principal: Option<String>,
    pub target: Option<String>,
    pub limit: u64,
}

impl Store {
    /// Appends one entry and returns the stored row.
    pub async fn record_audit(&self, entry: AuditEntry) -> Result<Model> {
        self.record_audit_at(entry, Utc::now()).await
    }

    pub async fn record_audit_at(&self, entry: AuditEntry, at: DateTime<Utc>) -> Result<Model> {
        let row = ActiveModel {
            id: Set(Uuid::new_v4()),
            at: Set(at),
            principal: Set(entry.principal),
            auth_kind: Set(entry.auth_kind),
            operation: Set(entry.operation),
            target: Set(entry.target),
            outcome: Set(entry.outcome.as_str().to_string()),
            detail: Set(entry.detail),
        };
        Ok(row.insert(self.connection()).await?)
    }

    /// Entries newest first; ties on time broken by id so the order is stable.
    pub async fn audit_entries(&self, query: AuditQuery) -> Result<Vec<Model>> {
        let mut select = Entity::find()
            .order_by_desc(Column::At)
            .order_by_desc(Column::Id);
        if let Some(principal) = query.principal {
            select = select.filter(Column::Principal.eq(principal));
        }
        if let Some(target) = query.target {
            select = select.filter(Column::Target.eq(target));
        }
        let limit = if query.limit == 0 { 100 } else { query.limit };
        Ok(select.limit(limit).all(self.connection()).await?)
    }
}
