//! The demo's tenancy world: tenants, projects and apps created through fleetgraph's own tenancy
//! code on the registered workload cluster, then what the controllers a real cluster runs would
//! add — KubeVela's Application status and ApplicationRevisions, the pods of each component with
//! logs, and Capsule's ResourceQuotas with usage — so the tenant page, app status, revisions,
//! logs and usage all show data.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use kubesim::KubeSim;
use serde_json::{Value, json};

use super::Progress;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::store::apps::AppRow;
use crate::store::tenancy::clusters::Model as ClusterRow;
use crate::tenancy::apps::spec::Component;
use crate::tenancy::apps::vela::{APP_NAME_LABEL, COMPONENT_LABEL, PUBLISH_VERSION};
use crate::tenancy::apps::{NewApp, scope};
use crate::tenancy::projects::{self, CreateProject};
use crate::tenancy::tenants::{self, CreateTenant};
use crate::tenancy::{Access, Tenancy};

struct TenantSeed {
    name: &'static str,
    plan: &'static str,
    owner: &'static str,
    projects: &'static [(&'static str, &'static [(&'static str, &'static str)])],
}

/// Tenants, their projects, and each project's apps as (name, image).
const SEEDS: &[TenantSeed] = &[
    TenantSeed {
        name: "acme",
        plan: "gold",
        owner: "alice@acme.example",
        projects: &[
            (
                "web",
                &[("shop", "nginx:1.27"), ("cart", "ghcr.io/acme/cart:2.3.1")],
            ),
            ("api", &[("gateway", "envoyproxy/envoy:v1.31.0")]),
        ],
    },
    TenantSeed {
        name: "globex",
        plan: "baseline",
        owner: "bob@globex.example",
        projects: &[("data", &[("ingest", "ghcr.io/globex/ingest:0.9.4")])],
    },
];

/// What was seeded, for the banner.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seeded {
    pub tenants: usize,
    pub projects: usize,
    pub apps: usize,
}

pub async fn seed(
    t: &Tenancy,
    sim: &KubeSim,
    cluster: &ClusterRow,
    progress: Progress<'_>,
) -> Result<Seeded> {
    // The demo seeds its own world; no caller is involved, so it acts with full rights.
    let principal = Principal::auth_disabled();
    let access = Access::new(&principal);
    let mut seeded = Seeded::default();
    for seed in SEEDS {
        let tenant = tenants::create(
            t,
            &access,
            CreateTenant {
                cluster_id: cluster.id,
                name: seed.name.to_string(),
                owners: vec![seed.owner.to_string()],
                labels: BTreeMap::from([("team".to_string(), seed.name.to_string())]),
                plan: Some(seed.plan.to_string()),
            },
        )
        .await?;
        seeded.tenants += 1;
        for (project_name, apps) in seed.projects {
            let project = projects::create(
                t,
                &access,
                &tenant,
                CreateProject {
                    name: project_name.to_string(),
                    labels: BTreeMap::from([("tier".to_string(), project_name.to_string())]),
                },
            )
            .await?;
            seeded.projects += 1;
            play_capsule_quota(sim, &project.namespace, &tenant.quotas())?;
            let pctx = scope::project(&t.store, &access, project.id, true).await?;
            let handle = scope::apps(t, &pctx, "demo").await?;
            for (app_name, image) in apps.iter() {
                let app = handle
                    .create(&pctx.scope(), new_app(app_name, image)?)
                    .await?;
                play_kubevela(sim, &app)?;
                seeded.apps += 1;
            }
        }
    }
    progress(&format!(
        "tenancy: {} tenants, {} projects, {} apps with pods and logs",
        seeded.tenants, seeded.projects, seeded.apps
    ));
    Ok(seeded)
}

fn new_app(name: &str, image: &str) -> Result<NewApp> {
    let component: Component = serde_json::from_value(json!({
        "name": name,
        "type": "webservice",
        "properties": {"image": image, "ports": [{"port": 8080, "expose": true}]},
        "traits": [{"type": "scaler", "properties": {"replicas": 2}}],
    }))
    .map_err(|e| Error::Internal(format!("demo component: {e}")))?;
    Ok(NewApp {
        name: name.to_string(),
        description: Some(format!("demo app {name}")),
        components: vec![component],
        policies: Vec::new(),
    })
}

