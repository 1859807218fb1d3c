//! Matching clusters follow kubesim: a deleted cluster stays listed (Sveltos still reports
//! it) without its object, and a summary for a cluster missing from the profile's status
//! shows as not listed in status.

use super::*;

const ROWS: &str = r#"query Rows($name: String!) {
  profile(kind: CLUSTER_PROFILE, name: $name) {
    matchingClusters(first: 100) { totalCount edges { node {
      clusterKind clusterNamespace clusterName listedInStatus clusterSummaryName
      cluster { name } features { featureId statusText } } } }
  }
}"#;

fn row<'a>(data: &'a Value, namespace: &str, name: &str) -> Option<&'a Value> {
    data["profile"]["matchingClusters"]["edges"]
        .as_array()?
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["clusterNamespace"] == namespace && n["clusterName"] == name)
}

async fn until_row(
    world: &FleetWorld,
    profile: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let data = ok(world, ROWS, json!({ "name": profile })).await;
        if check(&data) {
            return data;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}: {data}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn matching_clusters_follow_deleted_clusters_and_new_summaries() {
    let world = start(19).await;
    let summary = world
        .of_kind("ClusterSummary")
        .into_iter()
        .find(|s| {
            s["spec"]["clusterType"] == "Sveltos"
                && s["metadata"]["ownerReferences"][0]["kind"] == "ClusterProfile"
        })
        .expect("a ClusterProfile's summary on a SveltosCluster")
        .clone();
    let profile = summary["metadata"]["ownerReferences"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let namespace = summary["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let cluster = summary["spec"]["clusterName"].as_str().unwrap().to_string();
    let before = ok(&world, ROWS, json!({ "name": profile })).await;
    let listed = row(&before, &namespace, &cluster)
        .expect("the cluster is listed")
        .clone();
    assert_eq!(listed["cluster"]["name"], cluster.as_str());
    assert_eq!(listed["clusterSummaryName"], summary["metadata"]["name"]);

    world
        .sim
        .delete_object(
            "lib.projectsveltos.io/v1beta1",
            "SveltosCluster",
            &namespace,
            &cluster,
        )
        .expect("cluster deleted");
    let after = until_row(&world, &profile, "the cluster's deletion", |d| {
        row(d, &namespace, &cluster).is_some_and(|r| r["cluster"].is_null())
    })
    .await;
    let gone = row(&after, &namespace, &cluster).unwrap();
    assert_eq!(gone["listedInStatus"], true, "status still names it");
    assert_eq!(gone["features"], listed["features"]);
    assert_eq!(
        after["profile"]["matchingClusters"]["totalCount"],
        before["profile"]["matchingClusters"]["totalCount"]
    );

    // A summary for a cluster the profile's status does not list yet.
    let other = world
        .of_kind("SveltosCluster")
        .into_iter()
        .map(|c| {
            (
                c["metadata"]["namespace"].as_str().unwrap().to_string(),
                c["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .find(|(ns, name)| row(&before, ns, name).is_none())
        .expect("a cluster the profile does not match");
    let mut extra = summary.clone();
    let extra_name = format!("{profile}-sveltos-{}", other.1);
    extra["metadata"]["name"] = json!(extra_name);
    extra["metadata"]["namespace"] = json!(other.0);
    extra["metadata"]["labels"]["projectsveltos.io/cluster-name"] = json!(other.1);
    extra["spec"]["clusterName"] = json!(other.1);
    extra["spec"]["clusterNamespace"] = json!(other.0);
    world.sim.apply_object(extra).expect("summary applied");
    let with_extra = until_row(&world, &profile, "the new summary", |d| {
        row(d, &other.0, &other.1).is_some()
    })
    .await;
    let new_row = row(&with_extra, &other.0, &other.1).unwrap();
    assert_eq!(new_row["listedInStatus"], false);
    assert_eq!(new_row["clusterSummaryName"], extra_name.as_str());
    assert_eq!(new_row["cluster"]["name"], other.1.as_str());
    assert_eq!(new_row["features"], listed["features"]);
    world.server.shutdown().await;
}
