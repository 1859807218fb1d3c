//! Visibility helpers shared by node types that point at clusters or at their own kind.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;

use crate::auth::Principal;
use crate::auth::sar::{SarLoader, Visible, visible};
use crate::error::ResultExt;
use crate::fleet::cache::{ClusterRef, FleetKind, ObjectKey};
use crate::fleet::kinds::ClusterType;

fn reviews<'a>(ctx: &'a Context<'_>) -> Option<&'a DataLoader<SarLoader>> {
    ctx.data_opt::<Arc<DataLoader<SarLoader>>>()
        .map(|r| r.as_ref())
}

/// What the caller may see among `keys` of `kind` (reviews batched per request).
pub async fn visible_of(
    ctx: &Context<'_>,
    kind: FleetKind,
    keys: &[ObjectKey],
) -> async_graphql::Result<Visible> {
    let principal = ctx.data::<Principal>()?;
    visible(principal, reviews(ctx), kind, keys).await.gql()
}

/// Keeps the items whose cluster the caller may see, in the order given.
pub async fn retain_visible_clusters<T>(
    ctx: &Context<'_>,
    items: &mut Vec<T>,
    cluster: impl Fn(&T) -> &ClusterRef,
) -> async_graphql::Result<()> {
    let key = |r: &ClusterRef| ObjectKey::new(r.namespace.clone(), r.name.clone());
    let keys_of = |t: ClusterType| {
        items
            .iter()
            .map(&cluster)
            .filter(|r| r.cluster_type == t)
            .map(key)
            .collect::<Vec<_>>()
    };
    let (capi_keys, sveltos_keys) = (keys_of(ClusterType::Capi), keys_of(ClusterType::Sveltos));
    let capi = visible_of(ctx, FleetKind::CapiCluster, &capi_keys).await?;
    let sveltos = visible_of(ctx, FleetKind::SveltosCluster, &sveltos_keys).await?;
    items.retain(|item| {
        let r = cluster(item);
        match r.cluster_type {
            ClusterType::Capi => capi.allows(&key(r)),
            ClusterType::Sveltos => sveltos.allows(&key(r)),
        }
    });
    Ok(())
}
