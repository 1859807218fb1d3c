//! `ClusterReport` (config.projectsveltos.io/v1beta1): what a DryRun profile would change on one
//! cluster.

use super::json::null_default;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Action reported for a resource or release that would not change.
pub const NO_ACTION: &str = "No Action";

/// `spec` of a ClusterReport.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "config.projectsveltos.io",
    version = "v1beta1",
    kind = "ClusterReport",
    plural = "clusterreports",
    namespaced,
    status = "ClusterReportStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterReportSpec {
    pub cluster_namespace: String,
    pub cluster_name: String,
}

/// `status` of a ClusterReport.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterReportStatus {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub release_reports: Vec<ReleaseReport>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resource_reports: Vec<ResourceReport>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub helm_resource_reports: Vec<ResourceReport>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub kustomize_resource_reports: Vec<ResourceReport>,
}

/// `status.releaseReports[]`; `chartName` holds the release name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ReleaseReport {
    pub chart_name: String,
    pub release_namespace: String,
    #[serde(default)]
    pub chart_version: String,
    /// `No Action`, `Install`, `Upgrade`, `Update Values`, `Delete`, `Conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A resource change in a dry-run report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ResourceReport {
    pub resource: ReportedResource,
    /// `No Action`, `Create`, `Update`, `Delete`, `Conflict`, `Error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// libsveltos `Resource`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ReportedResource {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub group: String,
    pub kind: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_for_configuration_drift: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_time: Option<Time>,
}

impl ResourceReport {
    /// Whether the report is about an actual change.
    pub fn is_change(&self) -> bool {
        self.action.as_deref() != Some(NO_ACTION)
    }
}

impl ReleaseReport {
    /// Whether the report is about an actual change.
    pub fn is_change(&self) -> bool {
        self.action.as_deref() != Some(NO_ACTION)
    }
}
