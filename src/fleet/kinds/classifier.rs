//! `Classifier` (cluster-scoped) and `ClassifierReport` (namespaced, one per classifier and
//! cluster): labels set on managed clusters according to what runs in them.

use super::common::{ClassifierLabel, ClusterDeployment, ResourceSelector, UnmanagedLabel};
use super::json::null_default;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `spec` of a Classifier.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "Classifier",
    plural = "classifiers",
    status = "ClassifierStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClassifierSpec {
    #[serde(default, deserialize_with = "null_default")]
    pub classifier_labels: Vec<ClassifierLabel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_resource_constraint: Option<DeployedResourceConstraint>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub kubernetes_version_constraints: Vec<KubernetesVersionConstraint>,
}

/// `spec.deployedResourceConstraint`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct DeployedResourceConstraint {
    #[serde(default, deserialize_with = "null_default")]
    pub resource_selectors: Vec<ResourceSelector>,
    /// Lua.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_classification: Option<String>,
}

/// `spec.kubernetesVersionConstraints[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct KubernetesVersionConstraint {
    pub version: String,
    /// `Equal`, `NotEqual`, `GreaterThan`, `LessThan`, `GreaterThanOrEqualTo`, `LessThanOrEqualTo`.
    pub comparison: String,
}

/// `status` of a Classifier; upstream spells `machingClusterStatuses` this way.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClassifierStatus {
    #[serde(
        default,
        rename = "machingClusterStatuses",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub matching_cluster_statuses: Vec<MatchingClusterStatus>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_info: Vec<ClusterDeployment>,
}

/// `status.machingClusterStatuses[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct MatchingClusterStatus {
    pub cluster_ref: ObjectReference,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub managed_labels: Vec<String>,
    #[serde(
        default,
        rename = "unManagedLabels",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub unmanaged_labels: Vec<UnmanagedLabel>,
}

/// `spec` of a ClassifierReport.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "ClassifierReport",
    plural = "classifierreports",
    namespaced,
    status = "ClassifierReportStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClassifierReportSpec {
    pub classifier_name: String,
    #[serde(default)]
    pub cluster_namespace: String,
    #[serde(default)]
    pub cluster_name: String,
    #[serde(default)]
    pub cluster_type: String,
    #[serde(default, rename = "match")]
    pub matches: bool,
}

/// `status` of a ClassifierReport.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClassifierReportStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

impl ClassifierReport {
    /// Upstream's rule: a report names a cluster and says `match: true`.
    pub fn matches_cluster(&self) -> bool {
        !self.spec.cluster_name.is_empty() && self.spec.matches
    }
}

/// Name of the ClassifierReport (or ManagementClusterClassifierReport) of a classifier for a
/// cluster.
pub fn classifier_report_name(
    cluster_type: super::common::ClusterType,
    classifier: &str,
    cluster: &str,
) -> String {
    format!("{}--{classifier}--{cluster}", cluster_type.name_infix())
}
