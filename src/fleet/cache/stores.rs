//! The raw mirror: one immutable map per kind, swapped whole when its watcher sees a change.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::kind::{FleetKind, ObjectKey};
use crate::fleet::kinds::{
    CapiCluster, CapiClusterV1beta1, Classifier, ClassifierReport, ClusterConfiguration,
    ClusterInfo, ClusterProfile, ClusterReport, ClusterSummary, EventReport, EventSource,
    EventTrigger, ManagementClusterClassifier, ManagementClusterClassifierReport, Profile,
    SveltosCluster,
};

/// Objects of one kind by namespace/name. Readers hold an `Arc` of it; writers replace it.
pub type KindMap<T> = Arc<BTreeMap<ObjectKey, Arc<T>>>;

/// A Cluster API cluster as served: the cache reads whichever version the CRD serves.
#[derive(Clone, Debug)]
pub enum CapiObject {
    V1beta2(CapiCluster),
    V1beta1(CapiClusterV1beta1),
}

impl CapiObject {
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            CapiObject::V1beta2(c) => &c.metadata,
            CapiObject::V1beta1(c) => &c.metadata,
        }
    }

    pub fn cluster_info(&self) -> ClusterInfo {
        match self {
            CapiObject::V1beta2(c) => c.cluster_info(),
            CapiObject::V1beta1(c) => c.cluster_info(),
        }
    }
}

/// What the resource version of an object is, for change detection.
pub trait Versioned {
    fn meta(&self) -> &ObjectMeta;
}

macro_rules! versioned {
    ($($t:ty),* $(,)?) => {
        $(impl Versioned for $t {
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
        })*
    };
}

versioned!(
    SveltosCluster,
    ClusterProfile,
    Profile,
    ClusterSummary,
    ClusterConfiguration,
    ClusterReport,
    EventTrigger,
    EventSource,
    EventReport,
    Classifier,
    ClassifierReport,
    ManagementClusterClassifier,
    ManagementClusterClassifierReport,
);

impl Versioned for CapiObject {
    fn meta(&self) -> &ObjectMeta {
        self.metadata()
    }
}

/// One map per kind.
#[derive(Clone, Debug, Default)]
pub struct Stores {
    pub capi_clusters: KindMap<CapiObject>,
    pub sveltos_clusters: KindMap<SveltosCluster>,
    pub cluster_profiles: KindMap<ClusterProfile>,
    pub profiles: KindMap<Profile>,
    pub cluster_summaries: KindMap<ClusterSummary>,
    pub cluster_configurations: KindMap<ClusterConfiguration>,
    pub cluster_reports: KindMap<ClusterReport>,
    pub event_triggers: KindMap<EventTrigger>,
    pub event_sources: KindMap<EventSource>,
    pub event_reports: KindMap<EventReport>,
    pub classifiers: KindMap<Classifier>,
    pub classifier_reports: KindMap<ClassifierReport>,
    pub management_classifiers: KindMap<ManagementClusterClassifier>,
    pub management_classifier_reports: KindMap<ManagementClusterClassifierReport>,
}

/// A replacement map for one kind, sent by its watcher.
#[derive(Clone, Debug)]
pub enum KindUpdate {
    CapiCluster(KindMap<CapiObject>),
    SveltosCluster(KindMap<SveltosCluster>),
    ClusterProfile(KindMap<ClusterProfile>),
    Profile(KindMap<Profile>),
    ClusterSummary(KindMap<ClusterSummary>),
    ClusterConfiguration(KindMap<ClusterConfiguration>),
    ClusterReport(KindMap<ClusterReport>),
    EventTrigger(KindMap<EventTrigger>),
    EventSource(KindMap<EventSource>),
    EventReport(KindMap<EventReport>),
    Classifier(KindMap<Classifier>),
    ClassifierReport(KindMap<ClassifierReport>),
    ManagementClusterClassifier(KindMap<ManagementClusterClassifier>),
    ManagementClusterClassifierReport(KindMap<ManagementClusterClassifierReport>),
}

/// Keys whose object was added, changed (new resourceVersion) or removed between two maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyChanges {
    pub added: Vec<ObjectKey>,
    pub updated: Vec<ObjectKey>,
    pub removed: Vec<ObjectKey>,
}

fn diff<T: Versioned>(old: &KindMap<T>, new: &KindMap<T>) -> KeyChanges {
    let mut changes = KeyChanges::default();
    if Arc::ptr_eq(old, new) {
        return changes;
    }
    for (key, object) in new.iter() {
        match old.get(key) {
            None => changes.added.push(key.clone()),
            Some(before)
                if !Arc::ptr_eq(before, object)
                    && before.meta().resource_version != object.meta().resource_version =>
            {
                changes.updated.push(key.clone())
            }
            Some(_) => {}
        }
    }
    for key in old.keys() {
        if !new.contains_key(key) {
            changes.removed.push(key.clone());
        }
    }
    changes
}

impl Stores {
    /// Installs `update` and reports which kind changed and which keys.
    pub fn apply(&mut self, update: KindUpdate) -> (FleetKind, KeyChanges) {
        self.apply_known(update, None)
    }

