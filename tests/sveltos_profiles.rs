//! `profiles`, `profileTiers` and `profile` over HTTP against a kubesim management cluster:
//! fields, filters, order, pagination, dependency rules, matching clusters, live changes, and no
//! Kubernetes API calls per read.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::fleet::{self, FleetWorld};
use common::server::error_codes;
use fleetgraph::fleet::generator::{FleetSpec, MISSING_DEPENDENCY, generate};
use serde_json::{Value, json};

const FIELDS: &str = "id kind namespace name uid tier syncMode";

fn page_query() -> String {
    format!(
        r#"query Page($filter: ProfileFilter, $orderBy: ProfileOrderBy, $first: Int, $after: String, $last: Int, $before: String) {{
  profiles(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {FIELDS} }} }}
  }}
}}"#
    )
}

/// (namespace, name, kind) of a listed profile.
type Key = (String, String, String);

/// A profile of the generated world as the test reads it from the objects.
#[derive(Clone, Debug)]
struct Expected {
    kind: &'static str,
    namespace: String,
    name: String,
    tier: i64,
    sync_mode: String,
}

impl Expected {
    fn key(&self) -> Key {
        (
            self.namespace.clone(),
            self.name.clone(),
            self.kind.to_string(),
        )
    }
}

fn graphql_kind(kind: &str) -> &'static str {
    if kind == "ClusterProfile" {
        "CLUSTER_PROFILE"
    } else {
        "PROFILE"
    }
}

