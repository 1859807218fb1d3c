//! kubesim for fleetgraph tests: a management cluster with the real upstream CRDs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kubesim::KubeSim;

pub const ADMIN_TOKEN: &str = "sim-admin-token";

pub fn crds_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/crds");
    assert!(
        dir.is_dir(),
        "the upstream CRDs are expected at {} (shared/crds beside the project)",
        dir.display()
    );
    dir
}

/// The text of one upstream CRD file, e.g. `cluster-api/cluster.x-k8s.io_clusters.yaml`.
pub fn crd(relative: &str) -> String {
    let path = crds_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The CRD files of the Sveltos side; `with_capi` adds Cluster API's Cluster.
pub fn sveltos_crd_files(with_capi: bool) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(crds_dir().join("sveltos"))
        .expect("sveltos CRDs")
        .map(|e| {
            format!(
                "sveltos/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .filter(|f| f.ends_with(".yaml"))
        .collect();
    files.sort();
    if with_capi {
        files.push("cluster-api/cluster.x-k8s.io_clusters.yaml".to_string());
    }
    files
}

/// A management cluster with the Sveltos CRDs (and Cluster API's when asked).
pub async fn management_cluster(with_capi: bool) -> KubeSim {
    let sim = KubeSim::builder()
        .admin_token(ADMIN_TOKEN)
        .start()
        .await
        .expect("kubesim starts");
    for file in sveltos_crd_files(with_capi) {
        sim.load_yaml(&crd(&file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    sim
}

pub async fn client(sim: &KubeSim, token: &str) -> kube::Client {
    let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig_yaml(token)).expect("kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("config");
    kube::Client::try_from(config).expect("client")
}

/// Polls `check` until it holds; fails the test after `secs`.
pub async fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls an async `check` until it holds; fails the test after `secs`.
pub async fn eventually_async<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
