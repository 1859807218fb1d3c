//! Allow/deny table for the RBAC evaluator over a fixed set of Roles, ClusterRoles and bindings
//! (plus the bootstrap policy every cluster has), with the real authorizer's reasons.

use kubesim::identity::{Attributes, UserInfo};
use kubesim::rbac::{RbacSnapshot, aggregate_cluster_roles, bootstrap_rbac_objects};
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

fn fixture() -> RbacSnapshot {
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
                    "verbs": ["get", "update", "list"]}]),
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
fn who(name: &str, groups: &[&str]) -> UserInfo {
    let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
    groups.push("system:authenticated".into());
    UserInfo {
        username: name.into(),
        groups,
        ..UserInfo::default()
    }
}

fn sa(ns: &str, name: &str) -> UserInfo {
    who(
        &format!("system:serviceaccount:{ns}:{name}"),
        &[
            "system:serviceaccounts",
            &format!("system:serviceaccounts:{ns}"),
        ],
    )
}

/// `verb group/resource[/sub] ns/name`, e.g. `get /pods team-a/` or `list apps/deployments team-a/`.
fn res(verb: &str, gr: &str, ns_name: &str) -> Attributes {
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

fn url(verb: &str, path: &str) -> Attributes {
    Attributes {
        verb: verb.into(),
        path: Some(path.into()),
        ..Attributes::default()
    }
}

#[test]
fn allow_deny_table() {
    let rbac = fixture();
    let nobody = who("nobody", &[]);
    let anonymous = UserInfo {
        username: "system:anonymous".into(),
        groups: vec!["system:unauthenticated".into()],
        ..UserInfo::default()
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, UserInfo, Attributes, bool)> = vec![
        // Group subjects through a ClusterRoleBinding: everywhere, also cluster-wide lists.
        ("group reads pods in any namespace", who("gina", &["readers"]), res("get", "/pods", "team-z/p1"), true),
        ("group lists pods across namespaces", who("gina", &["readers"]), res("list", "/pods", "/"), true),
        ("group may not delete pods", who("gina", &["readers"]), res("delete", "/pods", "team-a/p1"), false),
        ("group grant is not for other resources", who("gina", &["readers"]), res("get", "/secrets", "team-a/s"), false),
        ("group grant is not for a same-named resource in another group", who("gina", &["readers"]), res("get", "metrics.k8s.io/pods", "team-a/p"), false),
        ("pod read grants no subresource", who("gina", &["readers"]), res("get", "/pods/log", "team-a/p1"), false),
        // Verb wildcard.
        ("verb * allows delete", who("carol", &[]), res("delete", "/configmaps", "x/cm"), true),
        ("verb * allows deletecollection", who("carol", &[]), res("deletecollection", "/configmaps", "x/"), true),
        ("verb * stays on its resource", who("carol", &[]), res("delete", "/secrets", "x/s"), false),
        // Group wildcard, with a ServiceAccount subject of a ClusterRoleBinding.
        ("apiGroups * matches apps", sa("ci", "builder"), res("get", "apps/deployments", "prod/web"), true),
        ("apiGroups * matches extensions", sa("ci", "builder"), res("get", "extensions/deployments", "prod/web"), true),
        ("SA binding is for its namespace's account only", sa("other", "builder"), res("get", "apps/deployments", "prod/web"), false),
        ("SA verbs still apply", sa("ci", "builder"), res("delete", "apps/deployments", "prod/web"), false),
        ("a CRB SA subject without namespace matches nobody", sa("default", "orphan"), res("get", "/pods", "default/p"), false),
        // Resource wildcard within one group, through a RoleBinding to a Group.
        ("resources * within apps", who("lee", &["app-listers"]), res("list", "apps/statefulsets", "team-a/"), true),
        ("resources * includes subresources", who("lee", &["app-listers"]), res("list", "apps/deployments/status", "team-a/"), true),
        ("resources * is not other groups", who("lee", &["app-listers"]), res("list", "batch/jobs", "team-a/"), false),
        ("RoleBinding stops at its namespace", who("lee", &["app-listers"]), res("list", "apps/deployments", "team-b/"), false),
        ("RoleBinding grants nothing cluster-wide", who("lee", &["app-listers"]), res("list", "apps/deployments", "/"), false),
        // resourceNames.
        ("named get allowed", who("sam", &[]), res("get", "/secrets", "team-a/db-password"), true),
        ("named update allowed", who("sam", &[]), res("update", "/secrets", "team-a/db-password"), true),
        ("other name denied", who("sam", &[]), res("get", "/secrets", "team-a/api-key"), false),
        ("list has no name, so resourceNames never match it", who("sam", &[]), res("list", "/secrets", "team-a/"), false),
        ("watch without name denied", who("sam", &[]), res("watch", "/secrets", "team-a/"), false),
        // Subresources.
        ("pods/log allowed", who("logan", &[]), res("get", "/pods/log", "team-a/p1"), true),
        ("pods/log grants not the pod", who("logan", &[]), res("get", "/pods", "team-a/p1"), false),
        ("pods/log grants not pods/exec", who("logan", &[]), res("get", "/pods/exec", "team-a/p1"), false),
        ("*/status matches pods/status", who("stat", &[]), res("update", "/pods/status", "x/p"), true),
        ("*/status matches a CRD's status", who("stat", &[]), res("patch", "config.projectsveltos.io/clusterprofiles/status", "/cp"), true),
        ("*/status is not the main resource", who("stat", &[]), res("update", "/pods", "x/p"), false),
        ("*/status is not */scale", who("stat", &[]), res("update", "apps/deployments/scale", "x/d"), false),
        ("pods/* is no pattern: not pods/log", who("pat", &[]), res("get", "/pods/log", "team-a/p"), false),
        ("pods/* is no pattern: not pods", who("pat", &[]), res("get", "/pods", "team-a/p"), false),
        // Role (namespaced) through a RoleBinding with User and default-namespace SA subjects.
        ("Role grants user in its namespace", who("alice", &[]), res("create", "apps/deployments", "team-a/"), true),
        ("Role binding's SA subject defaults to binding namespace", sa("team-a", "builder"), res("get", "apps/deployments", "team-a/web"), true),
        ("defaulted SA namespace is the binding's only", sa("team-b", "builder"), res("get", "apps/deployments", "team-a/web"), false),
        ("Role does not leak to another namespace", who("alice", &[]), res("create", "apps/deployments", "team-c/"), false),
        ("binding to a Role missing in its namespace grants nothing", who("alice", &[]), res("get", "apps/deployments", "team-b/web"), false),
        // RoleBinding to a ClusterRole is scoped to the binding's namespace.
        ("RB→ClusterRole in namespace", who("bob", &[]), res("list", "/pods", "team-a/"), true),
        ("RB→ClusterRole not in other namespace", who("bob", &[]), res("list", "/pods", "team-b/"), false),
        ("RB→ClusterRole not cluster-wide", who("bob", &[]), res("list", "/pods", "/"), false),
        // Non-resource URLs.
        ("exact URL", who("mo", &["monitoring"]), url("get", "/metrics"), true),
        ("URL prefix with *", who("mo", &["monitoring"]), url("get", "/logs/kube-apiserver.log"), true),
        ("URL * needs the prefix", who("mo", &["monitoring"]), url("get", "/logsx"), false),
        ("URL verb checked", who("mo", &["monitoring"]), url("post", "/metrics"), false),
        ("URL rules never grant resources", who("mo", &["monitoring"]), res("get", "/metrics", "/"), false),
        ("resource rules never grant URLs", who("gina", &["readers"]), url("get", "/pods"), false),
        // Aggregated ClusterRoles, by matchLabels and by matchExpressions.
        ("aggregated by matchLabels", who("mona", &[]), res("list", "/services", "x/"), true),
        ("aggregated by matchExpressions", who("mona", &[]), res("watch", "events.k8s.io/events", "x/"), true),
        ("unselected role not aggregated", who("mona", &[]), res("get", "/secrets", "x/s"), false),
        // Bootstrap policy: discovery and self reviews for every authenticated user.
        ("discovery /api", nobody.clone(), url("get", "/api"), true),
        ("discovery /apis/apps/v1", nobody.clone(), url("get", "/apis/apps/v1"), true),
        ("discovery /version", nobody.clone(), url("get", "/version"), true),
        ("discovery /openapi/v3", nobody.clone(), url("get", "/openapi/v3/apis/apps/v1"), true),
        ("healthz", nobody.clone(), url("get", "/healthz"), true),
        ("no other URL", nobody.clone(), url("get", "/metrics"), false),
        ("selfsubjectaccessreviews", nobody.clone(), res("create", "authorization.k8s.io/selfsubjectaccessreviews", "/"), true),
        ("selfsubjectrulesreviews", nobody.clone(), res("create", "authorization.k8s.io/selfsubjectrulesreviews", "/"), true),
        ("selfsubjectreviews", nobody.clone(), res("create", "authentication.k8s.io/selfsubjectreviews", "/"), true),
        ("no subjectaccessreviews", nobody.clone(), res("create", "authorization.k8s.io/subjectaccessreviews", "/"), false),
        ("no tokenreviews", nobody.clone(), res("create", "authentication.k8s.io/tokenreviews", "/"), false),
        ("no pods for a user without bindings", nobody.clone(), res("list", "/pods", "default/"), false),
        ("anonymous may read /version", anonymous.clone(), url("get", "/version"), true),
        ("anonymous may not discover", anonymous.clone(), url("get", "/api"), false),
        // Bootstrap admin / edit / view, bound in team-a.
        ("view reads pods", who("vic", &[]), res("list", "/pods", "team-a/"), true),
        ("view reads no secrets", who("vic", &[]), res("get", "/secrets", "team-a/s"), false),
        ("view cannot write", who("vic", &[]), res("create", "/configmaps", "team-a/"), false),
        ("edit writes secrets", who("eddie", &[]), res("delete", "/secrets", "team-a/s"), true),
        ("edit includes view", who("eddie", &[]), res("watch", "apps/deployments", "team-a/"), true),
        ("edit may impersonate serviceaccounts", who("eddie", &[]), res("impersonate", "/serviceaccounts", "team-a/sa"), true),
        ("edit cannot grant", who("eddie", &[]), res("create", "rbac.authorization.k8s.io/rolebindings", "team-a/"), false),
        ("admin grants", who("ada", &[]), res("create", "rbac.authorization.k8s.io/rolebindings", "team-a/"), true),
        ("admin includes edit and view", who("ada", &[]), res("get", "/pods/log", "team-a/p"), true),
        ("admin is namespaced", who("ada", &[]), res("create", "rbac.authorization.k8s.io/rolebindings", "team-b/"), false),
        // system:masters needs no binding; other odd inputs.
        ("system:masters allowed anything", who("root", &["system:masters"]), res("delete", "/nodes", "/n1"), true),
        ("system:masters allowed any URL", who("root", &["system:masters"]), url("post", "/anything"), true),
        ("dangling roleRef grants nothing", who("dave", &[]), res("get", "/pods", "x/p"), false),
        ("rule without groups/resources grants nothing", who("sid", &[]), res("get", "/pods", "x/p"), false),
    ];
    let mut failures = Vec::new();
    for (what, user, attrs, want) in &cases {
        let got = rbac.authorize(user, attrs);
        if got.allowed != *want {
            failures.push(format!(
                "{what}: {} {attrs:?} → allowed={} ({:?}), want {want}",
                user.username, got.allowed, got.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn reasons_are_the_real_authorizers() {
    let rbac = fixture();
    let cases = [
        (
            who("gina", &["readers"]),
            res("get", "/pods", "x/p"),
            "RBAC: allowed by ClusterRoleBinding \"readers\" of ClusterRole \"pod-reader\" to Group \"readers\"",
        ),
        (
            who("carol", &[]),
            res("get", "/configmaps", "x/c"),
            "RBAC: allowed by ClusterRoleBinding \"carol-configmaps\" of ClusterRole \"configmaps-all\" to User \"carol\"",
        ),
        (
            sa("team-a", "builder"),
            res("get", "apps/deployments", "team-a/web"),
            "RBAC: allowed by RoleBinding \"deployers/team-a\" of Role \"deployer\" to ServiceAccount \"builder/team-a\"",
        ),
        (
            sa("ci", "builder"),
            res("get", "apps/deployments", "x/web"),
            "RBAC: allowed by ClusterRoleBinding \"ci-builder\" of ClusterRole \"deployments-any-group\" to ServiceAccount \"builder/ci\"",
        ),
        (
            who("bob", &[]),
            res("get", "/pods", "team-a/p"),
            "RBAC: allowed by RoleBinding \"bob-reads/team-a\" of ClusterRole \"pod-reader\" to User \"bob\"",
        ),
        (
            who("nobody", &[]),
            url("get", "/api"),
            "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to Group \"system:authenticated\"",
        ),
        // Denials carry no reason, unless a binding naming the user points nowhere.
        (who("nobody", &[]), res("get", "/pods", "x/p"), ""),
        (
            who("dave", &[]),
            res("get", "/pods", "x/p"),
            "RBAC: clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found",
        ),
        (
            who("alice", &[]),
            res("get", "/pods", "team-b/p"),
            "RBAC: role.rbac.authorization.k8s.io \"deployer\" not found",
        ),
        // The privileged-group authorizer allows without a reason.
        (
            who("root", &["system:masters"]),
            res("get", "/pods", "x/p"),
            "",
        ),
    ];
    for (user, attrs, want) in cases {
        assert_eq!(
            rbac.authorize(&user, &attrs).reason,
            want,
            "{} {attrs:?}",
            user.username
        );
    }
}

#[test]
fn rules_for_lists_cluster_and_namespace_rules() {
    let rbac = fixture();
    let (resource, non_resource) = rbac.rules_for(&who("bob", &[]), "team-a");
    let json = serde_json::to_value(&resource).unwrap();
    assert!(
        json.as_array().unwrap().contains(&json!({
            "verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods"]
        })),
        "bob's RoleBinding rules missing: {json}"
    );
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|r| r["resources"]
                == json!(["selfsubjectaccessreviews", "selfsubjectrulesreviews"])),
        "basic-user rules missing: {json}"
    );
    assert!(
        non_resource
            .iter()
            .any(|r| r.non_resource_urls.contains(&"/api/*".to_string())),
        "discovery rules missing: {non_resource:?}"
    );
    // Nothing from team-a elsewhere.
    let (elsewhere, _) = rbac.rules_for(&who("bob", &[]), "team-b");
    assert!(
        !elsewhere
            .iter()
            .any(|r| r.resources == vec!["pods".to_string()]),
        "{elsewhere:?}"
    );
    // A dangling reference makes the answer incomplete.
    let (_, _, errors) = rbac.rules_review(&who("dave", &[]), "x");
    assert_eq!(
        errors,
        vec!["clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found".to_string()]
    );
}

#[test]
fn bootstrap_objects_are_what_a_cluster_has() {
    let objects = bootstrap_rbac_objects();
    let find = |kind: &str, name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{kind} {name} missing"))
    };
    for name in [
        "cluster-admin",
        "admin",
        "edit",
        "view",
        "system:discovery",
        "system:basic-user",
        "system:public-info-viewer",
    ] {
        let role = find("ClusterRole", name);
        assert_eq!(role["apiVersion"], "rbac.authorization.k8s.io/v1");
        assert!(
            !role["rules"].as_array().unwrap().is_empty(),
            "{name} has no rules"
        );
    }
    // The aggregation is visible in the stored objects, as after the controller ran.
    let view_rules = find("ClusterRole", "view")["rules"]
        .as_array()
        .unwrap()
        .len();
    let edit_rules = find("ClusterRole", "edit")["rules"]
        .as_array()
        .unwrap()
        .len();
    let admin_rules = find("ClusterRole", "admin")["rules"]
        .as_array()
        .unwrap()
        .len();
    assert!(view_rules < edit_rules && edit_rules < admin_rules);
    assert_eq!(
        find("ClusterRoleBinding", "cluster-admin")["subjects"][0]["name"],
        "system:masters"
    );
    assert_eq!(
        find("ClusterRoleBinding", "system:discovery")["subjects"][0]["name"],
        "system:authenticated"
    );
}

#[test]
fn aggregation_is_recomputed_not_accumulated() {
    let mut roles = vec![
        json!({"kind": "ClusterRole", "metadata": {"name": "agg"},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]},
               "rules": [{"apiGroups": [""], "resources": ["stale"], "verbs": ["get"]}]}),
        json!({"kind": "ClusterRole", "metadata": {"name": "part", "labels": {"x": "true"}},
               "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
    ];
    aggregate_cluster_roles(&mut roles);
    assert_eq!(
        roles[0]["rules"],
        json!([{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}])
    );
    // The labelled role goes away: its rules leave the aggregate.
    roles.truncate(1);
    aggregate_cluster_roles(&mut roles);
    assert_eq!(roles[0]["rules"], json!([]));
}
