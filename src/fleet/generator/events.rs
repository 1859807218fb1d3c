//! EventSources, EventTriggers and EventReports.

use super::catalog::{GROUP_LABEL, MISSING_EVENT_SOURCE};
use super::support::{FleetRng, section_rng};
use super::{FleetSpec, PlannedCluster, group_members};
use crate::fleet::kinds::{LIB_API_VERSION, event_report_name};
use rand::Rng;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn source_name(spec: &FleetSpec, trigger: usize) -> String {
    if spec.event_sources == 0 || (spec.event_triggers >= 2 && trigger == spec.event_triggers - 1) {
        MISSING_EVENT_SOURCE.to_owned()
    } else {
        format!("es-{:03}", trigger % spec.event_sources)
    }
}

fn trigger_group(spec: &FleetSpec, trigger: usize) -> usize {
    (trigger * 3 + 1) % spec.groups()
}

/// Write every EventSource.
pub(super) fn write_sources(spec: &FleetSpec, out: &mut Vec<Value>) {
    for i in 0..spec.event_sources {
        let selector = match i % 3 {
            0 => json!({
                "group": "", "version": "v1", "kind": "Service",
                "labelFilters": [{"key": "sveltos.io/expose", "operation": "Equal", "value": "true"}],
            }),
            1 => json!({
                "group": "apps", "version": "v1", "kind": "Deployment", "namespace": "default",
                "evaluate": "function evaluate()\n  return {matching = obj.spec.replicas == 0}\nend\n",
            }),
            _ => json!({
                "group": "", "version": "v1", "kind": "Pod",
                "selector": {"matchLabels": {"app": "critical"}},
            }),
        };
        out.push(json!({
            "apiVersion": LIB_API_VERSION,
            "kind": "EventSource",
            "metadata": {"name": format!("es-{i:03}")},
            "spec": {
                "resourceSelectors": [selector],
                "collectResources": i.is_multiple_of(2),
            },
        }));
    }
}

/// Write every EventTrigger; the last references an event source that does not exist.
pub(super) fn write_triggers(spec: &FleetSpec, clusters: &[PlannedCluster], out: &mut Vec<Value>) {
    let members = group_members(spec, clusters);
    for i in 0..spec.event_triggers {
        let group = trigger_group(spec, i);
        let matching: Vec<Value> = members[group]
            .iter()
            .map(|&c| clusters[c].reference())
            .collect();
        out.push(json!({
            "apiVersion": LIB_API_VERSION,
            "kind": "EventTrigger",
            "metadata": {"name": format!("et-{i:03}")},
            "spec": {
                "sourceClusterSelector": {"matchLabels": {GROUP_LABEL: format!("g{group:04}")}},
                "eventSourceName": source_name(spec, i),
                "oneForEvent": i % 2 == 1,
                "syncMode": "Continuous",
                "policyRefs": [{
                    "kind": "ConfigMap",
                    "name": format!("et-{i:03}-template"),
                    "namespace": "projectsveltos",
                    "deploymentType": "Remote",
                }],
            },
            "status": {"matchingClusters": matching},
        }));
    }
}

fn matching_resources(rng: &mut FleetRng, source: &str) -> Vec<Value> {
    (0..rng.random_range(1..4))
        .map(|n| {
            json!({
                "apiVersion": "v1",
                "kind": "Service",
                "namespace": "default",
                "name": format!("{source}-svc-{n}"),
            })
        })
        .collect()
}

/// Write an EventReport for every other cluster matched by a trigger with an existing source,
/// once per (event source, cluster).
pub(super) fn write_reports(spec: &FleetSpec, clusters: &[PlannedCluster], out: &mut Vec<Value>) {
    let members = group_members(spec, clusters);
    let mut rng = section_rng(spec.seed, "event-reports");
    let mut seen: BTreeSet<(String, usize)> = BTreeSet::new();
    for i in 0..spec.event_triggers {
        let source = source_name(spec, i);
        if source == MISSING_EVENT_SOURCE {
            continue;
        }
        for &c in &members[trigger_group(spec, i)] {
            if !(c + i).is_multiple_of(2) || !seen.insert((source.clone(), c)) {
                continue;
            }
            let cluster = &clusters[c];
            out.push(json!({
                "apiVersion": LIB_API_VERSION,
                "kind": "EventReport",
                "metadata": {
                    "name": event_report_name(cluster.cluster_type, &source, &cluster.name),
                    "namespace": cluster.namespace,
                },
                "spec": {
                    "clusterNamespace": cluster.namespace,
                    "clusterName": cluster.name,
                    "clusterType": cluster.cluster_type.as_str(),
                    "eventSourceName": source,
                    "matchingResources": matching_resources(&mut rng, &source),
                },
                "status": {"phase": "Processed"},
            }));
        }
    }
}
