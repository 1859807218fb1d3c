//! Namespaces, CAPI Clusters (v1beta2) and SveltosClusters.

use super::catalog::{
    ENVIRONMENTS, GROUP_LABEL, KUBERNETES_VERSIONS, NAMESPACE_WORDS, REGIONS, TEAMS, TIERS,
};
use super::support::{FleetRng, chance, pick, random_time, section_rng};
use super::{FleetSpec, PlannedCluster};
use crate::fleet::kinds::ClusterType;
use rand::Rng;
use serde_json::{Map, Value, json};

/// `payments`, `search`, ... then `payments-2`, `search-2`, ... when more are needed.
pub(super) fn namespace_names(spec: &FleetSpec) -> Vec<String> {
    (0..spec.namespaces.max(1))
        .map(|i| {
            let word = NAMESPACE_WORDS[i % NAMESPACE_WORDS.len()];
            match i / NAMESPACE_WORDS.len() {
                0 => word.to_owned(),
                round => format!("{word}-{}", round + 1),
            }
        })
        .collect()
}

/// Which clusters exist, where, and in which group.
pub(super) fn plan(spec: &FleetSpec, namespaces: &[String]) -> Vec<PlannedCluster> {
    let group_size = spec.group_size();
    let mut rng = section_rng(spec.seed, "cluster-names");
    (0..spec.clusters)
        .map(|i| {
            let group = i / group_size;
            let cluster_type = if spec.capi && i % 5 < 3 {
                ClusterType::Capi
            } else {
                ClusterType::Sveltos
            };
            let env = *pick(&mut rng, ENVIRONMENTS);
            let region = *pick(&mut rng, REGIONS);
            PlannedCluster {
                env,
                region,
                cluster_type,
                namespace: namespaces[group % namespaces.len()].clone(),
                name: format!("{env}-{region}-{i:05}"),
                group,
            }
        })
        .collect()
}

fn labels(rng: &mut FleetRng, cluster: &PlannedCluster) -> Map<String, Value> {
    let mut labels = Map::new();
    labels.insert("env".into(), json!(cluster.env));
    labels.insert("region".into(), json!(cluster.region));
    labels.insert("tier".into(), json!(pick(rng, TIERS)));
    if chance(rng, 700) {
        labels.insert("team".into(), json!(pick(rng, TEAMS)));
    }
    labels.insert(GROUP_LABEL.into(), json!(format!("g{:04}", cluster.group)));
    labels
}

/// Write every cluster object, in plan order.
pub(super) fn write(spec: &FleetSpec, clusters: &[PlannedCluster], out: &mut Vec<Value>) {
    let mut rng = section_rng(spec.seed, "clusters");
    for (i, cluster) in clusters.iter().enumerate() {
        let labels = labels(&mut rng, cluster);
        let object = match cluster.cluster_type {
            ClusterType::Capi => capi_cluster(&mut rng, i, cluster, labels),
            ClusterType::Sveltos => sveltos_cluster(&mut rng, i, cluster, labels),
        };
        out.push(object);
    }
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, time: &str) -> Value {
    json!({
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": time,
        "observedGeneration": 1,
    })
}

