//! Changes made in kubesim (a cluster's status, its labels, a new ClusterSummary, a deleted
//! cluster) show in the next GraphQL queries of a running server, without a restart.

mod common;

use std::time::Duration;

use common::fleet;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

const SVELTOS: &str = "lib.projectsveltos.io/v1beta1";
const CONFIG: &str = "config.projectsveltos.io/v1beta1";

const ONE: &str = r#"query($ns: String!, $name: String!) {
  clusters(filter: {namespace: $ns, name: $name, kind: SVELTOS}) { totalCount edges { node {
    name ready labels { key value } health { hasIssues isProvisioning hasOutdatedHelmCharts }
    profileStatuses(first: 100) { edges { node { clusterSummaryName featureId status failureMessage } } }
  } } } }"#;

const COUNTS: &str = r#"query($ns: String!, $name: String!) {
  clusters(filter: {namespace: $ns, name: $name, kind: SVELTOS}) { edges { node {
    helmReleases { totalCount } } } } }"#;

/// Asks `query` until `done` holds for the answer (the cache follows watches); fails after 15 s.
async fn until(
    world: &fleet::FleetWorld,
    query: &str,
    variables: Value,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let body = world.server.gql_vars(query, variables.clone()).await;
        assert!(body.get("errors").is_none(), "{body}");
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never saw {what}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn kubesim_changes_show_in_the_next_queries() {
    let world = fleet::start(generate(&FleetSpec::small(71)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let target = world
        .of_kind("SveltosCluster")
        .into_iter()
        .find(|c| c["status"]["ready"] == true)
        .expect("a ready SveltosCluster")
        .clone();
    let ns = target["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let name = target["metadata"]["name"].as_str().unwrap().to_string();
    let vars = json!({"ns": ns, "name": name});
    let node = |body: &Value| body["data"]["clusters"]["edges"][0]["node"].clone();

    // Status: the cluster stops being ready.
    let mut object = world
        .sim
        .get_object(SVELTOS, "SveltosCluster", &ns, &name)
        .expect("cluster");
    object["status"]["ready"] = json!(false);
    world.sim.apply_object(object).expect("status written");
    until(&world, ONE, vars.clone(), "ready=false", |b| {
        node(b)["ready"] == false
    })
    .await;

    // Labels: a new label is listed and selectable.
    let mut object = world
        .sim
        .get_object(SVELTOS, "SveltosCluster", &ns, &name)
        .expect("cluster");
    object["metadata"]["labels"]["live-test"] = json!("yes");
    world.sim.apply_object(object).expect("relabelled");
    until(&world, ONE, vars.clone(), "the new label", |b| {
        node(b)["labels"]
            .as_array()
            .is_some_and(|l| l.contains(&json!({"key": "live-test", "value": "yes"})))
    })
    .await;
    let selected = world
        .server
        .gql(r#"{ clusters(filter: {labelSelector: "live-test=yes"}) { totalCount edges { node { name } } } }"#)
        .await;
    assert_eq!(selected["data"]["clusters"]["totalCount"], 1, "{selected}");
    assert_eq!(
        selected["data"]["clusters"]["edges"][0]["node"]["name"],
        name.as_str()
    );

    // A new helm release in the cluster's ClusterConfiguration: the count (computed once per
    // snapshot and asked for above) follows.
    let releases = |b: &Value| node(b)["helmReleases"]["totalCount"].as_u64().unwrap();
    let before = releases(&world.server.gql_vars(COUNTS, vars.clone()).await);
    let mut configuration = world
        .of_kind("ClusterConfiguration")
        .into_iter()
        .find(|c| {
            c["metadata"]["namespace"] == ns.as_str()
                && c["metadata"]["labels"]["projectsveltos.io/cluster-name"] == name.as_str()
                && c["metadata"]["labels"]["projectsveltos.io/cluster-type"] == "Sveltos"
        })
        .map(|c| {
            let n = c["metadata"]["name"].as_str().unwrap();
            world
                .sim
                .get_object(CONFIG, "ClusterConfiguration", &ns, n)
                .expect("configuration")
        })
        .unwrap_or_else(|| {
            json!({
                "apiVersion": CONFIG,
                "kind": "ClusterConfiguration",
                "metadata": {
                    "name": format!("sveltos--{name}"),
                    "namespace": ns,
                    "labels": {
                        "projectsveltos.io/cluster-name": name,
                        "projectsveltos.io/cluster-type": "Sveltos",
                    },
                },
                "status": {},
            })
        });
    let added = json!({"clusterProfileName": "live-test", "Features": [{"featureID": "Helm",
        "charts": [{"repoURL": "https://charts.example", "releaseName": "live-test",
                    "namespace": "live", "chartVersion": "1.0.0",
                    "lastAppliedTime": "2024-05-01T10:00:00Z"}]}]});
    match configuration["status"]["clusterProfileResources"].as_array_mut() {
        Some(list) => list.push(added),
        None => configuration["status"]["clusterProfileResources"] = json!([added]),
    }
    world
        .sim
        .apply_object(configuration)
        .expect("configuration written");
    until(&world, COUNTS, vars.clone(), "the new helm release", |b| {
        releases(b) == before + 1
    })
    .await;

    // A new ClusterSummary with a failed feature: a new status row and hasIssues.
    let profile = world.of_kind("ClusterProfile")[0]["metadata"].clone();
    let summary_name = format!("live-{}-sveltos-{name}", profile["name"].as_str().unwrap());
    world
        .sim
        .apply_object(json!({
            "apiVersion": "config.projectsveltos.io/v1beta1",
            "kind": "ClusterSummary",
            "metadata": {
                "name": summary_name,
                "namespace": ns,
                "labels": {
                    "projectsveltos.io/cluster-name": name,
                    "projectsveltos.io/cluster-type": "Sveltos",
                },
                "ownerReferences": [{
                    "apiVersion": "config.projectsveltos.io/v1beta1",
                    "kind": "ClusterProfile",
                    "name": profile["name"],
                    "uid": profile["uid"].as_str().unwrap_or("00000000-0000-0000-0000-000000000001"),
                }],
            },
            "spec": {
                "clusterNamespace": ns,
                "clusterName": name,
                "clusterType": "Sveltos",
                "clusterProfileSpec": {},
            },
            "status": {
                "featureSummaries": [{
                    "featureID": "Helm",
                    "status": "Failed",
                    "failureMessage": "chart live-test not found",
                }],
            },
        }))
        .expect("summary created");
    let body = until(&world, ONE, vars.clone(), "the new summary", |b| {
        node(b)["profileStatuses"]["edges"]
            .as_array()
            .is_some_and(|rows| {
                rows.iter()
                    .any(|r| r["node"]["clusterSummaryName"] == summary_name.as_str())
            })
    })
    .await;
    let row = node(&body)["profileStatuses"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["node"]["clusterSummaryName"] == summary_name.as_str())
        .unwrap()["node"]
        .clone();
    assert_eq!(
        row,
        json!({"clusterSummaryName": summary_name, "featureId": "Helm", "status": "FAILED",
               "failureMessage": "chart live-test not found"})
    );
    assert_eq!(node(&body)["health"]["hasIssues"], true);
    assert_eq!(node(&body)["health"]["isProvisioning"], false);

    // Deletion: the cluster is gone from the list and the totals.
    let before =
        world.server.gql("{ clusters { totalCount } }").await["data"]["clusters"]["totalCount"]
            .as_u64()
            .unwrap();
    world
        .sim
        .delete_object(SVELTOS, "SveltosCluster", &ns, &name)
        .expect("deleted");
    until(&world, ONE, vars, "the deletion", |b| {
        b["data"]["clusters"]["totalCount"] == 0
    })
    .await;
    let after = world.server.gql("{ clusters { totalCount } }").await;
    assert_eq!(after["data"]["clusters"]["totalCount"], before - 1);
    world.server.shutdown().await;
}
