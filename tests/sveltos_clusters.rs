//! `clusters` over HTTP against a kubesim management cluster: filters, order, pagination,
//! health flags, authorization and "no API calls per read".

mod common;

use std::collections::BTreeSet;

use common::fleet;
use common::server::error_codes;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

const PAGE: &str = r#"query Page($filter: ClusterFilter, $orderBy: ClusterOrderBy, $first: Int, $after: String, $last: Int, $before: String) {
  clusters(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id kind namespace name version ready paused pullMode failureMessage
      labels { key value } health { hasIssues isProvisioning hasOutdatedHelmCharts }
      ... on SveltosCluster { connectionStatus } } }
  }
}"#;

fn names(body: &Value) -> Vec<(String, String, String)> {
    body["data"]["clusters"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {body}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["namespace"].as_str().unwrap().to_string(),
                n["name"].as_str().unwrap().to_string(),
                n["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn page(world: &fleet::FleetWorld, variables: Value) -> Value {
    world.server.gql_vars(PAGE, variables).await
}

#[tokio::test]
async fn clusters_are_listed_filtered_ordered_and_paged() {
    let world = fleet::start(generate(&FleetSpec::small(3)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let expected = world.of_kind("Cluster").len() + world.of_kind("SveltosCluster").len();

    let all = page(&world, json!({ "first": 100 })).await;
    assert!(all.get("errors").is_none(), "{all}");
    assert_eq!(all["data"]["clusters"]["totalCount"], expected);
    let listed = names(&all);
    assert_eq!(listed.len(), expected.min(100));
    let mut sorted = listed.clone();
    sorted.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
    assert_eq!(listed, sorted, "namespace, name, kind order");

    // Paging through with cursors visits every cluster once, in order.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = page(&world, json!({ "first": 3, "after": after })).await;
        seen.extend(names(&body));
        let info = &body["data"]["clusters"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen, listed);
    // Backwards from the end.
    let tail = page(&world, json!({ "last": 2 })).await;
    assert_eq!(names(&tail), listed[listed.len() - 2..].to_vec());

    // Filters: kind, case-insensitive name substring, label selector.
    let sveltos = page(
        &world,
        json!({ "first": 100, "filter": { "kind": "SVELTOS" } }),
    )
    .await;
    assert_eq!(
        sveltos["data"]["clusters"]["totalCount"],
        world.of_kind("SveltosCluster").len()
    );
    assert!(names(&sveltos).iter().all(|(_, _, k)| k == "SVELTOS"));
    let first_name = listed[0].1.clone();
    let upper = first_name.to_uppercase();
    let by_name = page(&world, json!({ "first": 100, "filter": { "name": upper } })).await;
    assert!(names(&by_name).iter().any(|(_, n, _)| *n == first_name));
    assert!(
        names(&by_name)
            .iter()
            .all(|(_, n, _)| n.to_lowercase().contains(&first_name.to_lowercase()))
    );
    let some_label = all["data"]["clusters"]["edges"][0]["node"]["labels"][0].clone();
    let selector = format!(
        "{}={}",
        some_label["key"].as_str().unwrap(),
        some_label["value"].as_str().unwrap()
    );
    let by_label = page(
        &world,
        json!({ "first": 100, "filter": { "labelSelector": selector } }),
    )
    .await;
    let labelled = names(&by_label);
    assert!(!labelled.is_empty());
    for edge in by_label["data"]["clusters"]["edges"].as_array().unwrap() {
        assert!(
            edge["node"]["labels"]
                .as_array()
                .unwrap()
                .contains(&some_label)
        );
    }
    let negated = page(&world, json!({ "first": 100, "filter": { "labelSelector": format!("!{}", some_label["key"].as_str().unwrap()) } })).await;
    let negated: BTreeSet<_> = names(&negated).into_iter().collect();
    assert!(labelled.iter().all(|c| !negated.contains(c)));

    // Health flags: the generated world has clusters with issues.
    let issues = page(
        &world,
        json!({ "first": 100, "filter": { "hasIssues": true } }),
    )
    .await;
    assert!(
        issues["data"]["clusters"]["totalCount"].as_u64().unwrap() > 0,
        "{issues}"
    );
    for edge in issues["data"]["clusters"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["health"]["hasIssues"], true);
        assert_eq!(
            edge["node"]["health"]["isProvisioning"], false,
            "issues exclude provisioning"
        );
    }

    // Order by name descending.
    let by_name_desc = page(
        &world,
        json!({ "first": 100, "orderBy": { "field": "NAME", "direction": "DESC" } }),
    )
    .await;
    let desc = names(&by_name_desc);
    let mut expected_desc = listed.clone();
    expected_desc.sort_by(|a, b| (&b.1, &b.0, &b.2).cmp(&(&a.1, &a.0, &a.2)));
    assert_eq!(desc, expected_desc);
    world.server.shutdown().await;
}

#[tokio::test]
async fn bad_input_is_coded() {
    let world = fleet::start(generate(&FleetSpec::small(5)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "after": "not-a-cursor" }), "after"),
        (
            json!({ "filter": { "labelSelector": "env in (prod" } }),
            "filter.labelSelector",
        ),
    ] {
        let body = page(&world, variables.clone()).await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{variables}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // A cursor from another order is refused rather than misread.
    let by_name = page(
        &world,
        json!({ "first": 1, "orderBy": { "field": "NAME" } }),
    )
    .await;
    let cursor = by_name["data"]["clusters"]["pageInfo"]["endCursor"].clone();
    let body = page(&world, json!({ "first": 1, "after": cursor })).await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    world.server.shutdown().await;
}

#[tokio::test]
async fn a_read_makes_no_kubernetes_api_calls_after_sync() {
    let world = fleet::start(generate(&FleetSpec::small(9)), |c| {
        c.auth.auth_disabled = true
    })
    .await;
    let before = world.sim.counters();
    for _ in 0..3 {
        let body = page(&world, json!({ "first": 100 })).await;
        assert!(body.get("errors").is_none(), "{body}");
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
async fn callers_see_only_what_they_may() {
    let world = fleet::start(generate(&FleetSpec::small(13)), |_| {}).await;
    let anonymous = page(&world, json!({ "first": 10 })).await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);

    // A Kubernetes user allowed to list SveltosClusters in one namespace only.
    let sveltos = world.of_kind("SveltosCluster");
    let namespace = sveltos[0]["metadata"]["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    world.sim.add_token("dev-token", "dev", &["devs"]);
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{ name: sveltos-reader, namespace: {namespace} }}
rules:
- apiGroups: ["lib.projectsveltos.io"]
  resources: ["sveltosclusters"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-read, namespace: {namespace} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: sveltos-reader }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    let before = world.sim.counters();
    let response = world
        .server
        .http
        .post(world.server.endpoint("/graphql"))
        .bearer_auth("dev-token")
        .json(&json!({ "query": PAGE, "variables": { "first": 100 } }))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    let visible = names(&body);
    let expected = sveltos
        .iter()
        .filter(|o| o["metadata"]["namespace"] == namespace.as_str())
        .count();
    assert_eq!(visible.len(), expected, "{visible:?}");
    assert!(
        visible
            .iter()
            .all(|(ns, _, kind)| *ns == namespace && kind == "SVELTOS")
    );
    let after = world.sim.counters();
    let reviews = after.get("create", "authorization.k8s.io", "subjectaccessreviews")
        - before.get("create", "authorization.k8s.io", "subjectaccessreviews");
    assert!(reviews > 0, "the user was reviewed");
    // The same request again is answered from the per-principal cache.
    let again = world
        .server
        .http
        .post(world.server.endpoint("/graphql"))
        .bearer_auth("dev-token")
        .json(&json!({ "query": PAGE, "variables": { "first": 100 } }))
        .send()
        .await
        .unwrap();
    let again: Value = again.json().await.unwrap();
    assert_eq!(names(&again), visible);
    let cached = world.sim.counters();
    assert_eq!(
        cached.get("create", "authorization.k8s.io", "subjectaccessreviews"),
        after.get("create", "authorization.k8s.io", "subjectaccessreviews"),
        "no new reviews"
    );
    assert_eq!(
        cached.get("create", "authentication.k8s.io", "tokenreviews"),
        after.get("create", "authentication.k8s.io", "tokenreviews"),
        "token review cached"
    );
    world.server.shutdown().await;
}

#[tokio::test]
async fn node_resolves_ids_for_those_who_may_see_them() {
    let world = fleet::start(generate(&FleetSpec::small(17)), |_| {}).await;
    world.sim.add_token("ops-token", "ops-user", &["platform"]);
    world
        .sim
        .load_yaml(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: platform-view }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
- { kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io }
"#,
        )
        .expect("rbac");
    world.sim.add_token("nobody-token", "nobody", &["nobodies"]);
    let ask = |token: &'static str, query: String| {
        let http = world.server.http.clone();
        let url = world.server.endpoint("/graphql");
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({ "query": query }))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let listed = ask(
        "ops-token",
        "{ clusters(first: 2) { edges { node { id name kind } } } }".into(),
    )
    .await;
    let first = &listed["data"]["clusters"]["edges"][0]["node"];
    let id = first["id"].as_str().unwrap().to_string();

    let found = ask(
        "ops-token",
        format!("{{ node(id: \"{id}\") {{ id ... on Cluster {{ name kind }} }} }}"),
    )
    .await;
    assert_eq!(found["data"]["node"]["id"], id.as_str(), "{found}");
    assert_eq!(found["data"]["node"]["name"], first["name"]);

    let hidden = ask("nobody-token", format!("{{ node(id: \"{id}\") {{ id }} }}")).await;
    assert!(hidden.get("errors").is_none(), "{hidden}");
    assert!(
        hidden["data"]["node"].is_null(),
        "invisible objects are null: {hidden}"
    );

    let forged = ask("ops-token", "{ node(id: \"bm9wZQ\") { id } }".into()).await;
    assert_eq!(error_codes(&forged), vec!["BAD_USER_INPUT"]);

    let profiles = ask(
        "ops-token",
        "{ profiles(first: 1) { edges { node { id name } } } }".into(),
    )
    .await;
    let profile = &profiles["data"]["profiles"]["edges"][0]["node"];
    let profile_id = profile["id"].as_str().unwrap();
    let found = ask(
        "ops-token",
        format!("{{ node(id: \"{profile_id}\") {{ id ... on Profile {{ name }} }} }}"),
    )
    .await;
    assert_eq!(found["data"]["node"]["name"], profile["name"], "{found}");

    let both = ask(
        "ops-token",
        format!("{{ nodes(ids: [\"{id}\", \"{id}\"]) {{ id }} }}"),
    )
    .await;
    assert_eq!(both["data"]["nodes"].as_array().unwrap().len(), 2);
    world.server.shutdown().await;
}
