//! Projects over HTTP against kubesim, on SQLite and PostgreSQL: each step checks the
//! namespace in the cluster and the rows in the store; bad input and an unreachable cluster
//! leave nothing half-written; scoping hides other tenants' projects.

mod common;

use common::TestDb;
use common::tenancy::{self, TenancyWorld, first_error};
use fleetgraph::auth::Role;
use fleetgraph::store::tenancy::projects;
use kubesim::{FailureRule, KubeSim};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id uid name namespace labels { key value } } } }";
const DELETE: &str =
    "mutation($p: ID!) { deleteProject(input: {id: $p}) { deletedProjectId removed } }";

fn namespace(sim: &KubeSim, name: &str) -> Option<Value> {
    sim.get_object("v1", "Namespace", "", name)
}

async fn rows(world: &TenancyWorld) -> Vec<projects::Model> {
    projects::Entity::find()
        .all(world.store.connection())
        .await
        .unwrap()
}

async fn tenant(world: &TenancyWorld, cluster: &str, name: &str) -> String {
    let data = world
        .admin_ok(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
            json!({"i": {"clusterId": cluster, "name": name, "owners": ["alice"]}}),
        )
        .await;
    data["createTenant"]["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn project_lifecycle_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(false).await;
        let cluster = world.register(&sim, "edge").await;
        let tid = tenant(&world, &cluster, "acme").await;

        let data = world
            .admin_ok(
                CREATE,
                json!({"i": {"tenantId": tid, "name": "web",
                             "labels": [{"key": "team", "value": "blue"}]}}),
            )
            .await;
        let project = &data["createProject"]["project"];
        let pid = project["id"].as_str().unwrap().to_string();
        assert_eq!(project["namespace"], "tn-acme-app-web", "{backend}");
        let ns = namespace(&sim, "tn-acme-app-web").expect("namespace written");
        let labels = &ns["metadata"]["labels"];
        assert_eq!(labels["kubenova.project"], "web");
        assert_eq!(labels["kubenova.tenant"], "acme");
        assert_eq!(labels["capsule.clastix.io/tenant"], "acme");
        assert_eq!(labels["team"], "blue");
        assert_eq!(
            ns["metadata"]["annotations"]["fleetgraph.io/project-id"],
            project["uid"]
        );
        let stored = rows(&world).await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].namespace, "tn-acme-app-web");
        assert_eq!(stored[0].id.to_string(), project["uid"].as_str().unwrap());

        // A second project; the tenant lists both by name, counts them, node(id) finds one.
        world
            .admin_ok(CREATE, json!({"i": {"tenantId": tid, "name": "api"}}))
            .await;
        let data = world
            .admin_ok(
                "query($t: ID!, $p: ID!) {
                   tenant(id: $t) { projects(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage } }
                                    summary { projectCount namespaces } }
                   node(id: $p) { ... on Project { name tenant { name } } }
                   project(id: $p) { namespace }
                 }",
                json!({"t": tid, "p": pid}),
            )
            .await;
        let t = &data["tenant"];
        assert_eq!(t["projects"]["totalCount"], 2);
        assert_eq!(t["projects"]["edges"][0]["node"]["name"], "api");
        assert_eq!(t["projects"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(t["summary"]["projectCount"], 2);
        assert_eq!(
            t["summary"]["namespaces"],
            json!(["tn-acme-app-api", "tn-acme-app-web"])
        );
        assert_eq!(
            data["node"],
            json!({"name": "web", "tenant": {"name": "acme"}})
        );
        assert_eq!(data["project"]["namespace"], "tn-acme-app-web");

        // Labels replace the project's own labels on the namespace and in the store.
        let data = world
            .admin_ok(
                "mutation($p: ID!) { updateProjectLabels(input: {projectId: $p, labels: [{key: \"env\", value: \"prod\"}]}) { project { labels { key value } } } }",
                json!({"p": pid}),
            )
            .await;
        assert_eq!(
            data["updateProjectLabels"]["project"]["labels"],
            json!([{"key": "env", "value": "prod"}])
        );
        let labels = namespace(&sim, "tn-acme-app-web").unwrap()["metadata"]["labels"].clone();
        assert_eq!(labels["env"], "prod");
        assert!(labels.get("team").is_none(), "{labels}");
        assert_eq!(labels["kubenova.project"], "web");
        let row = world
            .store
            .project_by_name(stored[0].tenant_id, "web")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.labels().get("env").map(String::as_str), Some("prod"));
        assert!(!row.labels().contains_key("team"));

        // Delete: the namespace goes, then the row.
        let data = world.admin_ok(DELETE, json!({"p": pid})).await;
        assert_eq!(
            data["deleteProject"]["removed"],
            json!(["Namespace/tn-acme-app-web"])
        );
        assert!(namespace(&sim, "tn-acme-app-web").is_none());
        let left = rows(&world).await;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].name, "api");
        let gone = world
            .admin_ok(
                "query($p: ID!) { project(id: $p) { name } }",
                json!({"p": pid}),
            )
            .await;
        assert!(gone["project"].is_null());
        world.shutdown().await;
    }
}

