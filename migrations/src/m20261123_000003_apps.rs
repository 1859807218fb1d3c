//! `apps`, `app_revisions` and `usage_samples`: the KubeNova apps side of the store.
//!
//! Apps reference their cluster, tenant and project by id without foreign keys to the tenancy
//! tables: deleting a project deletes its apps explicitly (the cluster objects go first), as the
//! legacy store did. Revisions belong to their app and go with it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Apps {
    Table,
    Id,
    ClusterId,
    TenantId,
    ProjectId,
    Name,
    Namespace,
    Description,
    Components,
    Policies,
    Revision,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AppRevisions {
    Table,
    Id,
    AppId,
    Number,
    Action,
    RolledBackFrom,
    PublishVersion,
    Components,
    Policies,
    Application,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UsageSamples {
    Table,
    Id,
    Scope,
    ScopeId,
    At,
    Resource,
    Used,
    Hard,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Apps::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Apps::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Apps::ClusterId).uuid().not_null())
                    .col(ColumnDef::new(Apps::TenantId).uuid().not_null())
                    .col(ColumnDef::new(Apps::ProjectId).uuid().not_null())
                    .col(ColumnDef::new(Apps::Name).string().not_null())
                    .col(ColumnDef::new(Apps::Namespace).string().not_null())
                    .col(ColumnDef::new(Apps::Description).text().null())
                    .col(ColumnDef::new(Apps::Components).json().not_null())
                    .col(ColumnDef::new(Apps::Policies).json().not_null())
                    .col(ColumnDef::new(Apps::Revision).integer().not_null())
                    .col(ColumnDef::new(Apps::CreatedBy).string().not_null())
                    .col(
                        ColumnDef::new(Apps::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Apps::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // One app of a name per project; also the order of a project's app list.
        manager
            .create_index(
                Index::create()
                    .name("uq_apps_project_name")
                    .table(Apps::Table)
                    .col(Apps::ProjectId)
                    .col(Apps::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apps_tenant")
                    .table(Apps::Table)
                    .col(Apps::TenantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppRevisions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AppRevisions::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AppRevisions::AppId).uuid().not_null())
                    .col(ColumnDef::new(AppRevisions::Number).integer().not_null())
                    .col(ColumnDef::new(AppRevisions::Action).string().not_null())
                    .col(
                        ColumnDef::new(AppRevisions::RolledBackFrom)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(AppRevisions::PublishVersion)
                            .string()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AppRevisions::Components).json().not_null())
                    .col(ColumnDef::new(AppRevisions::Policies).json().not_null())
                    .col(ColumnDef::new(AppRevisions::Application).json().not_null())
                    .col(ColumnDef::new(AppRevisions::CreatedBy).string().not_null())
                    .col(
                        ColumnDef::new(AppRevisions::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_app_revisions_app")
                            .from(AppRevisions::Table, AppRevisions::AppId)
                            .to(Apps::Table, Apps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Revision numbers are unique per app: two concurrent publishes cannot both win.
        manager
            .create_index(
                Index::create()
                    .name("uq_app_revisions_app_number")
                    .table(AppRevisions::Table)
                    .col(AppRevisions::AppId)
                    .col(AppRevisions::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UsageSamples::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(UsageSamples::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(UsageSamples::Scope).string().not_null())
                    .col(ColumnDef::new(UsageSamples::ScopeId).uuid().not_null())
                    .col(
                        ColumnDef::new(UsageSamples::At)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(UsageSamples::Resource).string().not_null())
                    .col(ColumnDef::new(UsageSamples::Used).double().not_null())
                    .col(ColumnDef::new(UsageSamples::Hard).double().null())
                    .to_owned(),
            )
            .await?;
        // Range queries: one scope's samples since a time.
        manager
            .create_index(
                Index::create()
                    .name("idx_usage_samples_scope_at")
                    .table(UsageSamples::Table)
                    .col(UsageSamples::Scope)
                    .col(UsageSamples::ScopeId)
                    .col(UsageSamples::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UsageSamples::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AppRevisions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Apps::Table).to_owned())
            .await
    }
}
