//! `stats`: the overview page's counts, over what the caller may see.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Object, SimpleObject};

use super::cluster::request_snapshot;
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, Visible, visible};
use crate::error::ResultExt;
use crate::fleet::cache::{FleetKind, KindMap, ObjectKey};
use crate::fleet::kinds::ClusterType;

#[derive(SimpleObject, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub capi_clusters: usize,
    pub not_ready_capi_clusters: usize,
    pub sveltos_clusters: usize,
    pub not_ready_sveltos_clusters: usize,
    /// Sveltos clusters in pull mode.
    pub pull_mode_clusters: usize,
    pub cluster_profiles: usize,
    pub profiles: usize,
    /// ClusterSummaries that name their cluster and owning profile.
    pub cluster_summaries: usize,
    pub event_triggers: usize,
    pub classifiers: usize,
    pub management_cluster_classifiers: usize,
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Counts for the overview page; every count covers only objects the caller may see.
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<Stats> {
        let snapshot = request_snapshot(ctx)?;
        let principal = ctx.data::<Principal>()?;
        let reviews = ctx
            .data_opt::<Arc<DataLoader<SarLoader>>>()
            .map(|r| r.as_ref());
        let scope = |kind: FleetKind, keys: Vec<ObjectKey>| async move {
            visible(principal, reviews, kind, &keys).await.gql()
        };
        fn keys<T>(map: &KindMap<T>) -> Vec<ObjectKey> {
            map.keys().cloned().collect()
        }
        let stores = &snapshot.stores;
        let capi = scope(FleetKind::CapiCluster, keys(&stores.capi_clusters)).await?;
        let sveltos = scope(FleetKind::SveltosCluster, keys(&stores.sveltos_clusters)).await?;
        let cluster_profiles =
            scope(FleetKind::ClusterProfile, keys(&stores.cluster_profiles)).await?;
        let profiles = scope(FleetKind::Profile, keys(&stores.profiles)).await?;
        let summaries = scope(FleetKind::ClusterSummary, keys(&stores.cluster_summaries)).await?;
        let triggers = scope(FleetKind::EventTrigger, keys(&stores.event_triggers)).await?;
        let classifiers = scope(FleetKind::Classifier, keys(&stores.classifiers)).await?;
        let management = scope(
            FleetKind::ManagementClusterClassifier,
            keys(&stores.management_classifiers),
        )
        .await?;
        let count = |map_keys: Vec<&ObjectKey>, scope: &Visible| {
            map_keys.into_iter().filter(|k| scope.allows(k)).count()
        };
        let mut stats = Stats {
            cluster_profiles: count(stores.cluster_profiles.keys().collect(), &cluster_profiles),
            profiles: count(stores.profiles.keys().collect(), &profiles),
            cluster_summaries: count(
                stores
                    .cluster_summaries
                    .iter()
                    .filter(|(_, s)| s.is_tracked())
                    .map(|(k, _)| k)
                    .collect(),
                &summaries,
            ),
            event_triggers: count(stores.event_triggers.keys().collect(), &triggers),
            classifiers: count(stores.classifiers.keys().collect(), &classifiers),
            management_cluster_classifiers: count(
                stores.management_classifiers.keys().collect(),
                &management,
            ),
            ..Stats::default()
        };
        for cluster in snapshot.clusters.iter() {
            let r = &cluster.reference;
            let key = ObjectKey::new(r.namespace.clone(), r.name.clone());
            match r.cluster_type {
                ClusterType::Capi if capi.allows(&key) => {
                    stats.capi_clusters += 1;
                    stats.not_ready_capi_clusters += usize::from(!cluster.info.ready);
                }
                ClusterType::Sveltos if sveltos.allows(&key) => {
                    stats.sveltos_clusters += 1;
                    stats.not_ready_sveltos_clusters += usize::from(!cluster.info.ready);
                    stats.pull_mode_clusters += usize::from(cluster.info.pull_mode);
                }
                _ => {}
            }
        }
        Ok(stats)
    }
}
