//! Kube clients for registered clusters: built lazily from the opened kubeconfig, cached per
//! cluster, health-tracked, with the configured timeout on every upstream call.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use uuid::Uuid;

use tokio_util::sync::CancellationToken;

use super::cluster_cache::ClusterCache;
use super::crypto::{Sealed, Sealer};
use super::kube_ops::ServedApis;
use super::kubeconfig;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::changes::StoreOp;
use crate::store::tenancy::clusters;
use tokio::sync::broadcast;

/// What the pool last saw of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    pub reachable: bool,
    /// The last error, short and free of secrets.
    pub last_error: Option<String>,
    pub checked_at: DateTime<Utc>,
}

struct Entry {
    client: kube::Client,
    /// The ciphertext the client was built from: a changed row rebuilds the client.
    ciphertext: String,
}

/// Shared by every request; cheap to clone.
#[derive(Clone)]
pub struct ClusterPool {
    inner: Arc<Inner>,
}

struct Inner {
    sealer: Option<Sealer>,
    timeout: Duration,
    clients: Mutex<HashMap<Uuid, Entry>>,
    health: Mutex<HashMap<Uuid, Health>>,
    apis: Mutex<HashMap<Uuid, (Instant, ServedApis)>>,
    caches: Mutex<HashMap<Uuid, Arc<ClusterCache>>>,
    /// Cancelled at shutdown: ends every cluster's watches.
    watches: CancellationToken,
}

/// How long discovered APIs are reused before a cluster is asked again.
const APIS_TTL: Duration = Duration::from_secs(30);

impl ClusterPool {
    pub fn new(sealer: Option<Sealer>, timeout: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                sealer,
                timeout,
                clients: Mutex::new(HashMap::new()),
                health: Mutex::new(HashMap::new()),
                apis: Mutex::new(HashMap::new()),
                caches: Mutex::new(HashMap::new()),
                watches: CancellationToken::new(),
            }),
        }
    }

    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The sealer, or UNAVAILABLE when no key is configured.
    pub fn sealer(&self) -> Result<&Sealer> {
        self.inner.sealer.as_ref().ok_or_else(|| {
            Error::Unavailable(
                "no encryption key is configured, so kubeconfigs cannot be stored or read; set FLEETGRAPH_ENCRYPTION_KEY_FILE".to_string(),
            )
        })
    }

    /// The client of a registered cluster, built on first use.
    pub async fn client(&self, cluster: &clusters::Model) -> Result<kube::Client> {
        if let Some(entry) = self.inner.clients.lock().get(&cluster.id)
            && entry.ciphertext == cluster.kubeconfig_ciphertext
        {
            return Ok(entry.client.clone());
        }
        let checked = self.kubeconfig(cluster)?;
        let config = checked.client_config(self.inner.timeout).await?;
        let client = build_client(config)?;
        self.inner.clients.lock().insert(
            cluster.id,
            Entry {
                client: client.clone(),
                ciphertext: cluster.kubeconfig_ciphertext.clone(),
            },
        );
        Ok(client)
    }

    /// The cluster's registered kubeconfig, opened (never to be returned or logged).
    pub fn kubeconfig(&self, cluster: &clusters::Model) -> Result<kubeconfig::CheckedKubeconfig> {
        let sealed = Sealed {
            ciphertext: cluster.kubeconfig_ciphertext.clone(),
            key_id: cluster.key_id.clone(),
        };
        let yaml = self.sealer()?.open(&sealed, &cluster.id.to_string())?;
        let yaml = String::from_utf8(yaml)
            .map_err(|_| Error::Internal("an opened kubeconfig is not text".to_string()))?;
        kubeconfig::from_stored(&yaml)
    }

    /// Notes the outcome of a call to a cluster.
    pub fn record(&self, cluster: Uuid, outcome: std::result::Result<(), String>) {
        let health = Health {
            reachable: outcome.is_ok(),
            last_error: outcome.err(),
            checked_at: Utc::now(),
        };
        self.inner.health.lock().insert(cluster, health);
    }

    pub fn health(&self, cluster: Uuid) -> Option<Health> {
        self.inner.health.lock().get(&cluster).cloned()
    }

    /// APIs discovered on the cluster within the last 30 seconds.
    pub fn cached_apis(&self, cluster: Uuid) -> Option<ServedApis> {
        self.inner
            .apis
            .lock()
            .get(&cluster)
            .filter(|(at, _)| at.elapsed() < APIS_TTL)
            .map(|(_, apis)| *apis)
    }

    pub fn remember_apis(&self, cluster: Uuid, apis: ServedApis) {
        self.inner
            .apis
            .lock()
            .insert(cluster, (Instant::now(), apis));
    }

    /// The cluster's watches, started on first use (or again when its kubeconfig changed).
    /// They may not have synced yet: readers check and read the cluster meanwhile.
    pub async fn cache(&self, cluster: &clusters::Model) -> Result<Arc<ClusterCache>> {
        if let Some(cache) = self.inner.caches.lock().get(&cluster.id)
            && cache.ciphertext == cluster.kubeconfig_ciphertext
        {
            return Ok(cache.clone());
        }
        let client = self.client(cluster).await?;
        let mut caches = self.inner.caches.lock();
        // Another caller may have started them while the client was built.
        if let Some(cache) = caches.get(&cluster.id)
            && cache.ciphertext == cluster.kubeconfig_ciphertext
        {
            return Ok(cache.clone());
        }
        let cache = Arc::new(ClusterCache::start(
            &cluster.name,
            client,
            self.inner.timeout,
            cluster.kubeconfig_ciphertext.clone(),
            self.inner.watches.child_token(),
        ));
        if let Some(old) = caches.insert(cluster.id, cache.clone()) {
            old.stop();
        }
        tracing::debug!(cluster = %cluster.name, "registered-cluster watches started");
        Ok(cache)
    }

    /// Starts the watches of every stored cluster (at server start); a cluster whose client
    /// cannot be built is logged and retried on first use.
    pub async fn start_watches(&self, stored: &[clusters::Model]) {
        for cluster in stored {
            if let Err(e) = self.cache(cluster).await {
                tracing::warn!(cluster = %cluster.name, error = %e,
                    "cannot watch registered cluster; its reads go to the cluster");
            }
        }
    }

    /// Ends every cluster's watches (shutdown).
    pub fn stop_watches(&self) {
        self.inner.watches.cancel();
        self.inner.caches.lock().clear();
    }

    /// Evicts every cluster with watches or a client here that `keep` refuses.
    fn retain(&self, keep: impl Fn(Uuid) -> bool) {
        let known: Vec<Uuid> = {
            let clients = self.inner.clients.lock();
            let caches = self.inner.caches.lock();
            clients.keys().chain(caches.keys()).copied().collect()
        };
        for id in known {
            if !keep(id) {
                self.evict(id);
            }
        }
    }

    /// Forgets a cluster (deleted or re-registered) and stops its watches.
    pub fn evict(&self, cluster: Uuid) {
        self.inner.clients.lock().remove(&cluster);
        self.inner.health.lock().remove(&cluster);
        self.inner.apis.lock().remove(&cluster);
        if let Some(cache) = self.inner.caches.lock().remove(&cluster) {
            cache.stop();
        }
    }
}

