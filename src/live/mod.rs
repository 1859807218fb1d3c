//! Live status: the feed that turns fleet cache events into subscription events, the session a
//! WebSocket connection carries, and the per-event authorization of what a subscriber receives.

pub mod app_status;
pub mod feed;
pub mod metrics;
pub mod tenancy;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use futures::Stream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::Principal;
use crate::auth::sar::{SarLoader, SveltosAccess, Visible, sees_everything, visible};
use crate::error::{Error, Result};
use crate::fleet::cache::{FleetCache, FleetKind, ObjectKey};

pub use feed::{ClusterChange, LiveBatch, ProfileChange};
pub use metrics::{CloseReason, LiveMetrics};

/// Shared by every WebSocket connection of one server.
#[derive(Debug)]
pub struct Live {
    feed: broadcast::Sender<Arc<LiveBatch>>,
    /// Cancelled at shutdown: every connection closes with 1001 (going away).
    pub shutdown: CancellationToken,
    /// Open WebSocket connections, so that shutdown can wait for their close frames.
    pub connections: TaskTracker,
    pub metrics: LiveMetrics,
}

impl Live {
    /// Starts translating the fleet cache's events (when there is a management cluster).
    pub fn start(fleet: &FleetCache, metrics: LiveMetrics) -> Arc<Self> {
        let (feed, _) = broadcast::channel(feed::FEED_BUFFER);
        let shutdown = CancellationToken::new();
        if fleet.is_connected() {
            tokio::spawn(feed::run(
                fleet.clone(),
                feed.clone(),
                shutdown.child_token(),
            ));
        }
        Arc::new(Self {
            feed,
            shutdown,
            connections: TaskTracker::new(),
            metrics,
        })
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveBatch>> {
        self.feed.subscribe()
    }

    /// Closes every connection with 1001 and waits (at most `grace`) for them to finish.
    pub async fn close_all(&self, grace: Duration) {
        self.shutdown.cancel();
        self.connections.close();
        if tokio::time::timeout(grace, self.connections.wait())
            .await
            .is_err()
        {
            tracing::warn!("WebSocket connections still open after the grace period");
        }
    }
}

/// What a WebSocket connection knows after `connection_init`: who is asking, and how to check
/// what they may see. Subscriptions read it from the connection's data.
#[derive(Clone)]
pub struct LiveSession {
    pub principal: Principal,
    pub access: Arc<SveltosAccess>,
    pub live: Arc<Live>,
}

impl LiveSession {
    /// Fails at subscribe time when the caller can never see `kind` (anonymous, or a JWT
    /// without fleet roles), rather than streaming nothing.
    pub async fn check(&self, kind: FleetKind) -> Result<()> {
        visible(&self.principal, None, kind, std::iter::empty()).await?;
        Ok(())
    }

    /// Which of `keys` the caller may see right now. A fresh loader per event batch: answers
    /// come from the per-principal cache while it is fresh, then from new reviews, so a
    /// change of rights takes effect mid-stream within the cache TTL.
    pub async fn visible(
        &self,
        kind: FleetKind,
        keys: impl IntoIterator<Item = &ObjectKey>,
    ) -> Result<Visible> {
        // Admins skip reviews: no loader (it is built per subscriber per event at fan-out).
        if sees_everything(&self.principal) {
            return visible(&self.principal, None, kind, keys).await;
        }
        let loader: DataLoader<SarLoader> =
            SarLoader::for_request(self.access.clone(), self.principal.clone());
        visible(&self.principal, Some(&loader), kind, keys).await
    }

    /// A subscription's event stream: each feed batch goes through `pick`, which filters and
    /// authorizes and returns the events to deliver. A subscriber that falls more than the
    /// feed's buffer behind gets an UNAVAILABLE error and the stream ends.
    pub fn stream<T, F, Fut>(
        &self,
        field: &'static str,
        mut pick: F,
    ) -> impl Stream<Item = async_graphql::Result<T>> + Send + use<T, F, Fut>
    where
        T: Send + 'static,
        F: FnMut(Arc<LiveBatch>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<T>>> + Send,
    {
        use crate::error::ResultExt;
        let mut rx = self.live.subscribe();
        let metrics = self.live.metrics.clone();
        let guard = ActiveSubscription::new(metrics.clone());
        async_stream::stream! {
            let _guard = guard;
            loop {
                match rx.recv().await {
                    Ok(batch) => match pick(batch).await {
                        Ok(events) => {
                            for event in events {
                                metrics.delivered(field);
                                yield Ok(event);
                            }
                        }
                        // Fail closed: nothing is delivered when permissions cannot be checked.
                        Err(e) => yield Err::<T, Error>(e).gql(),
                    },
                    Err(RecvError::Lagged(missed)) => {
                        metrics.refused(CloseReason::SlowConsumer);
                        yield Err::<T, Error>(fell_behind(missed)).gql();
                        break;
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        }
    }
}

/// Why a subscription that fell more than its buffer behind was ended.
fn fell_behind(missed: u64) -> Error {
    Error::Unavailable(format!(
        "this subscription fell {missed} changes behind and was ended; \
         read events faster or subscribe again"
    ))
}

/// Counts a running subscription for `/metrics` while it lives.
struct ActiveSubscription(LiveMetrics);

impl ActiveSubscription {
    fn new(metrics: LiveMetrics) -> Self {
        metrics.subscription_started();
        Self(metrics)
    }
}

impl Drop for ActiveSubscription {
    fn drop(&mut self) {
        self.0.subscription_ended();
    }
}
