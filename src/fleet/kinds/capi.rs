//! Cluster API `Cluster`, `cluster.x-k8s.io/v1beta2` (the storage version, preferred).

use super::cluster_info::ClusterInfo;
use super::common::{Condition, false_condition_messages};
use super::json::null_default;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Condition types whose `False` messages make up a CAPI cluster's `failureMessage`.
pub const FAILURE_CONDITION_TYPES: [&str; 2] = ["Ready", "Available"];

/// `spec` of a v1beta2 Cluster; only what the graph reads is named, the rest is ignored.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "cluster.x-k8s.io",
    version = "v1beta2",
    kind = "Cluster",
    root = "CapiCluster",
    plural = "clusters",
    shortname = "cl",
    namespaced,
    status = "CapiClusterStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct CapiClusterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<Topology>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_ref: Option<ContractVersionedObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_ref: Option<ContractVersionedObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<ApiEndpoint>,
}

/// `spec.topology` (managed topology from a ClusterClass).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct Topology {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_ref: Option<ClusterClassRef>,
    #[serde(default)]
    pub version: String,
}

/// `spec.topology.classRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterClassRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// v1beta2 object reference: API group instead of apiVersion.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ContractVersionedObjectReference {
    pub api_group: String,
    pub kind: String,
    pub name: String,
}

/// `spec.controlPlaneEndpoint`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ApiEndpoint {
    #[serde(default)]
    pub host: String,
    #[serde(default)]
    pub port: i32,
}

/// `status` of a v1beta2 Cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct CapiClusterStatus {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initialization: Option<ClusterInitialization>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<ReplicaStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<ReplicaStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// `status.initialization`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterInitialization {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_provisioned: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_initialized: Option<bool>,
}

/// `status.controlPlane` / `status.workers` replica counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ReplicaStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to_date_replicas: Option<i32>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub versions: Vec<VersionReplicas>,
}

/// How many machines run one Kubernetes version.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct VersionReplicas {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<i32>,
}

/// The version the control plane reports when there is no managed topology: the version run by
/// most control-plane machines (ties: the first listed).
pub(crate) fn reported_version(control_plane: Option<&ReplicaStatus>) -> Option<&str> {
    let versions = &control_plane?.versions;
    let mut best: Option<&VersionReplicas> = None;
    for candidate in versions.iter().filter(|v| !v.version.is_empty()) {
        if best.is_none_or(|b| candidate.replicas.unwrap_or(0) > b.replicas.unwrap_or(0)) {
            best = Some(candidate);
        }
    }
    best.map(|v| v.version.as_str())
}

impl CapiCluster {
    /// `clusterInfo` per decisions.md §5.
    pub fn cluster_info(&self) -> ClusterInfo {
        let status = self.status.as_ref();
        let topology_version = self
            .spec
            .topology
            .as_ref()
            .map(|t| t.version.as_str())
            .filter(|v| !v.is_empty());
        let version = topology_version
            .or_else(|| reported_version(status.and_then(|s| s.control_plane.as_ref())))
            .unwrap_or_default()
            .to_owned();
        ClusterInfo {
            labels: self.metadata.labels.clone().unwrap_or_default(),
            version,
            ready: status
                .and_then(|s| s.initialization.as_ref())
                .and_then(|i| i.control_plane_initialized)
                .unwrap_or(false),
            paused: self.spec.paused.unwrap_or(false),
            pull_mode: false,
            failure_message: status
                .and_then(|s| false_condition_messages(&s.conditions, &FAILURE_CONDITION_TYPES)),
            connection_status: None,
        }
    }
}
