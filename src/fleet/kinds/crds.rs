//! CRDs generated from the types, for demo mode (which cannot rely on the upstream files).

use super::capi::CapiCluster;
use super::capi_v1beta1::CapiClusterV1beta1;
use super::classifier::{Classifier, ClassifierReport};
use super::cluster_configuration::ClusterConfiguration;
use super::cluster_report::ClusterReport;
use super::cluster_summary::ClusterSummary;
use super::event_source::{EventReport, EventSource};
use super::event_trigger::EventTrigger;
use super::management_classifier::{
    ManagementClusterClassifier, ManagementClusterClassifierReport,
};
use super::profile::{ClusterProfile, Profile};
use super::sveltos_cluster::SveltosCluster;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use kube::core::crd::merge_crds;

/// The CAPI `Cluster` CRD serving v1beta1 (deprecated) and v1beta2 (storage), as upstream.
pub fn capi_cluster_crd() -> CustomResourceDefinition {
    let versions = vec![CapiClusterV1beta1::crd(), CapiCluster::crd()];
    // Both inputs share group, kind, names and scope by construction, the only things
    // merge_crds checks; should that ever break, the v1beta2-only CRD is still usable.
    with_list_kind(merge_crds(versions, "v1beta2").unwrap_or_else(|_| CapiCluster::crd()))
}

/// kube-derive leaves `listKind` to the apiserver's default; upstream files spell it out, and a
/// simulator may not default it.
fn with_list_kind(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    let names = &mut crd.spec.names;
    if names.list_kind.is_none() {
        names.list_kind = Some(format!("{}List", names.kind));
    }
    crd
}

/// Every CRD the Sveltos side reads, CAPI's first (clusters are created before anything that
/// refers to them).
pub fn crds() -> Vec<CustomResourceDefinition> {
    [
        capi_cluster_crd(),
        SveltosCluster::crd(),
        ClusterProfile::crd(),
        Profile::crd(),
        ClusterSummary::crd(),
        ClusterConfiguration::crd(),
        ClusterReport::crd(),
        EventSource::crd(),
        EventTrigger::crd(),
        EventReport::crd(),
        Classifier::crd(),
        ClassifierReport::crd(),
        ManagementClusterClassifier::crd(),
        ManagementClusterClassifierReport::crd(),
    ]
    .into_iter()
    .map(with_list_kind)
    .collect()
}
