//! The catalog: the cluster's KubeVela definitions when it has any, else the shipped catalog.

mod common;
mod tenancy_apps_support;

use fleetgraph::tenancy::catalog::{self, Kind, Source};
use kubesim::KubeSim;
use serde_json::json;
use tenancy_apps_support::*;

use common::sim;

#[tokio::test]
async fn definitions_from_the_cluster_else_the_shipped_catalog() {
    let cluster = kubevela_cluster().await;
    let client = sim::client(&cluster, sim::ADMIN_TOKEN).await;

    // KubeVela installed but no definitions yet: the shipped entries.
    let components = catalog::catalog(Some(&client), Kind::Component)
        .await
        .expect("catalog");
    assert_eq!(components.len(), 1);
    assert_eq!(
        (components[0].name.as_str(), components[0].source),
        ("web", Source::Builtin)
    );

    cluster
        .load_objects(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vela-system"}}),
            json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "ComponentDefinition",
                "metadata": {"name": "webservice", "namespace": "vela-system",
                    "annotations": {"definition.oam.dev/description": "Long-running service"}},
                "spec": {"workload": {"definition": {"apiVersion": "apps/v1", "kind": "Deployment"}}}}),
            json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "ComponentDefinition",
                "metadata": {"name": "cron-task", "namespace": "vela-system"},
                "spec": {"workload": {"type": "autodetects.core.oam.dev"}}}),
            json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "TraitDefinition",
                "metadata": {"name": "gateway", "namespace": "vela-system",
                    "annotations": {"definition.oam.dev/description": "Expose through a gateway"}},
                "spec": {"appliesToWorkloads": ["deployments.apps"]}}),
        ])
        .expect("definitions");
    let components = catalog::catalog(Some(&client), Kind::Component)
        .await
        .expect("catalog");
    let names: Vec<&str> = components.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["cron-task", "webservice"]);
    assert!(components.iter().all(|e| e.source == Source::Cluster));
    assert_eq!(
        components[1].description.as_deref(),
        Some("Long-running service")
    );
    assert_eq!(components[1].namespace.as_deref(), Some("vela-system"));
    assert_eq!(
        components[1].detail.as_ref().expect("spec")["workload"]["definition"]["kind"],
        "Deployment"
    );
    let traits = catalog::catalog(Some(&client), Kind::Trait)
        .await
        .expect("traits");
    assert_eq!(
        (traits[0].name.as_str(), traits[0].source),
        ("gateway", Source::Cluster)
    );
    // No WorkflowStepDefinitions: that kind falls back on its own.
    let workflows = catalog::catalog(Some(&client), Kind::Workflow)
        .await
        .expect("workflows");
    assert_eq!(
        (workflows[0].name.as_str(), workflows[0].source),
        ("rollout", Source::Builtin)
    );
    cluster.shutdown().await;

    // A cluster without KubeVela at all, and no cluster: the shipped catalog.
    let bare = KubeSim::builder()
        .admin_token(sim::ADMIN_TOKEN)
        .start()
        .await
        .expect("sim");
    let bare_client = sim::client(&bare, sim::ADMIN_TOKEN).await;
    let traits = catalog::catalog(Some(&bare_client), Kind::Trait)
        .await
        .expect("traits");
    assert_eq!(
        (traits[0].name.as_str(), traits[0].source),
        ("scaler", Source::Builtin)
    );
    let none = catalog::catalog(None, Kind::Workflow)
        .await
        .expect("workflows");
    assert_eq!(none[0].name, "rollout");
    bare.shutdown().await;
}
