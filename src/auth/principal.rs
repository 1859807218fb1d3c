//! The caller of one request.

use std::fmt;
use std::sync::Arc;

use async_graphql::Enum;

use super::roles::Role;
use super::token_review::KubeIdentity;

/// How a principal proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum AuthKind {
    /// No credentials were presented.
    Anonymous,
    /// A fleetgraph-issued JWT.
    Jwt,
    /// A Kubernetes token checked with TokenReview.
    Kubernetes,
    /// Authentication is switched off by configuration; everyone is trusted as an admin.
    Disabled,
}

impl AuthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::Anonymous => "anonymous",
            AuthKind::Jwt => "jwt",
            AuthKind::Kubernetes => "kubernetes",
            AuthKind::Disabled => "disabled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    /// Sorted, without duplicates.
    pub roles: Vec<Role>,
    /// Tenants a scoped role applies to (sorted).
    pub tenants: Vec<String>,
    /// `tenant/project` pairs a project-scoped role applies to (sorted).
    pub projects: Vec<String>,
    pub kind: AuthKind,
    /// The Kubernetes identity, for SubjectAccessReviews (Kubernetes tokens only).
    pub kube: Option<KubeIdentity>,
    /// The Kubernetes token the caller presented (Kubernetes tokens only), to ask the API
    /// server about the caller as the caller (SelfSubjectRulesReview).
    pub kube_token: Option<CallerToken>,
}

/// A caller's bearer token: shared cheaply, compared by value, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct CallerToken(Arc<str>);

impl CallerToken {
    pub fn new(token: &str) -> Self {
        Self(Arc::from(token))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CallerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallerToken(<redacted>)")
    }
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            subject: "anonymous".to_string(),
            roles: Vec::new(),
            tenants: Vec::new(),
            projects: Vec::new(),
            kind: AuthKind::Anonymous,
            kube: None,
            kube_token: None,
        }
    }

    /// Everyone, when authentication is switched off.
    pub fn auth_disabled() -> Self {
        Self {
            subject: "anonymous".to_string(),
            roles: vec![Role::Admin],
            tenants: Vec::new(),
            projects: Vec::new(),
            kind: AuthKind::Disabled,
            kube: None,
            kube_token: None,
        }
    }

    pub fn is_authenticated(&self) -> bool {
        self.kind != AuthKind::Anonymous
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    /// Admin or ops: not limited to the tenants in the token.
    pub fn is_cluster_wide(&self) -> bool {
        self.roles.iter().any(|r| r.is_cluster_wide())
    }

    /// The key rate limits and caches are kept under.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.subject)
    }
}
