//! `clusterChanged` and `clusterStatusChanged`.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Subscription};
use futures::Stream;

use super::{ChangeKind, session};
use crate::error::{Error, ResultExt};
use crate::fleet::cache::{ClusterRef, FleetCluster, FleetKind, ObjectKey};
use crate::fleet::kinds::{ClusterType, HealthFlags};
use crate::live::{ClusterChange, LiveSession};
use crate::schema::cluster::{Cluster, ClusterFilter, ClusterHealth, cluster_query};
use crate::schema::node_id::NodeId;

/// A managed cluster was added, changed (including its health flags) or removed.
pub struct ClusterChangedEvent(ClusterChange);

#[Object]
impl ClusterChangedEvent {
    async fn change(&self) -> ChangeKind {
        self.0.change.into()
    }

    /// The cluster as it now is; for REMOVED, as it last was.
    async fn cluster(&self) -> Cluster {
        Cluster::from_fleet(self.0.cluster.clone())
    }

    /// The health flags before this change; null for ADDED.
    async fn previous_health(&self) -> Option<ClusterHealth> {
        self.0.before.as_ref().map(|b| health(b.health))
    }
}

/// A cluster's profile feature statuses changed (its ClusterSummaries or configuration).
pub struct ClusterStatusChangedEvent(Arc<FleetCluster>);

#[Object]
impl ClusterStatusChangedEvent {
    /// The cluster; `profileStatuses`, `helmReleases` and `deployedResources` show the new state.
    async fn cluster(&self) -> Cluster {
        Cluster::from_fleet(self.0.clone())
    }
}

fn health(flags: HealthFlags) -> ClusterHealth {
    ClusterHealth {
        has_issues: flags.has_issues,
        is_provisioning: flags.is_provisioning,
        has_outdated_helm_charts: flags.has_outdated_helm_charts,
    }
}

#[derive(Default)]
pub struct ClusterSubscription;

#[Subscription]
impl ClusterSubscription {
    /// Clusters the caller may see that were added, updated or removed, matching `filter`
    /// before or after the change (so a cluster leaving the filter is reported too).
    async fn cluster_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClusterFilter>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ClusterChangedEvent>>> {
        let session = session(ctx)?;
        let query = cluster_query(filter.unwrap_or_default()).gql()?;
        session.check(FleetKind::SveltosCluster).await.gql()?;
        let checker = session.clone();
        Ok(session.stream("clusterChanged", move |batch| {
            let checker = checker.clone();
            let candidates: Vec<ClusterChange> = batch
                .clusters
                .iter()
                .filter(|c| {
                    query.matches(&c.cluster) || c.before.as_ref().is_some_and(|b| query.matches(b))
                })
                .cloned()
                .collect();
            async move {
                let clusters: Vec<&Arc<FleetCluster>> =
                    candidates.iter().map(|c| &c.cluster).collect();
                let allowed = visible_clusters(&checker, &clusters).await?;
                Ok(candidates
                    .into_iter()
                    .filter(|c| allowed(&c.cluster.reference))
                    .map(ClusterChangedEvent)
                    .collect())
            }
        }))
    }

    /// Profile feature statuses of one cluster (by its `id`), whenever they change.
    async fn cluster_status_changed(
        &self,
        ctx: &Context<'_>,
        cluster: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ClusterStatusChangedEvent>>>
    {
        let session = session(ctx)?;
        let reference = cluster_ref(&cluster).gql()?;
        session.check(FleetKind::SveltosCluster).await.gql()?;
        let checker = session.clone();
        Ok(session.stream("clusterStatusChanged", move |batch| {
            let checker = checker.clone();
            let found: Vec<Arc<FleetCluster>> = batch
                .statuses
                .iter()
                .filter(|c| c.reference == reference)
                .cloned()
                .collect();
            async move {
                if found.is_empty() {
                    return Ok(Vec::new());
                }
                let refs: Vec<&Arc<FleetCluster>> = found.iter().collect();
                let allowed = visible_clusters(&checker, &refs).await?;
                Ok(found
                    .into_iter()
                    .filter(|c| allowed(&c.reference))
                    .map(ClusterStatusChangedEvent)
                    .collect())
            }
        }))
    }
}

/// The cluster a `CapiCluster` / `SveltosCluster` id names.
fn cluster_ref(id: &ID) -> crate::error::Result<ClusterRef> {
    let decoded = NodeId::decode(id)?;
    let cluster_type = match decoded.type_name.as_str() {
        "CapiCluster" => ClusterType::Capi,
        "SveltosCluster" => ClusterType::Sveltos,
        _ => {
            return Err(Error::bad_field(
                "cluster",
                "expected the id of a CapiCluster or SveltosCluster",
            ));
        }
    };
    match decoded.parts.as_slice() {
        [namespace, name] => Ok(ClusterRef {
            namespace: namespace.clone(),
            name: name.clone(),
            cluster_type,
        }),
        _ => Err(Error::bad_field(
            "cluster",
            "not an id issued by this server",
        )),
    }
}

/// Reviews the batch's clusters (per kind, one batch of reviews each) and answers per cluster.
async fn visible_clusters(
    session: &LiveSession,
    clusters: &[&Arc<FleetCluster>],
) -> crate::error::Result<impl Fn(&ClusterRef) -> bool + use<>> {
    let keys = |t: ClusterType| -> Vec<ObjectKey> {
        clusters
            .iter()
            .filter(|c| c.reference.cluster_type == t)
            .map(|c| ObjectKey::new(c.reference.namespace.clone(), c.reference.name.clone()))
            .collect()
    };
    let (capi_keys, sveltos_keys) = (keys(ClusterType::Capi), keys(ClusterType::Sveltos));
    let capi = if capi_keys.is_empty() {
        None
    } else {
        Some(session.visible(FleetKind::CapiCluster, &capi_keys).await?)
    };
    let sveltos = if sveltos_keys.is_empty() {
        None
    } else {
        Some(
            session
                .visible(FleetKind::SveltosCluster, &sveltos_keys)
                .await?,
        )
    };
    let total = capi_keys.len() + sveltos_keys.len();
    let allowed = move |r: &ClusterRef| {
        let key = ObjectKey::new(r.namespace.clone(), r.name.clone());
        let kind = match r.cluster_type {
            ClusterType::Capi => &capi,
            ClusterType::Sveltos => &sveltos,
        };
        kind.as_ref().is_some_and(|v| v.allows(&key))
    };
    let shown = clusters.iter().filter(|c| allowed(&c.reference)).count();
    session.live.metrics.withheld(total - shown);
    Ok(allowed)
}
