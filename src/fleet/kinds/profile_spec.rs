//! addon-controller `Spec`: the spec shared by ClusterProfile, Profile and (a copy inside)
//! ClusterSummary. The graph returns both typed fields and the full spec as JSON, so every struct
//! here keeps the fields it does not name (`extra`) and re-serializes to what it read.

use super::json::Extra;
use super::open_enum::open_enum;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `spec.tier` when absent (CRD default).
pub const DEFAULT_TIER: i32 = 100;

open_enum! {
    /// `spec.syncMode`.
    SyncMode {
        OneTime = "OneTime",
        Continuous = "Continuous",
        ContinuousWithDriftDetection = "ContinuousWithDriftDetection",
        DryRun = "DryRun",
    }
}

open_enum! {
    /// Which add-on mechanism a feature summary, health check or deployed feature is about.
    FeatureId {
        Resources = "Resources",
        Helm = "Helm",
        Kustomize = "Kustomize",
    }
}

/// A profile's `spec`. Every field is optional as upstream (all omitempty but `clusterSelector`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_refs: Option<Vec<ObjectReference>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_refs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_mode: Option<SyncMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_conflict: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_error: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_update: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_matching_behavior: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reloader: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_charts: Option<Vec<HelmChart>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_refs: Option<Vec<PolicyRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomization_refs: Option<Vec<KustomizationRef>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_healths: Option<Vec<ValidateHealth>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_consecutive_failures: Option<i64>,
    /// templateResourceRefs, patches, driftExclusions, pre/post checks, extraLabels, ...
    #[serde(flatten)]
    pub extra: Extra,
}

impl Spec {
    /// `spec.tier`, or the CRD default.
    pub fn tier(&self) -> i32 {
        self.tier.unwrap_or(DEFAULT_TIER)
    }

    /// `spec.syncMode`, or the CRD default.
    pub fn sync_mode(&self) -> SyncMode {
        self.sync_mode.clone().unwrap_or(SyncMode::Continuous)
    }

    /// Whether the profile only reports what it would change.
    pub fn is_dry_run(&self) -> bool {
        self.sync_mode == Some(SyncMode::DryRun)
    }

    /// `spec.dependsOn` names (empty when absent).
    pub fn depends_on(&self) -> &[String] {
        self.depends_on.as_deref().unwrap_or_default()
    }

    /// `spec.helmCharts` (empty when absent).
    pub fn helm_charts(&self) -> &[HelmChart] {
        self.helm_charts.as_deref().unwrap_or_default()
    }

    /// `spec.policyRefs` (empty when absent).
    pub fn policy_refs(&self) -> &[PolicyRef] {
        self.policy_refs.as_deref().unwrap_or_default()
    }

    /// `spec.kustomizationRefs` (empty when absent).
    pub fn kustomization_refs(&self) -> &[KustomizationRef] {
        self.kustomization_refs.as_deref().unwrap_or_default()
    }

    /// The spec exactly as it would be stored (typed fields and kept ones).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// `spec.helmCharts[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChart {
    #[serde(rename = "repositoryURL")]
    pub repository_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    pub release_name: String,
    pub release_namespace: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<String>,
    /// `Install` (default) or `Uninstall`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_chart_action: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.policyRefs[]`: a ConfigMap/Secret/Flux source holding resources to deploy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `Local` or `Remote` (default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.kustomizationRefs[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec.validateHealths[]`: a health check run after deploying a feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateHealth {
    pub name: String,
    #[serde(rename = "featureID")]
    pub feature_id: FeatureId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}
