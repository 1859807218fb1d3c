//! The Sveltos dashboard's cluster page in one query: clusters with health flags, helm releases,
//! deployed resources and profile statuses, batched, with no Kubernetes API calls.

mod common;

use std::collections::BTreeMap;

use common::fleet;
use common::server::error_codes;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::json;

const CLUSTER_PAGE: &str = r#"query ClusterPage($first: Int) {
  clusters(first: $first) {
    totalCount
    edges { node {
      kind namespace name ready version
      health { hasIssues isProvisioning hasOutdatedHelmCharts }
      helmReleases(first: 100) { totalCount edges { node {
        releaseName releaseNamespace chartVersion repoUrl lastAppliedTime outdated latestVersion latestPatchVersion
        profile { kind namespace name } } } }
      deployedResources(first: 100) { totalCount edges { node {
        group version kind namespace name lastAppliedTime profiles { kind namespace name } } } }
      profileStatuses(first: 100) { totalCount edges { node {
        profile { kind name } featureId status statusText failureMessage } } }
    } }
  }
}"#;

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs `query` with the per-cluster filters both filter tests use: failed statuses, outdated
/// releases, ConfigMaps.
async fn with_filters(world: &fleet::FleetWorld, query: &str) -> serde_json::Value {
    let body = world
        .server
        .gql_vars(
            query,
            json!({ "sf": { "failedOnly": true }, "hf": { "outdatedOnly": true }, "rf": { "kind": "CONFIGMAP" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body
}

async fn batches(world: &fleet::FleetWorld) -> u64 {
    let text = world.server.get("/metrics").await.text().await.unwrap();
    metric(
        &text,
        "fleetgraph_dataloader_batches_total{loader=\"cluster_addons\"}",
    )
}

#[tokio::test]
async fn one_query_renders_the_cluster_page_with_batched_loads_and_no_api_calls() {
    let world = fleet::start(generate(&FleetSpec::demo(21)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let before_calls = world.sim.counters();

    let before = batches(&world).await;
    let small = world
        .server
        .gql_vars(CLUSTER_PAGE, json!({ "first": 10 }))
        .await;
    assert!(small.get("errors").is_none(), "{small}");
    let after_small = batches(&world).await;
    let full = world
        .server
        .gql_vars(CLUSTER_PAGE, json!({ "first": 100 }))
        .await;
    assert!(full.get("errors").is_none(), "{}", &full.to_string()[..500]);
    let after_full = batches(&world).await;
    // Three edges per cluster, 10 or 100 clusters: one batch per request either way.
    assert_eq!(after_small - before, 1, "10 clusters");
    assert_eq!(after_full - after_small, 1, "100 clusters");

    let edges = full["data"]["clusters"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 100);
    let with_releases = edges
        .iter()
        .filter(|e| e["node"]["helmReleases"]["totalCount"].as_u64().unwrap() > 0)
        .count();
    let with_statuses = edges
        .iter()
        .filter(|e| e["node"]["profileStatuses"]["totalCount"].as_u64().unwrap() > 0)
        .count();
    assert!(with_releases > 0 && with_statuses > 0);

    // Every cluster whose helm releases include an outdated one is flagged, and vice versa
    // only through Managing releases with a newer version.
    for edge in edges {
        let node = &edge["node"];
        let releases = node["helmReleases"]["edges"].as_array().unwrap();
        if releases.iter().any(|r| r["node"]["outdated"] == true) {
            assert_eq!(node["health"]["hasOutdatedHelmCharts"], true, "{node}");
        }
        // Helm releases: oldest first, ties by namespace/name.
        let keys: Vec<(String, String, String)> = releases
            .iter()
            .map(|r| {
                let n = &r["node"];
                (
                    n["lastAppliedTime"].as_str().unwrap_or("~").to_string(),
                    n["releaseNamespace"].as_str().unwrap().to_string(),
                    n["releaseName"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "helm order on {}", node["name"]);
        // Resources are merged by identity: no two rows for the same object.
        let mut identities = BTreeMap::new();
        for r in node["deployedResources"]["edges"].as_array().unwrap() {
            let n = &r["node"];
            let id = format!(
                "{}/{}/{}/{}/{}",
                n["group"], n["version"], n["kind"], n["namespace"], n["name"]
            );
            assert!(
                identities.insert(id, n["profiles"].clone()).is_none(),
                "duplicate row on {}",
                node["name"]
            );
        }
        // Statuses sorted by profile kind, name, feature.
        let statuses: Vec<(String, String, String)> = node["profileStatuses"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let n = &s["node"];
                (
                    n["profile"]["kind"].as_str().unwrap().to_string(),
                    n["profile"]["name"].as_str().unwrap().to_string(),
                    n["featureId"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(statuses, sorted);
    }
    // The generator deploys some resources from two profiles: they are one row with both.
    let shared = edges.iter().any(|e| {
        e["node"]["deployedResources"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["node"]["profiles"].as_array().unwrap().len() > 1)
    });
    assert!(
        shared,
        "a resource deployed by two profiles is merged into one row"
    );

    let after_calls = world.sim.counters();
    let made: Vec<_> = after_calls
        .by_request
        .iter()
        .filter(|(k, v)| before_calls.by_request.get(*k) != Some(*v) && k.0 != "watch")
        .collect();
    assert!(
        made.is_empty(),
        "Kubernetes API calls during reads: {made:?}"
    );
    world.server.shutdown().await;
}

#[tokio::test]
async fn per_cluster_filters() {
    let world = fleet::start(generate(&FleetSpec::small(4)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let query = r#"query($sf: ProfileStatusFilter, $hf: HelmReleaseFilter, $rf: DeployedResourceFilter) {
      clusters(first: 100) { edges { node { name
        all: profileStatuses(first: 100) { totalCount edges { node { status profile { kind name } } } }
        failed: profileStatuses(first: 100, filter: $sf) { totalCount edges { node { status } } }
        helm: helmReleases(first: 100, filter: $hf) { totalCount edges { node { outdated releaseName } } }
        res: deployedResources(first: 100, filter: $rf) { totalCount edges { node { kind } } }
      } } } }"#;
    let body = with_filters(&world, query).await;
    let mut saw_failed = false;
    for edge in body["data"]["clusters"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let settled = node["all"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| {
                matches!(
                    s["node"]["status"].as_str(),
                    Some("PROVISIONED") | Some("REMOVED")
                )
            })
            .count() as u64;
        assert_eq!(
            node["failed"]["totalCount"].as_u64().unwrap(),
            node["all"]["totalCount"].as_u64().unwrap() - settled
        );
        saw_failed |= node["failed"]["totalCount"].as_u64().unwrap() > 0;
        for h in node["helm"]["edges"].as_array().unwrap() {
            assert_eq!(h["node"]["outdated"], true);
        }
        for r in node["res"]["edges"].as_array().unwrap() {
            assert_eq!(
                r["node"]["kind"].as_str().unwrap().to_lowercase(),
                "configmap"
            );
        }
    }
    assert!(saw_failed, "the small world has unsettled features");
    let bad = world
        .server
        .gql("{ clusters(first: 1) { edges { node { helmReleases(first: 1000) { totalCount } } } } }")
        .await;
    assert_eq!(error_codes(&bad), vec!["BAD_USER_INPUT"], "{bad}");
    world.server.shutdown().await;
}

/// Asking a per-cluster list for `totalCount` alone takes a shorter path (no page is built):
/// its counts equal those of the same list read in full, with and without filters, and its
/// arguments are checked the same way.
#[tokio::test]
async fn counts_alone_agree_with_full_lists() {
    let world = fleet::start(generate(&FleetSpec::small(4)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let query = r#"query($sf: ProfileStatusFilter, $hf: HelmReleaseFilter, $rf: DeployedResourceFilter) {
      clusters(first: 100) { edges { node { name
        helmCount: helmReleases { totalCount }
        helmAll: helmReleases(first: 100) { totalCount edges { cursor } }
        outdatedCount: helmReleases(filter: $hf) { totalCount }
        outdatedAll: helmReleases(first: 100, filter: $hf) { totalCount edges { cursor } }
        resCount: deployedResources { totalCount }
        resAll: deployedResources(first: 100) { totalCount edges { cursor } }
        configMapCount: deployedResources(filter: $rf) { totalCount }
        configMapAll: deployedResources(first: 100, filter: $rf) { totalCount edges { cursor } }
        statusCount: profileStatuses { totalCount }
        statusAll: profileStatuses(first: 100) { totalCount edges { cursor } }
        failedCount: profileStatuses(filter: $sf) { totalCount }
        failedAll: profileStatuses(first: 100, filter: $sf) { totalCount edges { cursor } }
      } } } }"#;
    let body = with_filters(&world, query).await;
    let pairs = [
        ("helmCount", "helmAll"),
        ("outdatedCount", "outdatedAll"),
        ("resCount", "resAll"),
        ("configMapCount", "configMapAll"),
        ("statusCount", "statusAll"),
        ("failedCount", "failedAll"),
    ];
    let mut nonzero = BTreeMap::new();
    for edge in body["data"]["clusters"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        for (count, all) in pairs {
            let counted = node[count]["totalCount"].as_u64().unwrap();
            let listed = node[all]["edges"].as_array().unwrap().len() as u64;
            assert_eq!(
                counted,
                node[all]["totalCount"].as_u64().unwrap(),
                "{count}"
            );
            assert_eq!(counted, listed, "{count} on {}", node["name"]);
            *nonzero.entry(count).or_insert(0) += u64::from(counted > 0);
        }
    }
    for count in ["helmCount", "resCount", "statusCount", "failedCount"] {
        assert!(nonzero[count] > 0, "some cluster has a nonzero {count}");
    }
    for bad_args in [r#"first: -1"#, r#"after: "%%""#, r#"first: 1, last: 1"#] {
        let bad = world
            .server
            .gql(&format!(
                "{{ clusters(first: 1) {{ edges {{ node {{ helmReleases({bad_args}) {{ totalCount }} }} }} }} }}"
            ))
            .await;
        assert_eq!(
            error_codes(&bad),
            vec!["BAD_USER_INPUT"],
            "{bad_args}: {bad}"
        );
    }
    world.server.shutdown().await;
}
