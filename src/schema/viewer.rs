//! `viewer`: the caller as the server sees it.

use async_graphql::{Context, Object, SimpleObject};

use crate::auth::{AuthKind, Principal};

#[derive(SimpleObject)]
pub struct Viewer {
    /// Subject of the caller's token, or `anonymous`.
    pub subject: String,
    /// fleetgraph roles held: admin, ops, tenantOwner, projectDev, readOnly.
    pub roles: Vec<String>,
    /// Tenants the caller is scoped to (empty for cluster-wide roles).
    pub tenants: Vec<String>,
    pub auth_kind: AuthKind,
}

impl From<&Principal> for Viewer {
    fn from(p: &Principal) -> Self {
        Self {
            subject: p.subject.clone(),
            roles: p.roles.clone(),
            tenants: p.tenants.clone(),
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
