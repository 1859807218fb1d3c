//! The RBAC objects and request builders shared by the RBAC evaluator tests.
#![allow(dead_code)]

use kubesim::identity::{Attributes, UserInfo};
use kubesim::rbac::{RbacSnapshot, bootstrap_rbac_objects};
use serde_json::{Value, json};

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
           "metadata": {"name": name}, "rules": rules})
}

fn crb(name: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "ClusterRoleBinding", "metadata": {"name": name},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
           "subjects": subjects})
}

fn rb(ns: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({"kind": "RoleBinding", "metadata": {"name": name, "namespace": ns},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
           "subjects": subjects})
}

fn user(name: &str) -> Value {
    json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name})
}

fn group(name: &str) -> Value {
    json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name})
}

pub fn fixture() -> RbacSnapshot {
    let mut cluster_roles = vec![
        cluster_role(
            "pod-reader",
            json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]),
        ),
        cluster_role(
            "configmaps-all",
            json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "deployments-any-group",
            json!([{"apiGroups": ["*"], "resources": ["deployments"], "verbs": ["get"]}]),
        ),
        cluster_role(
            "apps-lister",
            json!([{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["list"]}]),
        ),
        cluster_role(
            "one-secret",
            json!([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db-password"],
                    "verbs": ["get", "update", "list", "watch"]}]),
        ),
        cluster_role(
            "log-reader",
            json!([{"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]}]),
        ),
        cluster_role(
            "pods-star",
            json!([{"apiGroups": [""], "resources": ["pods/*"], "verbs": ["get"]}]),
        ),
        cluster_role(
            "status-writer",
            json!([{"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["update", "patch"]}]),
        ),
        cluster_role(
            "metrics-viewer",
            json!([{"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]}]),
        ),
        // Tolerated: no rules at all, and a rule with missing fields.
        json!({"kind": "ClusterRole", "metadata": {"name": "empty"}}),
        cluster_role("sparse", json!([{"verbs": ["get"]}])),
        json!({"kind": "ClusterRole", "metadata": {"name": "monitoring"},
        "aggregationRule": {"clusterRoleSelectors": [
            {"matchLabels": {"example.com/aggregate-to-monitoring": "true"}},
            {"matchExpressions": [{"key": "example.com/tier", "operator": "In", "values": ["metrics"]}]}
        ]}}),
        json!({"kind": "ClusterRole",
               "metadata": {"name": "monitoring-endpoints", "labels": {"example.com/aggregate-to-monitoring": "true"}},
               "rules": [{"apiGroups": [""], "resources": ["endpoints", "services"], "verbs": ["get", "list"]}]}),
        json!({"kind": "ClusterRole",
               "metadata": {"name": "monitoring-events", "labels": {"example.com/tier": "metrics"}},
               "rules": [{"apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["watch"]}]}),
        json!({"kind": "ClusterRole",
               "metadata": {"name": "not-aggregated", "labels": {"example.com/tier": "web"}},
               "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]}),
    ];
    let roles = vec![json!({
        "kind": "Role", "metadata": {"name": "deployer", "namespace": "team-a"},
        "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create", "get"]}]
    })];
    let mut crbs = vec![
        crb("readers", "pod-reader", json!([group("readers")])),
        crb("carol-configmaps", "configmaps-all", json!([user("carol")])),
        crb(
            "ci-builder",
            "deployments-any-group",
            json!([{"kind": "ServiceAccount", "name": "builder", "namespace": "ci"}]),
        ),
        // A ServiceAccount subject of a ClusterRoleBinding needs its namespace.
        crb(
            "orphan-sa",
            "pod-reader",
            json!([{"kind": "ServiceAccount", "name": "orphan"}]),
        ),
        crb("metrics", "metrics-viewer", json!([group("monitoring")])),
        crb("mona-monitoring", "monitoring", json!([user("mona")])),
        crb("status", "status-writer", json!([user("stat")])),
        crb("dangling", "no-such-role", json!([user("dave")])),
        crb("sparse", "sparse", json!([user("sid")])),
        crb("no-subjects", "pod-reader", Value::Null),
    ];
    let rbs = vec![
        rb(
            "team-a",
            "deployers",
            "Role",
            "deployer",
            json!([user("alice"), {"kind": "ServiceAccount", "name": "builder"}]),
        ),
        rb(
            "team-a",
            "bob-reads",
            "ClusterRole",
            "pod-reader",
            json!([user("bob")]),
        ),
        rb(
            "team-a",
            "sam-secret",
            "ClusterRole",
            "one-secret",
            json!([user("sam")]),
        ),
        rb(
            "team-a",
            "logan-logs",
            "ClusterRole",
            "log-reader",
            json!([user("logan")]),
        ),
        rb(
            "team-a",
            "pat-star",
            "ClusterRole",
            "pods-star",
            json!([user("pat")]),
        ),
        rb(
            "team-a",
            "apps",
            "ClusterRole",
            "apps-lister",
            json!([group("app-listers")]),
        ),
        rb(
            "team-b",
            "missing-role",
            "Role",
            "deployer",
            json!([user("alice")]),
        ),
        rb(
            "team-a",
            "edit",
            "ClusterRole",
            "edit",
            json!([user("eddie")]),
        ),
        rb(
            "team-a",
            "admin",
            "ClusterRole",
            "admin",
            json!([user("ada")]),
        ),
        rb(
            "team-a",
            "view",
            "ClusterRole",
            "view",
            json!([user("vic")]),
        ),
    ];
    for obj in bootstrap_rbac_objects() {
        match obj["kind"].as_str() {
            Some("ClusterRole") => cluster_roles.push(obj),
            Some("ClusterRoleBinding") => crbs.push(obj),
            other => panic!("unexpected bootstrap kind {other:?}"),
        }
    }
    RbacSnapshot::from_objects(&roles, &cluster_roles, &rbs, &crbs)
}

/// An authenticated user: `system:authenticated` is always among the groups.
pub fn who(name: &str, groups: &[&str]) -> UserInfo {
    let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    groups.push("system:authenticated".into());
    UserInfo {
        username: name.into(),
        groups,
        ..UserInfo::default()
    }
}

pub fn sa(ns: &str, name: &str) -> UserInfo {
    who(
        &format!("system:serviceaccount:{ns}:{name}"),
        &[
            "system:serviceaccounts",
            &format!("system:serviceaccounts:{ns}"),
        ],
    )
}

/// `verb group/resource[/sub] ns/name`, e.g. `get /pods team-a/` or `list apps/deployments team-a/`.
pub fn res(verb: &str, gr: &str, ns_name: &str) -> Attributes {
    let (group, resource) = gr.split_once('/').expect("group/resource");
    let (resource, subresource) = resource.split_once('/').unwrap_or((resource, ""));
    let (namespace, name) = ns_name.split_once('/').expect("ns/name");
    Attributes {
        verb: verb.into(),
        api_group: group.into(),
        api_version: "v1".into(),
        resource: resource.into(),
        subresource: subresource.into(),
        namespace: namespace.into(),
        name: name.into(),
        path: None,
    }
}

pub fn url(verb: &str, path: &str) -> Attributes {
    Attributes {
        verb: verb.into(),
        path: Some(path.into()),
        ..Attributes::default()
    }
}
