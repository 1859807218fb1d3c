//! Typed views of every kind the Sveltos side reads, usable with `kube::Api<T>` and reflectors.
//!
//! Rules every type here follows: unknown fields are tolerated (never `deny_unknown_fields`),
//! anything upstream marks omitempty is optional or defaulted, Go's `null` slices read as empty,
//! enums keep values they do not know, and `T::crd()` yields a structural schema that accepts real
//! objects (unnamed fields are preserved, never pruned) so demo mode can install it.

mod capi;
mod capi_v1beta1;
mod classifier;
mod cluster_configuration;
mod cluster_info;
mod cluster_report;
mod cluster_summary;
mod common;
mod crds;
mod dependencies;
mod event_source;
mod event_trigger;
mod health;
mod json;
mod management_classifier;
mod open_enum;
mod profile;
mod profile_spec;
mod sveltos_cluster;

pub use capi::{
    ApiEndpoint, CapiCluster, CapiClusterSpec, CapiClusterStatus, ClusterClassRef,
    ClusterInitialization, ContractVersionedObjectReference, FAILURE_CONDITION_TYPES,
    ReplicaStatus, Topology, VersionReplicas,
};
pub use capi_v1beta1::{
    CapiClusterV1beta1, CapiClusterV1beta1Spec, CapiClusterV1beta1Status, TopologyV1beta1,
    V1beta2StatusView,
};
pub use classifier::{
    Classifier, ClassifierReport, ClassifierReportSpec, ClassifierReportStatus, ClassifierSpec,
    ClassifierStatus, DeployedResourceConstraint, KubernetesVersionConstraint,
    MatchingClusterStatus, classifier_report_name,
};
pub use cluster_configuration::{
    Chart, ClusterConfiguration, ClusterConfigurationFields, ClusterConfigurationStatus,
    ClusterProfileResource, DeployedResource, Feature, ProfileResource, cluster_configuration_name,
};
pub use cluster_info::ClusterInfo;
pub use cluster_report::{
    ClusterReport, ClusterReportSpec, ClusterReportStatus, NO_ACTION, ReleaseReport,
    ReportedResource, ResourceReport,
};
pub use cluster_summary::{
    ClusterSummary, ClusterSummarySpec, ClusterSummaryStatus, FeatureDeploymentInfo, FeatureStatus,
    FeatureStatusRow, FeatureSummary, HelmReleaseStatus, HelmReleaseSummary, ProfileClusterStatus,
    ProfileOwner,
};
pub use common::{
    CAPI_API_VERSION, CAPI_GROUP, CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, CONFIG_API_VERSION,
    CONFIG_GROUP, ClassifierLabel, ClusterDeployment, ClusterType, Condition, LIB_API_VERSION,
    LIB_GROUP, LabelFilter, LabelFilterOperation, ResourceSelector, SVELTOS_VERSION,
    UnmanagedLabel, api_group, false_condition_messages,
};
pub use crds::{capi_cluster_crd, crds};
pub use dependencies::{ProfileDependencies, ProfileId};
pub use event_source::{
    EventReport, EventReportSpec, EventReportStatus, EventSource, EventSourceSpec,
    event_report_name,
};
pub use event_trigger::{EventTrigger, EventTriggerSpec, EventTriggerStatus};
pub use health::HealthFlags;
pub use json::Extra;
pub use management_classifier::{
    ManagementClusterClassifier, ManagementClusterClassifierReport,
    ManagementClusterClassifierReportSpec, ManagementClusterClassifierReportStatus,
    ManagementClusterClassifierSpec, ManagementClusterClassifierStatus,
};
pub use profile::{
    ClusterProfile, ClusterProfileSpec, FailedCluster, Profile, ProfileKind, ProfileSpec,
    ProfileStatus,
};
pub use profile_spec::{
    DEFAULT_TIER, FeatureId, HelmChart, KustomizationRef, PolicyRef, Spec, SyncMode, ValidateHealth,
};
pub use sveltos_cluster::{ActiveWindow, SveltosCluster, SveltosClusterSpec, SveltosClusterStatus};
