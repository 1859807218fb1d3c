//! An app's status for read queries: from the cluster's Application watch when it is synced
//! and current, from the cluster otherwise (see `cluster_cache::reflected`).

use super::{cluster, view};
use crate::error::Result;
use crate::store::apps::AppRow;
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::tenancy::ClusterPool;

pub async fn read(
    pool: &ClusterPool,
    cluster: &ClusterRow,
    app: &AppRow,
) -> Result<view::AppStatus> {
    match pool.cache(cluster).await {
        Ok(cache) => {
            if let Some(found) = cache.applications.get(&app.namespace, &app.name) {
                return Ok(view::AppStatus::of(found.as_deref()));
            }
        }
        Err(e) => tracing::debug!(cluster = %cluster.name, error = %e, "no watch cache"),
    }
    let client = pool.client(cluster).await?;
    let current = cluster::get_application(&client, &app.namespace, &app.name).await?;
    Ok(view::AppStatus::of(current.as_ref()))
}
