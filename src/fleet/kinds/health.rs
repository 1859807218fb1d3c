//! The three per-cluster health flags, with upstream's exact rules (sveltos-ui-backend.md §3.2,
//! decisions.md §8). Pure functions over ClusterSummary statuses so that the cache, the tests and
//! the generator agree.

use super::cluster_summary::{
    ClusterSummary, ClusterSummaryStatus, FeatureStatus, HelmReleaseStatus,
};

impl ClusterSummaryStatus {
    /// A feature `Failed` or `FailedNonRetriable`, or `Provisioning` with a failure message (a
    /// retry cycle).
    pub fn has_issues(&self) -> bool {
        self.feature_summaries
            .iter()
            .any(|feature| match &feature.status {
                Some(FeatureStatus::Failed | FeatureStatus::FailedNonRetriable) => true,
                Some(FeatureStatus::Provisioning) => feature.failure_message().is_some(),
                _ => false,
            })
    }

    /// Not every feature `Provisioned` (no features counts as not all), and either waiting on
    /// dependencies or some feature cleanly `Provisioning`. Does not look at [`Self::has_issues`]:
    /// the cluster-level flag does ([`HealthFlags`]).
    pub fn is_provisioning(&self) -> bool {
        let all_provisioned = !self.feature_summaries.is_empty()
            && self
                .feature_summaries
                .iter()
                .all(|f| f.status == Some(FeatureStatus::Provisioned));
        if all_provisioned {
            return false;
        }
        let waiting_on_dependencies = self.dependencies.as_deref().is_some_and(|d| !d.is_empty());
        let clean_provisioning = self.feature_summaries.iter().any(|f| {
            f.status == Some(FeatureStatus::Provisioning) && f.failure_message().is_none()
        });
        waiting_on_dependencies || clean_provisioning
    }

    /// A `Managing` helm release for which a newer version or patch version was found.
    pub fn has_outdated_helm_charts(&self) -> bool {
        self.helm_release_summaries.iter().any(|release| {
            release.status == HelmReleaseStatus::Managing
                && (release.latest_version.is_some() || release.latest_patch_version.is_some())
        })
    }
}

impl ClusterSummary {
    /// See [`ClusterSummaryStatus::has_issues`]; false without a status.
    pub fn has_issues(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.has_issues())
    }

    /// See [`ClusterSummaryStatus::is_provisioning`]; false without a status.
    pub fn is_provisioning(&self) -> bool {
        self.status.as_ref().is_some_and(|s| s.is_provisioning())
    }

    /// See [`ClusterSummaryStatus::has_outdated_helm_charts`]; false without a status.
    pub fn has_outdated_helm_charts(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(|s| s.has_outdated_helm_charts())
    }
}

/// A cluster's flags, from all of its ClusterSummaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthFlags {
    pub has_issues: bool,
    pub is_provisioning: bool,
    pub has_outdated_helm_charts: bool,
}

impl HealthFlags {
    /// Flags of a cluster whose summaries have these statuses (`None`: a summary without status).
    pub fn from_statuses<'a>(
        statuses: impl IntoIterator<Item = Option<&'a ClusterSummaryStatus>>,
    ) -> HealthFlags {
        let mut flags = HealthFlags::default();
        let mut any_provisioning = false;
        for status in statuses.into_iter().flatten() {
            flags.has_issues |= status.has_issues();
            any_provisioning |= status.is_provisioning();
            flags.has_outdated_helm_charts |= status.has_outdated_helm_charts();
        }
        flags.is_provisioning = any_provisioning && !flags.has_issues;
        flags
    }

    /// Flags of a cluster from its ClusterSummaries.
    pub fn from_summaries<'a>(
        summaries: impl IntoIterator<Item = &'a ClusterSummary>,
    ) -> HealthFlags {
        HealthFlags::from_statuses(summaries.into_iter().map(|s| s.status.as_ref()))
    }
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
