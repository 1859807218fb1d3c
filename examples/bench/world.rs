//! The benchmark world: the management kubesim with the fleet, fleetgraph in-process against it
//! (authentication on, admin JWT, per-principal rate limit off), and a registered workload
//! kubesim with tenants, projects and apps created through fleetgraph's own mutations.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fleetgraph::auth::Role;
use fleetgraph::auth::jwt::{JwtKeys, TokenRequest};
use fleetgraph::config::{AuthConfig, JwtConfig, ServeConfig};
use fleetgraph::server::{self, RunningServer};
use kubesim::KubeSim;
use serde_json::{Value, json};

use crate::fleet::{self, FleetSize, LoadedFleet};

const JWT_SECRET: &str = "fleetgraph-benchmark-secret-0123456789abcdef";
const SIM_TOKEN: &str = "benchmark-cluster-admin";

pub struct World {
    pub management: KubeSim,
    pub workload: KubeSim,
    pub server: RunningServer,
    pub fleet: LoadedFleet,
    pub admin_token: String,
    pub sync: Duration,
    /// VmRSS before fleetgraph starts (kubesim holding the fleet) and once its cache synced.
    pub rss_before_kib: u64,
    pub rss_synced_kib: u64,
    _dir: tempfile::TempDir,
}

/// `VmRSS` (or another `Vm*` line) of this process, in KiB.
pub fn vm_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

pub async fn start(size: &FleetSize, subscriptions_per_connection: usize) -> Result<World> {
    let dir = tempfile::Builder::new()
        .prefix("fleetgraph-bench-")
        .tempdir()?;
    let management = KubeSim::builder()
        .admin_token(SIM_TOKEN)
        .start()
        .await
        .context("management kubesim starts")?;
    eprintln!(
        "generating and loading the fleet into kubesim at {}",
        management.url()
    );
    let loaded = fleet::load(&management, size)?;
    let kubeconfig = dir.path().join("management.kubeconfig");
    management.write_kubeconfig(&kubeconfig, SIM_TOKEN)?;

    let jwt = JwtConfig {
        jwt_secret: Some(JWT_SECRET.to_string()),
        ..JwtConfig::default()
    };
    let database = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let mut serve = ServeConfig::ephemeral(database);
    serve.kube.kubeconfig = Some(kubeconfig);
    serve.kube.kube_context = None;
    serve.auth = AuthConfig {
        jwt: jwt.clone(),
        // The load generator is one principal sending thousands of requests a second, and the
        // fan-out opens 1,000 subscriptions at once: the per-principal limit would measure itself.
        rate_limit_per_second: 0,
        ..AuthConfig::default()
    };
    serve.limits.max_subscriptions_per_connection = subscriptions_per_connection;
    serve.limits.subscription_buffer = 4096;
    serve.limits.ws_keepalive_secs = 3600;
    serve.tenancy.encryption_key = Some(encryption_key());

    let rss_before_kib = vm_kib("VmRSS");
    eprintln!("starting fleetgraph and waiting for the initial sync");
    let started = Instant::now();
    let server = server::start(&serve).await?;
    if !server
        .state
        .fleet
        .wait_synced(Duration::from_secs(600))
        .await
    {
        bail!("the fleet cache did not sync within 600 s");
    }
    let sync = started.elapsed();
    let rss_synced_kib = vm_kib("VmRSS");

    let keys = JwtKeys::from_config(&jwt)?.context("JWT key configured")?;
    let admin_token = keys
        .issue(&TokenRequest {
            subject: "bench-admin".to_string(),
            roles: vec![Role::Admin],
            tenants: Vec::new(),
            projects: Vec::new(),
            ttl: Duration::from_secs(24 * 3600),
        })?
        .token;
    let workload = KubeSim::builder()
        .admin_token(SIM_TOKEN)
        .start()
        .await
        .context("workload kubesim starts")?;
    workload.load_objects(fleetgraph::demo::workload_crds())?;
    Ok(World {
        management,
        workload,
        server,
        fleet: loaded,
        admin_token,
        sync,
        rss_before_kib,
        rss_synced_kib,
        _dir: dir,
    })
}

fn encryption_key() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode([7u8; 32])
}

impl World {
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.server.url())
    }

    /// Runs a GraphQL operation as the admin; any error in the body fails the set-up.
    pub async fn admin(
        &self,
        http: &reqwest::Client,
        query: &str,
        variables: Value,
    ) -> Result<Value> {
        let body: Value = http
            .post(self.graphql_url())
            .bearer_auth(&self.admin_token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?
            .json()
            .await?;
        if body.get("errors").is_some() {
            bail!("set-up request failed: {body}");
        }
        Ok(body["data"].clone())
    }

    /// Registers the workload cluster and fills one tenant with `projects` projects of `apps`
    /// apps each, through fleetgraph's mutations. Returns the tenant id.
    pub async fn seed_tenancy(
        &self,
        http: &reqwest::Client,
        projects: usize,
        apps: usize,
    ) -> Result<String> {
        let data = self
            .admin(
                http,
                "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
                json!({"i": {"name": "bench-workload", "kubeconfig": self.workload.kubeconfig_yaml(SIM_TOKEN)}}),
            )
            .await?;
        let cluster = id(&data["registerCluster"]["cluster"])?;
        let data = self
            .admin(
                http,
                "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
                json!({"i": {"clusterId": cluster, "name": "acme", "owners": ["alice", "bob"],
                    "labels": [{"key": "tier", "value": "gold"}]}}),
            )
            .await?;
        let tenant = id(&data["createTenant"]["tenant"])?;
        for p in 0..projects {
            let data = self
                .admin(
                    http,
                    "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
                    json!({"i": {"tenantId": tenant, "name": format!("project-{p:02}"),
                        "labels": [{"key": "team", "value": format!("team-{p}")}]}}),
                )
                .await?;
            let project = id(&data["createProject"]["project"])?;
            for a in 0..apps {
                self.admin(
                    http,
                    "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id } } }",
                    json!({"i": {"projectId": project, "name": format!("app-{a:02}"),
                        "component": "web", "image": "nginx:1.25"}}),
                )
                .await?;
            }
        }
        Ok(tenant)
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
        self.workload.shutdown().await;
        self.management.shutdown().await;
    }
}

fn id(node: &Value) -> Result<String> {
    node["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no id in {node}"))
}
