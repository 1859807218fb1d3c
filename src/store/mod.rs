//! The SeaORM store: SQLite embedded by default, PostgreSQL in production, same migrations.

pub mod apps;
pub mod audit;
pub mod changes;
pub mod tenancy;
pub mod usage;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection};

use crate::config::StoreConfig;
use crate::error::{Error, Result};

/// Statements run by every store of the process, counted through SeaORM's metric callback: one
/// relaxed add per statement, so benchmarks can report store queries per request.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// Statements (queries and writes, migrations included) run so far by every store of the process.
pub fn statements_run() -> u64 {
    STATEMENTS.load(Ordering::Relaxed)
}

/// A connected, migrated store. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
    changes: changes::ChangeBus,
}

impl Store {
    /// Connects and brings the schema up to date.
    pub async fn open(config: &StoreConfig) -> Result<Self> {
        let store = Self::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(config: &StoreConfig) -> Result<Self> {
        let url = config.database_url.trim();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres")) {
            return Err(Error::bad_field(
                "database-url",
                format!(
                    "unsupported database URL {:?}: use sqlite://PATH?mode=rwc or postgres://...",
                    redact(url)
                ),
            ));
        }
        let mut options = ConnectOptions::new(url.to_string());
        options
            .max_connections(config.database_max_connections.max(1))
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let mut db = Database::connect(options).await.map_err(|e| {
            Error::Unavailable(format!(
                "cannot connect to the database at {}: {e}",
                redact(url)
            ))
        })?;
        db.set_metric_callback(|_| {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        });
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            // SQLite serialises writers; wait for the lock instead of failing at once, and let
            // readers run beside the writer.
            db.execute_unprepared("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
                .await?;
        }
        let changes = changes::ChangeBus::new(db.clone());
        Ok(Self { db, changes })
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Names of the migrations applied so far, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        Ok(Migrator::get_applied_migrations(&self.db)
            .await?
            .iter()
            .map(|m| m.name().to_string())
            .collect())
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// Short backend name for `version.features` and logs.
    pub fn backend_name(&self) -> &'static str {
        match self.backend() {
            DatabaseBackend::Sqlite => "sqlite",
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::MySql => "mysql",
        }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Where committed writes are announced to subscribers on every replica.
    pub fn changes(&self) -> &changes::ChangeBus {
        &self.changes
    }
}

/// Hides the password of a database URL for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
