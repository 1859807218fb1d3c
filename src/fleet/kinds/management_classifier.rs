//! `ManagementClusterClassifier` (cluster-scoped) and its reports: classification driven by
//! resources in the management cluster, evaluated with Lua.

use super::common::{ClassifierLabel, ResourceSelector, UnmanagedLabel};
use super::json::null_default;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `spec` of a ManagementClusterClassifier.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "ManagementClusterClassifier",
    plural = "managementclusterclassifiers",
    status = "ManagementClusterClassifierStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ManagementClusterClassifierSpec {
    #[serde(default, deserialize_with = "null_default")]
    pub match_resources: Vec<ResourceSelector>,
    /// Lua.
    #[serde(default)]
    pub classification_lua: String,
    #[serde(default, deserialize_with = "null_default")]
    pub classifier_labels: Vec<ClassifierLabel>,
}

/// `status` of a ManagementClusterClassifier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ManagementClusterClassifierStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// `spec` of a ManagementClusterClassifierReport.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "ManagementClusterClassifierReport",
    plural = "managementclusterclassifierreports",
    namespaced,
    status = "ManagementClusterClassifierReportStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ManagementClusterClassifierReportSpec {
    pub classifier_name: String,
    #[serde(default)]
    pub cluster_namespace: String,
    #[serde(default)]
    pub cluster_name: String,
    #[serde(default)]
    pub cluster_type: String,
}

/// `status` of a ManagementClusterClassifierReport.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ManagementClusterClassifierReportStatus {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub managed_labels: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub unmanaged_labels: Vec<UnmanagedLabel>,
}

impl ManagementClusterClassifierReport {
    /// Upstream's rule: any report that names a cluster (there is no match flag).
    pub fn matches_cluster(&self) -> bool {
        !self.spec.cluster_name.is_empty()
    }
}
