//! Schema migrations for the fleetgraph store. The same migrations run on SQLite (the embedded
//! default) and PostgreSQL (production), at server start and through `fleetgraph migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_audit_log;
mod m20261123_000002_tenancy;
mod m20261123_000003_apps;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_audit_log::Migration),
            Box::new(m20261123_000002_tenancy::Migration),
            Box::new(m20261123_000003_apps::Migration),
        ]
    }
}
