//! The three health flags over HTTP, rule by rule (sveltos-ui-backend.md §3.2), each case on
//! its own cluster, and the health filters selecting exactly the clusters each rule flags.

mod common;

use std::collections::BTreeSet;

use common::fleet;
use serde_json::{Value, json};

const NS: &str = "health";

fn cluster(name: &str) -> Value {
    json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1",
        "kind": "SveltosCluster",
        "metadata": {"name": name, "namespace": NS},
        "spec": {},
        "status": {"ready": true, "version": "v1.31.0"},
    })
}

fn summary(cluster: &str, status: Value) -> Value {
    json!({
        "apiVersion": "config.projectsveltos.io/v1beta1",
        "kind": "ClusterSummary",
        "metadata": {
            "name": format!("p-sveltos-{cluster}"),
            "namespace": NS,
            "labels": {
                "projectsveltos.io/cluster-name": cluster,
                "projectsveltos.io/cluster-type": "Sveltos",
            },
            "ownerReferences": [{
                "apiVersion": "config.projectsveltos.io/v1beta1",
                "kind": "ClusterProfile",
                "name": "p",
                "uid": "00000000-0000-0000-0000-000000000001",
            }],
        },
        "spec": {"clusterNamespace": NS, "clusterName": cluster, "clusterType": "Sveltos",
                 "clusterProfileSpec": {}},
        "status": status,
    })
}

fn feature(status: &str, message: Option<&str>) -> Value {
    let mut f = json!({"featureID": "Helm", "status": status});
    if let Some(m) = message {
        f["failureMessage"] = json!(m);
    }
    f
}

fn release(status: &str, extra: Value) -> Value {
    let mut r = json!({"releaseName": "r", "releaseNamespace": "n", "status": status});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    r
}

#[tokio::test]
async fn each_health_rule_case_by_case() {
    // (cluster, summary status, [hasIssues, isProvisioning, hasOutdatedHelmCharts])
    let cases: Vec<(&str, Option<Value>, [bool; 3])> = vec![
        (
            "failed",
            Some(json!({"featureSummaries": [feature("Failed", None)]})),
            [true, false, false],
        ),
        (
            "non-retriable",
            Some(json!({"featureSummaries": [feature("FailedNonRetriable", None)]})),
            [true, false, false],
        ),
        (
            "retrying",
            Some(json!({"featureSummaries": [feature("Provisioning", Some("timeout"))]})),
            [true, false, false],
        ),
        (
            "provisioning",
            Some(json!({"featureSummaries": [feature("Provisioning", None)]})),
            [false, true, false],
        ),
        (
            "waiting",
            Some(json!({"dependencies": "waiting for p0"})),
            [false, true, false],
        ),
        ("no-features", Some(json!({})), [false, false, false]),
        (
            "deployed",
            Some(json!({"dependencies": "All dependencies deployed",
                                 "featureSummaries": [feature("Provisioned", None)]})),
            [false, false, false],
        ),
        (
            "issues-and-provisioning",
            Some(json!({"dependencies": "waiting",
                                 "featureSummaries": [feature("Failed", None), {"featureID": "Resources", "status": "Provisioning"}]})),
            [true, false, false],
        ),
        (
            "removing",
            Some(json!({"featureSummaries": [feature("Removing", None)]})),
            [false, false, false],
        ),
        (
            "outdated",
            Some(json!({"featureSummaries": [feature("Provisioned", None)],
                                 "helmReleaseSummaries": [release("Managing", json!({"latestVersion": "2.0.0"}))]})),
            [false, false, true],
        ),
        (
            "outdated-patch",
            Some(json!({"featureSummaries": [feature("Provisioned", None)],
                                 "helmReleaseSummaries": [release("Managing", json!({"latestPatchVersion": "1.0.1"}))]})),
            [false, false, true],
        ),
        (
            "only-checked",
            Some(json!({"featureSummaries": [feature("Provisioned", None)],
                                 "helmReleaseSummaries": [release("Managing", json!({"lastCheckedTime": "2026-01-01T00:00:00Z"}))]})),
            [false, false, false],
        ),
        (
            "conflict",
            Some(json!({"featureSummaries": [feature("Provisioned", None)],
                                 "helmReleaseSummaries": [release("Conflict", json!({"latestVersion": "2.0.0"}))]})),
            [false, false, false],
        ),
        ("no-summary", None, [false, false, false]),
    ];
    let mut objects =
        vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})];
    for (name, status, _) in &cases {
        objects.push(cluster(name));
        if let Some(status) = status {
            objects.push(summary(name, status.clone()));
        }
    }
    let world = fleet::start(objects, |c| c.auth.auth_disabled = true).await;
    let body = world
        .server
        .gql("{ clusters(first: 100) { edges { node { name health { hasIssues isProvisioning hasOutdatedHelmCharts } } } } }")
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let edges = body["data"]["clusters"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), cases.len());
    for (name, _, flags) in &cases {
        let node = &edges.iter().find(|e| e["node"]["name"] == *name).unwrap()["node"];
        assert_eq!(
            node["health"],
            json!({"hasIssues": flags[0], "isProvisioning": flags[1], "hasOutdatedHelmCharts": flags[2]}),
            "{name}"
        );
    }
    for (i, filter) in ["hasIssues", "isProvisioning", "hasOutdatedHelmCharts"]
        .iter()
        .enumerate()
    {
        for value in [true, false] {
            let body = world
                .server
                .gql(&format!("{{ clusters(first: 100, filter: {{{filter}: {value}}}) {{ edges {{ node {{ name }} }} }} }}"))
                .await;
            let got: BTreeSet<String> = body["data"]["clusters"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_string())
                .collect();
            let expected: BTreeSet<String> = cases
                .iter()
                .filter(|c| c.2[i] == value)
                .map(|c| c.0.to_string())
                .collect();
            assert_eq!(got, expected, "{filter}: {value}");
        }
    }
    world.server.shutdown().await;
}
