//! Cluster API `Cluster`, `cluster.x-k8s.io/v1beta1` (deprecated; read when the server serves
//! nothing newer).

use super::capi::{FAILURE_CONDITION_TYPES, ReplicaStatus, reported_version};
use super::cluster_info::ClusterInfo;
use super::common::{Condition, false_condition_messages};
use super::json::null_default;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `spec` of a v1beta1 Cluster.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "cluster.x-k8s.io",
    version = "v1beta1",
    kind = "Cluster",
    root = "CapiClusterV1beta1",
    plural = "clusters",
    shortname = "cl",
    namespaced,
    status = "CapiClusterV1beta1Status",
    derive = "PartialEq",
    deprecated,
    storage = false
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct CapiClusterV1beta1Spec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<TopologyV1beta1>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_ref: Option<ObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_ref: Option<ObjectReference>,
}

/// v1beta1 `spec.topology`: the class is a plain name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct TopologyV1beta1 {
    #[serde(default)]
    pub class: String,
    #[serde(default)]
    pub version: String,
}

/// `status` of a v1beta1 Cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct CapiClusterV1beta1Status {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    #[serde(default)]
    pub control_plane_ready: bool,
    #[serde(default)]
    pub infrastructure_ready: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The v1beta2 view that v1beta1 objects carry during the transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v1beta2: Option<V1beta2StatusView>,
}

/// `status.v1beta2` of a v1beta1 Cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct V1beta2StatusView {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ReplicaStatus>,
}

impl CapiClusterV1beta1 {
    /// `clusterInfo` per decisions.md §5, from the v1beta1 shape.
    pub fn cluster_info(&self) -> ClusterInfo {
        let status = self.status.as_ref();
        let v1beta2 = status.and_then(|s| s.v1beta2.as_ref());
        let topology_version = self
            .spec
            .topology
            .as_ref()
            .map(|t| t.version.as_str())
            .filter(|v| !v.is_empty());
        let version = topology_version
            .or_else(|| reported_version(v1beta2.and_then(|v| v.control_plane.as_ref())))
            .unwrap_or_default()
            .to_owned();
        // v1beta1 conditions first: they are the ones this version's controllers maintain.
        let conditions = status
            .map(|s| s.conditions.iter())
            .into_iter()
            .flatten()
            .chain(v1beta2.map(|v| v.conditions.iter()).into_iter().flatten());
        ClusterInfo {
            labels: self.metadata.labels.clone().unwrap_or_default(),
            version,
            ready: status.is_some_and(|s| s.control_plane_ready),
            paused: self.spec.paused.unwrap_or(false),
            pull_mode: false,
            failure_message: false_condition_messages(conditions, &FAILURE_CONDITION_TYPES),
            connection_status: None,
        }
    }
}
