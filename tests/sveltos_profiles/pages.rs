//! Pagination edges of the connections under a profile and a tier, and the dependency note of
//! each matching cluster.

use super::*;
use common::pages::Connection;

#[tokio::test]
async fn matching_clusters_and_tier_profiles_page_to_their_edges() {
    let world = start(19).await;
    let all = expected(&world);

    // The profile with the most matching clusters pages through them.
    let counts = ok(
        &world,
        "{ profiles(first: 100) { edges { node { kind namespace name matchingClusters { totalCount } } } } }",
        json!({}),
    )
    .await;
    let busiest = counts["profiles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .max_by_key(|n| n["matchingClusters"]["totalCount"].as_u64().unwrap())
        .unwrap();
    let total = busiest["matchingClusters"]["totalCount"].as_u64().unwrap() as usize;
    assert!(total > 1, "{busiest}");
    let query = r#"query($kind: ProfileKind!, $namespace: String, $name: String!, $first: Int, $after: String) {
      profile(kind: $kind, namespace: $namespace, name: $name) {
        matchingClusters(first: $first, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
          edges { cursor node { clusterNamespace clusterName clusterSummaryName dependenciesStatus } } } } }"#;
    let variables = json!({"kind": busiest["kind"], "namespace": busiest["namespace"], "name": busiest["name"]});
    Connection {
        server: &world.server,
        token: None,
        query,
        pointer: "/data/profile/matchingClusters",
        variables: variables.clone(),
    }
    .assert_edges(total)
    .await;

    // Each row's dependency note is its ClusterSummary's `status.dependencies`.
    let mut saw_note = false;
    for profile in counts["profiles"]["edges"].as_array().unwrap() {
        let p = &profile["node"];
        let variables = json!({"kind": p["kind"], "namespace": p["namespace"], "name": p["name"], "first": 100});
        let body = ok(&world, query, variables).await;
        for row in body["profile"]["matchingClusters"]["edges"]
            .as_array()
            .unwrap()
        {
            let row = &row["node"];
            let summary = world.objects.iter().find(|o| {
                o["kind"] == "ClusterSummary"
                    && o["metadata"]["namespace"] == row["clusterNamespace"]
                    && o["metadata"]["name"] == row["clusterSummaryName"]
            });
            let want = summary
                .map(|s| s["status"]["dependencies"].clone())
                .unwrap_or(Value::Null);
            assert_eq!(row["dependenciesStatus"], want, "{row}");
            saw_note |= !want.is_null();
        }
    }
    assert!(saw_note, "the world has summaries with a dependency note");

    // The largest tier pages through its profiles.
    let mut sizes: BTreeMap<i64, usize> = BTreeMap::new();
    for p in &all {
        *sizes.entry(p.tier).or_default() += 1;
    }
    let (index, (_, size)) = sizes
        .iter()
        .enumerate()
        .max_by_key(|(_, (_, n))| **n)
        .unwrap();
    assert!(*size > 1);
    let pointer = format!("/data/profileTiers/{index}/profiles");
    Connection {
        server: &world.server,
        token: None,
        query: r#"query($first: Int, $after: String) { profileTiers { tier profiles(first: $first, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor } } } }"#,
        pointer: &pointer,
        variables: json!({}),
    }
    .assert_edges(*size)
    .await;
    world.server.shutdown().await;
}
