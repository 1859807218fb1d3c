//! The benchmark's management cluster: kubesim with the CRDs and the generated fleet of graph.md
//! §6, plus one ClusterProfile widened to match many clusters (the generator cuts the fleet into
//! groups of about summaries/profiles clusters, so no generated profile matches 1,000).

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use fleetgraph::fleet::generator::{FleetSpec, generate};
use fleetgraph::fleet::kinds::{
    CLUSTER_NAME_LABEL, CLUSTER_TYPE_LABEL, ClusterType, ProfileKind, crds,
};
use kubesim::KubeSim;
use serde_json::{Value, json};

/// Objects per bulk load into kubesim.
const BATCH: usize = 5_000;

/// What was loaded, for the report.
pub struct LoadedFleet {
    pub clusters: usize,
    pub profiles: usize,
    pub summaries: usize,
    pub configurations: usize,
    pub objects: usize,
    /// The ClusterProfile that matches `wide` clusters.
    pub wide_profile: String,
    pub wide_matching: usize,
}

/// Sizes asked for on the command line.
pub struct FleetSize {
    pub seed: u64,
    pub clusters: usize,
    pub profiles: usize,
    pub summaries: usize,
    pub configurations: usize,
    pub wide: usize,
}

/// Generates the fleet and loads it (CRDs first) into `sim`.
pub fn load(sim: &KubeSim, size: &FleetSize) -> Result<LoadedFleet> {
    let mut spec = FleetSpec::benchmark(size.seed);
    spec.clusters = size.clusters;
    spec.profiles = size.profiles;
    spec.configurations = size.configurations;
    // The widened profile gets a ClusterSummary on each extra cluster; generate that many fewer
    // so the total stays at the size asked for.
    let per_profile = (size.summaries / size.profiles.max(1)).max(1);
    spec.summaries = size
        .summaries
        .saturating_sub(size.wide.saturating_sub(per_profile));
    let definitions: Vec<Value> = crds()
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    sim.load_objects(definitions).context("CRDs do not load")?;

    let mut world = generate(&spec);
    let (wide_profile, wide_matching) = widen_first_cluster_profile(&mut world, size.wide)?;
    let count = |kind: &str| world.iter().filter(|o| o["kind"] == kind).count();
    let loaded = LoadedFleet {
        clusters: count("Cluster") + count("SveltosCluster"),
        profiles: count("ClusterProfile") + count("Profile"),
        summaries: count("ClusterSummary"),
        configurations: count("ClusterConfiguration"),
        objects: world.len(),
        wide_profile,
        wide_matching,
    };
    let mut rest = world;
    while !rest.is_empty() {
        let tail = rest.split_off(BATCH.min(rest.len()));
        sim.load_objects(rest).context("the fleet does not load")?;
        rest = tail;
    }
    Ok(loaded)
}

/// A cluster of the world as a Sveltos cluster reference.
struct ClusterRef {
    cluster_type: ClusterType,
    namespace: String,
    name: String,
}

impl ClusterRef {
    fn of(object: &Value) -> Option<Self> {
        let cluster_type = match object["kind"].as_str()? {
            "Cluster" => ClusterType::Capi,
            "SveltosCluster" => ClusterType::Sveltos,
            _ => return None,
        };
        Some(Self {
            cluster_type,
            namespace: object["metadata"]["namespace"].as_str()?.to_string(),
            name: object["metadata"]["name"].as_str()?.to_string(),
        })
    }

    fn key(&self) -> (String, String) {
        (self.namespace.clone(), self.name.clone())
    }

    fn reference(&self, api_version: &str) -> Value {
        json!({
            "apiVersion": api_version,
            "kind": self.cluster_type.kind(),
            "namespace": self.namespace,
            "name": self.name,
        })
    }
}

/// Makes the first ClusterProfile match `wide` clusters: `clusterRefs` and
/// `status.matchingClusters` list them, and each added cluster gets a ClusterSummary cloned from
/// one the profile already owns. Returns the profile's name and how many clusters it matches.
fn widen_first_cluster_profile(world: &mut Vec<Value>, wide: usize) -> Result<(String, usize)> {
    let clusters: Vec<(ClusterRef, String)> = world
        .iter()
        .filter_map(|o| Some((ClusterRef::of(o)?, o["apiVersion"].as_str()?.to_string())))
        .collect();
    let Some(index) = world.iter().position(|o| o["kind"] == "ClusterProfile") else {
        bail!("the generated fleet has no ClusterProfile");
    };
    let name = world[index]["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let owned = |o: &Value| {
        o["kind"] == "ClusterSummary"
            && o["metadata"]["ownerReferences"][0]["name"] == name.as_str()
    };
    let template = world
        .iter()
        .find(|o| owned(o))
        .cloned()
        .context("the widened profile owns no ClusterSummary")?;
    let mut matched: BTreeSet<(String, String)> = world
        .iter()
        .filter(|o| owned(o))
        .filter_map(|o| {
            Some((
                o["spec"]["clusterNamespace"].as_str()?.to_string(),
                o["spec"]["clusterName"].as_str()?.to_string(),
            ))
        })
        .collect();
    let mut refs = Vec::new();
    let mut summaries = Vec::new();
    for (cluster, api_version) in &clusters {
        if matched.len() >= wide {
            break;
        }
        if !matched.insert(cluster.key()) {
            continue;
        }
        refs.push(cluster.reference(api_version));
        summaries.push(retarget(&template, &name, cluster));
    }
    let profile = &mut world[index];
    let mut listed: Vec<Value> = profile["status"]["matchingClusters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    listed.extend(refs.iter().cloned());
    profile["status"]["matchingClusters"] = Value::Array(listed);
    let mut cluster_refs: Vec<Value> = profile["spec"]["clusterRefs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    cluster_refs.extend(refs);
    profile["spec"]["clusterRefs"] = Value::Array(cluster_refs);
    world.extend(summaries);
    Ok((name, matched.len()))
}

fn retarget(template: &Value, profile: &str, cluster: &ClusterRef) -> Value {
    let mut summary = template.clone();
    summary["metadata"]["name"] = json!(ProfileKind::ClusterProfile.cluster_summary_name(
        profile,
        cluster.cluster_type,
        &cluster.name
    ));
    summary["metadata"]["namespace"] = json!(cluster.namespace);
    summary["metadata"]["labels"][CLUSTER_NAME_LABEL] = json!(cluster.name);
    summary["metadata"]["labels"][CLUSTER_TYPE_LABEL] = json!(cluster.cluster_type.as_str());
    if let Some(meta) = summary["metadata"].as_object_mut() {
        meta.remove("uid");
        meta.remove("resourceVersion");
    }
    summary["spec"]["clusterNamespace"] = json!(cluster.namespace);
    summary["spec"]["clusterName"] = json!(cluster.name);
    summary["spec"]["clusterType"] = json!(cluster.cluster_type.as_str());
    summary
}
