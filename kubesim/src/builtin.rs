//! The built-in kinds kubesim serves, described as the real server's discovery describes them.

use crate::registry::ResourceInfo;

const ALL: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

struct Def {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    namespaced: bool,
    verbs: &'static [&'static str],
    sub: &'static [&'static str],
}

const NS_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const CREATE: &[&str] = &["create"];

const DEFS: &[Def] = &[
    Def {
        group: "",
        version: "v1",
        kind: "Namespace",
        plural: "namespaces",
        short: &["ns"],
        categories: &[],
        namespaced: false,
        verbs: NS_VERBS,
        sub: &["status", "finalize"],
    },
    Def {
        group: "",
        version: "v1",
        kind: "ConfigMap",
        plural: "configmaps",
        short: &["cm"],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "",
        version: "v1",
        kind: "Secret",
        plural: "secrets",
        short: &[],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "",
        version: "v1",
        kind: "ServiceAccount",
        plural: "serviceaccounts",
        short: &["sa"],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &["token"],
    },
    Def {
        group: "",
        version: "v1",
        kind: "Pod",
        plural: "pods",
        short: &["po"],
        categories: &["all"],
        namespaced: true,
        verbs: ALL,
        sub: &["log", "status"],
    },
    Def {
        group: "",
        version: "v1",
        kind: "ResourceQuota",
        plural: "resourcequotas",
        short: &["quota"],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &["status"],
    },
    Def {
        group: "",
        version: "v1",
        kind: "LimitRange",
        plural: "limitranges",
        short: &["limits"],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "networking.k8s.io",
        version: "v1",
        kind: "NetworkPolicy",
        plural: "networkpolicies",
        short: &["netpol"],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRoleBinding",
        plural: "clusterrolebindings",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "ClusterRole",
        plural: "clusterroles",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "RoleBinding",
        plural: "rolebindings",
        short: &[],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "rbac.authorization.k8s.io",
        version: "v1",
        kind: "Role",
        plural: "roles",
        short: &[],
        categories: &[],
        namespaced: true,
        verbs: ALL,
        sub: &[],
    },
    Def {
        group: "apiextensions.k8s.io",
        version: "v1",
        kind: "CustomResourceDefinition",
        plural: "customresourcedefinitions",
        short: &["crd", "crds"],
        categories: &["api-extensions"],
        namespaced: false,
        verbs: ALL,
        sub: &["status"],
    },
    Def {
        group: "authentication.k8s.io",
        version: "v1",
        kind: "SelfSubjectReview",
        plural: "selfsubjectreviews",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: CREATE,
        sub: &[],
    },
    Def {
        group: "authentication.k8s.io",
        version: "v1",
        kind: "TokenReview",
        plural: "tokenreviews",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: CREATE,
        sub: &[],
    },
    Def {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "LocalSubjectAccessReview",
        plural: "localsubjectaccessreviews",
        short: &[],
        categories: &[],
        namespaced: true,
        verbs: CREATE,
        sub: &[],
    },
    Def {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "SelfSubjectAccessReview",
        plural: "selfsubjectaccessreviews",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: CREATE,
        sub: &[],
    },
    Def {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "SelfSubjectRulesReview",
        plural: "selfsubjectrulesreviews",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: CREATE,
        sub: &[],
    },
    Def {
        group: "authorization.k8s.io",
        version: "v1",
        kind: "SubjectAccessReview",
        plural: "subjectaccessreviews",
        short: &[],
        categories: &[],
        namespaced: false,
        verbs: CREATE,
        sub: &[],
    },
];

/// Review APIs: create-only, answered by the auth module and never stored.
pub fn is_review(group: &str) -> bool {
    group == "authentication.k8s.io" || group == "authorization.k8s.io"
}

/// Built-in kinds whose `.status` is only written through `/status`.
pub fn has_status(group: &str, plural: &str) -> bool {
    matches!(
        (group, plural),
        ("", "namespaces")
            | ("", "pods")
            | ("", "resourcequotas")
            | ("apiextensions.k8s.io", "customresourcedefinitions")
    )
}

pub fn resources() -> Vec<ResourceInfo> {
    DEFS.iter()
        .map(|d| ResourceInfo {
            group: d.group.into(),
            version: d.version.into(),
            kind: d.kind.into(),
            list_kind: format!("{}List", d.kind),
            plural: d.plural.into(),
            singular: d.kind.to_lowercase(),
            short_names: d.short.iter().map(|s| s.to_string()).collect(),
            categories: d.categories.iter().map(|s| s.to_string()).collect(),
            namespaced: d.namespaced,
            verbs: d.verbs.iter().map(|s| s.to_string()).collect(),
            subresources: d.sub.iter().map(|s| s.to_string()).collect(),
            storage: true,
            deprecated: false,
            schema: None,
            printer_columns: crate::table::builtin_columns(d.kind),
        })
        .collect()
}

/// Verbs a subresource allows, as discovery lists them.
pub fn subresource_verbs(sub: &str) -> &'static [&'static str] {
    match sub {
        "status" => &["get", "patch", "update"],
        "log" => &["get"],
        "token" => &["create"],
        "finalize" => &["update"],
        _ => &["get"],
    }
}

/// Kind of a subresource's body, as discovery lists it.
pub fn subresource_kind(sub: &str, kind: &str) -> (String, Option<(&'static str, &'static str)>) {
    match sub {
        "token" => ("TokenRequest".into(), Some(("authentication.k8s.io", "v1"))),
        "log" => ("Pod".into(), None),
        _ => (kind.into(), None),
    }
}
