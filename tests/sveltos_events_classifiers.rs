//! `eventTriggers` / `eventTrigger` and `classifiers` / `classifier` over HTTP against a
//! generated world in kubesim: fields, filters, order, pages, matching clusters with their
//! reports, node(id), and what a caller limited to one namespace sees.

mod common;

use std::collections::BTreeMap;

use common::fleet::{self, FleetWorld};
use common::server::error_codes;
use fleetgraph::fleet::generator::{FleetSpec, MISSING_EVENT_SOURCE, generate};
use serde_json::{Value, json};

const TRIGGERS: &str = r#"query($filter: EventTriggerFilter, $first: Int, $after: String) {
  eventTriggers(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name eventSourceName sourceClusterSelector oneForEvent matchingClusterCount
      eventSource { name collectResources resourceSelectors }
      matchingClusters(first: 100) { totalCount edges { node {
        clusterKind clusterNamespace clusterName eventReportName reportPhase
        cluster { id name }
        resources { group version kind namespace name } } } } } }
  }
}"#;

const CLASSIFIERS: &str = r#"query($filter: ClassifierFilter, $first: Int, $after: String) {
  classifiers(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind name matchingClusterCount classifierLabels { key value }
      matchingClusters { clusterKind clusterNamespace clusterName cluster { name }
        managedLabels { key value } conflictedLabels { key failureMessage } }
      ... on Classifier { kubernetesVersionConstraints { version comparison } }
      ... on ManagementClusterClassifier { classificationLua } } }
  }
}"#;

fn kind_enum(cluster_kind: &str) -> &'static str {
    if cluster_kind == "Cluster" {
        "CAPI"
    } else {
        "SVELTOS"
    }
}

fn type_enum(cluster_type: &str) -> &'static str {
    if cluster_type == "Capi" {
        "CAPI"
    } else {
        "SVELTOS"
    }
}

