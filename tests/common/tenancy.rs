//! Tenancy tests: a server with a JWT key and an encryption key, kubesim clusters with the
//! Capsule (and KubeVela) CRDs to register, tokens for every role, and the store to check rows.

use std::time::Duration;

use base64::Engine;
use fleetgraph::auth::Role;
use fleetgraph::auth::jwt::{JwtKeys, TokenRequest};
use fleetgraph::config::JwtConfig;
use fleetgraph::store::Store;
use kubesim::KubeSim;
use serde_json::{Value, json};

use super::sim::crd;
use super::{TestDb, TestServer};

pub const JWT_SECRET: &str = "tenancy-tests-secret-0123456789abcdef";
pub const SIM_TOKEN: &str = "registered-cluster-admin";

pub fn encryption_key() -> String {
    base64::engine::general_purpose::STANDARD.encode([42u8; 32])
}

pub struct TenancyWorld {
    pub server: TestServer,
    keys: JwtKeys,
    pub store: Store,
}

pub fn jwt_config() -> JwtConfig {
    JwtConfig {
        jwt_secret: Some(JWT_SECRET.to_string()),
        ..JwtConfig::default()
    }
}

fn configure(c: &mut fleetgraph::config::ServeConfig) {
    c.auth.jwt = jwt_config();
    c.tenancy.encryption_key = Some(encryption_key());
    c.tenancy.cluster_timeout_secs = 3;
    c.auth.rate_limit_per_second = 0;
}

/// A server on `db` with authentication on, tokens signed by [`JWT_SECRET`].
pub async fn start_on(db: TestDb) -> TenancyWorld {
    start_configured(db, |_| {}).await
}

/// Like [`start_on`], with further settings (e.g. the usage sampler's interval).
pub async fn start_configured(
    db: TestDb,
    extra: impl FnOnce(&mut fleetgraph::config::ServeConfig),
) -> TenancyWorld {
    let store_config = db.store_config();
    let server = TestServer::start_on(db, |c| {
        configure(c);
        extra(c);
    })
    .await;
    let keys = JwtKeys::from_config(&jwt_config())
        .expect("keys")
        .expect("configured");
    let store = Store::connect(&store_config).await.expect("store");
    TenancyWorld {
        server,
        keys,
        store,
    }
}

/// A cluster to register: kubesim with the Capsule CRD, and KubeVela's when asked.
pub async fn workload_cluster(with_vela: bool) -> KubeSim {
    let sim = KubeSim::builder()
        .admin_token(SIM_TOKEN)
        .start()
        .await
        .expect("kubesim starts");
    sim.load_yaml(&crd("capsule/capsule.clastix.io_tenants.yaml"))
        .expect("capsule CRD");
    if with_vela {
        for file in [
            "kubevela/core.oam.dev_applications.yaml",
            "kubevela/core.oam.dev_applicationrevisions.yaml",
            "kubevela/core.oam.dev_componentdefinitions.yaml",
            "kubevela/core.oam.dev_traitdefinitions.yaml",
            "kubevela/core.oam.dev_workflowstepdefinitions.yaml",
        ] {
            sim.load_yaml(&crd(file)).expect("vela CRD");
        }
    }
    sim
}

/// A token signed with [`JWT_SECRET`], valid for an hour.
pub fn token(roles: &[Role], tenants: &[&str], projects: &[&str]) -> String {
    let keys = JwtKeys::from_config(&jwt_config())
        .expect("keys")
        .expect("configured");
    issue_with(&keys, roles, tenants, projects)
}

fn issue_with(keys: &JwtKeys, roles: &[Role], tenants: &[&str], projects: &[&str]) -> String {
    keys.issue(&TokenRequest {
        subject: format!(
            "user-{}",
            roles.first().map(|r| r.as_claim()).unwrap_or("none")
        ),
        roles: roles.to_vec(),
        tenants: tenants.iter().map(|s| s.to_string()).collect(),
        projects: projects.iter().map(|s| s.to_string()).collect(),
        ttl: Duration::from_secs(3600),
    })
    .expect("token")
    .token
}

impl TenancyWorld {
    pub fn token(&self, roles: &[Role], tenants: &[&str], projects: &[&str]) -> String {
        issue_with(&self.keys, roles, tenants, projects)
    }

    /// A second server on the same database, configured alike: another replica.
    pub async fn replica(&self) -> TestServer {
        let url = self.server.db.url.clone();
        TestServer::start_with(|c| {
            configure(c);
            c.store.database_url = url;
        })
        .await
    }

    pub fn admin(&self) -> String {
        self.token(&[Role::Admin], &[], &[])
    }

    /// POSTs a query with a bearer token; returns the whole body.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self
            .server
            .http
            .post(self.server.endpoint("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON body")
    }

