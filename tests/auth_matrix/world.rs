//! The matrix's world: a management cluster with a generated Sveltos fleet (TokenReview and
//! RBAC in kubesim), a registered workload cluster with tenants `acme` (A) and `zulu` (B),
//! their projects, apps and policy sets, and a bearer token for every principal.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fleetgraph::auth::Role;
use fleetgraph::fleet::generator::{FleetSpec, generate};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use kubesim::KubeSim;
use serde_json::{Value, json};

use crate::common::fleet::{self, FleetWorld};
use crate::common::sim;
use crate::common::tenancy::{self, JWT_SECRET, SIM_TOKEN};

/// Every kind of caller the matrix asks with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Admin,
    Ops,
    /// tenantOwner of tenant A.
    OwnerA,
    /// projectDev of A/web.
    DevWeb,
    /// readOnly, tenants [A].
    Reader,
    /// A Kubernetes ServiceAccount whose RBAC covers one namespace.
    ServiceAccount,
    /// A Kubernetes user allowed through a group's ClusterRoleBinding.
    GroupUser,
    Expired,
    Malformed,
    WrongAlgorithm,
    AlgNone,
    WrongAudience,
    NoToken,
}

impl Who {
    pub const ALL: [Who; 13] = [
        Who::Admin,
        Who::Ops,
        Who::OwnerA,
        Who::DevWeb,
        Who::Reader,
        Who::ServiceAccount,
        Who::GroupUser,
        Who::Expired,
        Who::Malformed,
        Who::WrongAlgorithm,
        Who::AlgNone,
        Who::WrongAudience,
        Who::NoToken,
    ];

    /// Tokens refused before the query runs (HTTP 401, UNAUTHENTICATED).
    pub fn bad_token(self) -> bool {
        matches!(
            self,
            Who::Expired | Who::Malformed | Who::WrongAlgorithm | Who::AlgNone | Who::WrongAudience
        )
    }
}

pub const TENANT_A: &str = "acme";
pub const TENANT_B: &str = "zulu";
pub const SA_USER: &str = "system:serviceaccount:payments:fleet-viewer";

/// Ids (global ids) of what the matrix points at.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    pub cluster: String,
    pub tenant_a: String,
    pub tenant_b: String,
    pub web: String,
    pub backoffice: String,
    pub shop_b: String,
    pub app_a: String,
    pub app_b: String,
    pub policy_a: String,
    pub policy_b: String,
}

pub struct Matrix {
    pub fleet: FleetWorld,
    pub workload: KubeSim,
    pub ids: Ids,
    /// The namespace the ServiceAccount may read.
    pub open_namespace: String,
    /// Every other namespace with Sveltos objects.
    pub closed_namespaces: Vec<String>,
    tokens: Vec<(Who, String)>,
    /// Clusters registered (and deleted) by mutation cases, alive until the test ends.
    spares: std::sync::Mutex<Vec<KubeSim>>,
}

fn claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": "mallory", "iss": "fleetgraph", "aud": "fleetgraph",
        "exp": now + 3600, "iat": now, "jti": "x", "roles": ["admin"], "tenants": [], "projects": []
    })
}

fn sign(claims: &Value, alg: Algorithm) -> String {
    jsonwebtoken::encode(
        &Header::new(alg),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .expect("signed")
}

/// Bad tokens all claim to be an admin: only the flaw must make them fail.
fn bad_tokens() -> Vec<(Who, String)> {
    let mut expired = claims();
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    let mut audience = claims();
    audience["aud"] = json!("someone-else");
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    vec![
        (Who::Expired, sign(&expired, Algorithm::HS256)),
        (Who::Malformed, "not.a.jwt".to_string()),
        (Who::WrongAlgorithm, sign(&claims(), Algorithm::HS384)),
        (Who::AlgNone, format!("{none_header}.{payload}.")),
        (Who::WrongAudience, sign(&audience, Algorithm::HS256)),
    ]
}

const RBAC: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: fleet-viewer, namespace: payments }
rules:
- apiGroups: [lib.projectsveltos.io]
  resources: [sveltosclusters]
  verbs: [get, list]
