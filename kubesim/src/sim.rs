//! The `KubeSim` handle: start an instance on a port, drive it from Rust, stop it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::access::Access;
use crate::controls::{Counters, FailureRule};
use crate::inproc::{self, KubeSimError};
use crate::state::Shared;

/// Configuration of one instance; see [`KubeSim::builder`].
pub struct KubeSimBuilder {
    listen: SocketAddr,
    admin_token: Option<String>,
    tokens: Vec<(String, String, Vec<String>)>,
}

/// One running kubesim instance. Several can run in one process, each with its own state.
pub struct KubeSim {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

fn random_token() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..32)
        .map(|_| {
            let n = rng.random_range(0..36u8);
            (if n < 10 { b'0' + n } else { b'a' + n - 10 }) as char
        })
        .collect()
}

impl KubeSimBuilder {
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// A static bearer token for `user` in `groups`.
    pub fn token<G, S>(
        mut self,
        token: impl Into<String>,
        user: impl Into<String>,
        groups: G,
    ) -> Self
    where
        G: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tokens.push((
            token.into(),
            user.into(),
            groups.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Binds the port and serves. The instance starts with the namespaces and RBAC objects of
    /// a fresh cluster (`default`, `kube-system`, `kube-public`; `cluster-admin`, `admin`,
    /// `edit`, `view`, discovery bindings).
    pub async fn start(self) -> Result<KubeSim, KubeSimError> {
        let admin = self.admin_token.unwrap_or_else(random_token);
        let shared = Arc::new(Shared::new(Access::new(admin, self.tokens)));
        let mut boot: Vec<Value> = ["default", "kube-system", "kube-public", "kube-node-lease"]
            .iter()
            .map(|n| serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}))
            .collect();
        boot.extend(crate::rbac::bootstrap_rbac_objects());
        inproc::load_values(&shared, boot)?;
        let listener = tokio::net::TcpListener::bind(self.listen).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = crate::server::router(shared.clone());
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = server.await {
                tracing::warn!(error = %e, "kubesim server stopped with an error");
            }
        });
        tracing::info!(%addr, "kubesim listening");
        Ok(KubeSim {
            shared,
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

impl KubeSim {
    pub fn builder() -> KubeSimBuilder {
        KubeSimBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            admin_token: None,
            tokens: Vec::new(),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn admin_token(&self) -> String {
        self.shared.access.admin_token().to_string()
    }

    /// Adds a static bearer token while running.
    pub fn add_token(&self, token: &str, user: &str, groups: &[&str]) {
        let groups: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
        self.shared
            .access
            .authn
            .add_static_token(token, user, &groups);
    }

    pub fn kubeconfig_yaml(&self, token: &str) -> String {
        crate::kubeconfig::kubeconfig_yaml(&self.url(), token)
    }

    pub fn write_kubeconfig(
        &self,
        path: impl AsRef<Path>,
        token: &str,
    ) -> Result<(), KubeSimError> {
        std::fs::write(path, self.kubeconfig_yaml(token))?;
        Ok(())
    }

    /// Loads multi-document YAML in-process (CRDs first), through the same admission as HTTP.
    pub fn load_yaml(&self, yaml: &str) -> Result<usize, KubeSimError> {
        inproc::load_yaml(&self.shared, yaml)
    }

    /// Loads already-parsed objects (faster than YAML for bulk loads).
    pub fn load_objects(&self, objects: Vec<Value>) -> Result<usize, KubeSimError> {
        inproc::load_values(&self.shared, objects)
    }

    /// Creates or replaces one object (with its status); returns it as stored.
    pub fn apply_object(&self, obj: Value) -> Result<Value, KubeSimError> {
        inproc::apply_object(&self.shared, obj)
    }

    pub fn get_object(&self, api_version: &str, kind: &str, ns: &str, name: &str) -> Option<Value> {
        inproc::get_object(&self.shared, api_version, kind, ns, name)
    }

    pub fn delete_object(
        &self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Result<Option<Value>, KubeSimError> {
        inproc::delete_object(&self.shared, api_version, kind, ns, name)
    }

    pub fn set_pod_logs(
        &self,
        ns: &str,
        pod: &str,
        container: &str,
        lines: Vec<(DateTime<Utc>, String)>,
    ) {
        self.shared.logs.write().insert(
            (ns.to_string(), pod.to_string(), container.to_string()),
            lines,
        );
    }

    pub fn counters(&self) -> Counters {
        self.shared.controls.counters()
    }

    pub fn reset_counters(&self) {
        self.shared.controls.reset_counters();
    }

    pub fn inject_latency(&self, latency: Duration) {
        self.shared.controls.set_latency(latency);
    }

    pub fn inject_failure(&self, rule: FailureRule) {
        self.shared.controls.add_failure(rule);
    }

    /// Closes every open watch stream (clients see the stream end and re-watch).
    pub fn drop_watches(&self) {
        self.shared.drop_watches.send_modify(|n| *n += 1);
    }

    /// Forgets the watch history: a watch from any earlier resourceVersion gets 410 Gone.
    pub fn compact(&self) {
        self.shared.store.compact();
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store.current_rv()
    }

    /// Stops serving: open watches are closed, then the listener.
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        self.drop_watches();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for KubeSim {
    fn drop(&mut self) {
        self.drop_watches();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