async fn ask(world: &FleetWorld, token: &str, query: &str, variables: Value) -> Value {
    world
        .server
        .http
        .post(world.server.endpoint("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// (namespace, name, KIND) of the clusters an EventTrigger's status lists, sorted.
fn trigger_clusters(trigger: &Value) -> Vec<(String, String, &'static str)> {
    let mut out: Vec<_> = trigger["status"]["matchingClusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["namespace"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                kind_enum(r["kind"].as_str().unwrap()),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn event_triggers_list_detail_and_visibility() {
    let world = fleet::start(generate(&FleetSpec::small(31)), |_| {}).await;
    world.sim.add_token("root-token", "root", &["platform"]);
    world.sim.add_token("dev-token", "dev", &["devs"]);
    world
        .sim
        .load_yaml(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: platform-admin }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
- { kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io }
"#,
        )
        .expect("rbac");
    let triggers = world.of_kind("EventTrigger");
    assert!(triggers.len() >= 3);

    // Every trigger, by name, with its EventSource and matching clusters.
    let body = ask(&world, "root-token", TRIGGERS, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let page = &body["data"]["eventTriggers"];
    assert_eq!(page["totalCount"], triggers.len());
    let mut names: Vec<&str> = triggers
        .iter()
        .map(|t| t["metadata"]["name"].as_str().unwrap())
        .collect();
    names.sort();
    let listed: Vec<&str> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, names);
    let reports: BTreeMap<(String, String), &Value> = world
        .of_kind("EventReport")
        .into_iter()
        .map(|r| {
            (
                (
                    r["metadata"]["namespace"].as_str().unwrap().to_string(),
                    r["metadata"]["name"].as_str().unwrap().to_string(),
                ),
                r,
            )
        })
        .collect();
    let mut saw_missing_source = false;
    let mut saw_resources = false;
    for edge in page["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let trigger = triggers
            .iter()
            .find(|t| t["metadata"]["name"] == node["name"])
            .unwrap();
        let source = trigger["spec"]["eventSourceName"].as_str().unwrap();
        assert_eq!(node["eventSourceName"], source);
        assert_eq!(node["oneForEvent"], trigger["spec"]["oneForEvent"]);
        let group = trigger["spec"]["sourceClusterSelector"]["matchLabels"]
            .as_object()
            .unwrap();
        let (key, value) = group.iter().next().unwrap();
        assert_eq!(
            node["sourceClusterSelector"],
            format!("{key}={}", value.as_str().unwrap())
        );
        if source == MISSING_EVENT_SOURCE {
            saw_missing_source = true;
            assert!(node["eventSource"].is_null(), "{node}");
        } else {
            assert_eq!(node["eventSource"]["name"], source);
            assert!(node["eventSource"]["resourceSelectors"].is_array());
        }
        let expected = trigger_clusters(trigger);
        assert_eq!(node["matchingClusterCount"], expected.len());
        let matches = node["matchingClusters"]["edges"].as_array().unwrap();
        let got: Vec<(String, String, &str)> = matches
            .iter()
            .map(|m| {
                let m = &m["node"];
                (
                    m["clusterNamespace"].as_str().unwrap().to_string(),
                    m["clusterName"].as_str().unwrap().to_string(),
                    if m["clusterKind"] == "CAPI" {
                        "CAPI"
                    } else {
                        "SVELTOS"
                    },
                )
            })
            .collect();
        assert_eq!(
            got, expected,
            "matching clusters in namespace, name, kind order"
        );
        for m in matches {
            let m = &m["node"];
            assert_eq!(m["cluster"]["name"], m["clusterName"]);
            let infix = if m["clusterKind"] == "CAPI" {
                "capi"
            } else {
                "sveltos"
            };
            let report_name = format!("{infix}--{source}--{}", m["clusterName"].as_str().unwrap());
            let ns = m["clusterNamespace"].as_str().unwrap().to_string();
            match reports.get(&(ns, report_name.clone())) {
                Some(report) => {
                    assert_eq!(m["eventReportName"], report_name);
                    assert_eq!(m["reportPhase"], "Processed");
                    let mut expected: Vec<Value> = report["spec"]["matchingResources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| {
                            json!({"group": "", "version": "v1", "kind": r["kind"],
                                   "namespace": r["namespace"], "name": r["name"]})
                        })
                        .collect();
                    expected.sort_by_key(|r| r["name"].as_str().unwrap().to_string());
                    assert_eq!(m["resources"], json!(expected));
                    saw_resources = true;
                }
                None => {
                    assert!(m["eventReportName"].is_null());
                    assert_eq!(m["resources"], json!([]));
                }
            }
        }
    }
    assert!(saw_missing_source && saw_resources);

    // Filters: name substring (case-insensitive), cluster namespace / name.
    let first = names[0];
    let body = ask(
        &world,
        "root-token",
        TRIGGERS,
        json!({"filter": {"name": first.to_uppercase()}}),
    )
    .await;
    assert_eq!(body["data"]["eventTriggers"]["totalCount"], 1, "{body}");
    let some_cluster = &trigger_clusters(triggers[0])[0];
    let body = ask(
        &world,
        "root-token",
        TRIGGERS,
        json!({"filter": {"clusterNamespace": some_cluster.0, "clusterName": some_cluster.1}}),
    )
    .await;
    let expected = triggers
        .iter()
        .filter(|t| {
            trigger_clusters(t)
                .iter()
                .any(|c| c.0.contains(&some_cluster.0) && c.1.contains(&some_cluster.1))
        })
        .count();
    assert_eq!(
        body["data"]["eventTriggers"]["totalCount"], expected,
        "{body}"
    );
    let body = ask(
        &world,
        "root-token",
        TRIGGERS,
        json!({"filter": {"clusterName": "no-such-cluster"}}),
    )
    .await;
    assert_eq!(body["data"]["eventTriggers"]["totalCount"], 0);
    assert_eq!(body["data"]["eventTriggers"]["edges"], json!([]));

    // Pages: one at a time to the end, then a bad cursor.
    let mut after: Option<String> = None;
    let mut walked = Vec::new();
    loop {
        let body = ask(
            &world,
            "root-token",
            TRIGGERS,
            json!({"first": 1, "after": after}),
        )
        .await;
        let page = &body["data"]["eventTriggers"];
        for e in page["edges"].as_array().unwrap() {
            walked.push(e["node"]["name"].as_str().unwrap().to_string());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    assert_eq!(walked, names);
    let body = ask(
        &world,
        "root-token",
        TRIGGERS,
        json!({"first": 1, "after": "garbage"}),
    )
    .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);

    // One trigger by name and by node id; unknown names are null.
    let id = page["edges"][0]["node"]["id"].as_str().unwrap().to_string();
    let body = ask(
        &world,
        "root-token",
        r#"query($name: String!, $id: ID!) {
                eventTrigger(name: $name) { name matchingClusterCount }
                missing: eventTrigger(name: "no-such-trigger") { name }
                node(id: $id) { id ... on EventTrigger { name } } }"#,
        json!({"name": names[0], "id": id}),
    )
    .await;
    assert_eq!(body["data"]["eventTrigger"]["name"], names[0], "{body}");
    assert!(body["data"]["missing"].is_null());
    assert_eq!(body["data"]["node"]["name"], names[0]);

    // A caller who may read triggers everywhere but clusters in one namespace only: matches
    // (and their count) cover that namespace alone; the cluster filter sees only those.
    let outside = trigger_clusters(triggers[0])[0].clone();
    let namespace = triggers
        .iter()
        .flat_map(|t| trigger_clusters(t))
        .map(|c| c.0)
        .chain(
            world
                .of_kind("SveltosCluster")
                .iter()
                .map(|c| c["metadata"]["namespace"].as_str().unwrap().to_string()),
        )
        .find(|ns| *ns != outside.0)
        .expect("a second namespace");
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{ name: sveltos-reader }}
rules:
- apiGroups: [lib.projectsveltos.io]
  resources: [eventtriggers, classifiers, managementclusterclassifiers]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{ name: devs-sveltos-reader }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sveltos-reader }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-admin, namespace: {namespace} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    let dev = ask(&world, "dev-token", TRIGGERS, json!({})).await;
    assert!(dev.get("errors").is_none(), "{dev}");
    let page = &dev["data"]["eventTriggers"];
    assert_eq!(page["totalCount"], triggers.len(), "triggers are readable");
    for edge in page["edges"].as_array().unwrap() {
        let trigger = triggers
            .iter()
            .find(|t| t["metadata"]["name"] == edge["node"]["name"])
            .unwrap();
        let visible = trigger_clusters(trigger)
            .into_iter()
            .filter(|c| c.0 == namespace)
            .count();
        assert_eq!(edge["node"]["matchingClusterCount"], visible);
        assert_eq!(edge["node"]["matchingClusters"]["totalCount"], visible);
    }
    let root_count = ask(
        &world,
        "root-token",
        TRIGGERS,
        json!({"filter": {"clusterNamespace": outside.0, "clusterName": outside.1}}),
    )
    .await;
    let dev_count = ask(
        &world,
        "dev-token",
        TRIGGERS,
        json!({"filter": {"clusterNamespace": outside.0, "clusterName": outside.1}}),
    )
    .await;
    assert!(
        root_count["data"]["eventTriggers"]["totalCount"]
            .as_u64()
            .unwrap()
            >= 1,
        "{root_count}"
    );
    assert_eq!(
        dev_count["data"]["eventTriggers"]["totalCount"], 0,
        "{dev_count}"
    );
    world.server.shutdown().await;
}

