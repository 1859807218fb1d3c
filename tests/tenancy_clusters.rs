//! Registered clusters over HTTP against kubesim, on SQLite and PostgreSQL: registration is
//! validated by connecting, the kubeconfig is stored sealed and never returned, capabilities
//! and conditions come from the cluster, deletion cleans up, tokens are issued by admins.

mod common;

use base64::Engine;
use common::TestDb;
use common::tenancy::{self, SIM_TOKEN, first_error};
use fleetgraph::auth::Role;
use fleetgraph::store::tenancy::clusters;
use sea_orm::EntityTrait;
use serde_json::json;

const REGISTER: &str = "mutation($i: RegisterClusterInput!) { registerCluster(input: $i) { cluster { id uid name labels { key value } apiServer capabilities { capsule capsuleProxy kubeVela } conditions { type status } } } }";

#[tokio::test]
async fn register_list_probe_and_delete_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(true).await;
        let kubeconfig = sim.kubeconfig_yaml(SIM_TOKEN);

        // base64 form, labels, proxy URL.
        let data = world
            .admin_ok(
                REGISTER,
                json!({"i": {
                    "name": "edge-1",
                    "kubeconfig": base64::engine::general_purpose::STANDARD.encode(&kubeconfig),
                    "labels": [{"key": "env", "value": "prod"}],
                    "capsuleProxyUrl": "https://proxy.example.com/",
                }}),
            )
            .await;
        let cluster = &data["registerCluster"]["cluster"];
        assert_eq!(cluster["name"], "edge-1", "{backend}");
        assert_eq!(
            cluster["capabilities"],
            json!({"capsule": true, "capsuleProxy": true, "kubeVela": true})
        );
        assert_eq!(
            cluster["conditions"][0],
            json!({"type": "Reachable", "status": "TRUE"})
        );
        let uid = cluster["uid"].as_str().unwrap().to_string();
        assert_eq!(uid, uid.to_lowercase());
        assert!(
            !data.to_string().contains(SIM_TOKEN),
            "no kubeconfig in responses"
        );

        // Stored sealed: the row holds neither the YAML nor the token.
        let rows = clusters::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].kubeconfig_ciphertext.contains(SIM_TOKEN));
        assert!(!rows[0].kubeconfig_ciphertext.contains("apiVersion"));
        assert_eq!(rows[0].key_id.len(), 16);
        assert_eq!(
            rows[0].capsule_proxy_url.as_deref(),
            Some("https://proxy.example.com")
        );

        // Inline YAML, second cluster without KubeVela.
        let bare = tenancy::workload_cluster(false).await;
        let second = world
            .admin_ok(
                REGISTER,
                json!({"i": {"name": "bare", "kubeconfig": bare.kubeconfig_yaml(SIM_TOKEN)}}),
            )
            .await;
        assert_eq!(
            second["registerCluster"]["cluster"]["capabilities"],
            json!({"capsule": true, "capsuleProxy": false, "kubeVela": false})
        );

        // List with a label selector and pages.
        let list = world
            .admin_ok(
                "{ a: registeredClusters(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } }
                   b: registeredClusters(filter: {labelSelector: \"env in (prod)\"}) { totalCount edges { node { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(list["a"]["totalCount"], 2);
        assert_eq!(list["a"]["edges"][0]["node"]["name"], "bare");
        assert_eq!(list["a"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(list["b"]["edges"], json!([{"node": {"name": "edge-1"}}]));
        let bad_selector = world
            .gql_as(
                &world.admin(),
                "{ registeredClusters(filter: {labelSelector: \"env in (\"}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(first_error(&bad_selector)["code"], "BAD_USER_INPUT");

        // bootstrapTenancy reports what is missing.
        let id_bare = second["registerCluster"]["cluster"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let report = world
            .admin_ok(
                "mutation($id: ID!) { bootstrapTenancy(input: {clusterId: $id}) { ready missing { component } } }",
                json!({"id": id_bare}),
            )
            .await;
        assert_eq!(
            report["bootstrapTenancy"],
            json!({"ready": false, "missing": [{"component": "kubevela"}, {"component": "capsule-proxy"}]})
        );

        // node(id) resolves registered clusters.
        let node = world
            .admin_ok(
                "query($id: ID!) { node(id: $id) { ... on RegisteredCluster { name } } }",
                json!({"id": cluster["id"]}),
            )
            .await;
        assert_eq!(node["node"]["name"], "edge-1");

        // A cluster without tenants deletes even when it is gone.
        drop(bare);
        let delete = world
            .gql_as(
                &world.admin(),
                "mutation($id: ID!) { deleteCluster(input: {id: $id}) { removed leftovers } }",
                json!({"id": id_bare}),
            )
            .await;
        assert!(
            delete.get("errors").is_none(),
            "a cluster with no tenants deletes: {delete}"
        );

        let deleted = world
            .admin_ok(
                "mutation($id: ID!) { deleteCluster(input: {id: $id}) { deletedClusterId removed } }",
                json!({"id": cluster["id"]}),
            )
            .await;
        assert_eq!(deleted["deleteCluster"]["removed"], json!([]));
        assert!(
            clusters::Entity::find()
                .all(world.store.connection())
                .await
                .unwrap()
                .is_empty()
        );

        // Every mutation is audited with its principal.
        let audit = world
            .store
            .audit_entries(fleetgraph::store::audit::AuditQuery::default())
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e.operation == "registerCluster"
            && e.principal == "user-admin"
            && e.outcome == "success"));
        assert!(audit.iter().any(|e| e.operation == "deleteCluster"));
        world.shutdown().await;
    }
}

#[tokio::test]
async fn bad_registrations_give_codes_and_store_nothing() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    let sim = tenancy::workload_cluster(false).await;
    let good = sim.kubeconfig_yaml(SIM_TOKEN);
    let unreachable = good.replace(&sim.url(), "http://127.0.0.1:9");
    let cases = [
        (
            json!({"name": "Bad_Name", "kubeconfig": good}),
            "BAD_USER_INPUT",
            "input.name",
        ),
        (
            json!({"name": "ok", "kubeconfig": "not: [yaml"}),
            "BAD_USER_INPUT",
            "input.kubeconfig",
        ),
        (
            json!({"name": "ok", "kubeconfig": unreachable}),
            "BAD_USER_INPUT",
            "input.kubeconfig",
        ),
        (
            json!({"name": "ok", "kubeconfig": good, "labels": [{"key": "bad key", "value": "x"}]}),
            "BAD_USER_INPUT",
            "input.labels",
        ),
        (
            json!({"name": "ok", "kubeconfig": good, "capsuleProxyUrl": "not a url"}),
            "BAD_USER_INPUT",
            "input.capsuleProxyUrl",
        ),
    ];
    for (input, code, field) in cases {
        let body = world
            .gql_as(&world.admin(), REGISTER, json!({"i": input}))
            .await;
        let ext = first_error(&body);
        assert_eq!(ext["code"], code, "{input}: {body}");
        assert_eq!(ext["field"], field, "{input}");
        assert_eq!(ext["legacyCode"], "KN-422");
        assert!(
            !body.to_string().contains(SIM_TOKEN),
            "errors never echo the kubeconfig"
        );
    }
    assert!(
        clusters::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap()
            .is_empty()
    );

    world.register(&sim, "one").await;
    let dup = world
        .gql_as(
            &world.admin(),
            REGISTER,
            json!({"i": {"name": "one", "kubeconfig": good}}),
        )
        .await;
    assert_eq!(first_error(&dup)["code"], "CONFLICT");
    assert_eq!(first_error(&dup)["legacyCode"], "KN-409");

    // Only admin and ops register; anonymous callers are asked to authenticate.
    let owner = world.token(&[Role::TenantOwner], &["a"], &[]);
    let denied = world
        .gql_as(
            &owner,
            REGISTER,
            json!({"i": {"name": "two", "kubeconfig": good}}),
        )
        .await;
    assert_eq!(first_error(&denied)["code"], "FORBIDDEN");
    let anonymous = world
        .server
        .gql_vars(REGISTER, json!({"i": {"name": "two", "kubeconfig": good}}))
        .await;
    assert_eq!(first_error(&anonymous)["code"], "UNAUTHENTICATED");
    assert_eq!(
        clusters::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap()
            .len(),
        1
    );

    // A tenant owner with no tenant on the cluster does not see it, not even by id.
    let list = world
        .gql_as(&owner, "{ registeredClusters { totalCount } }", json!({}))
        .await;
    assert_eq!(list["data"]["registeredClusters"]["totalCount"], 0);
    let reader = world.token(&[Role::ReadOnly], &[], &[]);
    let list = world
        .gql_as(&reader, "{ registeredClusters { totalCount } }", json!({}))
        .await;
    assert_eq!(list["data"]["registeredClusters"]["totalCount"], 1);
    world.shutdown().await;
}

#[tokio::test]
async fn admins_issue_tokens_that_work_and_are_recorded() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    const ISSUE: &str =
        "mutation($i: IssueTokenInput!) { issueToken(input: $i) { token expiresAt tokenId } }";
    let data = world
        .admin_ok(
            ISSUE,
            json!({"i": {"subject": "alice", "roles": ["TENANT_OWNER"], "tenants": ["acme"], "ttlSeconds": 600}}),
        )
        .await;
    let token = data["issueToken"]["token"].as_str().unwrap();
    let viewer = world
        .gql_as(token, "{ viewer { subject roles tenants } }", json!({}))
        .await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({"subject": "alice", "roles": ["TENANT_OWNER"], "tenants": ["acme"]})
    );
    let records = world.store.issued_tokens().await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].subject, "alice");
    assert_eq!(records[0].issued_by, "user-admin");
    assert_eq!(
        records[0].id.to_string(),
        data["issueToken"]["tokenId"].as_str().unwrap()
    );

    for (token, input, code) in [
        (
            world.token(&[Role::Ops], &[], &[]),
            json!({"subject": "x", "roles": ["ADMIN"]}),
            "FORBIDDEN",
        ),
        (
            world.admin(),
            json!({"subject": " ", "roles": ["ADMIN"]}),
            "BAD_USER_INPUT",
        ),
        (
            world.admin(),
            json!({"subject": "x", "roles": ["ADMIN"], "ttlSeconds": 10}),
            "BAD_USER_INPUT",
        ),
        (
            world.admin(),
            json!({"subject": "x", "roles": ["ADMIN"], "tenants": ["Not Valid"]}),
            "BAD_USER_INPUT",
        ),
        (
            world.admin(),
            json!({"subject": "x", "roles": ["ADMIN"], "projects": ["noslash"]}),
            "BAD_USER_INPUT",
        ),
    ] {
        let body = world.gql_as(&token, ISSUE, json!({"i": input})).await;
        assert_eq!(first_error(&body)["code"], code, "{input}: {body}");
    }
    assert_eq!(world.store.issued_tokens().await.unwrap().len(), 1);
    world.shutdown().await;
}
