//! A fresh database per test: an SQLite file in a temporary directory, or a PostgreSQL
//! database created for the test (and dropped afterwards) when `FLEETGRAPH_TEST_DATABASE_URL`
//! points at a server.

use sea_orm::{ConnectionTrait, Database};

pub const PG_ENV: &str = "FLEETGRAPH_TEST_DATABASE_URL";

pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        TestDb {
            url,
            backend: "sqlite",
            _dir: Some(dir),
            pg_cleanup: None,
        }
    }

    /// A new PostgreSQL database, or `None` when `FLEETGRAPH_TEST_DATABASE_URL` is unset.
    /// Panics when it is set but the server cannot be reached: CI must not silently skip.
    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
        let name = format!("fg_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| panic!("{PG_ENV}={admin_url} is set but unreachable: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("valid PostgreSQL URL");
        url.set_path(&format!("/{name}"));
        Some(TestDb {
            url: url.to_string(),
            backend: "postgres",
            _dir: None,
            pg_cleanup: Some((admin_url, name)),
        })
    }

    /// PostgreSQL when configured, else SQLite: what server tests run on.
    pub async fn from_env() -> TestDb {
        match Self::postgres().await {
            Some(db) => db,
            None => Self::sqlite(),
        }
    }

    /// Every backend available here: SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut dbs = vec![Self::sqlite()];
        if let Some(pg) = Self::postgres().await {
            dbs.push(pg);
        }
        dbs
    }

    pub fn store_config(&self) -> fleetgraph::config::StoreConfig {
        fleetgraph::config::StoreConfig {
            database_url: self.url.clone(),
            database_max_connections: 5,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg_cleanup.take() else {
            return;
        };
        // Drop runs inside the test's runtime; a separate thread with its own runtime can block.
        let joined = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("cleanup runtime");
            rt.block_on(async {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
        if joined.is_err() {
            eprintln!("could not drop test database");
        }
    }
}
