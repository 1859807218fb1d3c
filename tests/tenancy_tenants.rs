//! Tenants and policy sets over HTTP against kubesim, on SQLite and PostgreSQL: each step
//! checks the Capsule Tenant in the cluster and the rows in the store; bad input and an
//! unreachable cluster leave nothing half-written; scoping hides other tenants.

mod common;

use common::TestDb;
use common::tenancy::{self, first_error};
use fleetgraph::auth::Role;
use fleetgraph::store::tenancy::{policy_sets, tenants};
use kubesim::FailureRule;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id uid name owners plan quotas { resource quantity } policySets { name attachedTo { tenant project } } } } }";

fn capsule(sim: &kubesim::KubeSim, name: &str) -> Option<Value> {
    sim.get_object("capsule.clastix.io/v1beta2", "Tenant", "", name)
}

#[tokio::test]
async fn tenant_lifecycle_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(true).await;
        let cluster = world.register(&sim, "edge").await;

        // Create with owners, labels and a plan.
        let data = world
            .admin_ok(
                CREATE,
                json!({"i": {"clusterId": cluster, "name": "acme", "owners": ["alice", "bob"],
                             "labels": [{"key": "env", "value": "prod"}], "plan": "baseline"}}),
            )
            .await;
        let tenant = &data["createTenant"]["tenant"];
        let tid = tenant["id"].as_str().unwrap().to_string();
        assert_eq!(tenant["plan"], "baseline", "{backend}");
        assert_eq!(
            tenant["policySets"],
            json!([{"name": "baseline", "attachedTo": [{"tenant": "acme", "project": null}]}])
        );
        let object = capsule(&sim, "acme").expect("Capsule Tenant written");
        let owners: Vec<&Value> = object["spec"]["owners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| &o["name"])
            .collect();
        assert_eq!(owners, [&json!("alice"), &json!("bob")]);
        assert_eq!(
            object["spec"]["resourceQuotas"]["items"][0]["hard"]["cpu"],
            "2"
        );
        assert_eq!(object["metadata"]["labels"]["env"], "prod");
        assert_eq!(
            object["metadata"]["annotations"]["kubenova.io/plan"],
            "baseline"
        );
        let rows = tenants::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id.to_string(), tenant["uid"].as_str().unwrap());

        // Owners, quotas, limits, network policies.
        world
            .admin_ok(
                "mutation($t: ID!) {
                   a: setTenantOwners(input: {tenantId: $t, owners: [\"carol\"]}) { tenant { owners } }
                   b: setTenantQuotas(input: {tenantId: $t, quotas: [{resource: \"cpu\", quantity: \"4\"}, {resource: \"memory\", quantity: \"8Gi\"}]}) { tenant { quotas { resource } } }
                   c: setTenantLimits(input: {tenantId: $t, limits: [{resource: \"cpu\", quantity: \"500m\"}]}) { tenant { limits { quantity } } }
                   d: setTenantNetworkPolicies(input: {tenantId: $t, defaultDeny: true}) { tenant { networkPolicies } }
                 }",
                json!({"t": tid}),
            )
            .await;
        let object = capsule(&sim, "acme").unwrap();
        assert_eq!(object["spec"]["owners"][0]["name"], "carol");
        assert_eq!(object["spec"]["owners"].as_array().unwrap().len(), 1);
        assert_eq!(
            object["spec"]["resourceQuotas"]["items"][0]["hard"],
            json!({"cpu": "4", "memory": "8Gi"})
        );
        assert_eq!(
            object["spec"]["limitRanges"]["items"][0]["limits"][0]["max"],
            json!({"cpu": "500m"})
        );
        assert_eq!(
            object["spec"]["networkPolicies"]["items"][0]["policyTypes"],
            json!(["Ingress", "Egress"])
        );
        let row = world.store.tenant_by_name("acme").await.unwrap().unwrap();
        assert_eq!(row.owners(), vec!["carol"]);
        assert_eq!(row.limits().get("cpu").map(String::as_str), Some("500m"));

        // Apply the gold plan: quotas and five policy sets.
        world
            .admin_ok(
                "mutation($t: ID!) { applyTenantPlan(input: {tenantId: $t, plan: \"gold\"}) { tenant { plan } } }",
                json!({"t": tid}),
            )
            .await;
        assert_eq!(
            capsule(&sim, "acme").unwrap()["spec"]["resourceQuotas"]["items"][0]["hard"]["cpu"],
            "6"
        );
        let sets = policy_sets::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap();
        assert_eq!(sets.len(), 5);

        // Policy set CRUD.
        let created = world
            .admin_ok(
                "mutation($t: ID!) { createPolicySet(input: {tenantId: $t, name: \"extra\", rules: [{kind: \"vela.trait\", spec: {type: \"scaler\", properties: {replicas: 2}}}]}) { policySet { id name } } }",
                json!({"t": tid}),
            )
            .await;
        let psid = created["createPolicySet"]["policySet"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let tenant_row = world.store.tenant_by_name("acme").await.unwrap().unwrap();
        world
            .admin_ok(
                "mutation($p: ID!) { updatePolicySet(input: {id: $p, description: \"more\"}) { policySet { description } } }",
                json!({"p": psid}),
            )
            .await;
        let extra = world
            .store
            .policy_set_by_name(tenant_row.id, "extra")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(extra.description, "more");
        world
            .admin_ok(
                "mutation($p: ID!) { deletePolicySet(input: {id: $p}) { deletedPolicySetId } }",
                json!({"p": psid}),
            )
            .await;
        assert!(
            world
                .store
                .policy_set_by_name(tenant_row.id, "extra")
                .await
                .unwrap()
                .is_none()
        );

        // Lists with filters; summary from the cluster.
        let list = world
            .admin_ok(
                "{ a: tenants(filter: {labelSelector: \"env=prod\", owner: \"carol\"}) { totalCount edges { node { name summary { namespaces projectCount } } } }
                   b: tenants(filter: {owner: \"alice\"}) { totalCount }
                   plans { name } policySetCatalog { name } }",
                json!({}),
            )
            .await;
        assert_eq!(list["a"]["totalCount"], 1);
        assert_eq!(
            list["a"]["edges"][0]["node"]["summary"],
            json!({"namespaces": [], "projectCount": 0})
        );
        assert_eq!(list["b"]["totalCount"], 0);
        assert_eq!(
            list["plans"],
            json!([{"name": "baseline"}, {"name": "gold"}])
        );

        // Delete: Capsule Tenant and rows go.
        world
            .admin_ok(
                "mutation($t: ID!) { deleteTenant(input: {id: $t}) { removed } }",
                json!({"t": tid}),
            )
            .await;
        assert!(capsule(&sim, "acme").is_none());
        assert!(
            tenants::Entity::find()
                .all(world.store.connection())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            policy_sets::Entity::find()
                .all(world.store.connection())
                .await
                .unwrap()
                .is_empty()
        );
        world.shutdown().await;
    }
}

#[tokio::test]
async fn bad_input_and_failures_leave_nothing_half_written() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    let sim = tenancy::workload_cluster(false).await;
    let cluster = world.register(&sim, "edge").await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (input, code) in [
        (
            json!({"clusterId": cluster, "name": "Bad_Name"}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"clusterId": cluster, "name": "ok", "plan": "platinum"}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"clusterId": cluster, "name": "ok", "owners": [" "]}),
            "BAD_USER_INPUT",
        ),
        (json!({"clusterId": unknown, "name": "ok"}), "NOT_FOUND"),
        (
            json!({"clusterId": "garbage", "name": "ok"}),
            "BAD_USER_INPUT",
        ),
    ] {
        let body = world
            .gql_as(&world.admin(), CREATE, json!({"i": input}))
            .await;
        assert_eq!(first_error(&body)["code"], code, "{input}: {body}");
    }
    // The cluster fails the write: no row stays.
    sim.inject_failure(FailureRule {
        verb: "patch".into(),
        resource: "tenants".into(),
        code: 500,
        times: 1,
    });
    let body = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"clusterId": cluster, "name": "ok"}}),
        )
        .await;
    assert_eq!(first_error(&body)["code"], "UNAVAILABLE", "{body}");
    assert!(
        tenants::Entity::find()
            .all(world.store.connection())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(capsule(&sim, "ok").is_none());

    let data = world
        .admin_ok(CREATE, json!({"i": {"clusterId": cluster, "name": "ok"}}))
        .await;
    let tid = data["createTenant"]["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dup = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"clusterId": cluster, "name": "ok"}}),
        )
        .await;
    assert_eq!(first_error(&dup)["code"], "CONFLICT");

    // Bad quantities change nothing; a failing cluster keeps the old quotas in the store.
    let set = "mutation($t: ID!, $q: [ResourceQuantityInput!]!) { setTenantQuotas(input: {tenantId: $t, quotas: $q}) { tenant { name } } }";
    let bad = world
        .gql_as(
            &world.admin(),
            set,
            json!({"t": tid, "q": [{"resource": "cpu", "quantity": "lots"}]}),
        )
        .await;
    assert_eq!(first_error(&bad)["code"], "BAD_USER_INPUT");
    sim.inject_failure(FailureRule {
        verb: "patch".into(),
        resource: "tenants".into(),
        code: 500,
        times: 1,
    });
    let failed = world
        .gql_as(
            &world.admin(),
            set,
            json!({"t": tid, "q": [{"resource": "cpu", "quantity": "3"}]}),
        )
        .await;
    assert_eq!(first_error(&failed)["code"], "UNAVAILABLE");
    assert!(
        world
            .store
            .tenant_by_name("ok")
            .await
            .unwrap()
            .unwrap()
            .quotas()
            .is_empty()
    );
    assert!(
        capsule(&sim, "ok").unwrap()["spec"]
            .get("resourceQuotas")
            .is_none()
    );

    // Unreachable cluster mid-operation: deletion refuses and keeps the row.
    sim.inject_failure(FailureRule {
        verb: "delete".into(),
        resource: "tenants".into(),
        code: 500,
        times: 1,
    });
    let del = world
        .gql_as(
            &world.admin(),
            "mutation($t: ID!) { deleteTenant(input: {id: $t}) { removed } }",
            json!({"t": tid}),
        )
        .await;
    assert_eq!(first_error(&del)["code"], "UNAVAILABLE");
    assert!(world.store.tenant_by_name("ok").await.unwrap().is_some());
    sim.shutdown().await;
    let del = world
        .gql_as(
            &world.admin(),
            "mutation($t: ID!) { deleteTenant(input: {id: $t}) { removed } }",
            json!({"t": tid}),
        )
        .await;
    assert_eq!(first_error(&del)["code"], "UNAVAILABLE");
    assert_eq!(first_error(&del)["legacyCode"], "KN-500");
    assert!(world.store.tenant_by_name("ok").await.unwrap().is_some());
    world.shutdown().await;
}

#[tokio::test]
async fn tenant_scoping_hides_other_tenants_everywhere() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    let sim = tenancy::workload_cluster(false).await;
    let cluster = world.register(&sim, "edge").await;
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        let data = world
            .admin_ok(CREATE, json!({"i": {"clusterId": cluster, "name": name}}))
            .await;
        ids.push(
            data["createTenant"]["tenant"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let owner_a = world.token(&[Role::TenantOwner], &["a"], &[]);
    let list = world
        .gql_as(&owner_a, "{ tenants { edges { node { name } } } registeredClusters { edges { node { name tenants { totalCount } } } } }", json!({}))
        .await;
    assert_eq!(
        list["data"]["tenants"]["edges"],
        json!([{"node": {"name": "a"}}])
    );
    assert_eq!(
        list["data"]["registeredClusters"]["edges"][0]["node"]["tenants"]["totalCount"],
        1
    );
    let by_id = world
        .gql_as(
            &owner_a,
            "query($b: ID!) { node(id: $b) { id } tenant(id: $b) { name } }",
            json!({"b": ids[1]}),
        )
        .await;
    assert_eq!(by_id["data"], json!({"node": null, "tenant": null}));
    // Changing B is NOT_FOUND (not even its existence shows); changing A works; creating is admin/ops.
    let q = "mutation($t: ID!) { setTenantOwners(input: {tenantId: $t, owners: [\"x\"]}) { tenant { owners } } }";
    assert_eq!(
        first_error(&world.gql_as(&owner_a, q, json!({"t": ids[1]})).await)["code"],
        "NOT_FOUND"
    );
    let ok = world.gql_as(&owner_a, q, json!({"t": ids[0]})).await;
    assert!(ok.get("errors").is_none(), "{ok}");
    let reader = world.token(&[Role::ReadOnly], &["a"], &[]);
    assert_eq!(
        first_error(&world.gql_as(&reader, q, json!({"t": ids[0]})).await)["code"],
        "FORBIDDEN"
    );
    let create = world
        .gql_as(
            &owner_a,
            CREATE,
            json!({"i": {"clusterId": cluster, "name": "c"}}),
        )
        .await;
    assert_eq!(first_error(&create)["code"], "FORBIDDEN");
    assert!(capsule(&sim, "c").is_none());
    // Denials are audited with the principal.
    let audit = world.store.audit_entries(Default::default()).await.unwrap();
    assert!(audit.iter().any(|e| e.operation == "createTenant"
        && e.outcome == "denied"
        && e.principal == "user-tenantOwner"));
    world.shutdown().await;
}
