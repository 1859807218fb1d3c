//! Where a cluster's fields read from: the request's fleet snapshot and its batching loaders.

use std::sync::Arc;

use async_graphql::Context;

use crate::config::LimitsConfig;
use crate::error::ResultExt;
use crate::fleet::cache::{FleetCache, FleetCluster, FleetSnapshot};
use crate::fleet::query::addons::ClusterAddons;
use crate::loaders::cluster_addons::AddonsLoader;
use crate::schema::pagination::{
    Page, PageArgs, SortKey, count_sorted, paginate_sorted, reads_items,
};

/// One page of a cluster's rows that pass `keep`. `rows` are already in `key` order (the add-on
/// view keeps each list sorted), so keys and nodes are built for the page only, and not at all
/// when the query reads just `totalCount` (the cluster page's per-cluster counts).
pub(super) fn page_rows<R: Clone, N: async_graphql::OutputType>(
    ctx: &Context<'_>,
    rows: &[R],
    keep: impl Fn(&R) -> bool,
    key: impl Fn(&R) -> SortKey,
    order: &str,
    args: &PageArgs,
    to_node: impl Fn(R) -> N,
) -> async_graphql::Result<Page<N>> {
    let rows: Vec<&R> = rows.iter().filter(|r| keep(r)).collect();
    let limits = ctx.data::<LimitsConfig>()?;
    let key = |r: &&R| key(r);
    if reads_items(&ctx.look_ahead()) {
        paginate_sorted(rows, key, order, args, limits, |r| to_node(r.clone())).gql()
    } else {
        count_sorted(rows, key, order, args, limits).gql()
    }
}

/// The cluster's add-ons through the request's batching loader.
pub(super) async fn addons_of(
    ctx: &Context<'_>,
    cluster: &FleetCluster,
) -> async_graphql::Result<Arc<ClusterAddons>> {
    // Subscription events have no per-request loader: read the latest snapshot directly.
    let Some(loader) = ctx.data_opt::<Arc<AddonsLoader>>() else {
        let snapshot = request_snapshot(ctx)?;
        return Ok(snapshot.addons_of(&cluster.reference));
    };
    let addons = loader
        .load_one(cluster.reference.clone())
        .await
        .map_err(|e| crate::error::Error::Internal(e.to_string()))
        .gql()?;
    Ok(addons.unwrap_or_default())
}

/// The request's snapshot (HTTP requests carry one), else the latest. Without a management
/// cluster there is nothing to read: UNAVAILABLE, with what to do about it.
pub fn request_snapshot(ctx: &Context<'_>) -> async_graphql::Result<Arc<FleetSnapshot>> {
    let fleet = ctx.data::<FleetCache>()?;
    if !fleet.is_connected() {
        return Err(crate::error::Error::Unavailable(
            "no management cluster is configured: start the server with --kubeconfig \
             (or in a cluster), or try `fleetgraph demo`"
                .to_string(),
        ))
        .gql();
    }
    if let Some(snapshot) = ctx.data_opt::<Arc<FleetSnapshot>>() {
        return Ok(snapshot.clone());
    }
    Ok(fleet.snapshot())
}
