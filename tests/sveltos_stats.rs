//! `stats` counts exactly what the caller may see.

mod common;

use common::fleet;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

const STATS: &str = "{ stats { capiClusters notReadyCapiClusters sveltosClusters notReadySveltosClusters pullModeClusters clusterProfiles profiles clusterSummaries eventTriggers classifiers managementClusterClassifiers } }";

fn truthy(v: &Value) -> bool {
    v.as_bool().unwrap_or(false)
}

#[tokio::test]
async fn stats_count_the_world_and_only_what_a_caller_may_see() {
    let world = fleet::start(generate(&FleetSpec::small(8)), |_| {}).await;
    world.sim.add_token("root-token", "root", &["platform"]);
    world.sim.add_token("dev-token", "dev", &["devs"]);
    let namespace = world.of_kind("SveltosCluster")[0]["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{ name: platform-admin }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }}
subjects:
- {{ kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-view, namespace: {namespace} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    let ask = |token: &'static str| {
        let http = world.server.http.clone();
        let url = world.server.endpoint("/graphql");
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({ "query": STATS }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };

    let capi = world.of_kind("Cluster");
    let sveltos = world.of_kind("SveltosCluster");
    let tracked = world
        .of_kind("ClusterSummary")
        .into_iter()
        .filter(|s| {
            let labels = &s["metadata"]["labels"];
            labels["projectsveltos.io/cluster-name"]
                .as_str()
                .is_some_and(|v| !v.is_empty())
                && labels["projectsveltos.io/cluster-type"]
                    .as_str()
                    .is_some_and(|v| !v.is_empty())
                && s["metadata"]["ownerReferences"]
                    .as_array()
                    .is_some_and(|o| !o.is_empty())
        })
        .count();
    let expected = json!({
        "capiClusters": capi.len(),
        "notReadyCapiClusters": capi.iter().filter(|c| !truthy(&c["status"]["initialization"]["controlPlaneInitialized"])).count(),
        "sveltosClusters": sveltos.len(),
        "notReadySveltosClusters": sveltos.iter().filter(|c| !truthy(&c["status"]["ready"])).count(),
        "pullModeClusters": sveltos.iter().filter(|c| truthy(&c["spec"]["pullMode"])).count(),
        "clusterProfiles": world.of_kind("ClusterProfile").len(),
        "profiles": world.of_kind("Profile").len(),
        "clusterSummaries": tracked,
        "eventTriggers": world.of_kind("EventTrigger").len(),
        "classifiers": world.of_kind("Classifier").len(),
        "managementClusterClassifiers": world.of_kind("ManagementClusterClassifier").len(),
    });
    let root = ask("root-token").await;
    assert_eq!(root["data"]["stats"], expected, "{root}");

    // A user with rights in one namespace counts only that namespace's objects.
    let dev = ask("dev-token").await;
    assert!(dev.get("errors").is_none(), "{dev}");
    let stats = &dev["data"]["stats"];
    let in_namespace = |kind: &str| {
        world
            .of_kind(kind)
            .into_iter()
            .filter(|o| o["metadata"]["namespace"] == namespace.as_str())
            .count()
    };
    assert_eq!(stats["sveltosClusters"], in_namespace("SveltosCluster"));
    assert_eq!(stats["capiClusters"], in_namespace("Cluster"));
    assert_eq!(stats["profiles"], in_namespace("Profile"));
    assert_eq!(
        stats["clusterProfiles"], 0,
        "cluster-scoped kinds need cluster-wide rights"
    );
    assert_eq!(stats["eventTriggers"], 0);
    world.server.shutdown().await;
}
