//! The profiles matching each cluster of a page, computed in one batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::fleet::cache::profile_index::FleetProfile;
use crate::fleet::cache::{ClusterRef, FleetSnapshot};
use crate::fleet::query::matching::matching_profiles;
use crate::metrics::Metrics;

/// The loader as requests carry it: batching, and caching within the request.
pub type MatchingProfilesLoader = DataLoader<MatchingProfiles, HashMapCache>;

pub struct MatchingProfiles {
    snapshot: Arc<FleetSnapshot>,
    metrics: Arc<Metrics>,
}

impl MatchingProfiles {
    pub fn new(snapshot: Arc<FleetSnapshot>, metrics: Arc<Metrics>) -> Self {
        Self { snapshot, metrics }
    }
}

impl Loader<ClusterRef> for MatchingProfiles {
    /// In kind, namespace, name order.
    type Value = Arc<Vec<Arc<FleetProfile>>>;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[ClusterRef],
    ) -> Result<HashMap<ClusterRef, Self::Value>, Self::Error> {
        self.metrics.observe_batch("matching_profiles", keys.len());
        Ok(keys
            .iter()
            .filter_map(|k| {
                let cluster = self.snapshot.cluster(k)?;
                let profiles = matching_profiles(&self.snapshot, cluster)
                    .into_iter()
                    .map(|(p, _)| p)
                    .collect();
                Some((k.clone(), Arc::new(profiles)))
            })
            .collect())
    }
}
