//! The remaining fields and the pagination edges of `eventTriggers` and `classifiers` (and
//! their matching-cluster connections) over HTTP, and DataLoader batching of the
//! event-trigger and classifier match edges: one batch per request whatever the page size.

mod common;

use common::fleet::{self, FleetWorld};
use common::pages::Connection;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use serde_json::{Value, json};

/// Whether every key of `expected` is in `actual` with the same value, recursively (the
/// server prints typed structs, which may add absent optional fields as null).
fn contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (Value::Array(a), Value::Array(e)) => {
            a.len() == e.len() && a.iter().zip(e).all(|(av, ev)| contains(av, ev))
        }
        _ => actual == expected,
    }
}

fn spec() -> FleetSpec {
    FleetSpec {
        event_triggers: 8,
        classifiers: 6,
        management_classifiers: 3,
        ..FleetSpec::small(41)
    }
}

/// The generated world, plus the optional fields the generator leaves out.
fn objects() -> Vec<Value> {
    let mut objects = generate(&spec());
    for o in &mut objects {
        let name = o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match (o["kind"].as_str().unwrap_or_default(), name.as_str()) {
            ("EventTrigger", "et-000") => {
                o["spec"]["destinationClusterSelector"] = json!({
                    "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "qa"]}],
                });
            }
            ("EventSource", "es-000") => {
                o["spec"]["aggregatedSelection"] =
                    json!("function evaluate()\n  return {resources = resources}\nend\n");
            }
            ("ManagementClusterClassifier", "mcc-000") => {
                o["status"] = json!({"failureMessage": "lua: attempt to index a nil value"});
            }
            _ => {}
        }
    }
    objects
}

async fn start() -> FleetWorld {
    fleet::start(objects(), |c| c.auth.auth_disabled = true).await
}

fn object<'a>(world: &'a FleetWorld, kind: &str, name: &Value) -> &'a Value {
    world
        .of_kind(kind)
        .into_iter()
        .find(|o| o["metadata"]["name"] == *name)
        .unwrap_or_else(|| panic!("{kind} {name}"))
}

const TRIGGERS: &str = r#"query($filter: EventTriggerFilter, $first: Int, $after: String) {
  eventTriggers(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { name uid eventSourceName sourceClusterSelector sourceClusterSelectorJson
      destinationClusterSelector specJson
      eventSource { name collectResources aggregatedSelection resourceSelectors specJson } } } } }"#;

#[tokio::test]
async fn event_trigger_fields_and_pages() {
    let world = start().await;
    let body = world.server.gql_vars(TRIGGERS, json!({"first": 100})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let edges = body["data"]["eventTriggers"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 8);
    let mut saw_source = false;
    for edge in edges {
        let node = &edge["node"];
        let trigger = object(&world, "EventTrigger", &node["name"]);
        assert!(!node["uid"].as_str().unwrap().is_empty());
        assert!(contains(&node["specJson"], &trigger["spec"]), "{node}");
        assert_eq!(
            node["sourceClusterSelectorJson"],
            trigger["spec"]["sourceClusterSelector"]
        );
        if node["name"] == "et-000" {
            assert_eq!(node["destinationClusterSelector"], "env in (prod,qa)");
        } else {
            assert!(node["destinationClusterSelector"].is_null(), "{node}");
        }
        if let Some(source) = node["eventSource"].as_object() {
            let stored = object(&world, "EventSource", &node["eventSourceName"]);
            assert!(contains(&node["eventSource"]["specJson"], &stored["spec"]));
            assert!(contains(
                &source["resourceSelectors"],
                &stored["spec"]["resourceSelectors"]
            ));
            assert_eq!(
                source["aggregatedSelection"],
                stored["spec"]["aggregatedSelection"]
            );
            saw_source |= !source["aggregatedSelection"].is_null();
        }
    }
    assert!(saw_source, "es-000 carries an aggregated selection");

    let connection = Connection {
        server: &world.server,
        token: None,
        query: TRIGGERS,
        pointer: "/data/eventTriggers",
        variables: json!({}),
    };
    connection.assert_edges(8).await;
    connection
        .assert_empty(json!({"filter": {"name": "no-such-trigger"}}))
        .await;

    // The matching-cluster connection of the trigger with the most matches.
    let counts = world
        .server
        .gql("{ eventTriggers(first: 100) { edges { node { name matchingClusterCount } } } }")
        .await;
    let busiest = counts["data"]["eventTriggers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|e| e["node"]["matchingClusterCount"].as_u64().unwrap())
        .unwrap()["node"]
        .clone();
    let total = busiest["matchingClusterCount"].as_u64().unwrap() as usize;
    let query = r#"query($name: String!, $first: Int, $after: String) {
      eventTrigger(name: $name) { matchingClusters(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor } } } }"#;
    Connection {
        server: &world.server,
        token: None,
        query,
        pointer: "/data/eventTrigger/matchingClusters",
        variables: json!({"name": busiest["name"]}),
    }
    .assert_edges(total)
    .await;
    world.server.shutdown().await;
}