#[tokio::test]
async fn bad_input_and_failures_leave_nothing_half_written() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    let sim = tenancy::workload_cluster(false).await;
    let cluster = world.register(&sim, "edge").await;
    let tid = tenant(&world, &cluster, "acme").await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (input, code) in [
        (
            json!({"tenantId": tid, "name": "Bad_Name"}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"tenantId": tid, "name": "x".repeat(41)}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"tenantId": tid, "name": "ok", "labels": [{"key": "bad key", "value": "v"}]}),
            "BAD_USER_INPUT",
        ),
        (
            json!({"tenantId": tid, "name": "ok", "labels": [{"key": "kubenova.tenant", "value": "other"}]}),
            "BAD_USER_INPUT",
        ),
        (json!({"tenantId": unknown, "name": "ok"}), "NOT_FOUND"),
        (
            json!({"tenantId": "garbage", "name": "ok"}),
            "BAD_USER_INPUT",
        ),
    ] {
        let body = world
            .gql_as(&world.admin(), CREATE, json!({"i": input}))
            .await;
        assert_eq!(first_error(&body)["code"], code, "{input}: {body}");
        assert_eq!(
            first_error(&body)["legacyCode"]
                .as_str()
                .map(|c| c.starts_with("KN-")),
            Some(true)
        );
    }
    assert!(rows(&world).await.is_empty());
    assert!(namespace(&sim, "tn-acme-app-ok").is_none());

    // The cluster fails the namespace write: no row stays.
    sim.inject_failure(FailureRule {
        verb: "patch".into(),
        resource: "namespaces".into(),
        code: 500,
        times: 1,
    });
    let body = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"tenantId": tid, "name": "ok"}}),
        )
        .await;
    assert_eq!(first_error(&body)["code"], "UNAVAILABLE", "{body}");
    assert!(rows(&world).await.is_empty());
    assert!(namespace(&sim, "tn-acme-app-ok").is_none());

    // A namespace of that name that fleetgraph did not create is a conflict, untouched.
    sim.load_objects(vec![json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "tn-acme-app-taken"}})])
        .unwrap();
    let body = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"tenantId": tid, "name": "taken"}}),
        )
        .await;
    assert_eq!(first_error(&body)["code"], "CONFLICT", "{body}");
    assert!(rows(&world).await.is_empty());
    let taken = namespace(&sim, "tn-acme-app-taken").unwrap();
    assert!(
        taken["metadata"]["labels"]
            .get("kubenova.project")
            .is_none(),
        "{taken}"
    );

    let data = world
        .admin_ok(CREATE, json!({"i": {"tenantId": tid, "name": "ok"}}))
        .await;
    let pid = data["createProject"]["project"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dup = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"tenantId": tid, "name": "ok"}}),
        )
        .await;
    assert_eq!(first_error(&dup)["code"], "CONFLICT");
    assert_eq!(first_error(&dup)["legacyCode"], "KN-409");
    assert_eq!(rows(&world).await.len(), 1);

    // A failing label write keeps the old labels in the store.
    sim.inject_failure(FailureRule {
        verb: "patch".into(),
        resource: "namespaces".into(),
        code: 500,
        times: 1,
    });
    let failed = world
        .gql_as(
            &world.admin(),
            "mutation($p: ID!) { updateProjectLabels(input: {projectId: $p, labels: [{key: \"env\", value: \"x\"}]}) { project { name } } }",
            json!({"p": pid}),
        )
        .await;
    assert_eq!(first_error(&failed)["code"], "UNAVAILABLE");
    assert!(rows(&world).await[0].labels().is_empty());

    // Deletion failing in the cluster, then an unreachable cluster: the row stays, and the
    // error names what was left.
    sim.inject_failure(FailureRule {
        verb: "delete".into(),
        resource: "namespaces".into(),
        code: 500,
        times: 1,
    });
    let del = world
        .gql_as(&world.admin(), DELETE, json!({"p": pid}))
        .await;
    assert_eq!(first_error(&del)["code"], "UNAVAILABLE");
    let message = del["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Namespace/tn-acme-app-ok"), "{message}");
    assert_eq!(rows(&world).await.len(), 1);
    assert!(namespace(&sim, "tn-acme-app-ok").is_some());
    sim.shutdown().await;
    let del = world
        .gql_as(&world.admin(), DELETE, json!({"p": pid}))
        .await;
    assert_eq!(first_error(&del)["code"], "UNAVAILABLE");
    assert_eq!(first_error(&del)["legacyCode"], "KN-500");
    assert_eq!(rows(&world).await.len(), 1);
    let body = world
        .gql_as(
            &world.admin(),
            CREATE,
            json!({"i": {"tenantId": tid, "name": "late"}}),
        )
        .await;
    assert_eq!(first_error(&body)["code"], "UNAVAILABLE", "{body}");
    assert_eq!(rows(&world).await.len(), 1);
    world.shutdown().await;
}

