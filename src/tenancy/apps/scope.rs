//! Resolving what an app operation acts on: the app's project, tenant and registered cluster,
//! the caller's right to read or change them, a client for the cluster, and the policy sets
//! attached to the tenant or project.

use uuid::Uuid;

use super::materialize::PolicySetRules;
use super::{AppScope, Apps, find_app};
use crate::error::Result;
use crate::store::Store;
use crate::store::apps::AppRow;
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::projects::Model as ProjectRow;
use crate::store::tenancy::tenants::Model as TenantRow;
use crate::tenancy::{Access, Tenancy, TenantRef};

/// A project with its tenant and cluster.
#[derive(Clone, Debug)]
pub struct ProjectContext {
    pub project: ProjectRow,
    pub tenant: TenantRow,
    pub cluster: ClusterRow,
}

impl ProjectContext {
    pub fn tenant_ref(&self) -> TenantRef<'_> {
        TenantRef {
            id: self.tenant.id,
            name: &self.tenant.name,
        }
    }

    pub fn scope(&self) -> AppScope {
        AppScope {
            cluster_id: self.cluster.id,
            tenant_id: self.tenant.id,
            project_id: self.project.id,
            namespace: self.project.namespace.clone(),
        }
    }
}

/// Loads a project and checks the caller may read it (`write`: may work in it).
pub async fn project(
    store: &Store,
    access: &Access<'_>,
    project_id: Uuid,
    write: bool,
) -> Result<ProjectContext> {
    let project = store.project_required(project_id).await?;
    let tenant = store.tenant_required(project.tenant_id).await?;
    let tref = TenantRef {
        id: tenant.id,
        name: &tenant.name,
    };
    if write {
        access.require_work_in_project(tref, &project.name, project.id)?;
    } else {
        access.require_visible_project(tref, &project.name, project.id)?;
    }
    let cluster = store.cluster_required(project.cluster_id).await?;
    Ok(ProjectContext {
        project,
        tenant,
        cluster,
    })
}

/// Loads an app and its project context, checking the caller as for its project.
pub async fn app(
    store: &Store,
    access: &Access<'_>,
    app_id: Uuid,
    write: bool,
) -> Result<(AppRow, ProjectContext)> {
    let app = find_app(store, app_id).await?;
    let ctx = project(store, access, app.project_id, write).await?;
    Ok((app, ctx))
}

/// The policy sets of the tenant that apply to a project: attached nowhere (tenant-wide), to
/// the tenant, or to this project.
pub async fn policy_sets(store: &Store, ctx: &ProjectContext) -> Result<Vec<PolicySetRules>> {
    let sets = store.policy_sets(ctx.tenant.id).await?;
    Ok(sets
        .into_iter()
        .filter(|set| {
            let attached = set.attached_to();
            attached.is_empty()
                || attached.iter().any(|a| match (&a.tenant, &a.project) {
                    (_, Some(p)) => {
                        *p == ctx.project.name
                            && a.tenant.as_ref().is_none_or(|t| *t == ctx.tenant.name)
                    }
                    (Some(t), None) => *t == ctx.tenant.name,
                    (None, None) => true,
                })
        })
        .map(|set| PolicySetRules {
            rules: set
                .rules()
                .into_iter()
                .map(|r| serde_json::to_value(r).unwrap_or_default())
                .collect(),
            name: set.name,
        })
        .collect())
}

/// The apps handle for a project's cluster, acting as `actor`.
pub async fn apps<'a>(tenancy: &'a Tenancy, ctx: &ProjectContext, actor: &str) -> Result<Apps<'a>> {
    let client = tenancy.pool.client(&ctx.cluster).await?;
    Ok(Apps {
        store: &tenancy.store,
        client,
        actor: actor.to_string(),
        policy_sets: policy_sets(&tenancy.store, ctx).await?,
        cache: tenancy.pool.cache(&ctx.cluster).await.ok(),
    })
}
