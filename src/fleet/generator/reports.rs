//! ClusterReports: what DryRun profiles would change on each matched cluster.

use super::catalog::SHARED_RESOURCE;
use super::outcomes::{Outcome, PlannedSummary};
use super::profiles::PlannedProfile;
use super::support::{FleetRng, pick, section_rng};
use super::{FleetSpec, PlannedCluster};
use crate::fleet::kinds::{CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, CONFIG_API_VERSION, SyncMode};
use rand::Rng;
use serde_json::{Map, Value, json};

const RESOURCE_ACTIONS: &[&str] = &["Create", "Update", "No Action", "Delete", "Conflict"];
const HELM_ACTIONS: &[&str] = &[
    "Install",
    "Upgrade",
    "Update Values",
    "No Action",
    "Conflict",
];

fn resource_report(
    rng: &mut FleetRng,
    resource: &super::catalog::ResourceDef,
    quiet: bool,
) -> Value {
    let action = if quiet {
        "No Action"
    } else {
        *pick(rng, RESOURCE_ACTIONS)
    };
    let mut entry = json!({
        "name": resource.name,
        "group": resource.group,
        "kind": resource.kind,
        "version": resource.version,
    });
    if !resource.namespace.is_empty() {
        entry["namespace"] = json!(resource.namespace);
    }
    let mut report = json!({"resource": entry, "action": action});
    if action == "Conflict" {
        report["message"] = json!("resource is managed by another profile");
    }
    report
}

/// Write a ClusterReport per DryRun profile and matched cluster; every fourth reports no change.
pub(super) fn write(
    spec: &FleetSpec,
    summaries: &[PlannedSummary],
    profiles: &[PlannedProfile],
    clusters: &[PlannedCluster],
    out: &mut Vec<Value>,
) {
    let mut rng = section_rng(spec.seed, "cluster-reports");
    for summary in summaries {
        let profile = &profiles[summary.profile];
        if profile.sync_mode != SyncMode::DryRun || summary.outcome == Outcome::WaitingNoFeatures {
            continue;
        }
        let cluster = &clusters[summary.cluster];
        let quiet = rng.random_range(0..4) == 0;
        let addon = profile.addon;
        let mut status = Map::new();
        if let (Some(chart), Some(version)) = (&addon.chart, profile.chart_version) {
            let action = if quiet {
                "No Action"
            } else {
                *pick(&mut rng, HELM_ACTIONS)
            };
            let mut release = json!({
                "chartName": addon.name,
                "releaseNamespace": addon.namespace,
                "chartVersion": version,
                "action": action,
            });
            if action == "Upgrade" {
                release["message"] = json!(format!(
                    "{} would move to {}",
                    chart.chart,
                    chart.versions.last().copied().unwrap_or(version)
                ));
            }
            status.insert("releaseReports".into(), json!([release]));
        }
        if !addon.resources.is_empty() {
            let reports: Vec<Value> = addon
                .resources
                .iter()
                .chain(std::iter::once(&SHARED_RESOURCE))
                .map(|r| resource_report(&mut rng, r, quiet))
                .collect();
            status.insert("resourceReports".into(), Value::Array(reports));
        }
        if !addon.kustomize.is_empty() {
            let reports: Vec<Value> = addon
                .kustomize
                .iter()
                .map(|r| resource_report(&mut rng, r, quiet))
                .collect();
            status.insert("kustomizeResourceReports".into(), Value::Array(reports));
        }
        out.push(json!({
            "apiVersion": CONFIG_API_VERSION,
            "kind": "ClusterReport",
            "metadata": {
                "name": profile.kind.cluster_report_name(&profile.name, cluster.cluster_type, &cluster.name),
                "namespace": cluster.namespace,
                "labels": {
                    CLUSTER_NAME_LABEL: cluster.name,
                    CLUSTER_TYPE_LABEL: cluster.cluster_type.as_str(),
                },
            },
            "spec": {"clusterNamespace": cluster.namespace, "clusterName": cluster.name},
            "status": status,
        }));
    }
}
