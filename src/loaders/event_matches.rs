//! The clusters each EventTrigger of a page matches, with their EventReports, in one batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::fleet::cache::{FleetSnapshot, ObjectKey};
use crate::fleet::query::events::{EventMatch, event_matches};
use crate::metrics::Metrics;

/// The loader as requests carry it: batching, and caching within the request.
pub type EventMatchesLoader = DataLoader<EventMatches, HashMapCache>;

pub struct EventMatches {
    snapshot: Arc<FleetSnapshot>,
    metrics: Arc<Metrics>,
}

impl EventMatches {
    pub fn new(snapshot: Arc<FleetSnapshot>, metrics: Arc<Metrics>) -> Self {
        Self { snapshot, metrics }
    }
}

/// Keyed by EventTrigger name (they are cluster-scoped).
impl Loader<String> for EventMatches {
    /// In namespace, name, type order; not yet filtered by what the caller may see.
    type Value = Arc<Vec<EventMatch>>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        self.metrics.observe_batch("event_matches", keys.len());
        let triggers = &self.snapshot.stores.event_triggers;
        Ok(keys
            .iter()
            .filter_map(|name| {
                let trigger = triggers.get(&ObjectKey::new("", name.as_str()))?;
                let matches = event_matches(&self.snapshot, trigger);
                Some((name.clone(), Arc::new(matches)))
            })
            .collect())
    }
}
