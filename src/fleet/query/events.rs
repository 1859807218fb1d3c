//! Event triggers (sveltos-ui-backend.md §1.8-§1.9): which clusters an EventTrigger's source
//! selector matched, and what its EventSource matched on each (from the EventReport).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::clusters::contains_ignore_case;
use crate::fleet::cache::{ClusterRef, FleetCluster, FleetSnapshot, ObjectKey};
use crate::fleet::kinds::{
    ClusterType, EventReport, EventSource, EventTrigger, api_group, event_report_name,
};

/// A cluster an EventTrigger matches, with its EventReport when there is one.
#[derive(Clone, Debug)]
pub struct EventMatch {
    pub reference: ClusterRef,
    pub cluster: Arc<FleetCluster>,
    pub report: Option<Arc<EventReport>>,
}

/// One resource an EventSource matched on a cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MatchedResource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EventMatch {
    /// `spec.matchingResources` of the report, sorted by group, version, kind, namespace, name.
    pub fn resources(&self) -> Vec<MatchedResource> {
        let mut resources: Vec<MatchedResource> = self
            .report
            .iter()
            .flat_map(|r| r.spec.matching_resources.iter())
            .map(|r| {
                let api_version = r.api_version.as_deref().unwrap_or_default();
                let version = api_version.rsplit('/').next().unwrap_or_default();
                MatchedResource {
                    group: api_group(api_version).to_string(),
                    version: version.to_string(),
                    kind: r.kind.clone().unwrap_or_default(),
                    namespace: r.namespace.clone().unwrap_or_default(),
                    name: r.name.clone().unwrap_or_default(),
                }
            })
            .collect();
        resources.sort();
        resources.dedup();
        resources
    }
}

/// The trigger's EventSource, when it exists.
pub fn event_source<'a>(
    snapshot: &'a FleetSnapshot,
    trigger: &EventTrigger,
) -> Option<&'a Arc<EventSource>> {
    snapshot
        .stores
        .event_sources
        .get(&ObjectKey::new("", trigger.spec.event_source_name.clone()))
}

/// The existing clusters in `status.matchingClusters` (any CAPI version, repeats dropped), in
/// namespace, name, type order, each with its EventReport.
pub fn event_matches(snapshot: &FleetSnapshot, trigger: &EventTrigger) -> Vec<EventMatch> {
    let references: BTreeSet<ClusterRef> = trigger
        .status
        .iter()
        .flat_map(|s| s.matching_clusters.iter())
        .filter_map(|r| {
            Some(ClusterRef {
                namespace: r.namespace.clone().unwrap_or_default(),
                name: r.name.clone()?,
                cluster_type: ClusterType::of_reference(r)?,
            })
        })
        .collect();
    let source = &trigger.spec.event_source_name;
    references
        .into_iter()
        .filter_map(|reference| {
            let cluster = snapshot.cluster(&reference)?.clone();
            let name = event_report_name(reference.cluster_type, source, &reference.name);
            let report = snapshot
                .stores
                .event_reports
                .get(&ObjectKey::new(reference.namespace.clone(), name))
                .cloned();
            Some(EventMatch {
                reference,
                cluster,
                report,
            })
        })
        .collect()
}

/// `eventTriggers` filters; all given ones must hold.
#[derive(Clone, Debug, Default)]
pub struct EventTriggerQuery {
    /// Case-insensitive substring of the trigger's name.
    pub name: Option<String>,
    /// Case-insensitive substrings a matching cluster's namespace / name must contain.
    pub cluster_namespace: Option<String>,
    pub cluster_name: Option<String>,
}

impl EventTriggerQuery {
    pub fn matches_name(&self, name: &str) -> bool {
        self.name
            .as_deref()
            .is_none_or(|n| contains_ignore_case(name, n))
    }

    pub fn filters_clusters(&self) -> bool {
        self.cluster_namespace.is_some() || self.cluster_name.is_some()
    }

    /// Whether a matching cluster satisfies the cluster filters.
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