/// Evicts clusters that another replica deleted, as the store change bus announces them, until
/// `cancel`: without it their watches here would run (and fail) until this replica restarts.
pub fn follow_deletions(pool: ClusterPool, store: Store, cancel: CancellationToken) {
    tokio::spawn(async move {
        let mut changes = match store.changes().subscribe().await {
            Ok(changes) => changes,
            Err(e) => {
                tracing::warn!(error = %e,
                    "cannot follow cluster deletions; other replicas' deletions apply at restart");
                return;
            }
        };
        loop {
            let received = tokio::select! {
                _ = cancel.cancelled() => return,
                received = changes.recv() => received,
            };
            match received {
                Ok(change)
                    if change.entity == clusters::ENTITY && change.op == StoreOp::Deleted =>
                {
                    if let Ok(id) = change.id.parse::<Uuid>() {
                        pool.evict(id);
                    }
                }
                Ok(_) => {}
                // Deletions may be among the missed changes: keep only clusters still stored.
                Err(broadcast::error::RecvError::Lagged(_)) => match store.clusters().await {
                    Ok(stored) => pool.retain(|id| stored.iter().any(|c| c.id == id)),
                    Err(e) => tracing::warn!(error = %e, "cannot re-check registered clusters"),
                },
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

pub fn build_client(config: kube::Config) -> Result<kube::Client> {
    kube::Client::try_from(config)
        .map_err(|e| Error::Unavailable(format!("cannot build a client for the cluster: {e}")))
}

/// Maps a failed call to a registered cluster to the server's error codes.
pub fn kube_error(cluster: &str, err: kube::Error) -> Error {
    match err {
        kube::Error::Api(status) => {
            let message = status.message.clone();
            match status.code {
                404 => Error::NotFound(format!("cluster {cluster}: {message}")),
                409 => Error::Conflict(format!("cluster {cluster}: {message}")),
                400 | 422 => {
                    Error::bad_input(format!("cluster {cluster} rejected the object: {message}"))
                }
                401 | 403 => Error::Unavailable(format!(
                    "cluster {cluster} refused fleetgraph's credentials ({message}); check the registered kubeconfig's permissions"
                )),
                code => Error::Unavailable(format!(
                    "cluster {cluster} answered {code}: {message}; retry later"
                )),
            }
        }
        other => Error::Unavailable(format!(
            "cluster {cluster} is unreachable ({}); retry when it is back",
            first_line(&other.to_string())
        )),
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}
