//! `fleetgraph demo`: a playground with no cluster needed. An embedded kubesim plays the
//! management cluster with a generated Sveltos / Cluster API fleet, an SQLite store holds the
//! rest, and the real server serves the graph over both. A pulse task keeps changing statuses so
//! subscriptions have something to show.
//!
//! [`start`] is what the docs and browser tests run in-process; [`run`] adds the banner and waits
//! for Ctrl-C.

mod banner;
mod config;
mod management;
mod pulse;
mod tenants;
mod tokens;
mod workload;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kubesim::KubeSim;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use config::{DemoConfig, fleet_spec};
pub use tokens::DemoTokens;
pub use workload::{CLUSTER_NAME as WORKLOAD_CLUSTER_NAME, workload_crds};

use crate::config::{AuthConfig, ServeConfig};
use crate::error::{Error, Result};
use crate::server::{self, RunningServer};

/// How long the fleet cache may take to mirror the generated fleet before the demo gives up.
const SYNC_TIMEOUT: Duration = Duration::from_secs(300);

/// Where start-up progress goes: the terminal for `fleetgraph demo`, nowhere (or a log) in tests.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// A running demo world. Dropping it stops everything; [`RunningDemo::shutdown`] does so cleanly.
pub struct RunningDemo {
    pub server: RunningServer,
    /// The embedded management cluster (shared with the pulse task).
    pub management: Arc<KubeSim>,
    /// The registered workload cluster (Capsule and KubeVela APIs).
    pub workload: KubeSim,
    pub tokens: DemoTokens,
    /// The management cluster's kubeconfig (admin), for `kubectl --kubeconfig`.
    pub management_kubeconfig: PathBuf,
    /// Objects of the generated fleet (CRDs and namespaces included).
    pub fleet_objects: usize,
    pub auth_disabled: bool,
    pulse: Option<JoinHandle<()>>,
    stop: CancellationToken,
    // Held for its lifetime: the kubeconfig, JWT secret and (by default) the SQLite file.
    _dir: tempfile::TempDir,
}

impl RunningDemo {
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.server.url())
    }

    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(pulse) = self.pulse.take() {
            let _ = pulse.await;
        }
        self.server.shutdown().await;
        // The pulse has ended, so this is the last handle; dropping it would stop it too.
        self.workload.shutdown().await;
        if let Ok(sim) = Arc::try_unwrap(self.management) {
            sim.shutdown().await;
        }
    }
}

/// Builds the demo world and starts serving it; returns once the fleet cache has synced.
pub async fn start(config: &DemoConfig, progress: Progress<'_>) -> Result<RunningDemo> {
    let dir = tempfile::Builder::new()
        .prefix("fleetgraph-demo-")
        .tempdir()
        .map_err(|e| Error::Internal(format!("cannot create a temporary directory: {e}")))?;

    let spec = fleet_spec(config)?;
    let management = management::start(config, &spec, progress).await?;
    let management_kubeconfig = dir.path().join("management.kubeconfig");
    management
        .sim
        .write_kubeconfig(&management_kubeconfig, &management.admin_token)
        .map_err(|e| Error::Internal(format!("cannot write the demo kubeconfig: {e}")))?;

    let tokens = tokens::prepare(dir.path())?;
    let database_url = match &config.database_url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("fleetgraph-demo.db").display()
        ),
    };
    // Built from the ephemeral settings so fields added to ServeConfig later keep defaults.
    let mut serve = ServeConfig::ephemeral(database_url);
    serve.listen = config.listen;
    serve.kube.kubeconfig = Some(management_kubeconfig.clone());
    serve.kube.kube_context = None;
    serve.limits = config.limits.clone();
    serve.auth = AuthConfig {
        auth_disabled: !config.auth,
        jwt: tokens.jwt_config(),
        ..AuthConfig::default()
    };
    serve.tenancy.encryption_key = Some(tokens::random_key());
    progress("starting the GraphQL server and syncing the fleet cache");
    let server = server::start(&serve).await?;
    if !server.state.fleet.wait_synced(SYNC_TIMEOUT).await {
        server.shutdown().await;
        return Err(Error::Unavailable(format!(
            "the fleet cache did not sync within {}s; try a smaller --clusters",
            SYNC_TIMEOUT.as_secs()
        )));
    }
    progress("fleet cache synced");
    let workload = match workload::start(
        config.workload_kube_listen,
        &serve.tenancy,
        server.state.store.clone(),
        progress,
    )
    .await
    {
        Ok(sim) => sim,
        Err(e) => {
            server.shutdown().await;
            return Err(e);
        }
    };

    let stop = CancellationToken::new();
    let pulse = (config.pulse_secs > 0).then(|| {
        pulse::spawn(
            management.sim.clone(),
            management.pulse_targets,
            Duration::from_secs(config.pulse_secs),
            config.seed,
            stop.clone(),
        )
    });
    Ok(RunningDemo {
        server,
        management: management.sim,
        workload,
        tokens,
        management_kubeconfig,
        fleet_objects: management.objects,
        auth_disabled: !config.auth,
        pulse,
        stop,
        _dir: dir,
    })
}

/// `fleetgraph demo`: starts the world, prints where to go, serves until Ctrl-C.
pub async fn run(config: &DemoConfig) -> Result<()> {
    let progress = |line: &str| eprintln!("  · {line}");
    eprintln!("fleetgraph demo: building a playground (no cluster needed)");
    let demo = start(config, &progress).await?;
    banner::print(&demo);
    server::wait_for_signal().await;
    eprintln!("shutting down the demo");
    demo.shutdown().await;
    Ok(())
}
