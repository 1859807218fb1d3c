//! `ClusterSummary` (config.projectsveltos.io/v1beta1, in the cluster's namespace): one per
//! (profile, cluster) pair, with the per-feature deployment status.

use super::common::{CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, ClusterType};
use super::json::null_default;
use super::open_enum::open_enum;
use super::profile::ProfileKind;
use super::profile_spec::{FeatureId, Spec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// `featureSummaries[].status`.
    FeatureStatus {
        Provisioning = "Provisioning",
        Provisioned = "Provisioned",
        Failed = "Failed",
        FailedNonRetriable = "FailedNonRetriable",
        Removing = "Removing",
        AgentRemoving = "AgentRemoving",
        Removed = "Removed",
    }
}

open_enum! {
    /// `helmReleaseSummaries[].status`.
    HelmReleaseStatus {
        Managing = "Managing",
        Conflict = "Conflict",
    }
}

/// `spec` of a ClusterSummary.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "config.projectsveltos.io",
    version = "v1beta1",
    kind = "ClusterSummary",
    plural = "clustersummaries",
    namespaced,
    status = "ClusterSummaryStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterSummarySpec {
    pub cluster_namespace: String,
    pub cluster_name: String,
    /// `Capi` or `Sveltos`.
    pub cluster_type: String,
    /// Copy of the owning profile's spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_profile_spec: Option<Spec>,
}

/// `status` of a ClusterSummary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterSummaryStatus {
    /// Human text about dependencies, e.g. "All dependencies deployed".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub feature_summaries: Vec<FeatureSummary>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub helm_release_summaries: Vec<HelmReleaseSummary>,
    #[serde(
        default,
        rename = "deployedGVKs",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub deployed_gvks: Vec<FeatureDeploymentInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_reconcile_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_suspended: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension_reason: Option<String>,
}

/// `status.featureSummaries[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct FeatureSummary {
    #[serde(rename = "featureID")]
    pub feature_id: FeatureId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FeatureStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    /// Base64 (`format: byte`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_failures: Option<i64>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub deployed_group_version_kind: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_summary_deployed: Option<bool>,
}

impl FeatureSummary {
    /// A non-empty `failureMessage`.
    pub fn failure_message(&self) -> Option<&str> {
        self.failure_message.as_deref().filter(|m| !m.is_empty())
    }
}

/// `status.helmReleaseSummaries[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct HelmReleaseSummary {
    pub release_name: String,
    pub release_namespace: String,
    pub status: HelmReleaseStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    #[serde(default, rename = "repoURL", skip_serializing_if = "Option::is_none")]
    pub repo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_patch_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches_hash: Option<String>,
}

/// `status.deployedGVKs[]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct FeatureDeploymentInfo {
    #[serde(rename = "featureID")]
    pub feature_id: FeatureId,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub deployed_group_version_kind: Vec<String>,
}

impl FeatureStatus {
    /// `Provisioned` or `Removed`: the rows the "failed only" filter drops (every other status,
    /// an unknown one included, is kept).
    pub fn is_settled(&self) -> bool {
        matches!(self, FeatureStatus::Provisioned | FeatureStatus::Removed)
    }
}

/// One `/getClusterStatus` row source: a feature of a profile on a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureStatusRow {
    pub feature_id: FeatureId,
    pub status: Option<FeatureStatus>,
    pub failure_message: Option<String>,
}

impl FeatureStatusRow {
    /// Whether the "failed only" filter keeps this row (an absent status is kept).
    pub fn kept_by_failed_filter(&self) -> bool {
        !self.status.as_ref().is_some_and(FeatureStatus::is_settled)
    }
}

/// What upstream caches per tracked ClusterSummary (sveltos-ui-backend.md §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileClusterStatus {
    pub profile: ProfileOwner,
    /// The summary's (and cluster's) namespace.
    pub namespace: String,
    pub cluster_type: ClusterType,
    pub cluster_name: String,
    pub features: Vec<FeatureStatusRow>,
}

/// The profile that owns a ClusterSummary (sveltos-ui-backend.md §3.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileOwner {
    pub kind: ProfileKind,
    pub name: String,
}

impl ClusterSummary {
    /// The first owner reference of kind ClusterProfile or Profile in `config.projectsveltos.io`.
    pub fn owner_profile(&self) -> Option<ProfileOwner> {
        self.metadata
            .owner_references
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find_map(|owner| {
                ProfileKind::of_owner(&owner.api_version, &owner.kind).map(|kind| ProfileOwner {
                    kind,
                    name: owner.name.clone(),
                })
            })
    }

    /// `spec.clusterType`, parsed.
    pub fn cluster_type(&self) -> Option<ClusterType> {
        ClusterType::parse(&self.spec.cluster_type)
    }

    /// Whether upstream would cache this summary at all: both cluster labels non-empty and a
    /// profile owner.
    pub fn is_tracked(&self) -> bool {
        let labels = self.metadata.labels.as_ref();
        let label_set = |key: &str| {
            labels
                .and_then(|l| l.get(key))
                .is_some_and(|v| !v.is_empty())
        };
        label_set(CLUSTER_NAME_LABEL)
            && label_set(CLUSTER_TYPE_LABEL)
            && self.owner_profile().is_some()
    }

    /// The cached view of a tracked summary; `None` when upstream would not cache it (see
    /// [`Self::is_tracked`]) or `spec.clusterType` is neither `Capi` nor `Sveltos`.
    pub fn profile_status(&self) -> Option<ProfileClusterStatus> {
        if !self.is_tracked() {
            return None;
        }
        Some(ProfileClusterStatus {
            profile: self.owner_profile()?,
            namespace: self.metadata.namespace.clone().unwrap_or_default(),
            cluster_type: self.cluster_type()?,
            cluster_name: self.spec.cluster_name.clone(),
            features: self
                .feature_summaries()
                .iter()
                .map(|f| FeatureStatusRow {
                    feature_id: f.feature_id.clone(),
                    status: f.status.clone(),
                    failure_message: f.failure_message.clone(),
                })
                .collect(),
        })
    }

    /// `status.featureSummaries` (empty without a status).
    pub fn feature_summaries(&self) -> &[FeatureSummary] {
        self.status
            .as_ref()
            .map(|s| s.feature_summaries.as_slice())
            .unwrap_or_default()
    }
}
