//! `EventTrigger` (lib.projectsveltos.io/v1beta1, cluster-scoped, from event-manager): deploys
//! add-ons on clusters where an EventSource matched.

use super::common::ClusterDeployment;
use super::json::{Extra, null_default};
use super::profile_spec::SyncMode;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `spec` of an EventTrigger; the profile-like fields (helmCharts, policyRefs, ...) stay in
/// `extra` as JSON.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "EventTrigger",
    plural = "eventtriggers",
    status = "EventTriggerStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct EventTriggerSpec {
    #[serde(default)]
    pub source_cluster_selector: LabelSelector,
    pub event_source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_cluster_selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_set_refs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_for_event: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_mode: Option<SyncMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<i32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `status` of an EventTrigger.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct EventTriggerStatus {
    /// Clusters matching `sourceClusterSelector`, in the order event-manager wrote them.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub matching_clusters: Vec<ObjectReference>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub destination_matching_cluster_refs: Vec<ObjectReference>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_info: Vec<ClusterDeployment>,
}
