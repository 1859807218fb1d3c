//! `SveltosCluster` (lib.projectsveltos.io/v1beta1): a cluster registered with a kubeconfig or a
//! workload identity rather than created by Cluster API.

use super::cluster_info::ClusterInfo;
use super::json::{null_default, raw_object, raw_object_list};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `spec` of a SveltosCluster.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "lib.projectsveltos.io",
    version = "v1beta1",
    kind = "SveltosCluster",
    plural = "sveltosclusters",
    namespaced,
    status = "SveltosClusterStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct SveltosClusterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig_key_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_mode: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_failure_threshold: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_window: Option<ActiveWindow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_object")]
    pub workload_identity: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_object")]
    pub token_request_renewal_option: Option<Value>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(schema_with = "raw_object_list")]
    pub readiness_checks: Vec<Value>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(schema_with = "raw_object_list")]
    pub liveness_checks: Vec<Value>,
}

/// `spec.activeWindow`: cron expressions for when the cluster is unpaused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ActiveWindow {
    pub from: String,
    pub to: String,
}

/// `status` of a SveltosCluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct SveltosClusterStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub ready: bool,
    /// `Healthy` or `Down`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_failures: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reconciled_token_request_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_last_report_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_pause: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_unpause: Option<Time>,
}

impl SveltosCluster {
    /// `clusterInfo` per sveltos-ui-backend.md §3.1.
    pub fn cluster_info(&self) -> ClusterInfo {
        let status = self.status.as_ref();
        ClusterInfo {
            labels: self.metadata.labels.clone().unwrap_or_default(),
            version: status.and_then(|s| s.version.clone()).unwrap_or_default(),
            ready: status.is_some_and(|s| s.ready),
            paused: self.spec.paused.unwrap_or(false),
            pull_mode: self.spec.pull_mode.unwrap_or(false),
            failure_message: status.and_then(|s| s.failure_message.clone()),
            connection_status: status.and_then(|s| s.connection_status.clone()),
        }
    }
}
