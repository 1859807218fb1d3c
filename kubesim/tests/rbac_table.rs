//! Allow/deny table for the RBAC evaluator over a fixed set of Roles, ClusterRoles and bindings
//! (plus the bootstrap policy every cluster has), with the real authorizer's reasons.

mod rbac_fixture;

use kubesim::identity::{Attributes, UserInfo};
use rbac_fixture::{fixture, res, sa, url, who};

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
