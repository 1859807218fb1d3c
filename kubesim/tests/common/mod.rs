//! Shared helpers of the kube-client integration tests.
#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kubesim::KubeSim;

pub async fn start() -> KubeSim {
    KubeSim::builder()
        .admin_token("admin-token")
        .token("alice-token", "alice", ["devs"])
        .start()
        .await
        .expect("kubesim starts")
}

pub async fn client(sim: &KubeSim, token: &str) -> kube::Client {
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig_yaml(token)).expect("kubeconfig parses");
    let cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("config");
    kube::Client::try_from(cfg).expect("client")
}

pub async fn admin(sim: &KubeSim) -> kube::Client {
    client(sim, &sim.admin_token()).await
}

/// Fails the test instead of hanging when `f` takes longer than `secs`.
pub async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("timed out")
}

pub fn crds_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/crds");
    assert!(
        dir.is_dir(),
        "CRD folder {} is missing: the tests read the upstream CRDs from shared/crds beside the workspace",
        dir.display()
    );
    dir
}

pub fn crd_text(rel: &str) -> String {
    let p = crds_dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}
