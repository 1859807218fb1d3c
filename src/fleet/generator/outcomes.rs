//! What happened to each (profile, cluster) pair: the deployment outcome behind its
//! ClusterSummary, ClusterConfiguration section and ClusterReport.

use super::catalog::MISSING_DEPENDENCY;
use super::profiles::PlannedProfile;
use super::support::{FleetRng, section_rng};
use super::{FleetSpec, PlannedCluster};
use rand::Rng;

/// The state of one pair; every variant is reached by the first summaries whatever the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Provisioned,
    Failed,
    FailedNonRetriable,
    /// Provisioning, no failure message.
    Provisioning,
    /// Provisioning with a failure message: a retry cycle.
    Retrying,
    /// Waiting for dependencies, no feature started.
    WaitingNoFeatures,
    /// Waiting for dependencies, features provisioning.
    WaitingProvisioning,
    Removing,
}

/// Given to the first summaries, so that small worlds have every case.
const FORCED: [Outcome; 6] = [
    Outcome::Failed,
    Outcome::FailedNonRetriable,
    Outcome::Provisioning,
    Outcome::Retrying,
    Outcome::Removing,
    Outcome::Provisioned,
];

/// Given to the first summaries of profiles that have dependencies.
const FORCED_WAITING: [Outcome; 2] = [Outcome::WaitingNoFeatures, Outcome::WaitingProvisioning];

/// How a Managing helm release looks to the version checker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HelmVariant {
    UpToDate,
    /// `latestVersion` set.
    NewerVersion,
    /// `latestPatchVersion` set.
    NewerPatch,
    /// Only `lastCheckedTime`.
    CheckedOnly,
    /// `Conflict` status (with a latestVersion that must be ignored).
    Conflict,
}

const FORCED_HELM: [HelmVariant; 5] = [
    HelmVariant::NewerVersion,
    HelmVariant::NewerPatch,
    HelmVariant::CheckedOnly,
    HelmVariant::Conflict,
    HelmVariant::UpToDate,
];

/// One ClusterSummary to write.
pub(crate) struct PlannedSummary {
    pub profile: usize,
    pub cluster: usize,
    pub outcome: Outcome,
    pub helm: HelmVariant,
}

fn random_outcome(rng: &mut FleetRng, has_dependencies: bool) -> Outcome {
    let roll = rng.random_range(0..1000);
    match roll {
        _ if has_dependencies && roll < 60 => Outcome::WaitingProvisioning,
        _ if has_dependencies && roll < 90 => Outcome::WaitingNoFeatures,
        0..40 => Outcome::Failed,
        40..55 => Outcome::FailedNonRetriable,
        55..95 => Outcome::Provisioning,
        95..125 => Outcome::Retrying,
        125..135 => Outcome::Removing,
        _ => Outcome::Provisioned,
    }
}

fn random_helm(rng: &mut FleetRng) -> HelmVariant {
    match rng.random_range(0..1000) {
        0..120 => HelmVariant::NewerVersion,
        120..180 => HelmVariant::NewerPatch,
        180..200 => HelmVariant::Conflict,
        200..600 => HelmVariant::CheckedOnly,
        _ => HelmVariant::UpToDate,
    }
}

/// Summaries in profile order, each profile's clusters in match order.
pub(super) fn plan(
    spec: &FleetSpec,
    profiles: &[PlannedProfile],
    clusters: &[PlannedCluster],
) -> Vec<PlannedSummary> {
    let mut rng = section_rng(spec.seed, "outcomes");
    let mut summaries = Vec::with_capacity(spec.summaries);
    let mut helm_seen = 0usize;
    let mut waiting_seen = 0usize;
    let mut forced_seen = 0usize;
    for (p, profile) in profiles.iter().enumerate() {
        let has_chart = profile.addon.chart.is_some();
        let has_dependencies = !profile.depends_on.is_empty();
        // Nothing deploys while a dependency does not even exist.
        let blocked = profile.depends_on.iter().any(|d| d == MISSING_DEPENDENCY);
        for &cluster in &profile.matching {
            if cluster >= clusters.len() {
                continue;
            }
            let outcome = if blocked {
                Outcome::WaitingNoFeatures
            } else if has_dependencies && waiting_seen < FORCED_WAITING.len() {
                waiting_seen += 1;
                FORCED_WAITING[waiting_seen - 1]
            } else {
                forced_seen += 1;
                match FORCED.get(forced_seen - 1) {
                    Some(forced) => *forced,
                    None => random_outcome(&mut rng, has_dependencies),
                }
            };
            let helm = if has_chart {
                helm_seen += 1;
                FORCED_HELM
                    .get(helm_seen - 1)
                    .copied()
                    .unwrap_or_else(|| random_helm(&mut rng))
            } else {
                HelmVariant::UpToDate
            };
            summaries.push(PlannedSummary {
                profile: p,
                cluster,
                outcome,
                helm,
            });
        }
    }
    summaries
}
