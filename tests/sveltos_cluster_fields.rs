//! `clusters` and each cluster's rows over HTTP on a small hand-made world where every expected
//! value is known: every `clusterInfo` field for both kinds (also on the per-object review
//! path, decisions.md §5), every filter, every order with its tie-breakers, the four
//! pagination edges of each connection, and the per-cluster filters and fields of
//! `helmReleases`, `deployedResources`, `profileStatuses` and `matchingProfiles`.

mod common;

use common::fleet::{self, FleetWorld};
use common::pages::Connection;
use serde_json::{Value, json};

const A: &str = "audit-a";
const B: &str = "audit-b";
const T1: &str = "2026-01-01T10:00:00Z";
const T2: &str = "2026-01-02T10:00:00Z";
const T3: &str = "2026-01-03T10:00:00Z";
const T4: &str = "2026-01-04T10:00:00Z";

fn condition(type_: &str, status: &str, message: &str) -> Value {
    json!({"type": type_, "status": status, "reason": "Reason", "message": message,
           "lastTransitionTime": T1})
}

fn capi(namespace: &str, name: &str, labels: Value, spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": spec, "status": status,
    })
}

fn sveltos(namespace: &str, name: &str, labels: Value, spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": spec, "status": status,
    })
}

fn summary(namespace: &str, cluster: &str, owner: (&str, &str), status: Value) -> Value {
    let prefix = if owner.0 == "Profile" { "p--" } else { "" };
    json!({
        "apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterSummary",
        "metadata": {
            "name": format!("{prefix}{}-sveltos-{cluster}", owner.1),
            "namespace": namespace,
            "labels": {"projectsveltos.io/cluster-name": cluster,
                       "projectsveltos.io/cluster-type": "Sveltos"},
            "ownerReferences": [{"apiVersion": "config.projectsveltos.io/v1beta1",
                "kind": owner.0, "name": owner.1,
                "uid": "00000000-0000-0000-0000-000000000001"}],
        },
        "spec": {"clusterNamespace": namespace, "clusterName": cluster, "clusterType": "Sveltos",
                 "clusterProfileSpec": {}},
        "status": status,
    })
}

fn resource(
    name: &str,
    namespace: Option<&str>,
    group: &str,
    kind: &str,
    at: &str,
    how: &str,
) -> Value {
    let mut r = json!({"name": name, "group": group, "kind": kind, "version": "v1",
                       "lastAppliedTime": at, "deploymentType": how});
    if let Some(ns) = namespace {
        r["namespace"] = json!(ns);
    }
    r
}

fn profile(kind: &str, namespace: Option<&str>, name: &str) -> Value {
    let mut metadata = json!({"name": name});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    json!({
        "apiVersion": "config.projectsveltos.io/v1beta1", "kind": kind, "metadata": metadata,
        "spec": {"clusterSelector": {"matchLabels": {"env": "prod"}}},
    })
}