const CLASSIFIERS: &str = r#"query($filter: ClassifierFilter, $first: Int, $after: String) {
  classifiers(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { kind name uid specJson
      ... on Classifier { resourceSelectors aggregatedClassification
        kubernetesVersionConstraints { version comparison } }
      ... on ManagementClusterClassifier { matchResources classificationLua failureMessage } } } } }"#;

#[tokio::test]
async fn classifier_fields_and_pages() {
    let world = start().await;
    let body = world
        .server
        .gql_vars(CLASSIFIERS, json!({"first": 100}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let edges = body["data"]["classifiers"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 9);
    let (mut with_lua, mut failing) = (0, 0);
    for edge in edges {
        let node = &edge["node"];
        assert!(!node["uid"].as_str().unwrap().is_empty());
        if node["kind"] == "CLASSIFIER" {
            let stored = object(&world, "Classifier", &node["name"]);
            assert!(contains(&node["specJson"], &stored["spec"]), "{node}");
            let constraint = &stored["spec"]["deployedResourceConstraint"];
            let selectors = if constraint.is_null() {
                json!([])
            } else {
                constraint["resourceSelectors"].clone()
            };
            assert!(contains(&node["resourceSelectors"], &selectors), "{node}");
            assert_eq!(
                node["aggregatedClassification"],
                constraint["aggregatedClassification"]
            );
            with_lua += usize::from(!node["aggregatedClassification"].is_null());
            assert_eq!(
                node["kubernetesVersionConstraints"],
                stored["spec"]["kubernetesVersionConstraints"]
            );
        } else {
            let stored = object(&world, "ManagementClusterClassifier", &node["name"]);
            assert!(contains(&node["specJson"], &stored["spec"]), "{node}");
            assert!(contains(
                &node["matchResources"],
                &stored["spec"]["matchResources"]
            ));
            assert_eq!(
                node["classificationLua"],
                stored["spec"]["classificationLua"]
            );
            assert_eq!(node["failureMessage"], stored["status"]["failureMessage"]);
            failing += usize::from(!node["failureMessage"].is_null());
        }
    }
    assert!(
        with_lua > 0 && with_lua < 6,
        "both with and without a constraint"
    );
    assert_eq!(failing, 1);

    let connection = Connection {
        server: &world.server,
        token: None,
        query: CLASSIFIERS,
        pointer: "/data/classifiers",
        variables: json!({}),
    };
    connection.assert_edges(9).await;
    connection
        .assert_empty(json!({"filter": {"name": "no-such-classifier"}}))
        .await;
    connection
        .assert_empty(json!({"filter": {"kind": "MANAGEMENT_CLUSTER_CLASSIFIER", "name": "cl-"}}))
        .await;
    world.server.shutdown().await;
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// (batches, keys) the loader has seen so far.
async fn loader_calls(world: &FleetWorld, loader: &str) -> (u64, u64) {
    let text = world.server.get("/metrics").await.text().await.unwrap();
    (
        metric(
            &text,
            &format!("fleetgraph_dataloader_batches_total{{loader=\"{loader}\"}}"),
        ),
        metric(
            &text,
            &format!("fleetgraph_dataloader_keys_total{{loader=\"{loader}\"}}"),
        ),
    )
}

/// Runs `query` with page sizes 2 and `all`; each request costs the loader one batch, with
/// one key per listed item.
async fn assert_one_batch_per_page(world: &FleetWorld, loader: &str, query: &str, all: u64) {
    let mut previous = loader_calls(world, loader).await;
    for (variables, size) in [
        (json!({"first": 2}), 2),
        (json!({"first": all}), all),
        // The cluster filter needs every trigger's matches before paging: still one batch.
        (json!({"first": 2, "filter": {"clusterName": ""}}), all),
    ] {
        let body = world.server.gql_vars(query, variables.clone()).await;
        assert!(body.get("errors").is_none(), "{body}");
        let now = loader_calls(world, loader).await;
        assert_eq!(now.0 - previous.0, 1, "{loader} {variables}: one batch");
        assert_eq!(now.1 - previous.1, size, "{loader} {variables}: keys");
        previous = now;
    }
}

#[tokio::test]
async fn match_edges_are_batched_independently_of_page_size() {
    let world = start().await;
    assert_one_batch_per_page(
        &world,
        "event_matches",
        r#"query($first: Int, $filter: EventTriggerFilter) { eventTriggers(first: $first, filter: $filter) {
             edges { node { name matchingClusterCount
               matchingClusters(first: 100) { edges { node { clusterName resources { name } } } } } } } }"#,
        8,
    )
    .await;
    assert_one_batch_per_page(
        &world,
        "classifier_matches",
        r#"query($first: Int, $filter: ClassifierFilter) { classifiers(first: $first, filter: $filter) {
             edges { node { name matchingClusterCount
               matchingClusters { clusterName managedLabels { key } } } } } }"#,
        9,
    )
    .await;
    world.server.shutdown().await;
}