- apiGroups: [cluster.x-k8s.io]
  resources: [clusters]
  verbs: [get, list]
- apiGroups: [config.projectsveltos.io]
  resources: [profiles, clustersummaries]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: fleet-viewer, namespace: payments }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: fleet-viewer }
subjects:
- { kind: ServiceAccount, name: fleet-viewer, namespace: payments }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: sveltos-viewer }
rules:
- apiGroups: [lib.projectsveltos.io]
  resources: [sveltosclusters, eventtriggers, classifiers, managementclusterclassifiers]
  verbs: [get, list]
- apiGroups: [config.projectsveltos.io]
  resources: [clusterprofiles, profiles, clustersummaries]
  verbs: [get, list]
- apiGroups: [cluster.x-k8s.io]
  resources: [clusters]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: fleet-viewers }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sveltos-viewer }
subjects:
- { kind: Group, name: fleet-viewers, apiGroup: rbac.authorization.k8s.io }
"#;

impl Matrix {
    pub async fn start() -> Matrix {
        let objects = generate(&FleetSpec::small(61));
        let mut namespaces: Vec<String> = objects
            .iter()
            .filter(|o| o["kind"] == "SveltosCluster" || o["kind"] == "Cluster")
            .filter_map(|o| o["metadata"]["namespace"].as_str().map(str::to_string))
            .collect();
        namespaces.sort();
        namespaces.dedup();
        assert!(
            namespaces.contains(&"payments".to_string()),
            "{namespaces:?}"
        );
        let closed_namespaces = namespaces
            .into_iter()
            .filter(|ns| ns != "payments")
            .collect();
        let management = sim::management_cluster(true).await;
        let fleet = fleet::start_on(management, objects, |c| {
            c.auth.jwt = tenancy::jwt_config();
            c.tenancy.encryption_key = Some(tenancy::encryption_key());
            c.tenancy.cluster_timeout_secs = 3;
            c.auth.rate_limit_per_second = 0;
        })
        .await;
        fleet.sim.add_token(
            "sa-token",
            SA_USER,
            &["system:serviceaccounts", "system:serviceaccounts:payments"],
        );
        fleet
            .sim
            .add_token("carol-token", "carol", &["fleet-viewers"]);
        fleet.sim.load_yaml(RBAC).expect("rbac");

        let mut tokens = vec![
            (Who::Admin, tenancy::token(&[Role::Admin], &[], &[])),
            (Who::Ops, tenancy::token(&[Role::Ops], &[], &[])),
            (
                Who::OwnerA,
                tenancy::token(&[Role::TenantOwner], &[TENANT_A], &[]),
            ),
            (
                Who::DevWeb,
                tenancy::token(&[Role::ProjectDev], &[], &["acme/web"]),
            ),
            (
                Who::Reader,
                tenancy::token(&[Role::ReadOnly], &[TENANT_A], &[]),
            ),
            (Who::ServiceAccount, "sa-token".to_string()),
            (Who::GroupUser, "carol-token".to_string()),
        ];
        tokens.extend(bad_tokens());
        let workload = tenancy::workload_cluster(true).await;
        let mut matrix = Matrix {
            fleet,
            workload,
            ids: Ids::default(),
            open_namespace: "payments".to_string(),
            closed_namespaces,
            tokens,
            spares: std::sync::Mutex::new(Vec::new()),
        };
        matrix.ids = matrix.tenancy_world().await;
        matrix
    }

