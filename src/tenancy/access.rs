//! Who may see and change what on the tenancy side (kubenova.md A3.1 / B2, decisions.md §4).
//!
//! - `admin` and `ops` see and change everything.
//! - `tenantOwner` manages the tenants named in its token (owners, quotas, limits, network
//!   policies, plan, policy sets, projects, access, kubeconfigs, apps).
//! - `projectDev` works in the projects of its token (`tenant/project` pairs) and in every
//!   project of the tenants of its token: apps, project labels, kubeconfigs up to its own role.
//! - `readOnly` reads the tenants and projects of its token.
//! - Registered clusters are read by admin, ops and readOnly; scoped roles also see the
//!   clusters their tenants live on. Only admin and ops change them.
//!
//! Tenants are named in tokens by name (or id). Whatever a caller may not see answers exactly
//! like something that does not exist (NOT_FOUND / absent from lists); what it may see but not
//! change answers FORBIDDEN.

use uuid::Uuid;

use crate::auth::{AuthKind, Principal, Role};
use crate::error::{Error, Result};

/// A tenant as authorization needs it.
#[derive(Clone, Copy, Debug)]
pub struct TenantRef<'a> {
    pub id: Uuid,
    pub name: &'a str,
}

/// Project roles a member, a kubeconfig or an access grant can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
pub enum ProjectRole {
    TenantOwner,
    ProjectDev,
    ReadOnly,
}

impl ProjectRole {
    pub const ALL: [ProjectRole; 3] = [
        ProjectRole::TenantOwner,
        ProjectRole::ProjectDev,
        ProjectRole::ReadOnly,
    ];

    pub fn as_claim(self) -> &'static str {
        match self {
            ProjectRole::TenantOwner => "tenantOwner",
            ProjectRole::ProjectDev => "projectDev",
            ProjectRole::ReadOnly => "readOnly",
        }
    }

    pub fn from_claim(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_claim() == s)
    }

    /// Lowercase form used in Kubernetes object names.
    pub fn slug(self) -> &'static str {
        match self {
            ProjectRole::TenantOwner => "tenantowner",
            ProjectRole::ProjectDev => "projectdev",
            ProjectRole::ReadOnly => "readonly",
        }
    }

    /// The Kubernetes verbs of the role (legacy B3).
    pub fn verbs(self) -> &'static [&'static str] {
        match self {
            ProjectRole::TenantOwner => &[
                "get", "list", "watch", "create", "update", "patch", "delete",
            ],
            ProjectRole::ProjectDev => &["get", "list", "watch", "create", "update", "patch"],
            ProjectRole::ReadOnly => &["get", "list", "watch"],
        }
    }
}

/// The caller's tenancy permissions.
pub struct Access<'a> {
    principal: &'a Principal,
}

impl<'a> Access<'a> {
    pub fn new(principal: &'a Principal) -> Self {
        Self { principal }
    }

    pub fn principal(&self) -> &Principal {
        self.principal
    }

    /// Tenancy data needs a caller: anonymous requests are UNAUTHENTICATED.
    pub fn require_caller(&self) -> Result<()> {
        if self.principal.kind == AuthKind::Anonymous {
            return Err(Error::Unauthenticated(
                "tenancy data needs a bearer token (Authorization: Bearer <token>)".to_string(),
            ));
        }
        Ok(())
    }

    fn wide(&self) -> bool {
        self.principal.is_cluster_wide()
    }

    fn has(&self, role: Role) -> bool {
        self.principal.has_role(role)
    }

    fn scoped_role(&self) -> bool {
        self.principal
            .has_any_role(&[Role::TenantOwner, Role::ProjectDev, Role::ReadOnly])
    }

    /// The token names this tenant (by name or id).
    pub fn names_tenant(&self, tenant: TenantRef<'_>) -> bool {
        let id = tenant.id.to_string();
        self.principal
            .tenants
            .iter()
            .any(|t| t == tenant.name || *t == id)
    }

    /// The token names this project (`tenant/project`).
    pub fn names_project(&self, tenant: TenantRef<'_>, project: &str) -> bool {
        self.principal.projects.iter().any(|pair| {
            pair.split_once('/').is_some_and(|(t, p)| {
                (t == tenant.name || t == tenant.id.to_string()) && p == project
            })
        })
    }

    fn names_any_project_of(&self, tenant: TenantRef<'_>) -> bool {
        self.principal.projects.iter().any(|pair| {
            pair.split_once('/')
                .is_some_and(|(t, _)| t == tenant.name || t == tenant.id.to_string())
        })
    }

    // ---- clusters

    /// Sees every registered cluster.
    pub fn sees_all_clusters(&self) -> bool {
        self.wide() || self.has(Role::ReadOnly)
    }