fn capi_cluster(
    rng: &mut FleetRng,
    i: usize,
    cluster: &PlannedCluster,
    labels: Map<String, Value>,
) -> Value {
    let version = *pick(rng, KUBERNETES_VERSIONS);
    let ready = !chance(rng, 100);
    // Ready but degraded: the failureMessage of a ready cluster.
    let workers_unavailable = ready && chance(rng, 60);
    let paused = i % 37 == 5;
    let time = random_time(rng);
    let name = &cluster.name;

    let mut spec = json!({
        "controlPlaneEndpoint": {"host": format!("{name}.k8s.example.internal"), "port": 6443},
    });
    let mut status = json!({
        "initialization": {"infrastructureProvisioned": true, "controlPlaneInitialized": ready},
        "phase": if ready { "Provisioned" } else { "Provisioning" },
        "observedGeneration": 1,
    });
    if i % 4 == 3 {
        // No managed topology: the version comes from what the control plane reports.
        spec["controlPlaneRef"] = json!({
            "apiGroup": "controlplane.cluster.x-k8s.io",
            "kind": "KubeadmControlPlane",
            "name": format!("{name}-control-plane"),
        });
        spec["infrastructureRef"] = json!({
            "apiGroup": "infrastructure.cluster.x-k8s.io",
            "kind": "DockerCluster",
            "name": name,
        });
        let replicas = if ready { 3 } else { 1 };
        status["controlPlane"] = json!({
            "desiredReplicas": 3,
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "upToDateReplicas": replicas,
            "versions": [{"version": version, "replicas": replicas}],
        });
    } else {
        spec["topology"] = json!({"classRef": {"name": "quick-start"}, "version": version});
    }
    if paused {
        spec["paused"] = json!(true);
    }

    let mut conditions = vec![condition(
        "ControlPlaneInitialized",
        if ready { "True" } else { "False" },
        if ready {
            "Initialized"
        } else {
            "NotInitialized"
        },
        if ready {
            ""
        } else {
            "Control plane not yet initialized"
        },
        &time,
    )];
    conditions.push(if !ready {
        condition(
            "Available",
            "False",
            "NotAvailable",
            "* ControlPlaneAvailable: Control plane not yet available",
            &time,
        )
    } else if workers_unavailable {
        condition(
            "Available",
            "False",
            "NotAvailable",
            "* WorkersAvailable: 1 of 3 MachineDeployments not available",
            &time,
        )
    } else {
        condition("Available", "True", "Available", "", &time)
    });
    conditions.push(condition(
        "Paused",
        if paused { "True" } else { "False" },
        if paused { "Paused" } else { "NotPaused" },
        "",
        &time,
    ));
    status["conditions"] = Value::Array(conditions);

    json!({
        "apiVersion": ClusterType::Capi.api_version(),
        "kind": "Cluster",
        "metadata": {"name": name, "namespace": cluster.namespace, "labels": labels},
        "spec": spec,
        "status": status,
    })
}

fn sveltos_cluster(
    rng: &mut FleetRng,
    i: usize,
    cluster: &PlannedCluster,
    labels: Map<String, Value>,
) -> Value {
    let name = &cluster.name;
    let pull_mode = i % 10 == 4;
    let workload_identity = i % 10 == 9;
    let mut spec = json!({
        "consecutiveFailureThreshold": 3,
        "pullMode": pull_mode,
    });
    if workload_identity {
        spec["workloadIdentity"] = json!({
            "provider": "AWS",
            "endpoint": format!("https://{name}.eks.example.com"),
            "aws": {"clusterName": name, "region": "eu-west-1"},
        });
    } else if !pull_mode {
        spec["kubeconfigName"] = json!(format!("{name}-sveltos-kubeconfig"));
        spec["kubeconfigKeyName"] = json!("kubeconfig");
    }
    if i % 7 == 2 {
        spec["tokenRequestRenewalOption"] = json!({"renewTokenRequestInterval": "1h0m0s"});
    }
    if i % 41 == 7 {
        spec["paused"] = json!(true);
    }

    let ready = !chance(rng, 100);
    let mut status = json!({
        "version": pick(rng, KUBERNETES_VERSIONS),
        "ready": ready,
        "connectionStatus": if ready { "Healthy" } else { "Down" },
        "connectionFailures": if ready { 0 } else { rng.random_range(3..12) },
    });
    if !ready {
        status["failureMessage"] = json!(format!(
            "failed to reach https://{name}.example.internal:6443: i/o timeout"
        ));
    }
    if pull_mode {
        status["agentLastReportTime"] = json!(random_time(rng));
    }
    json!({
        "apiVersion": ClusterType::Sveltos.api_version(),
        "kind": "SveltosCluster",
        "metadata": {"name": name, "namespace": cluster.namespace, "labels": labels},
        "spec": spec,
        "status": status,
    })
}
