//! The kinds the fleet cache mirrors, and how to recognise their CRDs.

/// Every kind the Sveltos side of the graph reads from the management cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FleetKind {
    CapiCluster,
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
}

impl FleetKind {
    pub const ALL: [FleetKind; 14] = [
        FleetKind::CapiCluster,
        FleetKind::SveltosCluster,
        FleetKind::ClusterProfile,
        FleetKind::Profile,
        FleetKind::ClusterSummary,
        FleetKind::ClusterConfiguration,
        FleetKind::ClusterReport,
        FleetKind::EventTrigger,
        FleetKind::EventSource,
        FleetKind::EventReport,
        FleetKind::Classifier,
        FleetKind::ClassifierReport,
        FleetKind::ManagementClusterClassifier,
        FleetKind::ManagementClusterClassifierReport,
    ];

    /// The CRD's name, `<plural>.<group>`.
    pub fn crd_name(self) -> &'static str {
        match self {
            FleetKind::CapiCluster => "clusters.cluster.x-k8s.io",
            FleetKind::SveltosCluster => "sveltosclusters.lib.projectsveltos.io",
            FleetKind::ClusterProfile => "clusterprofiles.config.projectsveltos.io",
            FleetKind::Profile => "profiles.config.projectsveltos.io",
            FleetKind::ClusterSummary => "clustersummaries.config.projectsveltos.io",
            FleetKind::ClusterConfiguration => "clusterconfigurations.config.projectsveltos.io",
            FleetKind::ClusterReport => "clusterreports.config.projectsveltos.io",
            FleetKind::EventTrigger => "eventtriggers.lib.projectsveltos.io",
            FleetKind::EventSource => "eventsources.lib.projectsveltos.io",
            FleetKind::EventReport => "eventreports.lib.projectsveltos.io",
            FleetKind::Classifier => "classifiers.lib.projectsveltos.io",
            FleetKind::ClassifierReport => "classifierreports.lib.projectsveltos.io",
            FleetKind::ManagementClusterClassifier => {
                "managementclusterclassifiers.lib.projectsveltos.io"
            }
            FleetKind::ManagementClusterClassifierReport => {
                "managementclusterclassifierreports.lib.projectsveltos.io"
            }
        }
    }

    /// Plural resource name, as SubjectAccessReviews and RBAC name it.
    pub fn plural(self) -> &'static str {
        self.crd_name()
            .split_once('.')
            .map(|(plural, _)| plural)
            .unwrap_or_default()
    }

    /// API group.
    pub fn group(self) -> &'static str {
        self.crd_name()
            .split_once('.')
            .map(|(_, group)| group)
            .unwrap_or_default()
    }

    pub fn name(self) -> &'static str {
        match self {
            FleetKind::CapiCluster => "Cluster",
            FleetKind::SveltosCluster => "SveltosCluster",
            FleetKind::ClusterProfile => "ClusterProfile",
            FleetKind::Profile => "Profile",
            FleetKind::ClusterSummary => "ClusterSummary",
            FleetKind::ClusterConfiguration => "ClusterConfiguration",
            FleetKind::ClusterReport => "ClusterReport",
            FleetKind::EventTrigger => "EventTrigger",
            FleetKind::EventSource => "EventSource",
            FleetKind::EventReport => "EventReport",
            FleetKind::Classifier => "Classifier",
            FleetKind::ClassifierReport => "ClassifierReport",
            FleetKind::ManagementClusterClassifier => "ManagementClusterClassifier",
            FleetKind::ManagementClusterClassifierReport => "ManagementClusterClassifierReport",
        }
    }

    pub fn from_crd_name(name: &str) -> Option<FleetKind> {
        Self::ALL.into_iter().find(|k| k.crd_name() == name)
    }
}

/// Where an object lives: namespace ("" for cluster-scoped kinds) and name. Orders by namespace,
/// then name, which is the default order of every list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}
