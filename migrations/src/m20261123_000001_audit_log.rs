//! `audit_log`: one row per mutation attempt, written in the same request as the mutation.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Principal,
    AuthKind,
    Operation,
    Target,
    Outcome,
    Detail,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(AuditLog::Id).uuid().not_null().primary_key())
                    .col(
                        ColumnDef::new(AuditLog::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AuditLog::Principal).string().not_null())
                    .col(ColumnDef::new(AuditLog::AuthKind).string().not_null())
                    .col(ColumnDef::new(AuditLog::Operation).string().not_null())
                    .col(ColumnDef::new(AuditLog::Target).string().not_null())
                    .col(ColumnDef::new(AuditLog::Outcome).string().not_null())
                    .col(ColumnDef::new(AuditLog::Detail).text().null())
                    .to_owned(),
            )
            .await?;
        // Audit queries are "latest first", optionally for one principal or target.
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_log_principal_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::Principal)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditLog::Table).to_owned())
            .await
    }
}