#[tokio::test]
async fn scoping_hides_other_tenants_projects() {
    let world = tenancy::start_on(TestDb::from_env().await).await;
    let sim = tenancy::workload_cluster(false).await;
    let cluster = world.register(&sim, "edge").await;
    let acme = tenant(&world, &cluster, "acme").await;
    let globex = tenant(&world, &cluster, "globex").await;
    let mut ids = Vec::new();
    for (t, name) in [(&acme, "web"), (&acme, "api"), (&globex, "shop")] {
        let data = world
            .admin_ok(CREATE, json!({"i": {"tenantId": t, "name": name}}))
            .await;
        ids.push(
            data["createProject"]["project"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // A projectDev of acme/web sees only that project, may relabel it, not create or delete.
    let dev = world.token(&[Role::ProjectDev], &[], &["acme/web"]);
    let body = world
        .gql_as(
            &dev,
            "query($t: ID!, $g: ID!, $s: ID!) { tenant(id: $t) { projects { totalCount edges { node { name } } } }
               other: tenant(id: $g) { name } shop: node(id: $s) { id } }",
            json!({"t": acme, "g": globex, "s": ids[2]}),
        )
        .await;
    assert_eq!(
        body["data"]["tenant"]["projects"]["totalCount"], 1,
        "{body}"
    );
    assert!(body["data"]["other"].is_null());
    assert!(body["data"]["shop"].is_null());
    let relabel = world
        .gql_as(
            &dev,
            "mutation($p: ID!) { updateProjectLabels(input: {projectId: $p, labels: [{key: \"a\", value: \"b\"}]}) { project { name } } }",
            json!({"p": ids[0]}),
        )
        .await;
    assert!(relabel.get("errors").is_none(), "{relabel}");
    let create = world
        .gql_as(
            &dev,
            CREATE,
            json!({"i": {"tenantId": acme, "name": "more"}}),
        )
        .await;
    assert_eq!(first_error(&create)["code"], "FORBIDDEN");
    let del = world.gql_as(&dev, DELETE, json!({"p": ids[0]})).await;
    assert_eq!(first_error(&del)["code"], "FORBIDDEN");
    let del = world.gql_as(&dev, DELETE, json!({"p": ids[2]})).await;
    assert_eq!(first_error(&del)["code"], "NOT_FOUND");
    assert_eq!(rows(&world).await.len(), 3);
    assert!(namespace(&sim, "tn-globex-app-shop").is_some());
    world.shutdown().await;
}

const ACCESS: &str = "mutation($p: ID!, $m: [ProjectMemberInput!]!) { setProjectAccess(input: {projectId: $p, members: $m}) { project { members { subject role } } } }";

fn rbac(sim: &KubeSim, kind: &str, name: &str) -> Option<Value> {
    sim.get_object(
        "rbac.authorization.k8s.io/v1",
        kind,
        "tn-acme-app-web",
        name,
    )
}

fn subjects(sim: &KubeSim, name: &str) -> Vec<String> {
    rbac(sim, "RoleBinding", name).map_or_else(Vec::new, |b| {
        b["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    })
}

#[tokio::test]
async fn access_members_become_roles_and_bindings_on_every_backend() {
    for db in TestDb::all().await {
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(false).await;
        let cluster = world.register(&sim, "edge").await;
        let tid = tenant(&world, &cluster, "acme").await;
        let data = world
            .admin_ok(CREATE, json!({"i": {"tenantId": tid, "name": "web"}}))
            .await;
        let pid = data["createProject"]["project"]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let owner = "kubenova-acme-web-tenantowne";
        let dev = "kubenova-acme-web-projectdev";
        let viewer = "kubenova-acme-web-readonly";

        let members = json!([
            {"subject": "bob", "role": "projectDev"},
            {"subject": "alice", "role": "tenantOwner"},
            {"subject": "carol", "role": "projectDev"},
        ]);
        let data = world
            .admin_ok(ACCESS, json!({"p": pid, "m": members}))
            .await;
        assert_eq!(
            data["setProjectAccess"]["project"]["members"],
            json!([{"subject": "alice", "role": "tenantOwner"},
                   {"subject": "bob", "role": "projectDev"},
                   {"subject": "carol", "role": "projectDev"}])
        );
        assert_eq!(subjects(&sim, owner), ["alice"]);
        assert_eq!(subjects(&sim, dev), ["bob", "carol"]);
        assert!(rbac(&sim, "RoleBinding", viewer).is_none());
        let verbs = |name: &str| rbac(&sim, "Role", name).unwrap()["rules"][0]["verbs"].clone();
        assert_eq!(verbs(owner).as_array().unwrap().len(), 7);
        assert_eq!(
            verbs(dev),
            json!(["get", "list", "watch", "create", "update", "patch"])
        );
        // Idempotent: the same members again change nothing.
        world
            .admin_ok(ACCESS, json!({"p": pid, "m": members}))
            .await;
        assert_eq!(subjects(&sim, dev), ["bob", "carol"]);

        // Members no longer listed lose their bindings.
        world
            .admin_ok(
                ACCESS,
                json!({"p": pid, "m": [{"subject": "bob", "role": "readOnly"}]}),
            )
            .await;
        assert!(rbac(&sim, "RoleBinding", owner).is_none());
        assert!(rbac(&sim, "RoleBinding", dev).is_none());
        assert_eq!(subjects(&sim, viewer), ["bob"]);
        assert_eq!(verbs(viewer), json!(["get", "list", "watch"]));
        let row = &rows(&world).await[0];
        assert_eq!(row.members().len(), 1);
        assert_eq!(row.members()[0].role, "readOnly");

        // Bad input and a failing cluster change neither the bindings nor the row.
        let bad = world
            .gql_as(
                &world.admin(),
                ACCESS,
                json!({"p": pid, "m": [{"subject": "x", "role": "god"}]}),
            )
            .await;
        assert_eq!(first_error(&bad)["code"], "BAD_USER_INPUT");
        sim.inject_failure(FailureRule {
            verb: "patch".into(),
            resource: "rolebindings".into(),
            code: 500,
            times: 1,
        });
        let failed = world
            .gql_as(
                &world.admin(),
                ACCESS,
                json!({"p": pid, "m": [{"subject": "dave", "role": "tenantOwner"}]}),
            )
            .await;
        assert_eq!(first_error(&failed)["code"], "UNAVAILABLE", "{failed}");
        assert_eq!(subjects(&sim, viewer), ["bob"]);
        assert!(rbac(&sim, "RoleBinding", owner).is_none());
        assert_eq!(rows(&world).await[0].members()[0].subject, "bob");
        world.shutdown().await;
    }
}