    pub fn token(&self, who: Who) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(w, _)| *w == who)
            .map(|(_, t)| t.as_str())
    }

    /// Asks as `who`; returns the HTTP status and the body.
    pub async fn ask(&self, who: Who, query: &str, variables: &Value) -> (u16, Value) {
        let server = &self.fleet.server;
        let mut request = server.http.post(server.endpoint("/graphql"));
        if let Some(token) = self.token(who) {
            request = request.bearer_auth(token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Asks as admin and fails the test on any error; returns `data`.
    pub async fn admin(&self, query: &str, variables: Value) -> Value {
        let (status, body) = self.ask(Who::Admin, query, &variables).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{query}: {body}");
        body["data"].clone()
    }

    pub fn workload_kubeconfig(&self) -> String {
        self.workload.kubeconfig_yaml(SIM_TOKEN)
    }

    /// Tenants A (projects web and backoffice) and B (project zulushop), an app and a policy
    /// set in each, on one registered cluster.
    async fn tenancy_world(&self) -> Ids {
        let cluster = self
            .admin(
                "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
                json!({"i": {"name": "workload-1", "kubeconfig": self.workload_kubeconfig()}}),
            )
            .await["registerCluster"]["cluster"]["id"]
            .as_str()
            .expect("cluster id")
            .to_string();
        let tenant = |name: &'static str| {
            let cluster = cluster.clone();
            async move {
                self.admin(
                    "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
                    json!({"i": {"clusterId": cluster, "name": name, "owners": [format!("{name}-owner")]}}),
                )
                .await["createTenant"]["tenant"]["id"]
                    .as_str()
                    .expect("tenant id")
                    .to_string()
            }
        };
        let tenant_a = tenant(TENANT_A).await;
        let tenant_b = tenant(TENANT_B).await;
        let web = self.project(&tenant_a, "web").await;
        let backoffice = self.project(&tenant_a, "backoffice").await;
        let shop_b = self.project(&tenant_b, "zulushop").await;
        let app_a = self.app(&web, "storefront").await;
        let app_b = self.app(&shop_b, "zulu-app").await;
        let policy_a = self.policy_set(&tenant_a, "acme-rules").await;
        let policy_b = self.policy_set(&tenant_b, "zulu-rules").await;
        Ids {
            cluster,
            tenant_a,
            tenant_b,
            web,
            backoffice,
            shop_b,
            app_a,
            app_b,
            policy_a,
            policy_b,
        }
    }

    pub async fn project(&self, tenant: &str, name: &str) -> String {
        self.admin(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({"i": {"tenantId": tenant, "name": name}}),
        )
        .await["createProject"]["project"]["id"]
            .as_str()
            .expect("project id")
            .to_string()
    }

    pub async fn app(&self, project: &str, name: &str) -> String {
        self.admin(
            "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id } } }",
            json!({"i": {"projectId": project, "name": name, "component": "storefront", "image": "nginx:1.27"}}),
        )
        .await["createApp"]["app"]["id"]
            .as_str()
            .expect("app id")
            .to_string()
    }

    pub async fn policy_set(&self, tenant: &str, name: &str) -> String {
        self.admin(
            "mutation($i: CreatePolicySetInput!) { createPolicySet(input: $i) { policySet { id } } }",
            json!({"i": {"tenantId": tenant, "name": name,
                "rules": [{"kind": "vela.trait", "spec": {"type": "scaler", "properties": {"replicas": 2}}}]}}),
        )
        .await["createPolicySet"]["policySet"]["id"]
            .as_str()
            .expect("policy set id")
            .to_string()
    }

    pub async fn tenant(&self, name: &str) -> String {
        self.admin(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
            json!({"i": {"clusterId": self.ids.cluster, "name": name}}),
        )
        .await["createTenant"]["tenant"]["id"]
            .as_str()
            .expect("tenant id")
            .to_string()
    }

    /// The kubeconfig of a new workload cluster for a registration case.
    pub async fn spare_cluster(&self) -> String {
        let sim = tenancy::workload_cluster(false).await;
        let kubeconfig = sim.kubeconfig_yaml(SIM_TOKEN);
        self.spares.lock().expect("spares").push(sim);
        kubeconfig
    }

    /// Reviews made so far: (access reviews — SubjectAccessReviews and SelfSubjectRulesReviews
    /// together —, TokenReviews).
    pub fn reviews(&self) -> (u64, u64) {
        let c = self.fleet.sim.counters();
        (
            c.get("create", "authorization.k8s.io", "subjectaccessreviews")
                + c.get("create", "authorization.k8s.io", "selfsubjectrulesreviews"),
            c.get("create", "authentication.k8s.io", "tokenreviews"),
        )
    }

    /// Namespaces holding objects of the world (open and closed).
    pub fn namespaces(&self) -> usize {
        1 + self.closed_namespaces.len()
    }
}