/// Five clusters: two share namespace and name across kinds, two share a name across
/// namespaces, versions tie and one is unknown; audit-a/bravo (Sveltos) carries the add-ons.
fn world() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": A}}),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": B}}),
        capi(
            A,
            "alpha",
            json!({"env": "prod", "team": "x"}),
            json!({"topology": {"classRef": {"name": "quick-start"}, "version": "v1.31.2"}}),
            json!({"initialization": {"controlPlaneInitialized": true},
                   "conditions": [condition("Ready", "False", "control plane unreachable")]}),
        ),
        capi(
            A,
            "bravo",
            json!({"env": "dev"}),
            json!({"paused": true}),
            json!({"controlPlane": {"versions": [{"version": "v1.30.4", "replicas": 1}]}}),
        ),
        sveltos(
            A,
            "bravo",
            json!({"env": "prod"}),
            json!({"kubeconfigName": "bravo-kubeconfig", "paused": true}),
            json!({"version": "v1.30.4", "ready": true, "connectionStatus": "Healthy"}),
        ),
        sveltos(
            B,
            "alpha",
            json!({"env": "staging"}),
            json!({"pullMode": true}),
            json!({"ready": false, "connectionStatus": "Down", "failureMessage": "i/o timeout"}),
        ),
        capi(
            B,
            "charlie",
            json!({"env": "prod"}),
            json!({"topology": {"classRef": {"name": "quick-start"}, "version": "v1.9.0"}}),
            json!({"initialization": {"controlPlaneInitialized": true}}),
        ),
        json!({
            "apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterConfiguration",
            "metadata": {"name": "sveltos--bravo", "namespace": A,
                "labels": {"projectsveltos.io/cluster-name": "bravo",
                           "projectsveltos.io/cluster-type": "Sveltos"}},
            "status": {
                "clusterProfileResources": [{"clusterProfileName": "web", "Features": [
                    {"featureID": "Helm", "charts": [
                        {"repoURL": "https://charts.example/web", "releaseName": "nginx",
                         "namespace": "ingress", "chartVersion": "1.0.0", "appVersion": "1.25",
                         "icon": "https://charts.example/nginx.png", "lastAppliedTime": T2},
                        {"repoURL": "https://charts.example/web", "releaseName": "redis",
                         "namespace": "cache", "chartVersion": "7.0.0", "lastAppliedTime": T1},
                        {"repoURL": "https://charts.example/web", "releaseName": "agent",
                         "namespace": "monitoring", "chartVersion": "0.1.0", "lastAppliedTime": T1},
                    ]},
                    {"featureID": "Resources", "resources": [
                        resource("settings", Some("kube-system"), "", "ConfigMap", T1, "Remote"),
                        resource("audit-role", None, "rbac.authorization.k8s.io", "ClusterRole", T1, "Local"),
                    ]},
                ]}],
                "profileResources": [{"profileName": "db", "Features": [
                    {"featureID": "Resources", "resources": [
                        resource("settings", Some("kube-system"), "", "ConfigMap", T3, "Local"),
                        resource("db-secret", Some("db"), "", "Secret", T1, "Remote"),
                    ]},
                ]}],
            },
        }),
        summary(
            A,
            "bravo",
            ("ClusterProfile", "web"),
            json!({
                "featureSummaries": [{"featureID": "Helm", "status": "Provisioned"},
                                     {"featureID": "Resources", "status": "Provisioned"}],
                "helmReleaseSummaries": [{"releaseName": "nginx", "releaseNamespace": "ingress",
                    "status": "Managing", "latestVersion": "1.1.0", "lastCheckedTime": T4}],
            }),
        ),
        summary(
            A,
            "bravo",
            ("Profile", "db"),
            json!({
                "featureSummaries": [{"featureID": "Resources", "status": "Failed",
                    "failureMessage": "boom", "failureReason": "Conflict", "consecutiveFailures": 2,
                    "lastAppliedTime": T3}],
            }),
        ),
        summary(
            B,
            "alpha",
            ("ClusterProfile", "web"),
            json!({
                "featureSummaries": [{"featureID": "Helm", "status": "Provisioning"}],
            }),
        ),
        profile("ClusterProfile", None, "web"),
        profile("ClusterProfile", None, "ops"),
        profile("Profile", Some(A), "db"),
        profile("Profile", Some(B), "db"),
    ]
}

const CLUSTERS: &str = r#"query($filter: ClusterFilter, $orderBy: ClusterOrderBy, $first: Int, $after: String) {
  clusters(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id kind namespace name uid version ready paused pullMode failureMessage
      labels { key value } health { hasIssues isProvisioning hasOutdatedHelmCharts }
      ... on SveltosCluster { connectionStatus } } } } }"#;

/// (namespace, name, kind) of each listed cluster.
fn listed(body: &Value) -> Vec<(String, String, String)> {
    body["data"]["clusters"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| {
            let n = &e["node"];
            let s = |k: &str| n[k].as_str().unwrap().to_string();
            (s("namespace"), s("name"), s("kind"))
        })
        .collect()
}

fn ids(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

async fn clusters(world: &FleetWorld, token: Option<&str>, variables: Value) -> Value {
    let body = world.server.gql_as(token, CLUSTERS, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body
}

async fn start() -> FleetWorld {
    let world = fleet::start(world(), |_| {}).await;
    world.sim.add_token("root-token", "root", &["platform"]);
    world.sim.add_token("dev-token", "dev", &["devs"]);
    world
        .sim
        .load_yaml(&format!(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{ name: platform-admin }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }}
subjects:
- {{ kind: Group, name: platform, apiGroup: rbac.authorization.k8s.io }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{ name: capi-reader, namespace: {A} }}
rules:
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["clusters"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{ name: devs-capi, namespace: {A} }}
roleRef: {{ apiGroup: rbac.authorization.k8s.io, kind: Role, name: capi-reader }}
subjects:
- {{ kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io }}
"#
        ))
        .expect("rbac");
    world
}

