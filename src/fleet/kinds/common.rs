//! Vocabulary shared by several Sveltos kinds: groups, label keys, cluster types, selectors,
//! classifier labels and conditions.

use super::json::Extra;
use super::open_enum::open_enum;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// API group of ClusterProfile, Profile, ClusterSummary, ClusterConfiguration, ClusterReport.
pub const CONFIG_GROUP: &str = "config.projectsveltos.io";
/// API group of SveltosCluster, events and classifiers.
pub const LIB_GROUP: &str = "lib.projectsveltos.io";
/// The only version of every Sveltos kind.
pub const SVELTOS_VERSION: &str = "v1beta1";
/// `config.projectsveltos.io/v1beta1`.
pub const CONFIG_API_VERSION: &str = "config.projectsveltos.io/v1beta1";
/// `lib.projectsveltos.io/v1beta1`.
pub const LIB_API_VERSION: &str = "lib.projectsveltos.io/v1beta1";
/// Cluster API core group.
pub const CAPI_GROUP: &str = "cluster.x-k8s.io";
/// The Cluster API version Sveltos writes into references.
pub const CAPI_API_VERSION: &str = "cluster.x-k8s.io/v1beta2";

/// Set by addon-controller on ClusterSummary, ClusterConfiguration and ClusterReport.
pub const CLUSTER_NAME_LABEL: &str = "projectsveltos.io/cluster-name";
/// `Capi` or `Sveltos`, next to [`CLUSTER_NAME_LABEL`].
pub const CLUSTER_TYPE_LABEL: &str = "projectsveltos.io/cluster-type";

/// The group part of an `apiVersion` (`""` for the core group).
pub fn api_group(api_version: &str) -> &str {
    match api_version.rsplit_once('/') {
        Some((group, _)) => group,
        None => "",
    }
}

/// Which kind of object a managed cluster is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClusterType {
    /// A Cluster API `Cluster`.
    Capi,
    /// A `SveltosCluster`.
    Sveltos,
}

impl ClusterType {
    /// Both types, CAPI first.
    pub const ALL: [ClusterType; 2] = [ClusterType::Capi, ClusterType::Sveltos];

    /// The value of `spec.clusterType` and of [`CLUSTER_TYPE_LABEL`].
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterType::Capi => "Capi",
            ClusterType::Sveltos => "Sveltos",
        }
    }

    /// The lowercase spelling used inside ClusterSummary, ClusterReport and EventReport names.
    pub fn name_infix(self) -> &'static str {
        match self {
            ClusterType::Capi => "capi",
            ClusterType::Sveltos => "sveltos",
        }
    }

    /// Kind of the cluster object.
    pub fn kind(self) -> &'static str {
        match self {
            ClusterType::Capi => "Cluster",
            ClusterType::Sveltos => "SveltosCluster",
        }
    }

    /// `apiVersion` Sveltos writes in references to such a cluster.
    pub fn api_version(self) -> &'static str {
        match self {
            ClusterType::Capi => CAPI_API_VERSION,
            ClusterType::Sveltos => LIB_API_VERSION,
        }
    }

    /// Case-insensitive, as upstream compares the `type` parameter.
    pub fn parse(value: &str) -> Option<ClusterType> {
        if value.eq_ignore_ascii_case("capi") {
            Some(ClusterType::Capi)
        } else if value.eq_ignore_ascii_case("sveltos") {
            Some(ClusterType::Sveltos)
        } else {
            None
        }
    }

    /// Type of a cluster reference, judged by its API group and kind (any CAPI version).
    pub fn of_reference(reference: &ObjectReference) -> Option<ClusterType> {
        let group = api_group(reference.api_version.as_deref().unwrap_or_default());
        match (group, reference.kind.as_deref()) {
            (CAPI_GROUP, Some("Cluster")) => Some(ClusterType::Capi),
            (LIB_GROUP, Some("SveltosCluster")) => Some(ClusterType::Sveltos),
            _ => None,
        }
    }

    /// A reference to the cluster `namespace/name` of this type, as Sveltos writes it.
    pub fn reference(self, namespace: &str, name: &str) -> ObjectReference {
        ObjectReference {
            api_version: Some(self.api_version().to_owned()),
            kind: Some(self.kind().to_owned()),
            namespace: Some(namespace.to_owned()),
            name: Some(name.to_owned()),
            ..ObjectReference::default()
        }
    }
}

impl std::fmt::Display for ClusterType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

open_enum! {
    /// How a resource selector's label filter compares.
    LabelFilterOperation {
        Equal = "Equal",
        Different = "Different",
        Has = "Has",
        DoesNotHave = "DoesNotHave",
    }
}

/// `libsveltos` LabelFilter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct LabelFilter {
    pub key: String,
    pub operation: LabelFilterOperation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// `libsveltos` ResourceSelector (EventSource, Classifier, ManagementClusterClassifier); the
/// graph returns it whole, so unnamed fields are kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSelector {
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_filters: Option<Vec<LabelFilter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluate: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A label a classifier sets on matching clusters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClassifierLabel {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A label a classifier could not manage (another classifier owns it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct UnmanagedLabel {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// A status condition, read loosely enough for both metav1 (CAPI v1beta2) and CAPI v1beta1
/// conditions (which have `severity` and an optional `message`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// Messages of the `False` conditions of the given types, in stored order, without repeats,
/// joined by `"; "`; `None` when there are none.
pub fn false_condition_messages<'a>(
    conditions: impl IntoIterator<Item = &'a Condition>,
    types: &[&str],
) -> Option<String> {
    let mut messages: Vec<&str> = Vec::new();
    for condition in conditions {
        if condition.status != "False" || !types.contains(&condition.type_.as_str()) {
            continue;
        }
        let Some(message) = condition.message.as_deref().map(str::trim) else {
            continue;
        };
        if !message.is_empty() && !messages.contains(&message) {
            messages.push(message);
        }
    }
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// libsveltos `ClusterInfo` in EventTrigger / Classifier status: deployment state on one cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterDeployment {
    pub cluster: ObjectReference,
    /// Base64 (`format: byte`).
    #[serde(default)]
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}
