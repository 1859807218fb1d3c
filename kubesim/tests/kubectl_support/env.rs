//! One kubesim instance behind a TLS front, with kubeconfigs for the admin and for `alice`
//! (a static token whose user is bound only in `team-a`).

use kubesim::KubeSim;
use kubesim::tls::TlsFront;

use super::Kubectl;

pub const ALICE_TOKEN: &str = "alice-token-limited";

/// Everything one version's scenario needs; dropped at the end (stops the instance).
pub struct Env {
    _sim: KubeSim,
    _front: TlsFront,
    pub dir: tempfile::TempDir,
    pub admin: Kubectl,
    pub alice: Kubectl,
}

pub async fn start(minor: u32) -> Env {
    let sim = KubeSim::builder()
        .token(ALICE_TOKEN, "alice", ["dev"])
        .start()
        .await
        .expect("kubesim starts");
    let front = TlsFront::start(sim.addr()).await.expect("TLS front starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let admin_kc = dir.path().join("admin.kubeconfig");
    let alice_kc = dir.path().join("alice.kubeconfig");
    std::fs::write(&admin_kc, front.kubeconfig_yaml(&sim.admin_token())).expect("kubeconfig");
    std::fs::write(&alice_kc, front.kubeconfig_yaml(ALICE_TOKEN)).expect("kubeconfig");
    let admin = Kubectl::new(minor, &admin_kc, &dir.path().join("cache-admin"));
    let alice = admin.with_kubeconfig(&alice_kc, &dir.path().join("cache-alice"));
    Env {
        _sim: sim,
        _front: front,
        dir,
        admin,
        alice,
    }
}

pub fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.dir.path().join(name);
    std::fs::write(&p, text).expect("write manifest");
    p.to_str().expect("utf-8").to_string()
}
