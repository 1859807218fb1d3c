//! The store change bus: after a committed write, the writer publishes what changed, and every
//! replica's subscriptions hear it. On PostgreSQL it travels through LISTEN/NOTIFY (so replicas
//! sharing the database hear each other); on SQLite, which only one process uses, through an
//! in-process broadcast.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::{OnceCell, broadcast};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "fleetgraph_store_changes";

/// Changes buffered per subscriber before it is told it lagged.
const BUFFER: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreOp {
    Created,
    Updated,
    Deleted,
}

/// One committed change of one store row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreChange {
    /// What kind of row, e.g. `tenant`, `project`, `app`, `policy_set`.
    pub entity: String,
    /// The row's id (its UUID for tenancy rows).
    pub id: String,
    pub op: StoreOp,
    /// The tenant the row belongs to (its UUID), so that subscribers can scope a change,
    /// deletions included, without reading the row back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The project the row belongs to (apps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The row's name as it was written (or last was, for deletions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl StoreChange {
    pub fn new(entity: impl Into<String>, id: impl Into<String>, op: StoreOp) -> Self {
        Self {
            entity: entity.into(),
            id: id.into(),
            op,
            tenant: None,
            project: None,
            name: None,
        }
    }

    pub fn in_tenant(mut self, tenant: impl ToString) -> Self {
        self.tenant = Some(tenant.to_string());
        self
    }

    pub fn in_project(mut self, project: impl ToString) -> Self {
        self.project = Some(project.to_string());
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// Cheap to clone; every clone shares the subscribers and the listener.
#[derive(Clone)]
pub struct ChangeBus {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    local: broadcast::Sender<StoreChange>,
    listening: OnceCell<()>,
    /// Stops the PostgreSQL listener when the last clone of the bus goes.
    stop: CancellationToken,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl std::fmt::Debug for ChangeBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeBus").finish_non_exhaustive()
    }
}

impl ChangeBus {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                local: broadcast::channel(BUFFER).0,
                listening: OnceCell::new(),
                stop: CancellationToken::new(),
            }),
        }
    }

    /// Announces a change. Call it after the write committed, or pass the open transaction to
    /// [`Self::publish_on`]: a NOTIFY inside a transaction is delivered only if it commits.
    pub async fn publish(&self, change: StoreChange) -> Result<()> {
        self.publish_on(&self.inner.db, change).await
    }

    /// Announces a committed write. The write stands even when the announcement fails (the
    /// database is unreachable right after it committed): subscribers then miss one event,
    /// which is logged, rather than the caller getting an error for a write that happened.
    pub async fn announce(&self, change: StoreChange) {
        if let Err(e) = self.publish(change.clone()).await {
            tracing::warn!(entity = %change.entity, id = %change.id, error = %e,
                "a committed store change could not be announced to subscribers");
        }
    }

    pub async fn publish_on(&self, conn: &impl ConnectionTrait, change: StoreChange) -> Result<()> {
        match conn.get_database_backend() {
            DatabaseBackend::Postgres => {
                let payload = serde_json::to_string(&change)
                    .map_err(|e| Error::Internal(format!("cannot encode a store change: {e}")))?;
                conn.execute(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), payload.into()],
                ))
                .await?;
            }
            // The only process on this database: deliver directly.
            _ => {
                let _ = self.inner.local.send(change);
            }
        }
        Ok(())
    }

    /// Changes from now on, from this replica and (on PostgreSQL) every other. The first call
    /// on PostgreSQL starts listening and returns once the LISTEN is in place.
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<StoreChange>> {
        if self.inner.db.get_database_backend() == DatabaseBackend::Postgres {
            self.inner
                .listening
                .get_or_try_init(|| {
                    listen(
                        self.inner.db.get_postgres_connection_pool().clone(),
                        self.inner.local.clone(),
                        self.inner.stop.clone(),
                    )
                })
                .await?;
        }
        Ok(self.inner.local.subscribe())
    }
}

async fn listen(
    pool: PgPool,
    out: broadcast::Sender<StoreChange>,
    stop: CancellationToken,
) -> Result<()> {
    let unavailable = |e: sea_orm::sqlx::Error| {
        Error::Unavailable(format!("cannot listen for store changes: {e}"))
    };
    let mut listener = PgListener::connect_with(&pool).await.map_err(unavailable)?;
    listener.listen(CHANNEL).await.map_err(unavailable)?;
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                _ = stop.cancelled() => return,
                received = listener.recv() => received,
            };
            match received {
                Ok(notification) => match serde_json::from_str(notification.payload()) {
                    Ok(change) => {
                        let _ = out.send(change);
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed store change"),
                },
                // The listener reconnects on the next call; changes sent meanwhile are lost,
                // which subscribers see as a gap, not as wrong data.
                Err(e) => {
                    tracing::warn!(error = %e, "store change listener lost its connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}
