//! ClusterSummaries and ClusterConfigurations, from the planned outcomes.

use super::catalog::{ResourceDef, SHARED_RESOURCE};
use super::outcomes::{HelmVariant, Outcome, PlannedSummary};
use super::profiles::PlannedProfile;
use super::support::{FleetRng, hash, random_time, section_rng};
use super::{FleetSpec, PlannedCluster};
use crate::fleet::kinds::{
    CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, CONFIG_API_VERSION, FeatureId, ProfileKind,
    cluster_configuration_name,
};
use serde_json::{Map, Value, json};

/// `1.2.3` → `1.2.4`, keeping a `v` prefix; unchanged when the last part is not a number.
fn bump_patch(version: &str) -> String {
    match version.rsplit_once('.') {
        Some((head, patch)) => match patch.parse::<u64>() {
            Ok(n) => format!("{head}.{}", n + 1),
            Err(_) => version.to_owned(),
        },
        None => version.to_owned(),
    }
}

fn feature(rng: &mut FleetRng, id: &FeatureId, status: &str, message: Option<&str>) -> Value {
    let mut feature = json!({
        "featureID": id.as_str(),
        "status": status,
        "hash": hash(rng),
    });
    match status {
        "Provisioned" => feature["lastAppliedTime"] = json!(random_time(rng)),
        "Failed" | "FailedNonRetriable" => {
            feature["failureReason"] = json!("DeploymentFailed");
            feature["consecutiveFailures"] = json!(3);
        }
        _ => {}
    }
    if let Some(message) = message {
        feature["failureMessage"] = json!(message);
    }
    feature
}

fn feature_summaries(rng: &mut FleetRng, profile: &PlannedProfile, outcome: Outcome) -> Vec<Value> {
    let features = profile.features();
    let first = |i: usize| i == 0;
    features
        .iter()
        .enumerate()
        .map(|(i, id)| match outcome {
            Outcome::Failed if first(i) => feature(rng, id, "Failed", Some(&format!(
                "{} {}: context deadline exceeded", id.as_str(), profile.addon.name
            ))),
            Outcome::FailedNonRetriable if first(i) => feature(rng, id, "FailedNonRetriable", Some(
                "cannot manage resource: already managed by another profile",
            )),
            Outcome::Provisioning if first(i) => feature(rng, id, "Provisioning", None),
            Outcome::Retrying if first(i) => feature(rng, id, "Provisioning", Some(
                "failed to get API group resources: the server is currently unable to handle the request",
            )),
            Outcome::Removing if first(i) => feature(rng, id, "Removing", None),
            Outcome::WaitingProvisioning => feature(rng, id, "Provisioning", None),
            _ => feature(rng, id, "Provisioned", None),
        })
        .collect()
}

fn helm_release_summary(
    rng: &mut FleetRng,
    profile: &PlannedProfile,
    variant: HelmVariant,
) -> Option<Value> {
    let chart = profile.addon.chart.as_ref()?;
    let current = profile.chart_version?;
    let newest = chart.versions.last().copied().unwrap_or(current);
    let mut release = json!({
        "releaseName": profile.addon.name,
        "releaseNamespace": profile.addon.namespace,
        "status": "Managing",
        "chartName": chart.chart,
        "chartVersion": current,
        "repoURL": chart.repo_url,
        "repositoryName": chart.repo_name,
        "valuesHash": hash(rng),
    });
    let checked = random_time(rng);
    match variant {
        HelmVariant::UpToDate => {}
        HelmVariant::CheckedOnly => release["lastCheckedTime"] = json!(checked),
        HelmVariant::NewerVersion if newest != current => {
            release["latestVersion"] = json!(newest);
            release["lastCheckedTime"] = json!(checked);
        }
        HelmVariant::NewerVersion | HelmVariant::NewerPatch => {
            release["latestPatchVersion"] = json!(bump_patch(current));
            release["lastCheckedTime"] = json!(checked);
        }
        HelmVariant::Conflict => {
            release["status"] = json!("Conflict");
            release["conflictMessage"] = json!(format!(
                "helm release {}/{} is managed by another profile",
                profile.addon.namespace, profile.addon.name
            ));
            release["latestVersion"] = json!(newest);
            release["lastCheckedTime"] = json!(checked);
        }
    }
    Some(release)
}

