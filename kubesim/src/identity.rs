//! Who is calling and what they ask to do: the vocabulary shared by authentication,
//! the RBAC evaluator, the review APIs and the HTTP layer.

use std::collections::BTreeMap;

/// An authenticated caller, as `authentication.k8s.io/v1` `UserInfo` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub uid: String,
    pub groups: Vec<String>,
    pub extra: BTreeMap<String, Vec<String>>,
}

/// What a request asks to do, as the Kubernetes authorizer sees it.
///
/// For resource requests `path` is `None`; for non-resource requests (`/version`, `/apis`, ...)
/// `path` is set and the resource fields are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    /// get, list, watch, create, update, patch, delete, deletecollection, impersonate, ...
    pub verb: String,
    /// "" for the core group.
    pub api_group: String,
    pub api_version: String,
    /// Plural resource name, e.g. "pods".
    pub resource: String,
    /// e.g. "status", "log", "token"; "" when none.
    pub subresource: String,
    /// "" for cluster-scoped requests and for lists across all namespaces.
    pub namespace: String,
    /// "" for collection requests.
    pub name: String,
    /// Set only for non-resource requests.
    pub path: Option<String>,
}

/// The authorizer's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Human-readable reason, as the real RBAC authorizer gives it (e.g. `RBAC: allowed by
    /// ClusterRoleBinding "x" of ClusterRole "y" to User "z"`); empty when denied without reason.
    pub reason: String,
}