fn expected(world: &FleetWorld) -> Vec<Expected> {
    let mut all: Vec<Expected> = world
        .objects
        .iter()
        .filter(|o| o["kind"] == "ClusterProfile" || o["kind"] == "Profile")
        .map(|o| Expected {
            kind: graphql_kind(o["kind"].as_str().unwrap()),
            namespace: o["metadata"]["namespace"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            name: o["metadata"]["name"].as_str().unwrap().to_string(),
            tier: o["spec"]["tier"].as_i64().unwrap_or(100),
            sync_mode: o["spec"]["syncMode"]
                .as_str()
                .unwrap_or("Continuous")
                .to_string(),
        })
        .collect();
    all.sort_by_key(Expected::key);
    all
}

fn screaming(mode: &str) -> String {
    let mut out = String::new();
    for (i, c) in mode.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

fn keys(connection: &Value) -> Vec<Key> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges: {connection}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["namespace"].as_str().unwrap_or("").to_string(),
                n["name"].as_str().unwrap().to_string(),
                n["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn ok(world: &FleetWorld, query: &str, variables: Value) -> Value {
    let body = world.server.gql_vars(query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn page(world: &FleetWorld, variables: Value) -> Value {
    ok(world, &page_query(), variables).await["profiles"].clone()
}

async fn start(seed: u64) -> FleetWorld {
    fleet::start(generate(&FleetSpec::small(seed)), |c| {
        c.auth.auth_disabled = true
    })
    .await
}

#[tokio::test]
async fn profiles_are_listed_filtered_ordered_and_paged() {
    let world = start(3).await;
    let all = expected(&world);
    assert!(
        all.iter().any(|p| p.kind == "PROFILE") && all.iter().any(|p| p.kind == "CLUSTER_PROFILE")
    );
    let listed = page(&world, json!({ "first": 100 })).await;
    assert_eq!(listed["totalCount"], all.len());
    let expected_keys: Vec<Key> = all.iter().map(Expected::key).collect();
    assert_eq!(keys(&listed), expected_keys, "namespace, name, kind order");
    for (edge, want) in listed["edges"].as_array().unwrap().iter().zip(&all) {
        let node = &edge["node"];
        assert_eq!(node["tier"], want.tier, "{node}");
        assert_eq!(node["syncMode"], screaming(&want.sync_mode), "{node}");
        assert_eq!(node["namespace"].is_null(), want.kind == "CLUSTER_PROFILE");
        assert!(!node["uid"].as_str().unwrap().is_empty());
    }
    let ids: BTreeSet<&str> = listed["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), all.len(), "ids are unique");

    // Forward with cursors visits everything once; backwards from the end.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = page(&world, json!({ "first": 4, "after": after })).await;
        seen.extend(keys(&body));
        if !body["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = body["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    assert_eq!(seen, expected_keys);
    let tail = page(&world, json!({ "last": 3 })).await;
    assert_eq!(
        keys(&tail),
        expected_keys[expected_keys.len() - 3..].to_vec()
    );
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);

    // Filters.
    let check = |filter: Value, keep: &dyn Fn(&Expected) -> bool| {
        let want: Vec<Key> = all.iter().filter(|p| keep(p)).map(Expected::key).collect();
        (filter, want)
    };
    let some_namespace = all
        .iter()
        .find(|p| p.kind == "PROFILE")
        .unwrap()
        .namespace
        .clone();
    let cases = vec![
        check(json!({ "kind": "PROFILE" }), &|p| p.kind == "PROFILE"),
        check(json!({ "kind": "CLUSTER_PROFILE" }), &|p| {
            p.kind == "CLUSTER_PROFILE"
        }),
        // Case-insensitive substring; ClusterProfiles have no namespace and never match one.
        check(
            json!({ "namespace": some_namespace.to_uppercase() }),
            &|p| p.namespace.contains(&some_namespace),
        ),
        check(json!({ "name": "CP-" }), &|p| p.name.contains("cp-")),
        check(json!({ "syncMode": "DRY_RUN" }), &|p| {
            p.sync_mode == "DryRun"
        }),
        check(json!({ "syncMode": "ONE_TIME" }), &|p| {
            p.sync_mode == "OneTime"
        }),
        check(json!({ "dryRun": true }), &|p| p.sync_mode == "DryRun"),
        check(json!({ "dryRun": false }), &|p| p.sync_mode != "DryRun"),
        check(json!({ "dryRun": true, "kind": "PROFILE" }), &|p| {
            p.sync_mode == "DryRun" && p.kind == "PROFILE"
        }),
    ];
    for (filter, want) in cases {
        assert!(!want.is_empty(), "{filter} selects something in this world");
        let body = page(&world, json!({ "first": 100, "filter": filter.clone() })).await;
        assert_eq!(keys(&body), want, "{filter}");
        assert_eq!(body["totalCount"], want.len(), "{filter}");
    }

    // Orders with their tie-breakers.
    let by_name = page(
        &world,
        json!({ "first": 100, "orderBy": { "field": "NAME", "direction": "DESC" } }),
    )
    .await;
    let mut want = expected_keys.clone();
    want.sort_by(|a, b| (&b.1, &b.0, &b.2).cmp(&(&a.1, &a.0, &a.2)));
    assert_eq!(keys(&by_name), want);
    let by_tier = page(
        &world,
        json!({ "first": 100, "orderBy": { "field": "TIER" } }),
    )
    .await;
    let mut want = all.clone();
    want.sort_by_key(|p| (p.tier, p.key()));
    assert_eq!(
        keys(&by_tier),
        want.iter().map(Expected::key).collect::<Vec<_>>()
    );
    let tiers: Vec<i64> = by_tier["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["tier"].as_i64().unwrap())
        .collect();
    assert!(tiers.windows(2).all(|w| w[0] <= w[1]), "{tiers:?}");
    assert!(
        tiers.windows(2).any(|w| w[0] == w[1]),
        "ties exist and are broken by namespace/name"
    );
    world.server.shutdown().await;
}

#[tokio::test]
async fn pagination_edges_and_bad_input() {
    let world = start(5).await;
    let total = expected(&world).len();
    let empty = page(&world, json!({ "filter": { "name": "no-such-profile" } })).await;
    assert_eq!(empty["totalCount"], 0);
    assert_eq!(empty["edges"], json!([]));
    assert_eq!(empty["pageInfo"]["hasNextPage"], false);
    assert_eq!(empty["pageInfo"]["hasPreviousPage"], false);

    let exact = page(&world, json!({ "first": total })).await;
    assert_eq!(keys(&exact).len(), total);
    assert_eq!(exact["pageInfo"]["hasNextPage"], false, "exact last page");
    let beyond = page(
        &world,
        json!({ "first": 5, "after": exact["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(beyond["edges"], json!([]), "beyond the end");
    assert_eq!(beyond["totalCount"], total);
    assert_eq!(beyond["pageInfo"]["hasNextPage"], false);
    let zero = page(&world, json!({ "first": 0 })).await;
    assert_eq!(zero["edges"], json!([]));
    assert_eq!(zero["totalCount"], total);

    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "last": -1 }), "last"),
        (json!({ "after": "not-a-cursor" }), "after"),
        (json!({ "before": "bm9wZQ" }), "before"),
    ] {
        let body = world
            .server
            .gql_vars(&page_query(), variables.clone())
            .await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{variables}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let by_name = page(
        &world,
        json!({ "first": 1, "orderBy": { "field": "NAME" } }),
    )
    .await;
    let body = world
        .server
        .gql_vars(
            &page_query(),
            json!({ "first": 1, "after": by_name["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        error_codes(&body),
        vec!["BAD_USER_INPUT"],
        "cursor of another order"
    );

    let one = r#"query One($kind: ProfileKind!, $namespace: String, $name: String!) {
      profile(kind: $kind, namespace: $namespace, name: $name) { name } }"#;
    let cp = json!({ "kind": "CLUSTER_PROFILE", "namespace": "x", "name": "a" });
    let profile = json!({ "kind": "PROFILE", "name": "a" });
    for variables in [cp, profile] {
        let body = world.server.gql_vars(one, variables.clone()).await;
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{variables}: {body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], "namespace");
    }
    world.server.shutdown().await;
}

#[path = "sveltos_profiles/dependencies.rs"]
mod dependencies;
#[path = "sveltos_profiles/detail.rs"]
mod detail;
#[path = "sveltos_profiles/live.rs"]
mod live;
#[path = "sveltos_profiles/pages.rs"]
mod pages;
#[path = "sveltos_profiles/reads.rs"]
mod reads;
