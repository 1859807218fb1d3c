//! `EventSource` (cluster-scoped, no status) and `EventReport` (namespaced, one per event source
//! and cluster): what is watched on managed clusters, and what matched.

use super::common::{ClusterType, ResourceSelector};
use super::json::{Extra, null_default, raw_object_list};
use k8s_openapi::api::core::v1::ObjectReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `spec` of an EventSource; returned whole by the graph, so unnamed fields are kept.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "EventSource",
    plural = "eventsources",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct EventSourceSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_selectors: Option<Vec<ResourceSelector>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregated_selection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collect_resources: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_object_list")]
    pub messaging_match_criteria: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `spec` of an EventReport.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "EventReport",
    plural = "eventreports",
    namespaced,
    status = "EventReportStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct EventReportSpec {
    pub cluster_namespace: String,
    pub cluster_name: String,
    pub cluster_type: String,
    pub event_source_name: String,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub matching_resources: Vec<ObjectReference>,
    /// Collected resources, base64 (`format: byte`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cloud_events: Vec<String>,
}

/// `status` of an EventReport.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct EventReportStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// Name of the EventReport for an event source on a cluster (in the cluster's namespace).
pub fn event_report_name(cluster_type: ClusterType, event_source: &str, cluster: &str) -> String {
    format!("{}--{event_source}--{cluster}", cluster_type.name_infix())
}
