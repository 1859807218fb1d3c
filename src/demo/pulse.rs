//! Keeps the demo fleet alive: now and then a profile's feature fails or recovers on a cluster,
//! or a Sveltos cluster loses and regains its connection — written to the embedded cluster as
//! a controller would, so the server sees ordinary watch events (and subscriptions fire).

use std::sync::Arc;
use std::time::Duration;

use kubesim::KubeSim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// One object the pulse may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// The objects of the generated world whose status the pulse flips.
#[derive(Clone, Debug, Default)]
pub struct PulseTargets {
    pub summaries: Vec<Target>,
    pub sveltos_clusters: Vec<Target>,
}

impl PulseTargets {
    pub fn from_world(world: &[Value]) -> Self {
        let target = |o: &Value| Target {
            api_version: o["apiVersion"].as_str().unwrap_or_default().to_string(),
            kind: o["kind"].as_str().unwrap_or_default().to_string(),
            namespace: o["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            name: o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        };
        let summaries = world
            .iter()
            .filter(|o| o["kind"] == "ClusterSummary")
            .filter(|o| {
                o["status"]["featureSummaries"]
                    .as_array()
                    .is_some_and(|f| !f.is_empty())
            })
            .map(target)
            .collect();
        let sveltos_clusters = world
            .iter()
            .filter(|o| o["kind"] == "SveltosCluster")
            .map(target)
            .collect();
        Self {
            summaries,
            sveltos_clusters,
        }
    }
}

pub fn spawn(
    sim: Arc<KubeSim>,
    targets: PulseTargets,
    every: Duration,
    seed: u64,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_9015e);
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => beat(&sim, &targets, &mut rng),
            }
        }
    })
}

/// One change: three times in four a feature status, otherwise a cluster connection.
fn beat(sim: &KubeSim, targets: &PulseTargets, rng: &mut ChaCha8Rng) {
    let use_cluster = targets.summaries.is_empty() || rng.random_range(0..4) == 0;
    let (list, change): (&[Target], fn(&mut Value) -> String) = if use_cluster {
        (&targets.sveltos_clusters, flip_connection)
    } else {
        (&targets.summaries, flip_feature)
    };
    if list.is_empty() {
        return;
    }
    let target = &list[rng.random_range(0..list.len())];
    let Some(mut object) = sim.get_object(
        &target.api_version,
        &target.kind,
        &target.namespace,
        &target.name,
    ) else {
        return;
    };
    let what = change(&mut object);
    match sim.apply_object(object) {
        Ok(_) => tracing::info!(
            kind = %target.kind,
            namespace = %target.namespace,
            name = %target.name,
            "demo pulse: {what}"
        ),
        Err(e) => tracing::warn!(error = %e, name = %target.name, "demo pulse failed"),
    }
}

/// Provisioned ↔ Failed on the summary's first feature.
pub fn flip_feature(summary: &mut Value) -> String {
    let Some(feature) = summary["status"]["featureSummaries"]
        .as_array_mut()
        .and_then(|f| f.first_mut())
        .and_then(Value::as_object_mut)
    else {
        return "nothing to change".to_string();
    };
    let name = feature
        .get("featureID")
        .and_then(Value::as_str)
        .unwrap_or("feature")
        .to_string();
    if feature.get("status").and_then(Value::as_str) == Some("Provisioned") {
        feature.insert("status".into(), json!("Failed"));
        feature.insert(
            "failureMessage".into(),
            json!("demo: the workload cluster refused the change (simulated)"),
        );
        format!("{name} failed")
    } else {
        feature.insert("status".into(), json!("Provisioned"));
        feature.remove("failureMessage");
        feature.remove("failureReason");
        format!("{name} provisioned")
    }
}

/// Healthy ↔ Down on a Sveltos cluster's connection.
pub fn flip_connection(cluster: &mut Value) -> String {
    let status = &mut cluster["status"];
    let ready = status["ready"].as_bool().unwrap_or(false);
    if ready {
        status["ready"] = json!(false);
        status["connectionStatus"] = json!("Down");
        status["connectionFailures"] = json!(3);
        status["failureMessage"] = json!("demo: API server unreachable (simulated)");
        "connection down".to_string()
    } else {
        status["ready"] = json!(true);
        status["connectionStatus"] = json!("Healthy");
        status["connectionFailures"] = json!(0);
        if let Some(s) = status.as_object_mut() {
            s.remove("failureMessage");
        }
        "connection healthy".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::generator::{FleetSpec, generate};

    #[test]
    fn features_and_connections_flip_back_and_forth() {
        let world = generate(&FleetSpec::small(7));
        let targets = PulseTargets::from_world(&world);
        assert!(!targets.summaries.is_empty() && !targets.sveltos_clusters.is_empty());

        let mut summary = world
            .iter()
            .find(|o| o["metadata"]["name"] == targets.summaries[0].name.as_str())
            .cloned()
            .unwrap();
        summary["status"]["featureSummaries"][0]["status"] = json!("Provisioned");
        flip_feature(&mut summary);
        let feature = &summary["status"]["featureSummaries"][0];
        assert_eq!(feature["status"], "Failed");
        assert!(feature["failureMessage"].is_string());
        flip_feature(&mut summary);
        let feature = &summary["status"]["featureSummaries"][0];
        assert_eq!(feature["status"], "Provisioned");
        assert!(feature.get("failureMessage").is_none());

        let mut cluster = json!({"status": {"ready": true, "connectionStatus": "Healthy"}});
        flip_connection(&mut cluster);
        assert_eq!(cluster["status"]["connectionStatus"], "Down");
        flip_connection(&mut cluster);
        assert_eq!(cluster["status"]["ready"], true);
        assert!(cluster["status"].get("failureMessage").is_none());
    }
}
