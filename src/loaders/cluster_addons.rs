//! Helm releases, deployed resources and feature statuses of clusters, computed for a whole
//! page of clusters in one batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::fleet::cache::{ClusterRef, FleetSnapshot};
use crate::fleet::query::addons::{ClusterAddons, cluster_addons};
use crate::metrics::Metrics;

/// The loader as requests carry it: batching, and caching within the request.
pub type AddonsLoader = DataLoader<ClusterAddonsLoader, HashMapCache>;

pub struct ClusterAddonsLoader {
    snapshot: Arc<FleetSnapshot>,
    metrics: Arc<Metrics>,
}

impl ClusterAddonsLoader {
    pub fn new(snapshot: Arc<FleetSnapshot>, metrics: Arc<Metrics>) -> Self {
        Self { snapshot, metrics }
    }
}

impl Loader<ClusterRef> for ClusterAddonsLoader {
    type Value = Arc<ClusterAddons>;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[ClusterRef],
    ) -> Result<HashMap<ClusterRef, Self::Value>, Self::Error> {
        self.metrics.observe_batch("cluster_addons", keys.len());
        Ok(keys
            .iter()
            .map(|k| (k.clone(), Arc::new(cluster_addons(&self.snapshot, k))))
            .collect())
    }
}
