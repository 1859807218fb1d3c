//! ClusterProfiles and Profiles: selectors, sync modes, tiers, dependency chains, add-ons.

use super::catalog::{ADDONS, Addon, GROUP_LABEL, MISSING_DEPENDENCY};
use super::support::{section_rng, uid};
use super::{FleetSpec, PlannedCluster, group_members};
use crate::fleet::kinds::{CONFIG_API_VERSION, FeatureId, ProfileKind, SyncMode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Cycled by index within each kind: both kinds have every mode once there are four of them.
const SYNC_MODES: [SyncMode; 7] = [
    SyncMode::Continuous,
    SyncMode::DryRun,
    SyncMode::ContinuousWithDriftDetection,
    SyncMode::OneTime,
    SyncMode::Continuous,
    SyncMode::ContinuousWithDriftDetection,
    SyncMode::Continuous,
];
const PROFILE_TIERS: [i32; 6] = [100, 100, 50, 100, 200, 10];

/// A profile as planned.
pub(crate) struct PlannedProfile {
    pub kind: ProfileKind,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: String,
    pub addon: &'static Addon,
    pub chart_version: Option<&'static str>,
    pub sync_mode: SyncMode,
    pub depends_on: Vec<String>,
    /// Clusters referenced by `clusterRefs` on top of the selector.
    pub extra_refs: Vec<usize>,
    /// Indices of matched clusters: the selected group, then `extra_refs`.
    pub matching: Vec<usize>,
    index: usize,
}

impl PlannedProfile {
    /// Features this profile deploys, in upstream's order.
    pub fn features(&self) -> Vec<FeatureId> {
        let mut features = Vec::new();
        if !self.addon.resources.is_empty() {
            features.push(FeatureId::Resources);
        }
        if self.addon.chart.is_some() {
            features.push(FeatureId::Helm);
        }
        if !self.addon.kustomize.is_empty() {
            features.push(FeatureId::Kustomize);
        }
        features
    }
}

/// Which profiles exist and which clusters each matches.
pub(super) fn plan(spec: &FleetSpec, clusters: &[PlannedCluster]) -> Vec<PlannedProfile> {
    let groups = spec.groups();
    let members = group_members(spec, clusters);
    let group_namespace = |group: usize| {
        members[group]
            .first()
            .map(|&i| clusters[i].namespace.clone())
            .unwrap_or_else(|| "default".to_owned())
    };
    let cluster_profiles = if spec.profiles < 2 {
        spec.profiles
    } else {
        (spec.profiles * 7).div_ceil(10).min(spec.profiles - 1)
    };

    let mut rng = section_rng(spec.seed, "profiles");
    let mut last_profile_in_namespace: BTreeMap<String, String> = BTreeMap::new();
    let mut planned = Vec::with_capacity(spec.profiles);
    for k in 0..spec.profiles {
        let group = k % groups;
        let addon = &ADDONS[(k + k / groups) % ADDONS.len()];
        let (kind, namespace, name) = if k < cluster_profiles {
            (
                ProfileKind::ClusterProfile,
                None,
                format!("cp-{}-{k:04}", addon.name),
            )
        } else {
            let ns = group_namespace(group);
            (
                ProfileKind::Profile,
                Some(ns),
                format!("prof-{}-{k:04}", addon.name),
            )
        };
        let depends_on = match (&kind, &namespace) {
            (ProfileKind::ClusterProfile, _) if k == 3 => vec![MISSING_DEPENDENCY.to_owned()],
            // Chains of three: k-2 <- k-1 <- k.
            (ProfileKind::ClusterProfile, _) if k % 5 == 1 || (k % 5 == 2 && k >= 2) => {
                vec![planned_name(&planned, k - 1)]
            }
            (ProfileKind::Profile, Some(ns)) if !k.is_multiple_of(3) => last_profile_in_namespace
                .get(ns)
                .cloned()
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        if let Some(ns) = &namespace {
            last_profile_in_namespace.insert(ns.clone(), name.clone());
        }
        let chart_version = addon
            .chart
            .as_ref()
            .map(|c| c.versions[k % c.versions.len()]);
        let index_in_kind = if k < cluster_profiles {
            k
        } else {
            k - cluster_profiles
        };
        planned.push(PlannedProfile {
            kind,
            namespace,
            name,
            uid: uid(&mut rng),
            addon,
            chart_version,
            sync_mode: SYNC_MODES[index_in_kind % SYNC_MODES.len()].clone(),
            depends_on,
            extra_refs: Vec::new(),
            matching: members[group].clone(),
            index: k,
        });
    }
    top_up(spec, clusters, &members, &mut planned);
    planned
}

fn planned_name(planned: &[PlannedProfile], index: usize) -> String {
    planned
        .get(index)
        .map(|p| p.name.clone())
        .unwrap_or_default()
}

/// Add `clusterRefs` (one per profile per round) until the summary target is met or no profile
/// can take another cluster.
fn top_up(
    spec: &FleetSpec,
    clusters: &[PlannedCluster],
    members: &[Vec<usize>],
    planned: &mut [PlannedProfile],
) {
    let mut total: usize = planned.iter().map(|p| p.matching.len()).sum();
    let groups = members.len();
    while total < spec.summaries {
        let mut progressed = false;
        for profile in planned.iter_mut() {
            if total >= spec.summaries {
                break;
            }
            let own_group = profile.index % groups;
            let taken: BTreeSet<usize> = profile.matching.iter().copied().collect();
            let candidate = (1..groups)
                .map(|step| (own_group + step) % groups)
                .flat_map(|g| members[g].iter().copied())
                .find(|&c| {
                    !taken.contains(&c)
                        && profile
                            .namespace
                            .as_ref()
                            .is_none_or(|ns| *ns == clusters[c].namespace)
                });
            if let Some(c) = candidate {
                profile.extra_refs.push(c);
                profile.matching.push(c);
                total += 1;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
}

fn selector(k: usize, group_value: &str) -> Value {
    match k % 3 {
        0 => json!({"matchLabels": {GROUP_LABEL: group_value}}),
        1 => json!({"matchExpressions": [
            {"key": GROUP_LABEL, "operator": "In", "values": [group_value]}
        ]}),
        _ => json!({
            "matchLabels": {GROUP_LABEL: group_value},
            "matchExpressions": [{"key": "env", "operator": "Exists"}],
        }),
    }
}

/// The profile's `spec`, as a user would write it.
pub(super) fn spec_json(
    profile: &PlannedProfile,
    clusters: &[PlannedCluster],
    groups: usize,
) -> Value {
    let k = profile.index;
    let addon = profile.addon;
    let group_value = format!("g{:04}", k % groups);
    let mut spec = json!({
        "clusterSelector": selector(k, &group_value),
        "syncMode": profile.sync_mode.as_str(),
        "tier": PROFILE_TIERS[k % PROFILE_TIERS.len()],
    });
    if !profile.extra_refs.is_empty() {
        let refs: Vec<Value> = profile
            .extra_refs
            .iter()
            .map(|&c| clusters[c].reference())
            .collect();
        spec["clusterRefs"] = Value::Array(refs);
    }
    if !profile.depends_on.is_empty() {
        spec["dependsOn"] = json!(profile.depends_on);
    }
    let source_namespace = profile.namespace.as_deref().unwrap_or("projectsveltos");
    if let (Some(chart), Some(version)) = (&addon.chart, profile.chart_version) {
        let mut helm = json!({
            "repositoryURL": chart.repo_url,
            "repositoryName": chart.repo_name,
            "chartName": format!("{}/{}", chart.repo_name, chart.chart),
            "chartVersion": version,
            "releaseName": addon.name,
            "releaseNamespace": addon.namespace,
            "helmChartAction": "Install",
        });
        if k.is_multiple_of(3) {
            helm["values"] = json!("replicaCount: 2\n");
        }
        spec["helmCharts"] = json!([helm]);
        if k.is_multiple_of(6) {
            spec["validateHealths"] = json!([{
                "name": format!("{}-ready", addon.name),
                "featureID": "Helm",
                "group": "apps",
                "version": "v1",
                "kind": "Deployment",
                "namespace": addon.namespace,
                "script": "function evaluate()\n  return {healthy = true}\nend\n",
            }]);
        }
    }
    if !addon.resources.is_empty() {
        spec["policyRefs"] = json!([{
            "kind": "ConfigMap",
            "name": format!("{}-resources", addon.name),
            "namespace": source_namespace,
            "deploymentType": "Remote",
        }]);
    }
    if !addon.kustomize.is_empty() {
        spec["kustomizationRefs"] = json!([{
            "kind": "GitRepository",
            "name": "flux-system",
            "namespace": profile.namespace.as_deref().unwrap_or("flux-system"),
            "path": format!("./{}/overlays/default", addon.name),
            "targetNamespace": addon.namespace,
        }]);
    }
    if k.is_multiple_of(5) {
        spec["templateResourceRefs"] = json!([{
            "resource": {"apiVersion": "v1", "kind": "ConfigMap", "name": "{{ .Cluster.metadata.name }}-values"},
            "identifier": "ClusterValues",
        }]);
    }
    if profile.sync_mode == SyncMode::ContinuousWithDriftDetection {
        spec["driftExclusions"] = json!([{
            "paths": ["/spec/replicas"],
            "target": {"group": "apps", "version": "v1", "kind": "Deployment"},
        }]);
    }
    match k % 4 {
        1 => spec["maxUpdate"] = json!("30%"),
        2 => spec["maxUpdate"] = json!(5),
        _ => {}
    }
    if k % 9 == 4 {
        spec["stopMatchingBehavior"] = json!("LeavePolicies");
    }
    if k % 3 == 2 {
        spec["extraLabels"] = json!({"managed-by": "sveltos"});
        spec["continueOnError"] = json!(true);
    }
    spec
}

/// Write every profile object, in plan order.
pub(super) fn write(
    profiles: &[PlannedProfile],
    specs: &[Value],
    clusters: &[PlannedCluster],
    out: &mut Vec<Value>,
) {
    for (profile, spec) in profiles.iter().zip(specs) {
        let mut metadata = json!({"name": profile.name});
        if let Some(ns) = &profile.namespace {
            metadata["namespace"] = json!(ns);
        }
        let matching: Vec<Value> = profile
            .matching
            .iter()
            .map(|&c| clusters[c].reference())
            .collect();
        let mut object = json!({
            "apiVersion": CONFIG_API_VERSION,
            "kind": profile.kind.as_str(),
            "metadata": metadata,
        });
        object["spec"] = spec.clone();
        object["status"] = json!({});
        object["status"]["matchingClusters"] = Value::Array(matching);
        out.push(object);
    }
}
