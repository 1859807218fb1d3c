//! Store rows of the tenancy graph (tenants, projects, registered clusters, a project's apps),
//! loaded in batches per request: a tenant page with its projects, their apps and each app's
//! scope costs one statement per kind of row, whatever the number of projects and apps.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use uuid::Uuid;

use crate::store::Store;
use crate::store::apps::AppRow;
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::store::tenancy::projects::Model as ProjectRow;
use crate::store::tenancy::tenants::Model as TenantRow;

/// The loader as requests carry it: batching, and caching within the request.
pub type TenancyLoader = DataLoader<TenancyRows, HashMapCache>;

pub struct TenancyRows {
    store: Store,
}

impl TenancyRows {
    pub fn loader(store: Store) -> TenancyLoader {
        DataLoader::with_cache(Self { store }, tokio::spawn, HashMapCache::default())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TenantKey(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProjectKey(pub Uuid);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClusterKey(pub Uuid);

/// Every app of a project, by name then id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AppsOfProject(pub Uuid);

type Loaded<K, V> = Result<HashMap<K, V>, Arc<String>>;

fn failed(e: crate::error::Error) -> Arc<String> {
    Arc::new(e.to_string())
}

impl Loader<TenantKey> for TenancyRows {
    type Value = Arc<TenantRow>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[TenantKey]) -> Loaded<TenantKey, Self::Value> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.tenants_by_ids(&ids).await.map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|r| (TenantKey(r.id), Arc::new(r)))
            .collect())
    }
}

impl Loader<ProjectKey> for TenancyRows {
    type Value = Arc<ProjectRow>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[ProjectKey]) -> Loaded<ProjectKey, Self::Value> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.projects_by_ids(&ids).await.map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|r| (ProjectKey(r.id), Arc::new(r)))
            .collect())
    }
}

impl Loader<ClusterKey> for TenancyRows {
    type Value = Arc<ClusterRow>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[ClusterKey]) -> Loaded<ClusterKey, Self::Value> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.clusters_by_ids(&ids).await.map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|r| (ClusterKey(r.id), Arc::new(r)))
            .collect())
    }
}

impl Loader<AppsOfProject> for TenancyRows {
    type Value = Arc<Vec<AppRow>>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[AppsOfProject]) -> Loaded<AppsOfProject, Self::Value> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut by_project: HashMap<AppsOfProject, Vec<AppRow>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in self.store.apps_of_projects(&ids).await.map_err(failed)? {
            if let Some(list) = by_project.get_mut(&AppsOfProject(row.project_id)) {
                list.push(row);
            }
        }
        Ok(by_project
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect())
    }
}

/// A project the caller may read, with its tenant and cluster: the checks of
/// `tenancy::apps::scope::project` (read), on rows loaded in batches.
pub async fn readable_project(
    rows: &TenancyLoader,
    access: &crate::tenancy::Access<'_>,
    project_id: Uuid,
) -> crate::error::Result<(Arc<ProjectRow>, Arc<TenantRow>, Arc<ClusterRow>)> {
    use crate::error::Error;
    let internal = |e: Arc<String>| Error::Internal(e.to_string());
    let project = rows
        .load_one(ProjectKey(project_id))
        .await
        .map_err(internal)?
        .ok_or_else(|| Error::NotFound(format!("no project with id {project_id}")))?;
    let tenant = rows
        .load_one(TenantKey(project.tenant_id))
        .await
        .map_err(internal)?
        .ok_or_else(|| Error::NotFound(format!("no tenant with id {}", project.tenant_id)))?;
    let tref = crate::tenancy::TenantRef {
        id: tenant.id,
        name: &tenant.name,
    };
    access.require_visible_project(tref, &project.name, project.id)?;
    let cluster = rows
        .load_one(ClusterKey(project.cluster_id))
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            Error::NotFound(format!(
                "no registered cluster with id {}",
                project.cluster_id
            ))
        })?;
    Ok((project, tenant, cluster))
}
