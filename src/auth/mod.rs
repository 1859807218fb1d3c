//! Who is calling. Authentication is not enforced yet: every request is the anonymous principal.

use async_graphql::Enum;

/// How a principal proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum AuthKind {
    /// No credentials were presented.
    Anonymous,
    /// A fleetgraph-issued JWT.
    Jwt,
    /// A Kubernetes token checked with TokenReview.
    Kubernetes,
    /// Authentication is switched off by configuration; everyone is trusted.
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

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub roles: Vec<String>,
    pub tenants: Vec<String>,
    pub kind: AuthKind,
}

impl Principal {
    pub fn anonymous() -> Self {
        Self {
            subject: "anonymous".to_string(),
            roles: Vec::new(),
            tenants: Vec::new(),
            kind: AuthKind::Anonymous,
        }
    }
}
