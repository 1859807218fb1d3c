//! fleetgraph roles (kubenova.md A3/B2): what a principal may do on the tenancy side.

use async_graphql::Enum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Enum)]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// Operates clusters and tenants; everything an admin does except issuing admin tokens.
    Ops,
    /// Manages the tenants in their token's `tenants` claim.
    TenantOwner,
    /// Works on apps in the projects of their token's scope.
    ProjectDev,
    /// Reads, never writes.
    ReadOnly,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Ops,
        Role::TenantOwner,
        Role::ProjectDev,
        Role::ReadOnly,
    ];

    /// The claim spelling (`tenantOwner`), as KubeNova tokens carry it.
    pub fn as_claim(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ops => "ops",
            Role::TenantOwner => "tenantOwner",
            Role::ProjectDev => "projectDev",
            Role::ReadOnly => "readOnly",
        }
    }

    pub fn from_claim(claim: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_claim() == claim)
    }

    /// Cluster-wide roles are not limited to the tenants in a token.
    pub fn is_cluster_wide(self) -> bool {
        matches!(self, Role::Admin | Role::Ops)
    }
}

/// Parses `admin,tenantOwner` style lists, rejecting unknown names with the list of known ones.
pub fn parse_roles<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Vec<Role>, String> {
    let mut roles = Vec::new();
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let role = Role::from_claim(name).ok_or_else(|| {
            format!(
                "unknown role {name:?}; known roles: {}",
                Role::ALL.map(Role::as_claim).join(", ")
            )
        })?;
        roles.push(role);
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}