    /// Like [`Self::gql_as`] with the admin token, failing the test on any error.
    pub async fn admin_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql_as(&self.admin(), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// Registers `sim` as `name` and returns the cluster's global id.
    pub async fn register(&self, sim: &KubeSim, name: &str) -> String {
        let data = self
            .admin_ok(
                "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
                json!({"i": {"name": name, "kubeconfig": sim.kubeconfig_yaml(SIM_TOKEN)}}),
            )
            .await;
        data["registerCluster"]["cluster"]["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    /// Creates a tenant (owner `alice`) on a registered cluster; returns its global id.
    pub async fn create_tenant(&self, cluster: &str, name: &str) -> String {
        let data = self
            .admin_ok(
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
                json!({"i": {"clusterId": cluster, "name": name, "owners": ["alice"]}}),
            )
            .await;
        id_at(&data["createTenant"]["tenant"])
    }

    /// Creates a project in a tenant; returns its global id.
    pub async fn create_project(&self, tenant: &str, name: &str) -> String {
        let data = self
            .admin_ok(
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
                json!({"i": {"tenantId": tenant, "name": name}}),
            )
            .await;
        id_at(&data["createProject"]["project"])
    }

    /// Creates an app with one `webservice` component running `image`; returns its global id.
    pub async fn create_app(&self, project: &str, name: &str, image: &str) -> String {
        let data = self
            .admin_ok(
                "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id } } }",
                json!({"i": {"projectId": project, "name": name, "component": "web", "image": image}}),
            )
            .await;
        id_at(&data["createApp"]["app"])
    }

    /// Waits (at most 10 s) until `App.status.phase` of `app` reads `phase`: status follows
    /// the cluster's Application watch, so a change made in kubesim shows a moment later.
    pub async fn await_app_phase(&self, app: &str, phase: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let data = self
                .admin_ok(
                    "query($a: ID!) { app(id: $a) { status { phase } } }",
                    json!({"a": app}),
                )
                .await;
            if data["app"]["status"]["phase"] == phase {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "app {app} never reached phase {phase}: {data}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The first error's `extensions`.
pub fn first_error(body: &Value) -> Value {
    body["errors"][0]["extensions"].clone()
}

fn id_at(node: &Value) -> String {
    node["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {node}"))
        .to_string()
}

/// Plays KubeVela's controller for an Application in `ns`: reports a status with `workflow` and
/// the ApplicationRevision of the current publishVersion.
pub fn kubevela_reports(sim: &KubeSim, ns: &str, name: &str, workflow: Value) {
    let mut app = sim
        .get_object("core.oam.dev/v1beta1", "Application", ns, name)
        .expect("application exists");
    let version = app["metadata"]["annotations"]["app.oam.dev/publishVersion"]
        .as_str()
        .expect("publish version")
        .to_string();
    let rev_name = format!("{name}-v{version}");
    app["status"] = json!({
        "status": "running",
        "latestRevision": {"name": rev_name, "revision": version.parse::<i64>().expect("n")},
        "services": [{"name": "web", "healthy": true, "namespace": ns}],
        "workflow": workflow,
    });
    sim.apply_object(app.clone()).expect("status written");
    sim.apply_object(json!({
        "apiVersion": "core.oam.dev/v1beta1", "kind": "ApplicationRevision",
        "metadata": {"name": rev_name, "namespace": ns,
            "labels": {"app.oam.dev/name": name},
            "annotations": {"app.oam.dev/publishVersion": version}},
        "spec": {"application": {"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
            "metadata": {"name": name, "namespace": ns,
                "annotations": app["metadata"]["annotations"].clone()},
            "spec": app["spec"].clone()}}
    }))
    .expect("revision written");
}

/// A KubeVela workflow with one running step, as the controller reports it.
pub fn running_workflow() -> Value {
    json!({"mode": "StepByStep", "suspend": false, "terminated": false, "finished": false,
        "steps": [{"id": "a1", "name": "web", "type": "apply-component", "phase": "running"}]})
}

/// A pod of an app's component, with log lines (oldest first, `seconds_ago` each).
pub fn app_pod(
    sim: &KubeSim,
    ns: &str,
    app: &str,
    component: &str,
    pod: &str,
    lines: &[(i64, &str)],
) {
    sim.apply_object(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": pod, "namespace": ns, "labels": {
            "app.oam.dev/name": app, "app.oam.dev/component": component}},
        "spec": {"containers": [{"name": component, "image": "img"}]}}))
        .expect("pod");
    let now = chrono::Utc::now();
    sim.set_pod_logs(
        ns,
        pod,
        component,
        lines
            .iter()
            .map(|(ago, line)| (now - chrono::Duration::seconds(*ago), line.to_string()))
            .collect(),
    );
}

/// A ResourceQuota in `ns` whose status says `used` of `hard` (resource → quantity).
pub fn quota_status(sim: &KubeSim, ns: &str, hard: Value, used: Value) {
    sim.apply_object(json!({"apiVersion": "v1", "kind": "ResourceQuota",
        "metadata": {"name": "usage", "namespace": ns},
        "spec": {"hard": hard.clone()},
        "status": {"hard": hard, "used": used}}))
        .expect("quota");
}

/// A kube client from kubeconfig YAML, as `kubectl` would load it.
pub async fn client_from_kubeconfig(yaml: &str) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::from_yaml(yaml).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .expect("kubeconfig is usable");
    kube::Client::try_from(config).expect("client")
}

/// The most recent audit entry of `operation`: (principal, outcome, target).
pub async fn last_audit(store: &Store, operation: &str) -> Option<(String, String, String)> {
    store
        .audit_entries(fleetgraph::store::audit::AuditQuery {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("audit entries")
        .into_iter()
        .find(|e| e.operation == operation)
        .map(|e| (e.principal, e.outcome, e.target))
}