fn dependencies_text(profile: &PlannedProfile, outcome: Outcome) -> Option<String> {
    let first = profile.depends_on.first()?;
    Some(match outcome {
        Outcome::WaitingNoFeatures | Outcome::WaitingProvisioning => {
            format!("{} {first} is not deployed yet", profile.kind.as_str())
        }
        _ => "All dependencies deployed".to_owned(),
    })
}

/// Write every ClusterSummary, in plan order.
pub(super) fn write(
    spec: &FleetSpec,
    summaries: &[PlannedSummary],
    profiles: &[PlannedProfile],
    profile_specs: &[Value],
    clusters: &[PlannedCluster],
    out: &mut Vec<Value>,
) {
    let mut rng = section_rng(spec.seed, "summaries");
    for summary in summaries {
        let profile = &profiles[summary.profile];
        let cluster = &clusters[summary.cluster];
        let mut status = Map::new();
        if summary.outcome != Outcome::WaitingNoFeatures {
            status.insert(
                "featureSummaries".into(),
                Value::Array(feature_summaries(&mut rng, profile, summary.outcome)),
            );
            if let Some(release) = helm_release_summary(&mut rng, profile, summary.helm) {
                status.insert("helmReleaseSummaries".into(), Value::Array(vec![release]));
            }
        }
        if let Some(text) = dependencies_text(profile, summary.outcome) {
            status.insert("dependencies".into(), json!(text));
        }
        let mut object = json!({
            "apiVersion": CONFIG_API_VERSION,
            "kind": "ClusterSummary",
            "metadata": {
                "name": profile.kind.cluster_summary_name(&profile.name, cluster.cluster_type, &cluster.name),
                "namespace": cluster.namespace,
                "labels": {
                    CLUSTER_NAME_LABEL: cluster.name,
                    CLUSTER_TYPE_LABEL: cluster.cluster_type.as_str(),
                },
                "ownerReferences": [{
                    "apiVersion": CONFIG_API_VERSION,
                    "kind": profile.kind.as_str(),
                    "name": profile.name,
                    "uid": profile.uid,
                    "controller": true,
                }],
            },
            "spec": {
                "clusterNamespace": cluster.namespace,
                "clusterName": cluster.name,
                "clusterType": cluster.cluster_type.as_str(),
            },
        });
        // Moved in rather than interpolated: `json!` re-serializes interpolated values.
        object["spec"]["clusterProfileSpec"] = profile_specs[summary.profile].clone();
        object["status"] = Value::Object(status);
        out.push(object);
    }
}

fn deployed(resource: &ResourceDef) -> Value {
    let mut entry = json!({
        "name": resource.name,
        "group": resource.group,
        "kind": resource.kind,
        "version": resource.version,
        "deploymentType": "Remote",
    });
    if !resource.namespace.is_empty() {
        entry["namespace"] = json!(resource.namespace);
    }
    entry
}

fn feature_entry(id: &str, list: &str, items: Vec<Value>) -> Value {
    let mut feature = json!({ "featureID": id });
    feature[list] = Value::Array(items);
    feature
}

/// What a profile deploys on any cluster, but the per-cluster `lastAppliedTime`s: built once
/// per profile and cloned, which is several times cheaper than building it per cluster.
fn configuration_template(profile: &PlannedProfile) -> Vec<Value> {
    let addon = profile.addon;
    let mut features = Vec::new();
    if !addon.resources.is_empty() {
        let resources = addon
            .resources
            .iter()
            .chain(std::iter::once(&SHARED_RESOURCE))
            .map(deployed)
            .collect();
        features.push(feature_entry("Resources", "resources", resources));
    }
    if let (Some(chart), Some(version)) = (&addon.chart, profile.chart_version) {
        let mut entry = json!({
            "repoURL": chart.repo_url,
            "releaseName": addon.name,
            "namespace": addon.namespace,
            "chartVersion": version,
            "appVersion": chart.app_version,
        });
        if let Some(icon) = chart.icon {
            entry["icon"] = json!(icon);
        }
        features.push(feature_entry("Helm", "charts", vec![entry]));
    }
    if !addon.kustomize.is_empty() {
        let resources = addon.kustomize.iter().map(deployed).collect();
        features.push(feature_entry("Kustomize", "resources", resources));
    }
    features
}

