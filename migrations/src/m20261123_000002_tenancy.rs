//! The tenancy side's records: registered clusters (kubeconfig as ciphertext with its key id),
//! tenants, projects, policy sets and issued tokens.
//!
//! Ids are lowercase UUIDv4. Structured values (labels, owners, quotas, members, rules) are JSON
//! text so that SQLite and PostgreSQL store them alike. Children reference their parents with
//! `ON DELETE CASCADE`, so deleting a cluster row can never leave orphaned rows behind.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RegisteredClusters {
    Table,
    Id,
    Name,
    Labels,
    ApiServer,
    KubeconfigCiphertext,
    KeyId,
    CapsuleProxyUrl,
    CapsuleProxyCa,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
    ClusterId,
    Name,
    Owners,
    Labels,
    Plan,
    Quotas,
    Limits,
    NetworkPolicies,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    Id,
    TenantId,
    ClusterId,
    Name,
    Namespace,
    Labels,
    Members,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PolicySets {
    Table,
    Id,
    TenantId,
    Name,
    Description,
    Rules,
    AttachedTo,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IssuedTokens {
    Table,
    Id,
    Subject,
    Roles,
    Tenants,
    Projects,
    IssuedBy,
    IssuedAt,
    ExpiresAt,
}

fn timestamps(table: &mut TableCreateStatement, created: impl IntoIden, updated: impl IntoIden) {
    table
        .col(
            ColumnDef::new(created)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(updated)
                .timestamp_with_time_zone()
                .not_null(),
        );
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut clusters = Table::create();
        clusters
            .table(RegisteredClusters::Table)
            .if_not_exists()
            .col(
                ColumnDef::new(RegisteredClusters::Id)
                    .uuid()
                    .not_null()
                    .primary_key(),
            )
            .col(
                ColumnDef::new(RegisteredClusters::Name)
                    .string()
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(RegisteredClusters::Labels).text().not_null())
            .col(
                ColumnDef::new(RegisteredClusters::ApiServer)
                    .string()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RegisteredClusters::KubeconfigCiphertext)
                    .text()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RegisteredClusters::KeyId)
                    .string()
                    .not_null(),
            )
            .col(
                ColumnDef::new(RegisteredClusters::CapsuleProxyUrl)
                    .string()
                    .null(),
            )
            .col(
                ColumnDef::new(RegisteredClusters::CapsuleProxyCa)
                    .text()
                    .null(),
            );
        timestamps(
            &mut clusters,
            RegisteredClusters::CreatedAt,
            RegisteredClusters::UpdatedAt,
        );
        manager.create_table(clusters.to_owned()).await?;

        let mut tenants = Table::create();
        tenants
            .table(Tenants::Table)
            .if_not_exists()
            .col(ColumnDef::new(Tenants::Id).uuid().not_null().primary_key())
            .col(ColumnDef::new(Tenants::ClusterId).uuid().not_null())
            // Tenant names are global: a token's `tenants` claim names exactly one tenant.
            .col(
                ColumnDef::new(Tenants::Name)
                    .string()
                    .not_null()
                    .unique_key(),
            )
            .col(ColumnDef::new(Tenants::Owners).text().not_null())
            .col(ColumnDef::new(Tenants::Labels).text().not_null())
            .col(ColumnDef::new(Tenants::Plan).string().null())
            .col(ColumnDef::new(Tenants::Quotas).text().not_null())
            .col(ColumnDef::new(Tenants::Limits).text().not_null())
            .col(ColumnDef::new(Tenants::NetworkPolicies).text().not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_tenants_cluster")
                    .from(Tenants::Table, Tenants::ClusterId)
                    .to(RegisteredClusters::Table, RegisteredClusters::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        timestamps(&mut tenants, Tenants::CreatedAt, Tenants::UpdatedAt);
        manager.create_table(tenants.to_owned()).await?;

        let mut projects = Table::create();
        projects
            .table(Projects::Table)
            .if_not_exists()
            .col(ColumnDef::new(Projects::Id).uuid().not_null().primary_key())
            .col(ColumnDef::new(Projects::TenantId).uuid().not_null())
            .col(ColumnDef::new(Projects::ClusterId).uuid().not_null())
            .col(ColumnDef::new(Projects::Name).string().not_null())
            .col(ColumnDef::new(Projects::Namespace).string().not_null())
            .col(ColumnDef::new(Projects::Labels).text().not_null())
            .col(ColumnDef::new(Projects::Members).text().not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_projects_tenant")
                    .from(Projects::Table, Projects::TenantId)
                    .to(Tenants::Table, Tenants::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        timestamps(&mut projects, Projects::CreatedAt, Projects::UpdatedAt);
        manager.create_table(projects.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_projects_tenant_name")
                    .table(Projects::Table)
                    .col(Projects::TenantId)
                    .col(Projects::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_projects_cluster_namespace")
                    .table(Projects::Table)
                    .col(Projects::ClusterId)
                    .col(Projects::Namespace)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let mut policy_sets = Table::create();
        policy_sets
            .table(PolicySets::Table)
            .if_not_exists()
            .col(
                ColumnDef::new(PolicySets::Id)
                    .uuid()
                    .not_null()
                    .primary_key(),
            )
            .col(ColumnDef::new(PolicySets::TenantId).uuid().not_null())
            .col(ColumnDef::new(PolicySets::Name).string().not_null())
            .col(ColumnDef::new(PolicySets::Description).text().not_null())
            .col(ColumnDef::new(PolicySets::Rules).text().not_null())
            .col(ColumnDef::new(PolicySets::AttachedTo).text().not_null())
            .foreign_key(
                ForeignKey::create()
                    .name("fk_policy_sets_tenant")
                    .from(PolicySets::Table, PolicySets::TenantId)
                    .to(Tenants::Table, Tenants::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        timestamps(
            &mut policy_sets,
            PolicySets::CreatedAt,
            PolicySets::UpdatedAt,
        );
        manager.create_table(policy_sets.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_policy_sets_tenant_name")
                    .table(PolicySets::Table)
                    .col(PolicySets::TenantId)
                    .col(PolicySets::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssuedTokens::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(IssuedTokens::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(IssuedTokens::Subject).string().not_null())
                    .col(ColumnDef::new(IssuedTokens::Roles).text().not_null())
                    .col(ColumnDef::new(IssuedTokens::Tenants).text().not_null())
                    .col(ColumnDef::new(IssuedTokens::Projects).text().not_null())
                    .col(ColumnDef::new(IssuedTokens::IssuedBy).string().not_null())
                    .col(
                        ColumnDef::new(IssuedTokens::IssuedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IssuedTokens::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IssuedTokens::Table.into_iden(),
            PolicySets::Table.into_iden(),
            Projects::Table.into_iden(),
            Tenants::Table.into_iden(),
            RegisteredClusters::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
