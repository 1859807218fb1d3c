//! Watches on what read queries take from a registered cluster (graph.md §3): KubeVela
//! Applications (app status) and tenant namespaces (tenant summary). One [`ClusterCache`] per
//! registered cluster, kept by the [`super::ClusterPool`]: started at registration, at server
//! start for stored clusters, or on first use (a cluster another replica registered); stopped
//! when the cluster is removed or its kubeconfig changes.

pub mod reflected;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::runtime::watcher;
use tokio_util::sync::CancellationToken;

use super::apps::vela::Application;
pub use reflected::Reflected;

/// The label Capsule puts on every namespace of a tenant.
pub const TENANT_LABEL: &str = "capsule.clastix.io/tenant";

pub struct ClusterCache {
    pub applications: Arc<Reflected<Application>>,
    /// Namespaces carrying [`TENANT_LABEL`].
    pub namespaces: Arc<Reflected<Namespace>>,
    /// The kubeconfig ciphertext the watches were started with.
    pub(super) ciphertext: String,
    cancel: CancellationToken,
}

impl ClusterCache {
    /// Starts the watches with `client`. `timeout` is the client's read timeout: each watch
    /// request asks the server to end it before then, so a quiet watch is never cut as stalled.
    pub fn start(
        cluster: &str,
        client: kube::Client,
        timeout: Duration,
        ciphertext: String,
        cancel: CancellationToken,
    ) -> Self {
        let seconds = u32::try_from(timeout.as_secs().saturating_sub(2).max(1)).unwrap_or(u32::MAX);
        let config = watcher::Config::default().timeout(seconds);
        let applications = Reflected::start(
            "Application",
            cluster.to_string(),
            Api::all(client.clone()),
            config.clone(),
            cancel.clone(),
        );
        let namespaces = Reflected::start(
            "Namespace",
            cluster.to_string(),
            Api::all(client),
            config.labels(TENANT_LABEL),
            cancel.clone(),
        );
        Self {
            applications,
            namespaces,
            ciphertext,
            cancel,
        }
    }

    /// Both watches have listed (and not failed since).
    pub fn is_synced(&self) -> bool {
        self.applications.is_synced() && self.namespaces.is_synced()
    }

    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

impl Drop for ClusterCache {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
