//! Helm releases, deployed resources and feature statuses of clusters, for a whole page of
//! clusters in one batch; each cluster's view is computed once per snapshot and shared.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::fleet::cache::{ClusterRef, FleetSnapshot};
use crate::fleet::query::addons::ClusterAddons;
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
            .map(|k| (k.clone(), self.snapshot.addons_of(k)))
            .collect())
    }
}