    pub fn require_cluster_admin(&self) -> Result<()> {
        self.require_caller()?;
        if self.wide() {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "registering, bootstrapping and deleting clusters needs the admin or ops role"
                    .to_string(),
            ))
        }
    }

    // ---- tenants

    pub fn sees_tenant(&self, tenant: TenantRef<'_>) -> bool {
        self.wide()
            || (self.scoped_role()
                && (self.names_tenant(tenant) || self.names_any_project_of(tenant)))
    }

    /// Creating and deleting tenants: admin and ops (A3.1).
    pub fn require_tenant_admin(&self) -> Result<()> {
        self.require_caller()?;
        if self.wide() {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "creating and deleting tenants needs the admin or ops role".to_string(),
            ))
        }
    }

    /// Owners, quotas, limits, network policies, plan, policy sets, projects and access.
    pub fn may_configure_tenant(&self, tenant: TenantRef<'_>) -> bool {
        self.wide() || (self.has(Role::TenantOwner) && self.names_tenant(tenant))
    }

    pub fn require_configure_tenant(&self, tenant: TenantRef<'_>) -> Result<()> {
        self.require_visible_tenant(tenant)?;
        if self.may_configure_tenant(tenant) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "changing tenant {} needs admin, ops, or tenantOwner of that tenant",
                tenant.name
            )))
        }
    }

    /// NOT_FOUND unless the caller may see the tenant.
    pub fn require_visible_tenant(&self, tenant: TenantRef<'_>) -> Result<()> {
        self.require_caller()?;
        if self.sees_tenant(tenant) {
            Ok(())
        } else {
            Err(not_found("tenant", &tenant.id.to_string()))
        }
    }

    // ---- projects

    pub fn sees_project(&self, tenant: TenantRef<'_>, project: &str) -> bool {
        self.wide()
            || (self.scoped_role()
                && (self.names_tenant(tenant) || self.names_project(tenant, project)))
    }

    pub fn require_visible_project(
        &self,
        tenant: TenantRef<'_>,
        project: &str,
        id: Uuid,
    ) -> Result<()> {
        self.require_caller()?;
        if self.sees_project(tenant, project) {
            Ok(())
        } else {
            Err(not_found("project", &id.to_string()))
        }
    }

    /// Works in the project: apps, labels, kubeconfigs (projectDev and up).
    pub fn may_work_in_project(&self, tenant: TenantRef<'_>, project: &str) -> bool {
        self.may_configure_tenant(tenant)
            || (self.has(Role::ProjectDev)
                && (self.names_tenant(tenant) || self.names_project(tenant, project)))
    }

    pub fn require_work_in_project(
        &self,
        tenant: TenantRef<'_>,
        project: &str,
        id: Uuid,
    ) -> Result<()> {
        self.require_visible_project(tenant, project, id)?;
        if self.may_work_in_project(tenant, project) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "changing project {project} needs admin, ops, tenantOwner of its tenant or projectDev of the project"
            )))
        }
    }

    /// The highest project role the caller may hand out in a kubeconfig.
    pub fn may_issue_kubeconfig(
        &self,
        tenant: TenantRef<'_>,
        project: &str,
        role: ProjectRole,
    ) -> bool {
        if self.may_configure_tenant(tenant) {
            return true;
        }
        self.may_work_in_project(tenant, project) && role != ProjectRole::TenantOwner
    }

    // ---- tokens

    /// Issuing tokens: admins (anyone when authentication is disabled, as the caller then is
    /// an admin).
    pub fn require_token_issuer(&self) -> Result<()> {
        self.require_caller()?;
        if self.has(Role::Admin) {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "issuing tokens needs the admin role".to_string(),
            ))
        }
    }
}

pub fn not_found(what: &str, id: &str) -> Error {
    Error::NotFound(format!("no {what} with id {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role], tenants: &[&str], projects: &[&str]) -> Principal {
        Principal {
            subject: "u".into(),
            roles: roles.to_vec(),
            tenants: tenants.iter().map(|s| s.to_string()).collect(),
            projects: projects.iter().map(|s| s.to_string()).collect(),
            kind: AuthKind::Jwt,
            kube: None,
            kube_token: None,
        }
    }

    #[test]
    fn matrix() {
        let a = TenantRef {
            id: Uuid::new_v4(),
            name: "a",
        };
        let b = TenantRef {
            id: Uuid::new_v4(),
            name: "b",
        };
        let owner_a = principal(&[Role::TenantOwner], &["a"], &[]);
        let dev_web = principal(&[Role::ProjectDev], &[], &["a/web"]);
        let reader_a = principal(&[Role::ReadOnly], &["a"], &[]);
        let ops = principal(&[Role::Ops], &[], &[]);

        let o = Access::new(&owner_a);
        assert!(o.sees_tenant(a) && !o.sees_tenant(b));
        assert!(o.may_configure_tenant(a) && !o.may_configure_tenant(b));
        assert!(o.require_tenant_admin().is_err());
        assert_eq!(
            o.require_visible_tenant(b).unwrap_err().code().as_str(),
            "NOT_FOUND"
        );

        let d = Access::new(&dev_web);
        assert!(d.sees_tenant(a) && d.sees_project(a, "web") && !d.sees_project(a, "api"));
        assert!(d.may_work_in_project(a, "web") && !d.may_configure_tenant(a));
        assert!(d.may_issue_kubeconfig(a, "web", ProjectRole::ProjectDev));
        assert!(!d.may_issue_kubeconfig(a, "web", ProjectRole::TenantOwner));
        assert_eq!(
            d.require_configure_tenant(a).unwrap_err().code().as_str(),
            "FORBIDDEN"
        );

        let r = Access::new(&reader_a);
        assert!(r.sees_project(a, "api") && !r.may_work_in_project(a, "api"));
        assert!(!r.sees_tenant(b) && r.sees_all_clusters());

        let w = Access::new(&ops);
        assert!(w.may_configure_tenant(b) && w.require_cluster_admin().is_ok());
        assert!(w.require_token_issuer().is_err());

        let anon = Principal::anonymous();
        assert_eq!(
            Access::new(&anon)
                .require_caller()
                .unwrap_err()
                .code()
                .as_str(),
            "UNAUTHENTICATED"
        );
    }
}
