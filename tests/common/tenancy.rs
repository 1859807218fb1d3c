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
    let store_config = db.store_config();
    let server = TestServer::start_on(db, configure).await;
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

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The first error's `extensions`.
pub fn first_error(body: &Value) -> Value {
    body["errors"][0]["extensions"].clone()
}
