//! A fleetgraph server reading a kubesim management cluster with a generated world.

use std::time::Duration;

use fleetgraph::config::ServeConfig;
use kubesim::KubeSim;
use serde_json::Value;

use super::TestServer;
use super::sim;

pub struct FleetWorld {
    pub sim: KubeSim,
    pub server: TestServer,
    pub objects: Vec<Value>,
    _dir: tempfile::TempDir,
}

/// Starts kubesim with `objects` and a server that reads it as its management cluster,
/// authenticating with kubesim's TokenReview; waits until the fleet cache has synced.
pub async fn start(objects: Vec<Value>, configure: impl FnOnce(&mut ServeConfig)) -> FleetWorld {
    start_on(sim::management_cluster(true).await, objects, configure).await
}

/// As [`start`], on a given management cluster (e.g. one without Cluster API).
pub async fn start_on(
    sim: KubeSim,
    objects: Vec<Value>,
    configure: impl FnOnce(&mut ServeConfig),
) -> FleetWorld {
    sim.load_objects(objects.clone()).expect("world loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("management.kubeconfig");
    sim.write_kubeconfig(&kubeconfig, sim::ADMIN_TOKEN)
        .expect("kubeconfig written");
    let server = TestServer::start_with(|c| {
        c.kube.kubeconfig = Some(kubeconfig);
        configure(c);
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if server.get("/readyz").await.status() == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "fleet cache never synced"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    FleetWorld {
        sim,
        server,
        objects,
        _dir: dir,
    }
}

impl FleetWorld {
    /// Objects of one kind in the generated world.
    pub fn of_kind(&self, kind: &str) -> Vec<&Value> {
        self.objects.iter().filter(|o| o["kind"] == kind).collect()
    }
}
