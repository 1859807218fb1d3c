//! The demo's workload cluster: a second kubesim serving the Capsule and KubeVela APIs, registered
//! through fleetgraph's own tenancy code (the kubeconfig is checked, the cluster reached, and the
//! kubeconfig sealed with the demo's encryption key), as `registerCluster` does, then given
//! tenants, projects and apps (see `tenants`).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use kubesim::KubeSim;
use serde_json::{Value, json};

use super::Progress;
use crate::auth::Principal;
use crate::config::TenancyConfig;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::tenancy::clusters::{RegisterCluster, register};
use crate::tenancy::{Access, Tenancy};

/// Name the workload cluster is registered under.
pub const CLUSTER_NAME: &str = "demo-workload";

/// The CRDs tenancy needs on a workload cluster, with the identity upstream gives them (group,
/// version, names, scope, status subresource) and schemas that keep every field: fleetgraph's
/// tenancy code owns the shapes it writes, and a fresh clone has no upstream CRD files.
pub fn workload_crds() -> Vec<Value> {
    vec![
        crd(
            "capsule.clastix.io",
            "v1beta2",
            "Tenant",
            "tenants",
            "tnt",
            "Cluster",
        ),
        crd(
            "core.oam.dev",
            "v1beta1",
            "Application",
            "applications",
            "app",
            "Namespaced",
        ),
        crd(
            "core.oam.dev",
            "v1beta1",
            "ApplicationRevision",
            "applicationrevisions",
            "apprev",
            "Namespaced",
        ),
    ]
}

fn crd(group: &str, version: &str, kind: &str, plural: &str, short: &str, scope: &str) -> Value {
    let open = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}")},
        "spec": {
            "group": group,
            "names": {
                "kind": kind,
                "listKind": format!("{kind}List"),
                "plural": plural,
                "singular": kind.to_lowercase(),
                "shortNames": [short],
            },
            "scope": scope,
            "versions": [{
                "name": version,
                "served": true,
                "storage": true,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": open,
                        "status": open,
                    },
                }},
            }],
        },
    })
}

/// Starts the workload cluster and registers it; returns the simulator.
pub async fn start(
    listen: SocketAddr,
    tenancy: &TenancyConfig,
    store: Store,
    progress: Progress<'_>,
) -> Result<KubeSim> {
    let token = super::tokens::random_hex(24);
    let sim = KubeSim::builder()
        .listen(listen)
        .admin_token(token.clone())
        .start()
        .await
        .map_err(|e| Error::Unavailable(format!("cannot start the workload cluster: {e}")))?;
    sim.load_objects(workload_crds())
        .map_err(|e| Error::Internal(format!("workload CRDs do not load: {e}")))?;
    progress(&format!(
        "workload cluster (kubesim, Capsule and KubeVela APIs) at {}",
        sim.url()
    ));
    let t = Tenancy::from_config(tenancy, store, None)?;
    // The demo seeds its own world; no caller is involved, so it acts with full rights.
    let principal = Principal::auth_disabled();
    let access = Access::new(&principal);
    let input = RegisterCluster {
        name: CLUSTER_NAME.to_string(),
        kubeconfig: sim.kubeconfig_yaml(&token),
        labels: BTreeMap::from([("env".to_string(), "demo".to_string())]),
        capsule_proxy_url: None,
        capsule_proxy_ca: None,
    };
    let cluster = register(&t, &access, input).await?;
    progress(&format!("registered it as cluster {CLUSTER_NAME:?}"));
    super::tenants::seed(&t, &sim, &cluster, progress).await?;
    Ok(sim)
}
