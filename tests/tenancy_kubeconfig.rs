//! `issueProjectKubeconfig` over HTTP against kubesim, on SQLite and PostgreSQL: the issued
//! kubeconfig, loaded with the real kube client, can do what its role allows in the project
//! namespace and gets 403 outside it and for verbs the role lacks; with a capsule-proxy
//! registered it goes through the proxy URL, trusting the registered CA.

mod common;

use base64::Engine;
use common::TestDb;
use common::tenancy::{self, TenancyWorld, client_from_kubeconfig, first_error, last_audit};
use fleetgraph::auth::Role;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use kubesim::KubeSim;
use serde_json::{Value, json};

const ISSUE: &str =
    "mutation($i: IssueProjectKubeconfigInput!) { issueProjectKubeconfig(input: $i) {
    kubeconfig expiresAt role namespace serviceAccount server } }";
const NS: &str = "tn-acme-app-web";
const OTHER_NS: &str = "tn-acme-app-api";

async fn issue(
    world: &TenancyWorld,
    token: &str,
    project: &str,
    role: &str,
    ttl: Option<i64>,
) -> Value {
    world
        .gql_as(
            token,
            ISSUE,
            json!({"i": {"projectId": project, "role": role, "ttlSeconds": ttl}}),
        )
        .await
}

fn code(result: Result<impl Sized, kube::Error>) -> u16 {
    match result {
        Ok(_) => 200,
        Err(kube::Error::Api(s)) => s.code,
        Err(e) => panic!("not an API answer: {e}"),
    }
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"k": "v"}})).expect("cm")
}

/// What a kubeconfig may do, as HTTP codes (200 for success): (list pods here, create here,
/// delete here, list pods elsewhere).
async fn rights(yaml: &str, name: &str) -> (u16, u16, u16, u16) {
    let client = client_from_kubeconfig(yaml).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), NS);
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let elsewhere: Api<Pod> = Api::namespaced(client, OTHER_NS);
    let list = code(pods.list(&ListParams::default()).await);
    let create = code(cms.create(&PostParams::default(), &config_map(name)).await);
    let delete = code(cms.delete(name, &DeleteParams::default()).await);
    let outside = code(elsewhere.list(&ListParams::default()).await);
    (list, create, delete, outside)
}

fn object(sim: &KubeSim, api_version: &str, kind: &str, name: &str) -> Option<Value> {
    sim.get_object(api_version, kind, NS, name)
}

