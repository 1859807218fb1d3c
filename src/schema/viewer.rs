//! `viewer`: the caller as the server sees it.

use async_graphql::{Context, Object, SimpleObject};

use crate::auth::{AuthKind, Principal, Role};

#[derive(SimpleObject)]
pub struct Viewer {
    /// Subject of the caller's token, or `anonymous`.
    pub subject: String,
    /// fleetgraph roles held, sorted.
    pub roles: Vec<Role>,
    /// Tenants a scoped role applies to, sorted.
    pub tenants: Vec<String>,
    /// `tenant/project` pairs a project-scoped role applies to, sorted.
    pub projects: Vec<String>,
    /// Kubernetes groups, for callers who authenticated with a Kubernetes token.
    pub groups: Vec<String>,
    pub auth_kind: AuthKind,
}

impl From<&Principal> for Viewer {
    fn from(p: &Principal) -> Self {
        Self {
            subject: p.subject.clone(),
            roles: p.roles.clone(),
            tenants: p.tenants.clone(),
            projects: p.projects.clone(),
            groups: p
                .kube
                .as_ref()
                .map(|k| k.groups.clone())
                .unwrap_or_default(),
            auth_kind: p.kind,
        }
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who the server thinks is calling.
    async fn viewer(&self, ctx: &Context<'_>) -> Viewer {
        match ctx.data_opt::<Principal>() {
            Some(p) => Viewer::from(p),
            None => Viewer::from(&Principal::anonymous()),
        }
    }
}