fn stamp_times(rng: &mut FleetRng, features: &mut [Value]) {
    for feature in features {
        for list in ["resources", "charts"] {
            if let Some(items) = feature.get_mut(list).and_then(Value::as_array_mut) {
                for item in items {
                    item["lastAppliedTime"] = Value::String(random_time(rng));
                }
            }
        }
    }
}

fn section(name_key: &str, name: &str, features: Vec<Value>) -> Value {
    let mut section = Map::new();
    section.insert(name_key.to_owned(), Value::String(name.to_owned()));
    section.insert("Features".to_owned(), Value::Array(features));
    Value::Object(section)
}

/// Write one ClusterConfiguration per cluster with deployed profiles, at most
/// `spec.configurations`, in cluster order.
pub(super) fn write_configurations(
    spec: &FleetSpec,
    summaries: &[PlannedSummary],
    profiles: &[PlannedProfile],
    clusters: &[PlannedCluster],
    out: &mut Vec<Value>,
) {
    let mut by_cluster: Vec<Vec<usize>> = vec![Vec::new(); clusters.len()];
    for summary in summaries {
        if summary.outcome != Outcome::WaitingNoFeatures {
            by_cluster[summary.cluster].push(summary.profile);
        }
    }
    let templates: Vec<Vec<Value>> = profiles.iter().map(configuration_template).collect();
    let mut rng = section_rng(spec.seed, "configurations");
    let mut written = 0;
    for (cluster, deployed_profiles) in clusters.iter().zip(&by_cluster) {
        if written >= spec.configurations {
            break;
        }
        if deployed_profiles.is_empty() {
            continue;
        }
        let mut cluster_profile_resources = Vec::new();
        let mut profile_resources = Vec::new();
        for &p in deployed_profiles {
            let profile = &profiles[p];
            let mut features = templates[p].clone();
            stamp_times(&mut rng, &mut features);
            match profile.kind {
                ProfileKind::ClusterProfile => cluster_profile_resources.push(section(
                    "clusterProfileName",
                    &profile.name,
                    features,
                )),
                ProfileKind::Profile => {
                    profile_resources.push(section("profileName", &profile.name, features))
                }
            }
        }
        let mut status = Map::new();
        if !cluster_profile_resources.is_empty() {
            status.insert(
                "clusterProfileResources".into(),
                Value::Array(cluster_profile_resources),
            );
        }
        if !profile_resources.is_empty() {
            status.insert("profileResources".into(), Value::Array(profile_resources));
        }
        let mut object = json!({
            "apiVersion": CONFIG_API_VERSION,
            "kind": "ClusterConfiguration",
            "metadata": {
                "name": cluster_configuration_name(cluster.cluster_type, &cluster.name),
                "namespace": cluster.namespace,
                "labels": {
                    CLUSTER_NAME_LABEL: cluster.name,
                    CLUSTER_TYPE_LABEL: cluster.cluster_type.as_str(),
                },
            },
        });
        object["status"] = Value::Object(status);
        out.push(object);
        written += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::bump_patch;

    #[test]
    fn bump_patch_increments_the_last_number() {
        assert_eq!(bump_patch("v1.14.5"), "v1.14.6");
        assert_eq!(bump_patch("3.1.9"), "3.1.10");
        assert_eq!(bump_patch("latest"), "latest");
        assert_eq!(bump_patch("1.2.x"), "1.2.x");
    }
}