const ROOT: Option<&str> = Some("root-token");

#[tokio::test]
async fn cluster_fields_filters_orders_and_pages() {
    let world = start().await;
    let all = clusters(&world, ROOT, json!({})).await;
    assert_eq!(all["data"]["clusters"]["totalCount"], 5);
    let by_key = |ns: &str, name: &str, kind: &str| -> Value {
        all["data"]["clusters"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"].clone())
            .find(|n| n["namespace"] == ns && n["name"] == name && n["kind"] == kind)
            .unwrap_or_else(|| panic!("{ns}/{name} {kind} listed"))
    };
    // clusterInfo of each kind, from exactly the fields decisions.md §5 / spec §3.1 name.
    let alpha = by_key(A, "alpha", "CAPI");
    assert_eq!(alpha["version"], "v1.31.2", "topology version");
    assert_eq!(alpha["ready"], true, "controlPlaneInitialized");
    assert_eq!(alpha["paused"], false);
    assert_eq!(alpha["pullMode"], false);
    assert_eq!(
        alpha["failureMessage"], "control plane unreachable",
        "False Ready"
    );
    assert_eq!(
        alpha["labels"],
        json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "x"}])
    );
    assert!(!alpha["uid"].as_str().unwrap().is_empty());
    let bravo_capi = by_key(A, "bravo", "CAPI");
    assert_eq!(bravo_capi["version"], "v1.30.4", "control plane's version");
    assert_eq!(bravo_capi["ready"], false);
    assert_eq!(bravo_capi["paused"], true);
    assert!(bravo_capi["failureMessage"].is_null());
    let bravo = by_key(A, "bravo", "SVELTOS");
    assert_eq!(bravo["version"], "v1.30.4");
    assert_eq!(bravo["ready"], true);
    assert_eq!(bravo["paused"], true);
    assert_eq!(bravo["connectionStatus"], "Healthy");
    assert_ne!(
        bravo["id"], bravo_capi["id"],
        "same name, different kinds, different ids"
    );
    assert_eq!(
        bravo["health"],
        json!({"hasIssues": true, "isProvisioning": false, "hasOutdatedHelmCharts": true})
    );
    let down = by_key(B, "alpha", "SVELTOS");
    assert_eq!(down["version"], "");
    assert_eq!(down["pullMode"], true);
    assert_eq!(down["ready"], false);
    assert_eq!(down["failureMessage"], "i/o timeout");
    assert_eq!(down["connectionStatus"], "Down");
    assert_eq!(down["health"]["isProvisioning"], true);

    // Every filter, alone and combined.
    for (filter, want) in [
        (
            json!({"namespace": "AUDIT-B"}),
            vec![(B, "alpha", "SVELTOS"), (B, "charlie", "CAPI")],
        ),
        (
            json!({"name": "RAV"}),
            vec![(A, "bravo", "CAPI"), (A, "bravo", "SVELTOS")],
        ),
        (
            json!({"kind": "CAPI", "ready": true}),
            vec![(A, "alpha", "CAPI"), (B, "charlie", "CAPI")],
        ),
        (
            json!({"ready": false}),
            vec![(A, "bravo", "CAPI"), (B, "alpha", "SVELTOS")],
        ),
        (
            json!({"labelSelector": "env in (prod,staging),!team"}),
            vec![
                (A, "bravo", "SVELTOS"),
                (B, "alpha", "SVELTOS"),
                (B, "charlie", "CAPI"),
            ],
        ),
        (json!({"hasIssues": true}), vec![(A, "bravo", "SVELTOS")]),
        (
            json!({"isProvisioning": true}),
            vec![(B, "alpha", "SVELTOS")],
        ),
        (
            json!({"hasOutdatedHelmCharts": true}),
            vec![(A, "bravo", "SVELTOS")],
        ),
        (
            json!({"hasOutdatedHelmCharts": false, "namespace": "a"}),
            vec![
                (A, "alpha", "CAPI"),
                (A, "bravo", "CAPI"),
                (B, "alpha", "SVELTOS"),
                (B, "charlie", "CAPI"),
            ],
        ),
    ] {
        let body = clusters(&world, ROOT, json!({"filter": filter})).await;
        assert_eq!(listed(&body), ids(&want), "{filter}");
        assert_eq!(
            body["data"]["clusters"]["totalCount"],
            want.len(),
            "{filter}"
        );
    }

    // Every order and direction, with the namespace/name/kind tie-breakers.
    let order =
        |field: &str, direction: &str| json!({"orderBy": {"field": field, "direction": direction}});
    for (variables, want) in [
        (
            order("NAMESPACE_NAME", "ASC"),
            vec![
                (A, "alpha", "CAPI"),
                (A, "bravo", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (B, "alpha", "SVELTOS"),
                (B, "charlie", "CAPI"),
            ],
        ),
        (
            order("NAMESPACE_NAME", "DESC"),
            vec![
                (B, "charlie", "CAPI"),
                (B, "alpha", "SVELTOS"),
                (A, "bravo", "SVELTOS"),
                (A, "bravo", "CAPI"),
                (A, "alpha", "CAPI"),
            ],
        ),
        (
            order("NAME", "ASC"),
            vec![
                (A, "alpha", "CAPI"),
                (B, "alpha", "SVELTOS"),
                (A, "bravo", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (B, "charlie", "CAPI"),
            ],
        ),
        (
            order("NAME", "DESC"),
            vec![
                (B, "charlie", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (A, "bravo", "CAPI"),
                (B, "alpha", "SVELTOS"),
                (A, "alpha", "CAPI"),
            ],
        ),
        // Numeric versions (1.9 before 1.30), ties by identity, unknown last either way.
        (
            order("VERSION", "ASC"),
            vec![
                (B, "charlie", "CAPI"),
                (A, "bravo", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (A, "alpha", "CAPI"),
                (B, "alpha", "SVELTOS"),
            ],
        ),
        (
            order("VERSION", "DESC"),
            vec![
                (A, "alpha", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (A, "bravo", "CAPI"),
                (B, "charlie", "CAPI"),
                (B, "alpha", "SVELTOS"),
            ],
        ),
        (
            order("READY", "ASC"),
            vec![
                (A, "alpha", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (B, "charlie", "CAPI"),
                (A, "bravo", "CAPI"),
                (B, "alpha", "SVELTOS"),
            ],
        ),
        (
            order("READY", "DESC"),
            vec![
                (B, "alpha", "SVELTOS"),
                (A, "bravo", "CAPI"),
                (B, "charlie", "CAPI"),
                (A, "bravo", "SVELTOS"),
                (A, "alpha", "CAPI"),
            ],
        ),
    ] {
        let body = clusters(&world, ROOT, variables.clone()).await;
        assert_eq!(listed(&body), ids(&want), "{variables}");
    }

    // Pagination edges.
    let connection = Connection {
        server: &world.server,
        token: ROOT,
        query: CLUSTERS,
        pointer: "/data/clusters",
        variables: json!({}),
    };
    connection.assert_edges(5).await;
    connection
        .assert_empty(json!({"filter": {"name": "no-such-cluster"}}))
        .await;

    // A caller reviewed per object (Role in one namespace) gets the same CAPI fields as an
    // admin, version included.
    let dev = clusters(&world, Some("dev-token"), json!({})).await;
    assert_eq!(
        listed(&dev),
        ids(&[(A, "alpha", "CAPI"), (A, "bravo", "CAPI")])
    );
    for edge in dev["data"]["clusters"]["edges"].as_array().unwrap() {
        let n = &edge["node"];
        let admin = by_key(A, n["name"].as_str().unwrap(), "CAPI");
        assert_eq!(*n, admin, "same fields on the per-object path");
    }
    world.server.shutdown().await;
}

const ROWS: &str = r#"query($first: Int, $after: String, $hf: HelmReleaseFilter, $rf: DeployedResourceFilter, $sf: ProfileStatusFilter) {
  clusters(filter: {namespace: "audit-a", name: "bravo", kind: SVELTOS}) { edges { node {
    helmReleases(filter: $hf, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { repoUrl releaseName releaseNamespace chartVersion appVersion icon
        lastAppliedTime latestVersion latestPatchVersion lastCheckedTime outdated
        profile { kind namespace name } } } }
    deployedResources(filter: $rf, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { group version kind namespace name lastAppliedTime deploymentTypes
        profiles { kind namespace name } } } }
    profileStatuses(filter: $sf, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { profile { kind namespace name } clusterSummaryName featureId status
        statusText failureMessage failureReason consecutiveFailures lastAppliedTime } } }
    matchingProfiles(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { kind namespace name } } }
  } } } }"#;

