//! Classifiers and ManagementClusterClassifiers (sveltos-ui-backend.md §1.10-§1.11): the
//! clusters each matches, from their reports, with the labels managed and in conflict.

use std::sync::Arc;

use super::clusters::contains_ignore_case;
use crate::fleet::cache::{ClusterRef, FleetCluster, FleetSnapshot};
use crate::fleet::kinds::{
    ClassifierLabel, ClassifierReport, ClusterType, ManagementClusterClassifierReport,
    UnmanagedLabel,
};

/// Which of the two classifier kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClassifierKind {
    Classifier,
    ManagementClusterClassifier,
}

impl ClassifierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClassifierKind::Classifier => "Classifier",
            ClassifierKind::ManagementClusterClassifier => "ManagementClusterClassifier",
        }
    }
}

/// A cluster a classifier matches, from its report.
#[derive(Clone, Debug)]
pub struct ClassifierMatch {
    pub reference: ClusterRef,
    /// The cluster object, when the cache has it.
    pub cluster: Option<Arc<FleetCluster>>,
    /// Managed label keys with the value the classifier sets (`""` when it names no such key).
    pub managed: Vec<ClassifierLabel>,
    /// Labels another classifier already manages, by key.
    pub conflicted: Vec<UnmanagedLabel>,
}

/// What both report kinds say, for one cluster.
struct ReportView<'a> {
    namespace: &'a str,
    cluster_namespace: &'a str,
    cluster_name: &'a str,
    cluster_type: &'a str,
    managed: &'a [String],
    unmanaged: &'a [UnmanagedLabel],
}

fn view_classifier(r: &ClassifierReport) -> Option<ReportView<'_>> {
    // Upstream's rule: a report names a cluster and says `match: true`.
    r.matches_cluster().then(|| ReportView {
        namespace: r.metadata.namespace.as_deref().unwrap_or_default(),
        cluster_namespace: &r.spec.cluster_namespace,
        cluster_name: &r.spec.cluster_name,
        cluster_type: &r.spec.cluster_type,
        managed: r
            .status
            .as_ref()
            .map(|s| s.managed_labels.as_slice())
            .unwrap_or_default(),
        unmanaged: r
            .status
            .as_ref()
            .map(|s| s.unmanaged_labels.as_slice())
            .unwrap_or_default(),
    })
}

fn view_management(r: &ManagementClusterClassifierReport) -> Option<ReportView<'_>> {
    // No match flag: any report that names a cluster.
    r.matches_cluster().then(|| ReportView {
        namespace: r.metadata.namespace.as_deref().unwrap_or_default(),
        cluster_namespace: &r.spec.cluster_namespace,
        cluster_name: &r.spec.cluster_name,
        cluster_type: &r.spec.cluster_type,
        managed: r
            .status
            .as_ref()
            .map(|s| s.managed_labels.as_slice())
            .unwrap_or_default(),
        unmanaged: r
            .status
            .as_ref()
            .map(|s| s.unmanaged_labels.as_slice())
            .unwrap_or_default(),
    })
}

/// The clusters `name` (of `kind`) matches, in namespace, name, type order; each cluster once.
pub fn classifier_matches(
    snapshot: &FleetSnapshot,
    kind: ClassifierKind,
    name: &str,
    labels: &[ClassifierLabel],
) -> Vec<ClassifierMatch> {
    let index = snapshot.report_index();
    let views: Vec<ReportView<'_>> = match kind {
        ClassifierKind::Classifier => index
            .classifier_reports(name)
            .iter()
            .filter_map(|r| view_classifier(r))
            .collect(),
        ClassifierKind::ManagementClusterClassifier => index
            .management_reports(name)
            .iter()
            .filter_map(|r| view_management(r))
            .collect(),
    };
    let mut matches: Vec<ClassifierMatch> = views
        .into_iter()
        .filter_map(|v| {
            let namespace = if v.cluster_namespace.is_empty() {
                v.namespace
            } else {
                v.cluster_namespace
            };
            let reference = ClusterRef {
                namespace: namespace.to_string(),
                name: v.cluster_name.to_string(),
                cluster_type: ClusterType::parse(v.cluster_type)?,
            };
            let mut managed: Vec<ClassifierLabel> = v
                .managed
                .iter()
                .map(|key| ClassifierLabel {
                    key: key.clone(),
                    value: labels
                        .iter()
                        .find(|l| &l.key == key)
                        .map(|l| l.value.clone())
                        .unwrap_or_default(),
                })
                .collect();
            managed.sort_by(|a, b| a.key.cmp(&b.key));
            managed.dedup_by(|a, b| a.key == b.key);
            let mut conflicted = v.unmanaged.to_vec();
            conflicted.sort_by(|a, b| a.key.cmp(&b.key));
            Some(ClassifierMatch {
                cluster: snapshot.cluster(&reference).cloned(),
                reference,
                managed,
                conflicted,
            })
        })
        .collect();
    matches.sort_by(|a, b| a.reference.cmp(&b.reference));
    matches.dedup_by(|a, b| a.reference == b.reference);
    matches
}

/// `classifiers` filters; all given ones must hold.
#[derive(Clone, Debug, Default)]
pub struct ClassifierQuery {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    pub kind: Option<ClassifierKind>,
    /// Case-insensitive substrings a matching cluster's namespace / name must contain.
    pub cluster_namespace: Option<String>,
    pub cluster_name: Option<String>,
}

impl ClassifierQuery {
    pub fn matches(&self, kind: ClassifierKind, name: &str) -> bool {
        self.kind.is_none_or(|k| k == kind)
            && self
                .name
                .as_deref()
                .is_none_or(|n| contains_ignore_case(name, n))
    }

    pub fn filters_clusters(&self) -> bool {
        self.cluster_namespace.is_some() || self.cluster_name.is_some()
    }

    pub fn matches_cluster(&self, reference: &ClusterRef) -> bool {
        self.cluster_namespace
            .as_deref()
            .is_none_or(|ns| contains_ignore_case(&reference.namespace, ns))
            && self
                .cluster_name
                .as_deref()
                .is_none_or(|n| contains_ignore_case(&reference.name, n))
    }
}