    /// Installs `update` whose changed keys the watcher already knows; `None` diffs the maps.
    pub fn apply_known(
        &mut self,
        update: KindUpdate,
        known: Option<KeyChanges>,
    ) -> (FleetKind, KeyChanges) {
        macro_rules! swap {
            ($field:ident, $kind:expr, $map:expr) => {{
                let changes = match known {
                    Some(known) => known,
                    None => diff(&self.$field, &$map),
                };
                self.$field = $map;
                ($kind, changes)
            }};
        }
        match update {
            KindUpdate::CapiCluster(m) => swap!(capi_clusters, FleetKind::CapiCluster, m),
            KindUpdate::SveltosCluster(m) => swap!(sveltos_clusters, FleetKind::SveltosCluster, m),
            KindUpdate::ClusterProfile(m) => swap!(cluster_profiles, FleetKind::ClusterProfile, m),
            KindUpdate::Profile(m) => swap!(profiles, FleetKind::Profile, m),
            KindUpdate::ClusterSummary(m) => swap!(cluster_summaries, FleetKind::ClusterSummary, m),
            KindUpdate::ClusterConfiguration(m) => {
                swap!(cluster_configurations, FleetKind::ClusterConfiguration, m)
            }
            KindUpdate::ClusterReport(m) => swap!(cluster_reports, FleetKind::ClusterReport, m),
            KindUpdate::EventTrigger(m) => swap!(event_triggers, FleetKind::EventTrigger, m),
            KindUpdate::EventSource(m) => swap!(event_sources, FleetKind::EventSource, m),
            KindUpdate::EventReport(m) => swap!(event_reports, FleetKind::EventReport, m),
            KindUpdate::Classifier(m) => swap!(classifiers, FleetKind::Classifier, m),
            KindUpdate::ClassifierReport(m) => {
                swap!(classifier_reports, FleetKind::ClassifierReport, m)
            }
            KindUpdate::ManagementClusterClassifier(m) => swap!(
                management_classifiers,
                FleetKind::ManagementClusterClassifier,
                m
            ),
            KindUpdate::ManagementClusterClassifierReport(m) => swap!(
                management_classifier_reports,
                FleetKind::ManagementClusterClassifierReport,
                m
            ),
        }
    }

    /// An empty map of `kind`, for a kind whose CRD is not installed.
    pub fn empty_update(kind: FleetKind) -> KindUpdate {
        match kind {
            FleetKind::CapiCluster => KindUpdate::CapiCluster(Default::default()),
            FleetKind::SveltosCluster => KindUpdate::SveltosCluster(Default::default()),
            FleetKind::ClusterProfile => KindUpdate::ClusterProfile(Default::default()),
            FleetKind::Profile => KindUpdate::Profile(Default::default()),
            FleetKind::ClusterSummary => KindUpdate::ClusterSummary(Default::default()),
            FleetKind::ClusterConfiguration => KindUpdate::ClusterConfiguration(Default::default()),
            FleetKind::ClusterReport => KindUpdate::ClusterReport(Default::default()),
            FleetKind::EventTrigger => KindUpdate::EventTrigger(Default::default()),
            FleetKind::EventSource => KindUpdate::EventSource(Default::default()),
            FleetKind::EventReport => KindUpdate::EventReport(Default::default()),
            FleetKind::Classifier => KindUpdate::Classifier(Default::default()),
            FleetKind::ClassifierReport => KindUpdate::ClassifierReport(Default::default()),
            FleetKind::ManagementClusterClassifier => {
                KindUpdate::ManagementClusterClassifier(Default::default())
            }
            FleetKind::ManagementClusterClassifierReport => {
                KindUpdate::ManagementClusterClassifierReport(Default::default())
            }
        }
    }

    /// Number of objects of every kind, for metrics and readiness details.
    pub fn sizes(&self) -> Vec<(FleetKind, usize)> {
        vec![
            (FleetKind::CapiCluster, self.capi_clusters.len()),
            (FleetKind::SveltosCluster, self.sveltos_clusters.len()),
            (FleetKind::ClusterProfile, self.cluster_profiles.len()),
            (FleetKind::Profile, self.profiles.len()),
            (FleetKind::ClusterSummary, self.cluster_summaries.len()),
            (
                FleetKind::ClusterConfiguration,
                self.cluster_configurations.len(),
            ),
            (FleetKind::ClusterReport, self.cluster_reports.len()),
            (FleetKind::EventTrigger, self.event_triggers.len()),
            (FleetKind::EventSource, self.event_sources.len()),
            (FleetKind::EventReport, self.event_reports.len()),
            (FleetKind::Classifier, self.classifiers.len()),
            (FleetKind::ClassifierReport, self.classifier_reports.len()),
            (
                FleetKind::ManagementClusterClassifier,
                self.management_classifiers.len(),
            ),
            (
                FleetKind::ManagementClusterClassifierReport,
                self.management_classifier_reports.len(),
            ),
        ]
    }
}
