//! Subscription metrics: open connections and subscriptions, events delivered, and why
//! connections were closed by the server.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FieldLabels {
    field: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

/// Why the server closed or refused something on a WebSocket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client did not read fast enough and its outgoing buffer filled up.
    SlowConsumer,
    /// The server is shutting down.
    Shutdown,
    /// `connection_init` carried no valid credentials.
    Unauthenticated,
    /// No `connection_init` in time.
    InitTimeout,
    /// A subscription over the per-connection limit was refused (the connection stays).
    SubscriptionLimit,
    /// A subscription refused by the per-principal rate limit (the connection stays).
    RateLimited,
}

impl CloseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::SlowConsumer => "slow_consumer",
            CloseReason::Shutdown => "shutdown",
            CloseReason::Unauthenticated => "unauthenticated",
            CloseReason::InitTimeout => "init_timeout",
            CloseReason::SubscriptionLimit => "subscription_limit",
            CloseReason::RateLimited => "rate_limited",
        }
    }
}

#[derive(Clone, Default)]
pub struct LiveMetrics {
    connections: Gauge,
    subscriptions: Gauge,
    events: Family<FieldLabels, Counter>,
    refusals: Family<ReasonLabels, Counter>,
    withheld: Counter,
}

impl std::fmt::Debug for LiveMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveMetrics").finish_non_exhaustive()
    }
}

impl LiveMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self::default();
        registry.register(
            "websocket_connections",
            "Open GraphQL WebSocket connections",
            metrics.connections.clone(),
        );
        registry.register(
            "subscriptions_active",
            "Running GraphQL subscriptions",
            metrics.subscriptions.clone(),
        );
        registry.register(
            "subscription_events",
            "Events delivered to subscribers, by subscription field",
            metrics.events.clone(),
        );
        registry.register(
            "websocket_refusals",
            "Connections closed or subscriptions refused by the server, by reason",
            metrics.refusals.clone(),
        );
        registry.register(
            "subscription_events_withheld",
            "Events not delivered because the subscriber may not see the object",
            metrics.withheld.clone(),
        );
        metrics
    }

    pub fn connection_opened(&self) {
        self.connections.inc();
    }

    pub fn connection_closed(&self) {
        self.connections.dec();
    }

    pub fn subscription_started(&self) {
        self.subscriptions.inc();
    }

    pub fn subscription_ended(&self) {
        self.subscriptions.dec();
    }

    pub fn delivered(&self, field: &str) {
        self.events
            .get_or_create(&FieldLabels {
                field: field.to_string(),
            })
            .inc();
    }

    pub fn withheld(&self, count: usize) {
        self.withheld.inc_by(count as u64);
    }

    pub fn refused(&self, reason: CloseReason) {
        self.refusals
            .get_or_create(&ReasonLabels {
                reason: reason.as_str().to_string(),
            })
            .inc();
    }
}
