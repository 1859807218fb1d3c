//! The demo's management cluster: kubesim with the CRDs printed from the typed kinds (a fresh
//! clone has no upstream CRD files) and a generated fleet loaded in batches, with progress.

use std::sync::Arc;

use kubesim::KubeSim;
use serde_json::Value;

use super::Progress;
use super::config::DemoConfig;
use super::pulse::PulseTargets;
use crate::error::{Error, Result};
use crate::fleet::generator::{FleetSpec, generate};
use crate::fleet::kinds::crds;

/// Objects per bulk load: small enough to report progress on big fleets.
const BATCH: usize = 5_000;

pub struct ManagementCluster {
    pub sim: Arc<KubeSim>,
    pub admin_token: String,
    /// Objects loaded (CRDs included).
    pub objects: usize,
    pub pulse_targets: PulseTargets,
}

pub async fn start(
    config: &DemoConfig,
    spec: &FleetSpec,
    progress: Progress<'_>,
) -> Result<ManagementCluster> {
    let admin_token = super::tokens::random_hex(24);
    let sim = KubeSim::builder()
        .listen(config.kube_listen)
        .admin_token(admin_token.clone())
        .start()
        .await
        .map_err(|e| Error::Unavailable(format!("cannot start the embedded cluster: {e}")))?;
    progress(&format!("management cluster (kubesim) at {}", sim.url()));

    let definitions: Vec<Value> = crds()
        .iter()
        .map(serde_json::to_value)
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::Internal(format!("CRD does not serialize: {e}")))?;
    let crd_count = definitions.len();
    load(&sim, definitions)?;
    progress(&format!(
        "installed {crd_count} Sveltos and Cluster API CRDs"
    ));

    progress(&format!(
        "generating a fleet of {} clusters, {} profiles, {} cluster summaries (seed {})",
        spec.clusters, spec.profiles, spec.summaries, spec.seed
    ));
    let world = generate(spec);
    let total = world.len();
    let pulse_targets = PulseTargets::from_world(&world);
    let mut loaded = 0;
    let mut rest = world;
    while !rest.is_empty() {
        let tail = rest.split_off(BATCH.min(rest.len()));
        loaded += rest.len();
        load(&sim, rest)?;
        progress(&format!("loaded {loaded}/{total} objects"));
        rest = tail;
    }
    Ok(ManagementCluster {
        sim: Arc::new(sim),
        admin_token,
        objects: crd_count + total,
        pulse_targets,
    })
}

fn load(sim: &KubeSim, objects: Vec<Value>) -> Result<()> {
    sim.load_objects(objects)
        .map(|_| ())
        .map_err(|e| Error::Internal(format!("the generated fleet does not load: {e}")))
}