/// (namespace, name, KIND, managed label keys, conflicted keys) per matching report.
type ClassifierRow = (String, String, &'static str, Vec<String>, Vec<String>);

fn expected_matches(world: &FleetWorld, kind: &str, name: &str) -> Vec<ClassifierRow> {
    let report_kind = format!("{kind}Report");
    let mut rows: Vec<ClassifierRow> = world
        .of_kind(&report_kind)
        .into_iter()
        .filter(|r| r["spec"]["classifierName"] == name)
        .filter(|r| {
            r["spec"]["clusterName"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        })
        .filter(|r| kind != "Classifier" || r["spec"]["match"] == true)
        .map(|r| {
            let keys = |field: &str, key: Option<&str>| {
                let mut out: Vec<String> = r["status"][field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| match key {
                        Some(k) => v[k].as_str().unwrap().to_string(),
                        None => v.as_str().unwrap().to_string(),
                    })
                    .collect();
                out.sort();
                out
            };
            (
                r["spec"]["clusterNamespace"].as_str().unwrap().to_string(),
                r["spec"]["clusterName"].as_str().unwrap().to_string(),
                type_enum(r["spec"]["clusterType"].as_str().unwrap()),
                keys("managedLabels", None),
                keys("unmanagedLabels", Some("key")),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn classifiers_list_detail_and_reports() {
    // Make sure one matching report has a label in conflict.
    let mut objects = generate(&FleetSpec::small(37));
    let report = objects
        .iter_mut()
        .find(|o| {
            o["kind"] == "ClassifierReport"
                && o["spec"]["match"] == true
                && o["spec"]["clusterName"]
                    .as_str()
                    .is_some_and(|n| !n.is_empty())
        })
        .expect("a matching ClassifierReport");
    report["status"]["managedLabels"] = json!(["sveltos.io/classified-by"]);
    report["status"]["unmanagedLabels"] = json!([{
        "key": "sveltos.io/gpu",
        "failureMessage": "label sveltos.io/gpu is already managed by another classifier",
    }]);
    let world = fleet::start(objects, |c| c.auth.auth_disabled = true).await;
    let classifiers = world.of_kind("Classifier");
    let management = world.of_kind("ManagementClusterClassifier");
    let mut expected_names: Vec<(String, &str)> = classifiers
        .iter()
        .map(|c| {
            (
                c["metadata"]["name"].as_str().unwrap().to_string(),
                "CLASSIFIER",
            )
        })
        .chain(management.iter().map(|c| {
            (
                c["metadata"]["name"].as_str().unwrap().to_string(),
                "MANAGEMENT_CLUSTER_CLASSIFIER",
            )
        }))
        .collect();
    expected_names.sort();

    let body = world.server.gql_vars(CLASSIFIERS, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let page = &body["data"]["classifiers"];
    assert_eq!(page["totalCount"], expected_names.len());
    let listed: Vec<(String, &str)> = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            let kind = if n["kind"] == "CLASSIFIER" {
                "CLASSIFIER"
            } else {
                "MANAGEMENT_CLUSTER_CLASSIFIER"
            };
            (n["name"].as_str().unwrap().to_string(), kind)
        })
        .collect();
    assert_eq!(listed, expected_names, "by name, then kind");
    let mut saw_conflict = false;
    for edge in page["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let (kind, object) = if node["kind"] == "CLASSIFIER" {
            (
                "Classifier",
                classifiers
                    .iter()
                    .find(|c| c["metadata"]["name"] == node["name"])
                    .unwrap(),
            )
        } else {
            (
                "ManagementClusterClassifier",
                management
                    .iter()
                    .find(|c| c["metadata"]["name"] == node["name"])
                    .unwrap(),
            )
        };
        let labels: Vec<Value> = object["spec"]["classifierLabels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| json!({"key": l["key"], "value": l["value"]}))
            .collect();
        assert_eq!(node["classifierLabels"], json!(labels));
        let expected = expected_matches(&world, kind, node["name"].as_str().unwrap());
        assert_eq!(node["matchingClusterCount"], expected.len());
        let got: Vec<ClassifierRow> = node["matchingClusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let keys = |field: &str| {
                    m[field]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|l| l["key"].as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                };
                (
                    m["clusterNamespace"].as_str().unwrap().to_string(),
                    m["clusterName"].as_str().unwrap().to_string(),
                    if m["clusterKind"] == "CAPI" {
                        "CAPI"
                    } else {
                        "SVELTOS"
                    },
                    keys("managedLabels"),
                    keys("conflictedLabels"),
                )
            })
            .collect();
        assert_eq!(
            got, expected,
            "{} matches (phantom and match=false reports skipped)",
            node["name"]
        );
        for m in node["matchingClusters"].as_array().unwrap() {
            assert_eq!(m["cluster"]["name"], m["clusterName"]);
            for label in m["managedLabels"].as_array().unwrap() {
                let configured = labels
                    .iter()
                    .find(|l| l["key"] == label["key"])
                    .map(|l| l["value"].clone())
                    .unwrap_or(json!(""));
                assert_eq!(
                    label["value"], configured,
                    "managed label value from the spec"
                );
            }
            for c in m["conflictedLabels"].as_array().unwrap() {
                saw_conflict = true;
                assert!(c["failureMessage"].as_str().is_some_and(|m| !m.is_empty()));
            }
        }
    }
    assert!(saw_conflict, "the world has a conflicted label");

    // Filters: kind, name, cluster.
    let body = world
        .server
        .gql_vars(
            CLASSIFIERS,
            json!({"filter": {"kind": "MANAGEMENT_CLUSTER_CLASSIFIER"}}),
        )
        .await;
    assert_eq!(body["data"]["classifiers"]["totalCount"], management.len());
    let body = world
        .server
        .gql_vars(CLASSIFIERS, json!({"filter": {"name": "CL-000"}}))
        .await;
    assert_eq!(body["data"]["classifiers"]["totalCount"], 1, "{body}");
    let matched = expected_matches(&world, "Classifier", "cl-000");
    let target = &matched[0];
    let body = world
        .server
        .gql_vars(
            CLASSIFIERS,
            json!({"filter": {"clusterNamespace": target.0, "clusterName": target.1}}),
        )
        .await;
    let names: Vec<&str> = body["data"]["classifiers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"cl-000"), "{body}");
    for name in &names {
        let kind = if name.starts_with("mcc") {
            "ManagementClusterClassifier"
        } else {
            "Classifier"
        };
        assert!(
            expected_matches(&world, kind, name)
                .iter()
                .any(|m| m.0.contains(&target.0) && m.1.contains(&target.1))
        );
    }

    // Pages: exact last page and beyond the end.
    let total = expected_names.len();
    let body = world
        .server
        .gql_vars(CLASSIFIERS, json!({"first": total}))
        .await;
    let end = body["data"]["classifiers"]["pageInfo"]["endCursor"].clone();
    assert_eq!(
        body["data"]["classifiers"]["pageInfo"]["hasNextPage"],
        false
    );
    let body = world
        .server
        .gql_vars(CLASSIFIERS, json!({"first": 5, "after": end}))
        .await;
    assert_eq!(body["data"]["classifiers"]["edges"], json!([]), "{body}");
    assert_eq!(body["data"]["classifiers"]["totalCount"], total);

    // One classifier by kind and name, and by node id.
    let body = world
        .server
        .gql(
            r#"{ a: classifier(kind: CLASSIFIER, name: "cl-000") { id name kind }
                 b: classifier(kind: MANAGEMENT_CLUSTER_CLASSIFIER, name: "cl-000") { name }
                 c: classifier(kind: MANAGEMENT_CLUSTER_CLASSIFIER, name: "mcc-000") { id name } }"#,
        )
        .await;
    assert_eq!(body["data"]["a"]["name"], "cl-000", "{body}");
    assert!(body["data"]["b"].is_null(), "kinds are distinct");
    for (alias, typename) in [("a", "Classifier"), ("c", "ManagementClusterClassifier")] {
        let id = body["data"][alias]["id"].as_str().unwrap();
        let node = world
            .server
            .gql_vars(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({"id": id}),
            )
            .await;
        assert_eq!(node["data"]["node"]["__typename"], typename, "{node}");
        assert_eq!(node["data"]["node"]["id"], id);
    }
    world.server.shutdown().await;
}
