//! Prometheus metrics: GraphQL requests by operation and outcome, and their latency.

use std::collections::HashSet;
use std::time::Duration;

use parking_lot::Mutex;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Distinct operation names kept as labels; later names are counted as `other` so a client
/// cannot grow the metric set without bound.
const MAX_OPERATION_LABELS: usize = 256;
const MAX_OPERATION_NAME_LEN: usize = 64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LoaderLabels {
    loader: String,
}

pub struct Metrics {
    registry: Registry,
    loader_batches: Family<LoaderLabels, Counter>,
    loader_keys: Family<LoaderLabels, Counter>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabels, Histogram>,
    operations: Mutex<HashSet<String>>,
    /// Subscriptions and WebSocket connections.
    pub live: crate::live::metrics::LiveMetrics,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("fleetgraph");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<OperationLabels, Histogram>::new_with_constructor(|| {
            // 0.25 ms .. ~8 s: read queries answer in milliseconds, mutations touch clusters.
            Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
                0.000_25, 2.0, 16,
            ))
        });
        registry.register(
            "graphql_requests",
            "GraphQL requests by operation name and outcome (ok or the first error code)",
            requests.clone(),
        );
        registry.register(
            "graphql_request_duration_seconds",
            "GraphQL request latency by operation name",
            latency.clone(),
        );
        let loader_batches = Family::<LoaderLabels, Counter>::default();
        let loader_keys = Family::<LoaderLabels, Counter>::default();
        registry.register(
            "dataloader_batches",
            "DataLoader batch calls by loader (one per batch, however many keys)",
            loader_batches.clone(),
        );
        registry.register(
            "dataloader_keys",
            "Keys loaded by DataLoaders, by loader",
            loader_keys.clone(),
        );
        let live = crate::live::metrics::LiveMetrics::register(&mut registry);
        Self {
            live,
            registry,
            loader_batches,
            loader_keys,
            requests,
            latency,
            operations: Mutex::new(HashSet::new()),
        }
    }

    /// Records one finished GraphQL request.
    pub fn observe_request(&self, operation: Option<&str>, outcome: &str, elapsed: Duration) {
        let operation = self.operation_label(operation);
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.clone(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&OperationLabels { operation })
            .observe(elapsed.as_secs_f64());
    }

    /// Records one DataLoader batch of `keys` keys.
    pub fn observe_batch(&self, loader: &str, keys: usize) {
        let labels = LoaderLabels {
            loader: loader.to_string(),
        };
        self.loader_batches.get_or_create(&labels).inc();
        self.loader_keys.get_or_create(&labels).inc_by(keys as u64);
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation.filter(|n| !n.is_empty()) else {
            return "anonymous".to_string();
        };
        let valid = name.len() <= MAX_OPERATION_NAME_LEN
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return "other".to_string();
        }
        let mut seen = self.operations.lock();
        if seen.contains(name) {
            return name.to_string();
        }
        if seen.len() >= MAX_OPERATION_LABELS {
            return "other".to_string();
        }
        seen.insert(name.to_string());
        name.to_string()
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("failed to encode metrics");
        }
        out
    }
}
