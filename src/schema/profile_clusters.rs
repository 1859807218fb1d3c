//! A profile's matching clusters: which clusters, and how each feature stands on them.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use crate::auth::Principal;
use crate::auth::sar::{SarLoader, sees_everything, visible};
use crate::error::ResultExt;
use crate::fleet::cache::{FleetKind, ObjectKey};
use crate::fleet::kinds::{ClusterSummary, ClusterType, FeatureSummary};
use crate::fleet::query::profiles::{MatchingCluster, MatchingRef};
use crate::schema::addons::FeatureStatus;
use crate::schema::cluster::{Cluster, ClusterKind};

/// Drops the matching clusters the caller may not see. Callers who see everything skip building
/// a review key per matching cluster.
pub(super) async fn retain_visible_clusters(
    ctx: &Context<'_>,
    rows: &mut Vec<MatchingRef<'_>>,
) -> async_graphql::Result<()> {
    let principal = ctx.data::<Principal>()?;
    if sees_everything(principal) {
        return Ok(());
    }
    let reviews = ctx
        .data_opt::<Arc<DataLoader<SarLoader>>>()
        .map(|r| r.as_ref());
    let key = |r: &MatchingRef<'_>| ObjectKey::new(r.namespace.to_string(), r.name.to_string());
    let keys_of = |t: ClusterType| {
        rows.iter()
            .filter(|r| r.cluster_type == t)
            .map(key)
            .collect::<Vec<_>>()
    };
    let (capi_keys, sveltos_keys) = (keys_of(ClusterType::Capi), keys_of(ClusterType::Sveltos));
    let capi = visible(principal, reviews, FleetKind::CapiCluster, &capi_keys)
        .await
        .gql()?;
    let sveltos = visible(principal, reviews, FleetKind::SveltosCluster, &sveltos_keys)
        .await
        .gql()?;
    rows.retain(|r| match r.cluster_type {
        ClusterType::Capi => capi.allows(&key(r)),
        ClusterType::Sveltos => sveltos.allows(&key(r)),
    });
    Ok(())
}

/// A cluster a profile matches and how each of the profile's features stands there.
pub struct ProfileClusterStatus(pub MatchingCluster);

#[Object]
impl ProfileClusterStatus {
    async fn cluster_kind(&self) -> ClusterKind {
        self.0.reference.cluster_type.into()
    }
    async fn cluster_namespace(&self) -> &str {
        &self.0.reference.namespace
    }
    async fn cluster_name(&self) -> &str {
        &self.0.reference.name
    }
    /// Null when the cluster object no longer exists.
    async fn cluster(&self) -> Option<Cluster> {
        self.0.cluster.clone().map(Cluster::from_fleet)
    }
    /// Whether the profile's `status.matchingClusters` lists the cluster (false: only a
    /// ClusterSummary is left, e.g. while the profile withdraws from it).
    async fn listed_in_status(&self) -> bool {
        self.0.in_status
    }
    /// The ClusterSummary the profile owns for this cluster; null before Sveltos created it.
    async fn cluster_summary_name(&self) -> Option<&str> {
        self.0
            .summary
            .as_ref()
            .and_then(|s| s.metadata.name.as_deref())
    }
    /// The summary's dependency note, e.g. "All dependencies deployed".
    async fn dependencies_status(&self) -> Option<&str> {
        self.0
            .summary
            .as_ref()?
            .status
            .as_ref()?
            .dependencies
            .as_deref()
    }
    /// Per feature, by feature id; empty without a ClusterSummary.
    async fn features(&self) -> Vec<ProfileClusterFeature> {
        let Some(summary) = &self.0.summary else {
            return Vec::new();
        };
        let mut features: Vec<ProfileClusterFeature> = (0..summary.feature_summaries().len())
            .map(|index| ProfileClusterFeature {
                summary: summary.clone(),
                index,
            })
            .collect();
        features.sort_by(|a, b| {
            a.feature()
                .feature_id
                .as_str()
                .cmp(b.feature().feature_id.as_str())
        });
        features
    }
}

/// One feature (Helm, Resources, Kustomize) of a profile on a cluster: the summary's
/// `index`-th feature, shared with the snapshot rather than copied.
pub struct ProfileClusterFeature {
    summary: Arc<ClusterSummary>,
    index: usize,
}

impl ProfileClusterFeature {
    fn feature(&self) -> &FeatureSummary {
        // Built only from indexes below the summary's feature count (see `features`).
        &self.summary.feature_summaries()[self.index]
    }
}

#[Object]
impl ProfileClusterFeature {
    /// `Helm`, `Resources` or `Kustomize`.
    async fn feature_id(&self) -> &str {
        self.feature().feature_id.as_str()
    }
    /// Null while Sveltos has not reported one.
    async fn status(&self) -> Option<FeatureStatus> {
        self.feature().status.as_ref().map(Into::into)
    }
    /// The status as Sveltos wrote it.
    async fn status_text(&self) -> Option<&str> {
        self.feature().status.as_ref().map(|s| s.as_str())
    }
    async fn failure_message(&self) -> Option<&str> {
        self.feature().failure_message.as_deref()
    }
    async fn failure_reason(&self) -> Option<&str> {
        self.feature().failure_reason.as_deref()
    }
    async fn consecutive_failures(&self) -> Option<i64> {
        self.feature().consecutive_failures
    }
    async fn last_applied_time(&self) -> Option<DateTime<Utc>> {
        let t = self.feature().last_applied_time.as_ref()?;
        DateTime::from_timestamp(t.0.as_second(), t.0.subsec_nanosecond() as u32)
    }
    /// Group/version/kinds deployed by this feature, as Sveltos lists them.
    async fn deployed_group_version_kinds(&self) -> &[String] {
        &self.feature().deployed_group_version_kind
    }
}
