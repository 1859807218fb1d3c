//! `ClusterProfile` (cluster-scoped) and `Profile` (namespaced): the same spec and status, two
//! kinds.

use super::common::{CONFIG_API_VERSION, CONFIG_GROUP, ClusterType, api_group};
use super::json::{null_default, raw_object};
use super::profile_spec::Spec;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which of the two profile kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileKind {
    ClusterProfile,
    Profile,
}

impl ProfileKind {
    /// The kind string.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::ClusterProfile => "ClusterProfile",
            ProfileKind::Profile => "Profile",
        }
    }

    /// Exact, case-sensitive, as upstream's `profile_kind` parameter.
    pub fn parse(kind: &str) -> Option<ProfileKind> {
        match kind {
            "ClusterProfile" => Some(ProfileKind::ClusterProfile),
            "Profile" => Some(ProfileKind::Profile),
            _ => None,
        }
    }

    /// The kind of an owner reference, if it is a profile of `config.projectsveltos.io`.
    pub fn of_owner(api_version: &str, kind: &str) -> Option<ProfileKind> {
        if api_group(api_version) != CONFIG_GROUP {
            return None;
        }
        ProfileKind::parse(kind)
    }

    /// Prefix addon-controller puts in front of names derived from a Profile.
    fn name_prefix(self) -> &'static str {
        match self {
            ProfileKind::ClusterProfile => "",
            ProfileKind::Profile => "p--",
        }
    }

    /// Name of the ClusterSummary for this profile on a cluster (in the cluster's namespace).
    pub fn cluster_summary_name(
        self,
        profile: &str,
        cluster_type: ClusterType,
        cluster: &str,
    ) -> String {
        format!(
            "{}{profile}-{}-{cluster}",
            self.name_prefix(),
            cluster_type.name_infix()
        )
    }

    /// Name of the ClusterReport of a DryRun profile on a cluster.
    pub fn cluster_report_name(
        self,
        profile: &str,
        cluster_type: ClusterType,
        cluster: &str,
    ) -> String {
        format!(
            "{}{profile}--{}--{cluster}",
            self.name_prefix(),
            cluster_type.name_infix()
        )
    }

    /// A reference to the profile `namespace/name` of this kind.
    pub fn reference(self, namespace: Option<&str>, name: &str) -> ObjectReference {
        ObjectReference {
            api_version: Some(CONFIG_API_VERSION.to_owned()),
            kind: Some(self.as_str().to_owned()),
            namespace: namespace.map(str::to_owned),
            name: Some(name.to_owned()),
            ..ObjectReference::default()
        }
    }
}

impl std::fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `spec` of a ClusterProfile: the shared [`Spec`], serialized as-is.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "config.projectsveltos.io",
    version = "v1beta1",
    kind = "ClusterProfile",
    plural = "clusterprofiles",
    status = "ProfileStatus",
    derive = "PartialEq"
)]
#[serde(transparent)]
pub struct ClusterProfileSpec(pub Spec);

/// `spec` of a Profile: the shared [`Spec`], serialized as-is.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "config.projectsveltos.io",
    version = "v1beta1",
    kind = "Profile",
    plural = "profiles",
    namespaced,
    status = "ProfileStatus",
    derive = "PartialEq"
)]
#[serde(transparent)]
pub struct ProfileSpec(pub Spec);

impl std::ops::Deref for ClusterProfileSpec {
    type Target = Spec;
    fn deref(&self) -> &Spec {
        &self.0
    }
}

impl std::ops::Deref for ProfileSpec {
    type Target = Spec;
    fn deref(&self) -> &Spec {
        &self.0
    }
}

/// `status` of both profile kinds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ProfileStatus {
    /// Clusters the selector, clusterRefs and setRefs currently match, as addon-controller wrote
    /// them (CAPI refs carry `cluster.x-k8s.io/v1beta2`).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub matching_clusters: Vec<ObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_object")]
    pub updating_clusters: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "raw_object")]
    pub updated_clusters: Option<Value>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub failed_clusters: Vec<FailedCluster>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation_suspended: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension_reason: Option<String>,
}

/// `status.failedClusters[]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct FailedCluster {
    pub cluster_ref: ObjectReference,
    #[serde(default)]
    pub failure_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_failure_time: Option<Time>,
}
