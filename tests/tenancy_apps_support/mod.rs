//! A registered cluster for the apps tests: kubesim with the real KubeVela CRDs, a project
//! namespace, and what KubeVela's controller would add (status, ApplicationRevisions, pods).
#![allow(dead_code)]

use fleetgraph::store::Store;
use fleetgraph::tenancy::apps::materialize::PolicySetRules;
use fleetgraph::tenancy::apps::spec::Component;
use fleetgraph::tenancy::apps::{AppScope, Apps, NewApp};
use kubesim::KubeSim;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{TestDb, sim};

pub const NS: &str = "tn-acme-app-web";

pub struct World {
    pub sim: KubeSim,
    pub client: kube::Client,
    pub store: Store,
    pub scope: AppScope,
    /// Kept alive for the test (dropping it removes the database).
    pub _db: TestDb,
}

pub async fn kubevela_cluster() -> KubeSim {
    let sim = KubeSim::builder()
        .admin_token(sim::ADMIN_TOKEN)
        .start()
        .await
        .expect("kubesim starts");
    for file in [
        "applications",
        "applicationrevisions",
        "componentdefinitions",
        "traitdefinitions",
        "workflowstepdefinitions",
    ] {
        let path = format!("kubevela/core.oam.dev_{file}.yaml");
        sim.load_yaml(&sim::crd(&path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    sim.load_objects(vec![json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": NS, "labels": {"capsule.clastix.io/tenant": "acme"}}})])
        .expect("namespace");
    sim
}

pub async fn world(db: TestDb) -> World {
    let sim = kubevela_cluster().await;
    let client = sim::client(&sim, sim::ADMIN_TOKEN).await;
    let store = Store::open(&db.store_config()).await.expect("store opens");
    World {
        sim,
        client,
        store,
        scope: AppScope {
            cluster_id: Uuid::new_v4(),
            tenant_id: Uuid::new_v4(),
            project_id: Uuid::new_v4(),
            namespace: NS.into(),
        },
        _db: db,
    }
}

impl World {
    pub fn apps(&self, sets: Vec<PolicySetRules>) -> Apps<'_> {
        Apps {
            store: &self.store,
            client: self.client.clone(),
            actor: "alice".into(),
            policy_sets: sets,
            cache: None,
        }
    }

    /// The Application as stored in kubesim.
    pub fn application(&self, name: &str) -> Option<Value> {
        self.sim
            .get_object("core.oam.dev/v1beta1", "Application", NS, name)
    }

    /// Plays KubeVela's controller: reports a status and the ApplicationRevision of the
    /// current publishVersion.
    pub fn kubevela_reports(&self, name: &str, workflow: Value) {
        crate::common::tenancy::kubevela_reports(&self.sim, NS, name, workflow);
    }
}

pub fn web(name: &str, image: &str) -> Component {
    serde_json::from_value(json!({"name": name, "type": "webservice",
        "properties": {"image": image, "ports": [{"port": 80, "expose": true}]},
        "traits": [{"type": "scaler", "properties": {"replicas": 1}}]}))
    .expect("component")
}

pub fn new_app(name: &str, components: Vec<Component>) -> NewApp {
    NewApp {
        name: name.into(),
        description: Some("the shop".into()),
        components,
        policies: Vec::new(),
    }
}

/// The shipped catalog's baseline and gold-observability sets (kubenova.md B5).
pub fn baseline() -> PolicySetRules {
    PolicySetRules {
        name: "baseline".into(),
        rules: vec![json!({"kind": "vela.policy", "policyType": "health-check",
            "spec": {"type": "health", "properties": {"probe": "http", "path": "/healthz", "intervalSeconds": 10}}})],
    }
}

pub fn observability() -> PolicySetRules {
    PolicySetRules {
        name: "gold-observability".into(),
        rules: vec![
            json!({"kind": "vela.trait", "traitType": "logging",
                "spec": {"type": "logging", "properties": {"provider": "stdout", "level": "info"}}}),
            json!({"kind": "vela.trait", "traitType": "scaler", "spec": {"replicas": 3}}),
        ],
    }
}

pub fn running_workflow() -> Value {
    crate::common::tenancy::running_workflow()
}
