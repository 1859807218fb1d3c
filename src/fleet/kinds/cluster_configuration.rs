//! `ClusterConfiguration` (config.projectsveltos.io/v1beta1, in the cluster's namespace): what
//! each profile deployed on one cluster. It has no `spec`; note the capitalised `Features` key.

use super::json::null_default;
use super::profile::ProfileKind;
use super::profile_spec::FeatureId;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The (empty) top-level fields of a ClusterConfiguration besides metadata and status.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "config.projectsveltos.io",
    version = "v1beta1",
    kind = "ClusterConfiguration",
    plural = "clusterconfigurations",
    namespaced,
    no_spec,
    status = "ClusterConfigurationStatus",
    derive = "PartialEq"
)]
pub struct ClusterConfigurationFields {}

/// `status` of a ClusterConfiguration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterConfigurationStatus {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cluster_profile_resources: Vec<ClusterProfileResource>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub profile_resources: Vec<ProfileResource>,
}

/// What one ClusterProfile deployed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ClusterProfileResource {
    pub cluster_profile_name: String,
    #[serde(
        default,
        rename = "Features",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub features: Vec<Feature>,
}

/// What one Profile deployed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct ProfileResource {
    pub profile_name: String,
    #[serde(
        default,
        rename = "Features",
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub features: Vec<Feature>,
}

/// Charts and resources of one feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct Feature {
    #[serde(rename = "featureID")]
    pub feature_id: FeatureId,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub charts: Vec<Chart>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resources: Vec<DeployedResource>,
}

/// A deployed helm release.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct Chart {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub release_name: String,
    /// Release namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub chart_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(default)]
    pub last_applied_time: Option<Time>,
}

/// A deployed Kubernetes resource.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-preserve-unknown-fields" = true))]
pub struct DeployedResource {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default)]
    pub group: String,
    pub kind: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_time: Option<Time>,
    /// `Local` or `Remote`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_type: Option<String>,
}

impl ClusterConfigurationStatus {
    /// Every profile section with its kind, ClusterProfiles first (upstream's walk order).
    pub fn sections(&self) -> impl Iterator<Item = (ProfileKind, &str, &[Feature])> {
        let cluster_profiles = self.cluster_profile_resources.iter().map(|r| {
            (
                ProfileKind::ClusterProfile,
                r.cluster_profile_name.as_str(),
                r.features.as_slice(),
            )
        });
        let profiles = self.profile_resources.iter().map(|r| {
            (
                ProfileKind::Profile,
                r.profile_name.as_str(),
                r.features.as_slice(),
            )
        });
        cluster_profiles.chain(profiles)
    }
}

/// Name of a cluster's ClusterConfiguration (in the cluster's namespace).
pub fn cluster_configuration_name(
    cluster_type: super::common::ClusterType,
    cluster: &str,
) -> String {
    format!("{}--{cluster}", cluster_type.name_infix())
}
