//! The live status of one app: a watch on its Application in the registered cluster, merged
//! with the store changes of its row (deploys, rollbacks, deletion).
//!
//! The watch re-lists after a drop or a 410 and every state it sees is compared with the last
//! one delivered, so a restart neither loses the final state nor repeats an unchanged one.

use futures::{Stream, StreamExt};
use kube::Api;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::{ActiveSubscription, CloseReason, LiveSession};
use crate::error::{Error, ErrorCode, Result, ResultExt};
use crate::store::apps::{self, AppRow};
use crate::store::changes::{StoreChange, StoreOp};
use crate::store::tenancy::{projects, tenants};
use crate::tenancy::apps::scope;
use crate::tenancy::apps::vela::Application;
use crate::tenancy::apps::view::AppStatus;
use crate::tenancy::cluster_pool::kube_error;
use crate::tenancy::{Access, Tenancy};

/// One delivered change of an app.
#[derive(Clone, Debug)]
pub struct AppStatusEvent {
    /// `Updated` for a new status or a new revision, `Deleted` when the app is gone.
    pub op: StoreOp,
    /// The app's row as it now is (as it last was, once deleted).
    pub app: AppRow,
    /// The status from the latest Application state the watch saw.
    pub status: AppStatus,
}

/// Starts watching one app the caller may see (NOT_FOUND otherwise).
pub async fn watch(
    session: &LiveSession,
    tenancy: &Tenancy,
    app_id: Uuid,
) -> Result<impl Stream<Item = async_graphql::Result<AppStatusEvent>> + Send + use<>> {
    let store = tenancy.store.clone();
    let principal = session.principal.clone();
    let (row, pctx) = scope::app(&store, &Access::new(&principal), app_id, false).await?;
    let client = tenancy.pool.client(&pctx.cluster).await?;
    let api: Api<Application> = Api::namespaced(client, &row.namespace);
    // The server ends each watch before the client's read timeout would cut it.
    let timeout = tenancy.pool.timeout().as_secs().saturating_sub(2).max(1);
    let config = watcher::Config::default()
        .fields(&format!("metadata.name={}", row.name))
        .timeout(u32::try_from(timeout).unwrap_or(u32::MAX));
    // The state now is the baseline: a change made once this call returns is an event.
    let baseline = api
        .get_opt(&row.name)
        .await
        .map_err(|e| kube_error(&pctx.cluster.name, e))?;
    let baseline = AppStatus::of(baseline.as_ref());
    let mut watch = watcher(api, config).default_backoff().boxed();
    let mut changes = store.changes().subscribe().await?;
    let metrics = session.live.metrics.clone();
    let guard = ActiveSubscription::new(metrics.clone());
    let shutdown = session.live.shutdown.clone();

    Ok(async_stream::stream! {
        let _guard = guard;
        let mut row = row;
        let mut delivered = baseline;
        let mut listing: Option<Application> = None;
        loop {
            let next = tokio::select! {
                _ = shutdown.cancelled() => break,
                event = watch.next() => Step::Watch(event),
                change = changes.recv() => Step::Store(change),
            };
            let (op, status) = match next {
                Step::Watch(None) => break,
                Step::Watch(Some(Err(e))) => {
                    // The watcher backs off and resumes by itself; the next list brings the
                    // state that was missed meanwhile.
                    tracing::warn!(app = %row.id, error = %e, "app status watch interrupted");
                    continue;
                }
                Step::Watch(Some(Ok(event))) => {
                    let seen = match event {
                        watcher::Event::Init => {
                            listing = None;
                            continue;
                        }
                        watcher::Event::InitApply(app) => {
                            listing = Some(app);
                            continue;
                        }
                        watcher::Event::InitDone => AppStatus::of(listing.take().as_ref()),
                        watcher::Event::Apply(app) => AppStatus::of(Some(&app)),
                        watcher::Event::Delete(_) => AppStatus::of(None),
                    };
                    if delivered == seen {
                        continue;
                    }
                    (StoreOp::Updated, seen)
                }
                Step::Store(Err(RecvError::Lagged(missed))) => {
                    metrics.refused(CloseReason::SlowConsumer);
                    yield Err::<AppStatusEvent, Error>(super::fell_behind(missed))
                    .gql();
                    break;
                }
                Step::Store(Err(RecvError::Closed)) => break,
                Step::Store(Ok(change)) => match concerns(&row, &change) {
                    None => continue,
                    Some(StoreOp::Deleted) => (StoreOp::Deleted, delivered.clone()),
                    Some(op) => {
                        match store.app(row.id).await {
                            Ok(Some(fresh)) => row = fresh,
                            Ok(None) => continue,
                            Err(e) => {
                                yield Err::<AppStatusEvent, Error>(e).gql();
                                continue;
                            }
                        }
                        (op, delivered.clone())
                    }
                },
            };
            // Checked per event: nothing is delivered that the caller may not see now.
            if op != StoreOp::Deleted {
                match scope::project(&store, &Access::new(&principal), row.project_id, false).await {
                    Ok(_) => {}
                    Err(e) if e.code() == ErrorCode::NotFound => {
                        metrics.withheld(1);
                        continue;
                    }
                    Err(e) => {
                        yield Err::<AppStatusEvent, Error>(e).gql();
                        continue;
                    }
                }
            }
            delivered = status.clone();
            metrics.delivered("appStatusChanged");
            yield Ok(AppStatusEvent { op, app: row.clone(), status });
            if op == StoreOp::Deleted {
                break;
            }
        }
    })
}

enum Step<W, S> {
    Watch(Option<W>),
    Store(S),
}

/// How a store change affects the watched app: its own row changed or went, or the project
/// or tenant it lives in was deleted (taking the app with it).
fn concerns(row: &AppRow, change: &StoreChange) -> Option<StoreOp> {
    let id = |u: Uuid| u.to_string();
    match change.entity.as_str() {
        apps::ENTITY if change.id == id(row.id) => Some(change.op),
        projects::ENTITY if change.id == id(row.project_id) && change.op == StoreOp::Deleted => {
            Some(StoreOp::Deleted)
        }
        tenants::ENTITY if change.id == id(row.tenant_id) && change.op == StoreOp::Deleted => {
            Some(StoreOp::Deleted)
        }
        _ => None,
    }
}