#[tokio::test]
async fn issued_kubeconfigs_hold_their_role_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(false).await;
        let cluster = world.register(&sim, "edge").await;
        let tid = world.create_tenant(&cluster, "acme").await;
        let web = world.create_project(&tid, "web").await;
        let api = world.create_project(&tid, "api").await;
        let admin = world.admin();

        // readOnly (the default role): list here; no create, no delete, nothing elsewhere.
        let body = world
            .gql_as(&admin, ISSUE, json!({"i": {"projectId": web}}))
            .await;
        let issued = &body["data"]["issueProjectKubeconfig"];
        assert_eq!(issued["role"], "READ_ONLY", "{backend}: {body}");
        assert_eq!(issued["namespace"], NS);
        assert_eq!(issued["serviceAccount"], "kubenova-acme-web-readonly");
        assert_eq!(issued["server"], sim.url());
        let yaml = issued["kubeconfig"].as_str().expect("kubeconfig");
        let sa = object(&sim, "v1", "ServiceAccount", "kubenova-acme-web-readonly").expect("SA");
        assert_eq!(
            sa["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "fleetgraph"
        );
        let binding = object(
            &sim,
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "kubenova-acme-web-readonly-kubeconfig",
        )
        .expect("binding");
        assert_eq!(binding["roleRef"]["name"], "kubenova-acme-web-readonly");
        assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
        let role = object(
            &sim,
            "rbac.authorization.k8s.io/v1",
            "Role",
            "kubenova-acme-web-readonly",
        )
        .expect("role");
        assert_eq!(role["rules"][0]["verbs"], json!(["get", "list", "watch"]));
        assert_eq!(rights(yaml, "ro").await, (200, 403, 403, 403));
        let expires: chrono::DateTime<chrono::Utc> = issued["expiresAt"]
            .as_str()
            .expect("expiry")
            .parse()
            .expect("time");
        let ttl = expires - chrono::Utc::now();
        assert!(
            ttl > chrono::Duration::minutes(55) && ttl <= chrono::Duration::minutes(61),
            "{ttl}"
        );
        let (who, outcome, target) = last_audit(&world.store, "issueProjectKubeconfig")
            .await
            .expect("audited");
        assert_eq!((who.as_str(), outcome.as_str()), ("user-admin", "success"));
        assert!(target.ends_with("/kubeconfig/readOnly"), "{target}");
        assert!(!target.contains("token"));

        // projectDev of the project issues its own role: create but no delete, and only here.
        let dev = world.token(&[Role::ProjectDev], &[], &["acme/web"]);
        let body = issue(&world, &dev, &web, "PROJECT_DEV", Some(600)).await;
        let yaml = body["data"]["issueProjectKubeconfig"]["kubeconfig"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(rights(yaml, "dev").await, (200, 200, 403, 403));
        assert!(sim.get_object("v1", "ConfigMap", NS, "dev").is_some());
        // ... but not tenantOwner, nor anything in a project it is not in.
        let body = issue(&world, &dev, &web, "TENANT_OWNER", None).await;
        assert_eq!(first_error(&body)["code"], "FORBIDDEN", "{body}");
        let body = issue(&world, &dev, &api, "READ_ONLY", None).await;
        assert_eq!(first_error(&body)["code"], "NOT_FOUND", "{body}");
        let (_, outcome, _) = last_audit(&world.store, "issueProjectKubeconfig")
            .await
            .expect("audited");
        assert_eq!(outcome, "denied");
        let reader = world.token(&[Role::ReadOnly], &["acme"], &[]);
        let body = issue(&world, &reader, &web, "READ_ONLY", None).await;
        assert_eq!(first_error(&body)["code"], "FORBIDDEN", "{body}");

        // A TTL out of bounds writes nothing.
        for ttl in [0, 599, 400 * 24 * 3600] {
            let body = issue(&world, &admin, &web, "TENANT_OWNER", Some(ttl)).await;
            assert_eq!(first_error(&body)["code"], "BAD_USER_INPUT", "{body}");
        }
        assert!(object(&sim, "v1", "ServiceAccount", "kubenova-acme-web-tenantowne").is_none());

        // tenantOwner (by the tenant's owner): every verb here, still nothing elsewhere.
        let owner = world.token(&[Role::TenantOwner], &["acme"], &[]);
        let body = issue(&world, &owner, &web, "TENANT_OWNER", Some(7200)).await;
        let yaml = body["data"]["issueProjectKubeconfig"]["kubeconfig"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}"));
        assert_eq!(rights(yaml, "owner").await, (200, 200, 200, 403));
        assert!(sim.get_object("v1", "ConfigMap", NS, "owner").is_none());

        // Members set later keep their own binding; the kubeconfig keeps working.
        world
            .admin_ok(
                "mutation($p: ID!) { setProjectAccess(input: {projectId: $p, members: []}) { project { id } } }",
                json!({"p": web}),
            )
            .await;
        assert_eq!(rights(yaml, "owner2").await, (200, 200, 200, 403));

        // Deleting the project removes the ServiceAccount, so its tokens stop working.
        world
            .admin_ok(
                "mutation($p: ID!) { deleteProject(input: {id: $p}) { deletedProjectId } }",
                json!({"p": web}),
            )
            .await;
        let client = client_from_kubeconfig(yaml).await;
        let pods: Api<Pod> = Api::namespaced(client, NS);
        assert_eq!(code(pods.list(&ListParams::default()).await), 401);
        world.shutdown().await;
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn with_a_capsule_proxy_the_kubeconfig_goes_through_it() {
    let world = tenancy::start_on(TestDb::sqlite()).await;
    let sim = tenancy::workload_cluster(false).await;
    // The TLS front plays capsule-proxy: an https URL with its own CA, in front of the cluster.
    let proxy = kubesim::tls::TlsFront::start(sim.addr())
        .await
        .expect("TLS front");
    let ca_b64 = base64::engine::general_purpose::STANDARD.encode(proxy.ca_pem());
    let data = world
        .admin_ok(
            "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id } } }",
            json!({"i": {"name": "proxied", "kubeconfig": sim.kubeconfig_yaml(tenancy::SIM_TOKEN),
                         "capsuleProxyUrl": proxy.url(), "capsuleProxyCa": ca_b64}}),
        )
        .await;
    let cluster = data["registerCluster"]["cluster"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let tid = world.create_tenant(&cluster, "acme").await;
    let web = world.create_project(&tid, "web").await;
    world.create_project(&tid, "api").await;

    let body = issue(&world, &world.admin(), &web, "PROJECT_DEV", None).await;
    let issued = &body["data"]["issueProjectKubeconfig"];
    assert_eq!(issued["server"], proxy.url(), "{body}");
    let yaml = issued["kubeconfig"].as_str().expect("kubeconfig");
    let parsed = kube::config::Kubeconfig::from_yaml(yaml).expect("parses");
    let entry = parsed.clusters[0].cluster.as_ref().expect("cluster");
    assert_eq!(entry.server.as_deref(), Some(proxy.url().as_str()));
    assert_eq!(
        entry.certificate_authority_data.as_deref(),
        Some(ca_b64.as_str())
    );
    // Over TLS, trusting only the registered CA.
    assert_eq!(rights(yaml, "dev").await, (200, 200, 403, 403));
    world.shutdown().await;
    sim.shutdown().await;
}