fn rows<'a>(body: &'a Value, list: &str) -> &'a Vec<Value> {
    body["data"]["clusters"]["edges"][0]["node"][list]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}: {body}"))
}

fn column(body: &Value, list: &str, field: &str) -> Vec<Value> {
    rows(body, list)
        .iter()
        .map(|e| e["node"][field].clone())
        .collect()
}

#[tokio::test]
async fn per_cluster_rows_fields_filters_and_pages() {
    let world = start().await;
    let body = utc(world.server.gql_as(ROOT, ROWS, json!({})).await);
    assert!(body.get("errors").is_none(), "{body}");

    // Helm releases: oldest first, equal times by release namespace; the outdated join.
    assert_eq!(
        column(&body, "helmReleases", "releaseName"),
        [json!("redis"), json!("agent"), json!("nginx")]
    );
    let nginx = &rows(&body, "helmReleases")[2]["node"];
    assert_eq!(
        *nginx,
        json!({
            "repoUrl": "https://charts.example/web", "releaseName": "nginx",
            "releaseNamespace": "ingress", "chartVersion": "1.0.0", "appVersion": "1.25",
            "icon": "https://charts.example/nginx.png", "lastAppliedTime": T2,
            "latestVersion": "1.1.0", "latestPatchVersion": null, "lastCheckedTime": T4,
            "outdated": true, "profile": {"kind": "CLUSTER_PROFILE", "namespace": null, "name": "web"},
        })
    );
    let redis = &rows(&body, "helmReleases")[0]["node"];
    assert!(
        redis["appVersion"].is_null()
            && redis["icon"].is_null()
            && redis["lastCheckedTime"].is_null()
    );
    assert_eq!(redis["outdated"], false);

    // Resources: merged by identity (latest time, every profile and deployment type), oldest
    // first, equal times by `group/version, Kind=kind`.
    assert_eq!(
        column(&body, "deployedResources", "name"),
        [json!("db-secret"), json!("audit-role"), json!("settings")]
    );
    let settings = &rows(&body, "deployedResources")[2]["node"];
    assert_eq!(
        *settings,
        json!({
            "group": "", "version": "v1", "kind": "ConfigMap", "namespace": "kube-system",
            "name": "settings", "lastAppliedTime": T3, "deploymentTypes": ["Local", "Remote"],
            "profiles": [{"kind": "CLUSTER_PROFILE", "namespace": null, "name": "web"},
                         {"kind": "PROFILE", "namespace": A, "name": "db"}],
        })
    );
    assert!(
        rows(&body, "deployedResources")[1]["node"]["namespace"].is_null(),
        "cluster-scoped"
    );

    // Statuses: profile kind, name, feature.
    let statuses: Vec<(Value, Value)> = rows(&body, "profileStatuses")
        .iter()
        .map(|e| {
            (
                e["node"]["profile"]["name"].clone(),
                e["node"]["featureId"].clone(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (json!("web"), json!("Helm")),
            (json!("web"), json!("Resources")),
            (json!("db"), json!("Resources"))
        ]
    );
    let failed = &rows(&body, "profileStatuses")[2]["node"];
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["statusText"], "Failed");
    assert_eq!(failed["failureMessage"], "boom");
    assert_eq!(failed["failureReason"], "Conflict");
    assert_eq!(failed["consecutiveFailures"], 2);
    assert_eq!(failed["lastAppliedTime"], T3);
    assert_eq!(failed["clusterSummaryName"], "p--db-sveltos-bravo");
    assert_eq!(
        failed["profile"],
        json!({"kind": "PROFILE", "namespace": A, "name": "db"})
    );

    // Matching profiles: kind, namespace, name; a Profile only in its own namespace.
    let matching: Vec<(Value, Value)> = rows(&body, "matchingProfiles")
        .iter()
        .map(|e| (e["node"]["kind"].clone(), e["node"]["name"].clone()))
        .collect();
    assert_eq!(
        matching,
        [
            (json!("CLUSTER_PROFILE"), json!("ops")),
            (json!("CLUSTER_PROFILE"), json!("web")),
            (json!("PROFILE"), json!("db"))
        ]
    );
    assert_eq!(rows(&body, "matchingProfiles")[2]["node"]["namespace"], A);

    // Every per-cluster filter.
    for (variables, list, field, want) in [
        (
            json!({"hf": {"releaseNamespace": "CACHE"}}),
            "helmReleases",
            "releaseName",
            vec!["redis"],
        ),
        (
            json!({"hf": {"releaseName": "N"}}),
            "helmReleases",
            "releaseName",
            vec!["agent", "nginx"],
        ),
        (
            json!({"hf": {"outdatedOnly": true}}),
            "helmReleases",
            "releaseName",
            vec!["nginx"],
        ),
        (
            json!({"hf": {"releaseName": "x", "releaseNamespace": "ingress"}}),
            "helmReleases",
            "releaseName",
            vec!["nginx"],
        ),
        (
            json!({"rf": {"namespace": "KUBE"}}),
            "deployedResources",
            "name",
            vec!["settings"],
        ),
        (
            json!({"rf": {"name": "SECRET"}}),
            "deployedResources",
            "name",
            vec!["db-secret"],
        ),
        (
            json!({"rf": {"kind": "clusterrole"}}),
            "deployedResources",
            "name",
            vec!["audit-role"],
        ),
        (
            json!({"sf": {"profileName": "DB"}}),
            "profileStatuses",
            "featureId",
            vec!["Resources"],
        ),
        (
            json!({"sf": {"profileKind": "CLUSTER_PROFILE"}}),
            "profileStatuses",
            "featureId",
            vec!["Helm", "Resources"],
        ),
        (
            json!({"sf": {"failedOnly": true}}),
            "profileStatuses",
            "clusterSummaryName",
            vec!["p--db-sveltos-bravo"],
        ),
    ] {
        let body = world.server.gql_as(ROOT, ROWS, variables.clone()).await;
        assert!(body.get("errors").is_none(), "{body}");
        let got = column(&body, list, field);
        assert_eq!(
            got,
            want.iter().map(|w| json!(w)).collect::<Vec<_>>(),
            "{variables}"
        );
        assert_eq!(
            body["data"]["clusters"]["edges"][0]["node"][list]["totalCount"],
            want.len()
        );
    }

    // The four pagination edges of each per-cluster connection.
    for (list, empty) in [
        ("helmReleases", json!({"hf": {"releaseName": "zzz"}})),
        ("deployedResources", json!({"rf": {"name": "zzz"}})),
        ("profileStatuses", json!({"sf": {"profileName": "zzz"}})),
    ] {
        let pointer = format!("/data/clusters/edges/0/node/{list}");
        let connection = Connection {
            server: &world.server,
            token: ROOT,
            query: ROWS,
            pointer: &pointer,
            variables: json!({}),
        };
        connection.assert_empty(empty).await;
    }
    // Pages of each list on their own (the shared `first` pages all four at once).
    for list in [
        "helmReleases",
        "deployedResources",
        "profileStatuses",
        "matchingProfiles",
    ] {
        let query = single_list_query(list);
        let pointer = format!("/data/clusters/edges/0/node/{list}");
        Connection {
            server: &world.server,
            token: ROOT,
            query: &query,
            pointer: &pointer,
            variables: json!({}),
        }
        .assert_edges(3)
        .await;
    }
    // No profile matches audit-a/bravo (CAPI, env=dev) nor owns a summary there: an empty
    // list, not null.
    let staging = world
        .server
        .gql_as(
            ROOT,
            r#"{ clusters(filter: {namespace: "audit-a", name: "bravo", kind: CAPI}) { edges { node {
                 matchingProfiles { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage } } } } } }"#,
            json!({}),
        )
        .await;
    let page = &staging["data"]["clusters"]["edges"][0]["node"]["matchingProfiles"];
    assert_eq!(
        *page,
        json!({"totalCount": 0, "edges": [], "pageInfo": {"hasNextPage": false, "hasPreviousPage": false}})
    );
    world.server.shutdown().await;
}

/// The same JSON with RFC 3339 UTC offsets written as `Z`, to compare with the world's times.
fn utc(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(match s.strip_suffix("+00:00") {
            Some(t) => format!("{t}Z"),
            None => s,
        }),
        Value::Array(items) => Value::Array(items.into_iter().map(utc).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, utc(v))).collect()),
        other => other,
    }
}

/// ROWS with only `list` selected, so `first`/`after` page it alone.
fn single_list_query(list: &str) -> String {
    format!(
        r#"query($first: Int, $after: String) {{
  clusters(filter: {{namespace: "audit-a", name: "bravo", kind: SVELTOS}}) {{ edges {{ node {{
    {list}(first: $first, after: $after) {{
      totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ cursor }} }} }} }} }} }}"#
    )
}
