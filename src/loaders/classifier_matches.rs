//! The clusters each classifier of a page matches, from its reports, in one batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::fleet::cache::{FleetSnapshot, ObjectKey};
use crate::fleet::query::classifiers::{ClassifierKind, ClassifierMatch, classifier_matches};
use crate::metrics::Metrics;

/// The loader as requests carry it: batching, and caching within the request.
pub type ClassifierMatchesLoader = DataLoader<ClassifierMatches, HashMapCache>;

pub struct ClassifierMatches {
    snapshot: Arc<FleetSnapshot>,
    metrics: Arc<Metrics>,
}

impl ClassifierMatches {
    pub fn new(snapshot: Arc<FleetSnapshot>, metrics: Arc<Metrics>) -> Self {
        Self { snapshot, metrics }
    }
}

/// Keyed by kind and name (both kinds are cluster-scoped).
impl Loader<(ClassifierKind, String)> for ClassifierMatches {
    /// In namespace, name, type order; not yet filtered by what the caller may see.
    type Value = Arc<Vec<ClassifierMatch>>;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[(ClassifierKind, String)],
    ) -> Result<HashMap<(ClassifierKind, String), Self::Value>, Self::Error> {
        self.metrics.observe_batch("classifier_matches", keys.len());
        let stores = &self.snapshot.stores;
        Ok(keys
            .iter()
            .filter_map(|(kind, name)| {
                let key = ObjectKey::new("", name.as_str());
                let labels = match kind {
                    ClassifierKind::Classifier => {
                        &stores.classifiers.get(&key)?.spec.classifier_labels
                    }
                    ClassifierKind::ManagementClusterClassifier => {
                        &stores
                            .management_classifiers
                            .get(&key)?
                            .spec
                            .classifier_labels
                    }
                };
                let matches = classifier_matches(&self.snapshot, *kind, name, labels);
                Some(((*kind, name.clone()), Arc::new(matches)))
            })
            .collect())
    }
}
