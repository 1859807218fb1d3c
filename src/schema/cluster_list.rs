//! The `clusters` root field: filtered, ordered, reviewed and paged, with the page's add-ons
//! and matching profiles loaded in one batch each.

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Object};

use super::Cluster;
use super::filter::{
    ClusterFilter, ClusterOrderBy, ClusterOrderField, OrderDirection, cluster_query,
};
use super::rows::request_snapshot;
use crate::auth::Principal;
use crate::auth::sar::{SarLoader, sees_everything, visible};
use crate::config::LimitsConfig;
use crate::error::ResultExt;
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::fleet::kinds::ClusterType;
use crate::fleet::query::clusters::{ClusterOrder, select, sort_key};
use crate::loaders::cluster_addons::AddonsLoader;
use crate::loaders::matching_profiles::MatchingProfilesLoader;
use crate::schema::pagination::{Page, PageArgs, paginate_sorted};

#[derive(Default)]
pub struct ClusterQueryRoot;

#[Object]
impl ClusterQueryRoot {
    /// Cluster API and Sveltos clusters the caller may see, filtered and ordered (default:
    /// namespace, name, kind).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn clusters(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClusterFilter>,
        order_by: Option<ClusterOrderBy>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Page<Cluster>> {
        let principal = ctx.data::<Principal>()?;
        let limits = ctx.data::<LimitsConfig>()?;
        let reviews = ctx.data_opt::<Arc<DataLoader<SarLoader>>>();
        let query = cluster_query(filter.unwrap_or_default()).gql()?;
        let order = order_by.unwrap_or_default();
        let descending = order.direction == OrderDirection::Desc;
        let field = match order.field {
            ClusterOrderField::NamespaceName => ClusterOrder::NamespaceName,
            ClusterOrderField::Name => ClusterOrder::Name,
            ClusterOrderField::Version => ClusterOrder::Version,
            ClusterOrderField::Ready => ClusterOrder::Ready,
        };
        let snapshot = request_snapshot(ctx)?;
        let mut selected = select(&snapshot, &query, field, descending);
        // Callers who see everything skip building a review key per cluster of the fleet.
        if !sees_everything(principal) {
            let keys_of = |t: ClusterType| {
                selected
                    .iter()
                    .filter(move |c| c.reference.cluster_type == t)
                    .map(|c| {
                        ObjectKey::new(c.reference.namespace.clone(), c.reference.name.clone())
                    })
                    .collect::<Vec<_>>()
            };
            let capi_keys = keys_of(ClusterType::Capi);
            let sveltos_keys = keys_of(ClusterType::Sveltos);
            let reviews = reviews.map(|r| r.as_ref());
            let capi = visible(principal, reviews, FleetKind::CapiCluster, &capi_keys)
                .await
                .gql()?;
            let sveltos = visible(principal, reviews, FleetKind::SveltosCluster, &sveltos_keys)
                .await
                .gql()?;
            selected.retain(|c| {
                let key = ObjectKey::new(c.reference.namespace.clone(), c.reference.name.clone());
                match c.reference.cluster_type {
                    ClusterType::Capi => capi.allows(&key),
                    ClusterType::Sveltos => sveltos.allows(&key),
                }
            });
        }
        let args = PageArgs::new(after, before, first, last);
        let page = paginate_sorted(
            selected,
            |c| sort_key(c, field, descending),
            &field.tag(descending),
            &args,
            limits,
            |c| Cluster::from_fleet(c.clone()),
        )
        .gql()?;
        prefetch_addons(ctx, &page).await?;
        Ok(page)
    }
}

/// Loads the add-ons (and matching profiles) of a whole page in one batch when the query asks
/// for any of them, so the cost does not depend on how the per-cluster fields are scheduled.
/// The batch is loaded here and fed to the request's loader rather than queued on it: a queued
/// load waits for the loader's batching delay (1 ms) before it starts, on every page.
async fn prefetch_addons(ctx: &Context<'_>, page: &Page<Cluster>) -> async_graphql::Result<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let keys = || {
        page.edges
            .iter()
            .map(|e| match &e.node {
                Cluster::Capi(c) => c.0.reference.clone(),
                Cluster::Sveltos(c) => c.0.reference.clone(),
            })
            .collect::<Vec<_>>()
    };
    let internal = |e: Arc<String>| crate::error::Error::Internal(e.to_string());
    let wanted = ["helmReleases", "deployedResources", "profileStatuses"]
        .iter()
        .any(|f| node.field(f).exists());
    if wanted && let Some(loader) = ctx.data_opt::<Arc<AddonsLoader>>() {
        let loaded = loader
            .loader()
            .load(&keys())
            .await
            .map_err(internal)
            .gql()?;
        loader.feed_many(loaded).await;
    }
    if node.field("matchingProfiles").exists()
        && let Some(loader) = ctx.data_opt::<Arc<MatchingProfilesLoader>>()
    {
        let loaded = loader
            .loader()
            .load(&keys())
            .await
            .map_err(internal)
            .gql()?;
        loader.feed_many(loaded).await;
    }
    Ok(())
}
