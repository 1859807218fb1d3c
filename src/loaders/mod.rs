//! Per-request DataLoaders, one per batched key, and the request data they share: one fleet
//! snapshot per request (so every field of a response reads the same state) and the reviews.

pub mod classifier_matches;
pub mod cluster_addons;
pub mod event_matches;
pub mod matching_profiles;
pub mod tenancy_rows;

use std::sync::Arc;

use async_graphql::BatchRequest;
use async_graphql::dataloader::{DataLoader, HashMapCache};

use crate::auth::Principal;
use crate::auth::sar::SarLoader;
use crate::state::AppState;

/// Adds the principal, the request's fleet snapshot and fresh loaders to a request.
pub fn attach(batch: BatchRequest, state: &AppState, principal: Principal) -> BatchRequest {
    let snapshot = state.fleet.snapshot();
    let reviews = Arc::new(SarLoader::for_request(
        state.access.clone(),
        principal.clone(),
    ));
    let addons = Arc::new(DataLoader::with_cache(
        cluster_addons::ClusterAddonsLoader::new(snapshot.clone(), state.metrics.clone()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    let matching = Arc::new(DataLoader::with_cache(
        matching_profiles::MatchingProfiles::new(snapshot.clone(), state.metrics.clone()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    let events = Arc::new(DataLoader::with_cache(
        event_matches::EventMatches::new(snapshot.clone(), state.metrics.clone()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    let classifiers = Arc::new(DataLoader::with_cache(
        classifier_matches::ClassifierMatches::new(snapshot.clone(), state.metrics.clone()),
        tokio::spawn,
        HashMapCache::default(),
    ));
    let tenancy = Arc::new(tenancy_rows::TenancyRows::loader(
        state.tenancy.store.clone(),
    ));
    batch
        .data(principal)
        .data(tenancy)
        .data(snapshot)
        .data(reviews)
        .data(addons)
        .data(matching)
        .data(events)
        .data(classifiers)
}