fn sim_error(what: &str) -> impl Fn(kubesim::KubeSimError) -> Error + '_ {
    move |e| Error::Internal(format!("demo {what}: {e}"))
}

/// Plays KubeVela's controller for a freshly created app: status, ApplicationRevision, and two
/// running pods of its component with a few log lines each.
fn play_kubevela(sim: &KubeSim, app: &AppRow) -> Result<()> {
    let ns = &app.namespace;
    let mut object = sim
        .get_object("core.oam.dev/v1beta1", "Application", ns, &app.name)
        .ok_or_else(|| Error::Internal(format!("demo Application {} missing", app.name)))?;
    let version = object["metadata"]["annotations"][PUBLISH_VERSION]
        .as_str()
        .unwrap_or("1")
        .to_string();
    let revision = format!("{}-v{version}", app.name);
    object["status"] = json!({
        "status": "running",
        "latestRevision": {"name": revision, "revision": version.parse::<i64>().unwrap_or(1)},
        "services": [{"name": app.name, "namespace": ns, "healthy": true, "message": "Ready:2/2"}],
        "workflow": {"suspend": false, "terminated": false, "finished": true, "mode": "StepByStep",
                     "steps": [{"name": "deploy", "type": "apply-component", "phase": "succeeded"}]},
    });
    let spec = object["spec"].clone();
    sim.apply_object(object)
        .map_err(sim_error("Application status"))?;
    sim.apply_object(json!({
        "apiVersion": "core.oam.dev/v1beta1", "kind": "ApplicationRevision",
        "metadata": {"name": revision, "namespace": ns,
            "labels": {APP_NAME_LABEL: app.name},
            "annotations": {PUBLISH_VERSION: version}},
        "spec": {"application": {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": app.name, "namespace": ns}, "spec": spec}},
    }))
    .map_err(sim_error("ApplicationRevision"))?;
    let started = Utc::now() - Duration::minutes(30);
    for replica in ["7d9f8-abcde", "7d9f8-fghij"] {
        let pod = format!("{}-{replica}", app.name);
        sim.apply_object(pod_object(ns, &pod, &app.name))
            .map_err(sim_error("pod"))?;
        let lines = (0..12)
            .map(|i| {
                let at = started + Duration::minutes(2 * i);
                let message = match i {
                    0 => format!("starting {} on :8080", app.name),
                    1 => "ready".to_string(),
                    _ => format!("GET /healthz 200 {}ms", 1 + (i * 7) % 13),
                };
                (at, message)
            })
            .collect();
        sim.set_pod_logs(ns, &pod, &app.name, lines);
    }
    Ok(())
}

fn pod_object(ns: &str, pod: &str, app: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod, "namespace": ns,
            "labels": {APP_NAME_LABEL: app, COMPONENT_LABEL: app}},
        "spec": {"containers": [{"name": app, "image": "demo"}]},
        "status": {"phase": "Running"},
    })
}

/// Plays Capsule and the quota controller: the tenant's quotas as a ResourceQuota in the
/// project namespace, with some of each resource in use.
fn play_capsule_quota(sim: &KubeSim, ns: &str, quotas: &BTreeMap<String, String>) -> Result<()> {
    if quotas.is_empty() {
        return Ok(());
    }
    let used: BTreeMap<&String, &str> = quotas
        .keys()
        .map(|resource| {
            let amount = match resource.as_str() {
                "cpu" => "1200m",
                "memory" => "1536Mi",
                "pods" => "4",
                "storage" => "5Gi",
                _ => "0",
            };
            (resource, amount)
        })
        .collect();
    sim.apply_object(json!({
        "apiVersion": "v1", "kind": "ResourceQuota",
        "metadata": {"name": "capsule-quota-0", "namespace": ns},
        "spec": {"hard": quotas},
        "status": {"hard": quotas, "used": used},
    }))
    .map_err(sim_error("ResourceQuota"))?;
    Ok(())
}
