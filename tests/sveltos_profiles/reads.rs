//! Reads come from the cache, and callers see only the profiles and clusters they may.

use super::*;

const EVERYTHING: &str = r#"{
  profiles(first: 100) { totalCount edges { node { name tier
    dependencies { name } dependents { name } unresolvedDependencies specJson
    matchingClusters(first: 100) { totalCount edges { node { clusterName cluster { name }
      features { featureId status } } } } } } }
  profileTiers { tier profiles(first: 100) { totalCount } }
}"#;

#[tokio::test]
async fn a_read_makes_no_kubernetes_api_calls_after_sync() {
    let world = start(9).await;
    let before = world.sim.counters();
    for _ in 0..3 {
        let data = ok(&world, EVERYTHING, json!({})).await;
        assert!(data["profiles"]["totalCount"].as_u64().unwrap() > 0);
    }
    let after = world.sim.counters();
    let delta: Vec<_> = after
        .by_request
        .iter()
        .filter(|(k, v)| before.by_request.get(*k) != Some(*v) && k.0 != "watch")
        .collect();
    assert!(delta.is_empty(), "API calls made by reads: {delta:?}");
    world.server.shutdown().await;
}

#[tokio::test]
async fn callers_see_only_the_profiles_and_clusters_they_may() {
    let world = fleet::start(generate(&FleetSpec::small(13)), |_| {}).await;
    let anonymous = world
        .server
        .gql_vars(&page_query(), json!({ "first": 10 }))
        .await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);

    // A user who may read Profiles and SveltosClusters in one namespace, nothing else.
    let profile = world
        .of_kind("Profile")
        .into_iter()
        .find(|p| {
            p["status"]["matchingClusters"]
                .as_array()
                .is_some_and(|m| m.iter().any(|c| c["kind"] == "SveltosCluster"))
        })
        .expect("a Profile matching a SveltosCluster");
    let namespace = profile["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let name = profile["metadata"]["name"].as_str().unwrap().to_string();
    world.sim.add_token("dev-token", "dev", &["devs"]);
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{ name: profile-reader, namespace: {namespace} }}
rules:
- apiGroups: ["config.projectsveltos.io"]
  resources: ["profiles"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["lib.projectsveltos.io"]
  resources: ["sveltosclusters"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-read-profiles, namespace: {namespace} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: profile-reader }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    let ask = |query: String, variables: Value| {
        let world = &world;
        async move {
            let response = world
                .server
                .http
                .post(world.server.endpoint("/graphql"))
                .bearer_auth("dev-token")
                .json(&json!({ "query": query, "variables": variables }))
                .send()
                .await
                .unwrap();
            let body: Value = response.json().await.unwrap();
            assert!(body.get("errors").is_none(), "{body}");
            body["data"].clone()
        }
    };
    let listed = ask(page_query(), json!({ "first": 100 })).await["profiles"].clone();
    let want: Vec<Key> = expected(&world)
        .into_iter()
        .filter(|p| p.kind == "PROFILE" && p.namespace == namespace)
        .map(|p| p.key())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(keys(&listed), want);
    assert_eq!(listed["totalCount"], want.len());

    let one = r#"query One($kind: ProfileKind!, $namespace: String, $name: String!) {
      profile(kind: $kind, namespace: $namespace, name: $name) {
        name matchingClusters(first: 100) { totalCount edges { node { clusterKind clusterNamespace } } } } }"#;
    let data = ask(
        one.to_string(),
        json!({ "kind": "PROFILE", "namespace": namespace, "name": name }),
    )
    .await;
    let rows = &data["profile"]["matchingClusters"];
    let sveltos = profile["status"]["matchingClusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "SveltosCluster")
        .count();
    assert_eq!(
        rows["totalCount"], sveltos,
        "hidden CAPI clusters are not counted: {rows}"
    );
    assert!(
        rows["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["clusterKind"] == "SVELTOS")
    );

    // A ClusterProfile the user may not see is null, as if absent.
    let cluster_profile = world.of_kind("ClusterProfile")[0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let data = ask(
        one.to_string(),
        json!({ "kind": "CLUSTER_PROFILE", "name": cluster_profile }),
    )
    .await;
    assert!(data["profile"].is_null());
    world.server.shutdown().await;
}
