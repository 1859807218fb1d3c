//! `tenantChanged` and `appStatusChanged` over real WebSocket clients: tenancy writes made
//! through the GraphQL API arrive as events (on SQLite and PostgreSQL), nothing of another
//! tenant reaches a scoped subscriber, and an app's status change in its cluster arrives from
//! the watch on its Application.

mod common;

use common::sim::eventually_async;
use common::tenancy::{TenancyWorld, start_on, workload_cluster};
use common::ws::{Protocol, WsClient};
use common::{TestDb, TestServer};
use fleetgraph::auth::Role;
use kubesim::KubeSim;
use serde_json::{Value, json};

const TENANT_CHANGED: &str = "subscription T($f: TenantChangeFilter) { tenantChanged(filter: $f) { change entity id name tenantId tenant { name } project { name namespace } app { name } policySet { name } } }";
const APP_STATUS: &str = "subscription A($id: ID!) { appStatusChanged(app: $id) { change app { id name revision } status { present phase healthy suspended } } }";

fn path(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::TransportWs => "/graphql/ws",
        Protocol::Legacy => "/graphql",
    }
}

async fn active_subscriptions(server: &TestServer) -> u64 {
    let text = server.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("fleetgraph_subscriptions_active "))
        .map(|v| v.trim().parse::<f64>().unwrap() as u64)
        .unwrap_or(0)
}

/// Connects as `token`, subscribes, and returns once the server runs the subscription.
async fn subscribe(
    world: &TenancyWorld,
    protocol: Protocol,
    token: &str,
    query: &str,
    variables: Value,
) -> WsClient {
    subscribe_on(&world.server, protocol, token, query, variables).await
}

async fn subscribe_on(
    server: &TestServer,
    protocol: Protocol,
    token: &str,
    query: &str,
    variables: Value,
) -> WsClient {
    let before = active_subscriptions(server).await;
    let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
    client
        .init(json!({ "Authorization": format!("Bearer {token}") }))
        .await
        .expect("acknowledged");
    client.subscribe("s", query, variables).await;
    eventually_async(30, "the subscription runs", || async {
        active_subscriptions(server).await > before
    })
    .await;
    client
}

async fn create_tenant(world: &TenancyWorld, cluster: &str, name: &str) -> String {
    let data = world
        .admin_ok(
            "mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }",
            json!({"i": {"clusterId": cluster, "name": name, "owners": [format!("{name}-owner")]}}),
        )
        .await;
    data["createTenant"]["tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn create_project(world: &TenancyWorld, tenant: &str, name: &str) -> String {
    let data = world
        .admin_ok(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }",
            json!({"i": {"tenantId": tenant, "name": name}}),
        )
        .await;
    data["createProject"]["project"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn create_app(world: &TenancyWorld, project: &str, name: &str) -> String {
    let data = world
        .admin_ok(
            "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id } } }",
            json!({"i": {"projectId": project, "name": name, "image": "nginx:1.25"}}),
        )
        .await;
    data["createApp"]["app"]["id"].as_str().unwrap().to_string()
}

fn event(data: &Value) -> (String, String, String) {
    let e = &data["tenantChanged"];
    (
        e["change"].as_str().unwrap().to_string(),
        e["entity"].as_str().unwrap().to_string(),
        e["name"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn tenancy_writes_arrive_and_other_tenants_never_do() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = start_on(db).await;
        let sim = workload_cluster(true).await;
        let cluster = world.register(&sim, "east").await;
        let acme = create_tenant(&world, &cluster, "acme").await;
        let globex = create_tenant(&world, &cluster, "globex").await;

        for protocol in Protocol::BOTH {
            let owner = world.token(&[Role::TenantOwner], &["acme"], &[]);
            let mut client = subscribe(&world, protocol, &owner, TENANT_CHANGED, json!({})).await;

            // A project of the other tenant is created first, then one of acme: the first
            // event the owner of acme sees is acme's.
            let web = format!("web-{}", protocol as u8);
            create_project(&world, &globex, &format!("hidden-{}", protocol as u8)).await;
            let project = create_project(&world, &acme, &web).await;
            let data = client.next_data("s").await;
            assert_eq!(
                event(&data),
                ("ADDED".into(), "PROJECT".into(), web.clone()),
                "{backend} {protocol:?}: {data}"
            );
            let e = &data["tenantChanged"];
            assert_eq!(e["tenant"]["name"], "acme");
            assert_eq!(e["tenantId"], acme);
            assert_eq!(e["id"], project);
            assert_eq!(e["project"]["namespace"], format!("tn-acme-app-{web}"));

            // Apps inside the tenant are tenant changes too, carrying the app.
            let app = create_app(&world, &project, "shop").await;
            let data = client.next_data("s").await;
            assert_eq!(event(&data), ("ADDED".into(), "APP".into(), "shop".into()));
            assert_eq!(data["tenantChanged"]["id"], app);
            assert_eq!(data["tenantChanged"]["app"]["name"], "shop");

            // Updating the other tenant is withheld; updating acme arrives.
            for (id, owner) in [(&globex, "someone"), (&acme, "second-owner")] {
                world
                    .admin_ok(
                        "mutation($i: SetTenantOwnersInput!) { setTenantOwners(input: $i) { tenant { id } } }",
                        json!({"i": {"tenantId": id, "owners": [owner]}}),
                    )
                    .await;
            }
            let data = client.next_data("s").await;
            assert_eq!(
                event(&data),
                ("UPDATED".into(), "TENANT".into(), "acme".into())
            );

            // Deleting the app and the project: REMOVED events with the names they had.
            world
                .admin_ok(
                    "mutation($i: AppInput!) { deleteApp(input: $i) { deletedAppId } }",
                    json!({"i": {"appId": app}}),
                )
                .await;
            let data = client.next_data("s").await;
            assert_eq!(
                event(&data),
                ("REMOVED".into(), "APP".into(), "shop".into())
            );
            assert!(data["tenantChanged"]["app"].is_null());
            world
                .admin_ok(
                    "mutation($i: DeleteProjectInput!) { deleteProject(input: $i) { deletedProjectId } }",
                    json!({"i": {"id": project}}),
                )
                .await;
            let data = client.next_data("s").await;
            assert_eq!(
                event(&data),
                ("REMOVED".into(), "PROJECT".into(), web.clone())
            );
        }

        // A filter narrows to one tenant; deleting it is its last event, tenant null.
        let admin = world.admin();
        let mut client = subscribe(
            &world,
            Protocol::TransportWs,
            &admin,
            TENANT_CHANGED,
            json!({"f": {"tenant": {"name": "GLOB"}, "entities": ["TENANT"]}}),
        )
        .await;
        create_project(&world, &acme, "ignored").await;
        world
            .admin_ok(
                "mutation($i: DeleteTenantInput!) { deleteTenant(input: $i) { deletedTenantId } }",
                json!({"i": {"id": globex}}),
            )
            .await;
        let data = client.next_data("s").await;
        assert_eq!(
            event(&data),
            ("REMOVED".into(), "TENANT".into(), "globex".into()),
            "{backend}: {data}"
        );
        assert!(data["tenantChanged"]["tenant"].is_null());
        assert_eq!(data["tenantChanged"]["tenantId"], globex);

        world.shutdown().await;
    }
}

fn set_status(sim: &KubeSim, namespace: &str, name: &str, phase: &str, suspend: bool) {
    let mut app = sim
        .get_object("core.oam.dev/v1beta1", "Application", namespace, name)
        .expect("Application exists");
    app["status"] = json!({
        "status": phase,
        "services": [{"name": name, "healthy": phase == "running", "namespace": namespace}],
        "workflow": {"suspend": suspend, "finished": false, "terminated": false, "mode": "StepByStep", "steps": []},
    });
    sim.apply_object(app).expect("status written");
}

#[tokio::test]
async fn app_status_arrives_from_the_application_watch() {
    let world = start_on(TestDb::from_env().await).await;
    let sim = workload_cluster(true).await;
    let cluster = world.register(&sim, "east").await;
    let acme = create_tenant(&world, &cluster, "acme").await;
    let project = create_project(&world, &acme, "web").await;
    let app = create_app(&world, &project, "shop").await;
    let namespace = "tn-acme-app-web";

    // A projectDev of another project may not watch it: the app is not found for them.
    let outsider = world.token(&[Role::ProjectDev], &[], &["acme/other"]);
    let mut client =
        WsClient::connect(&world.server.url, "/graphql/ws", Protocol::TransportWs).await;
    client
        .init(json!({ "Authorization": format!("Bearer {outsider}") }))
        .await
        .expect("acknowledged");
    client.subscribe("s", APP_STATUS, json!({"id": app})).await;
    let message = client.next_message().await;
    // A failed subscribe comes back as an `error` message or as a result with errors.
    let code = match message["type"].as_str() {
        Some("error") => &message["payload"][0]["extensions"]["code"],
        _ => &message["payload"]["errors"][0]["extensions"]["code"],
    };
    assert_eq!(code, "NOT_FOUND", "{message}");
    assert!(message["payload"]["data"].is_null(), "{message}");

    for (round, protocol) in Protocol::BOTH.into_iter().enumerate() {
        let dev = world.token(&[Role::ProjectDev], &[], &["acme/web"]);
        let mut client = subscribe(&world, protocol, &dev, APP_STATUS, json!({"id": app})).await;

        // KubeVela reports the app running: one event with that status.
        let phase = format!("running-{}", protocol as u8);
        set_status(&sim, namespace, "shop", &phase, false);
        let data = client.next_data("s").await;
        let e = &data["appStatusChanged"];
        assert_eq!(e["change"], "UPDATED", "{data}");
        assert_eq!(e["app"]["id"], app);
        assert_eq!(e["status"]["phase"], phase.as_str());
        assert_eq!(e["status"]["present"], true);

        // The cluster drops every watch and compacts its history: the watch resumes (by a
        // new list) and the state written meanwhile still arrives, once.
        sim.compact();
        sim.drop_watches();
        set_status(&sim, namespace, "shop", &phase, false);
        set_status(&sim, namespace, "shop", "degraded", false);
        let data = client.next_data("s").await;
        assert_eq!(
            data["appStatusChanged"]["status"]["phase"], "degraded",
            "{data}"
        );
        set_status(&sim, namespace, "shop", &phase, false);
        let data = client.next_data("s").await;
        assert_eq!(
            data["appStatusChanged"]["status"]["phase"],
            phase.as_str(),
            "{data}"
        );

        // The same status written again is no event; a suspension is.
        set_status(&sim, namespace, "shop", &phase, false);
        set_status(&sim, namespace, "shop", &phase, true);
        let data = client.next_data("s").await;
        assert_eq!(
            data["appStatusChanged"]["status"]["suspended"], true,
            "{data}"
        );

        // A deploy through the API is a new revision: an event carrying it.
        world
            .admin_ok(
                "mutation($i: AppInput!) { deployApp(input: $i) { app { revision } } }",
                json!({"i": {"appId": app}}),
            )
            .await;
        // The new publishVersion on the Application may show first, then the new revision.
        loop {
            let data = client.next_data("s").await;
            let e = &data["appStatusChanged"];
            assert_eq!(e["change"], "UPDATED", "{data}");
            if e["app"]["revision"].as_i64().unwrap() == 2 + round as i64 {
                break;
            }
        }
        client.complete("s").await;
    }

    // Deleting the app ends the stream with REMOVED.
    let dev = world.token(&[Role::ProjectDev], &[], &["acme/web"]);
    let mut client = subscribe(
        &world,
        Protocol::TransportWs,
        &dev,
        APP_STATUS,
        json!({"id": app}),
    )
    .await;
    world
        .admin_ok(
            "mutation($i: AppInput!) { deleteApp(input: $i) { deletedAppId } }",
            json!({"i": {"appId": app}}),
        )
        .await;
    let removed = loop {
        let data = client.next_data("s").await;
        if data["appStatusChanged"]["change"] == "REMOVED" {
            break data;
        }
        // The Application's deletion in the cluster may show first, as a missing app.
        assert_eq!(
            data["appStatusChanged"]["status"]["present"], false,
            "{data}"
        );
    };
    assert_eq!(removed["appStatusChanged"]["app"]["name"], "shop");
    let done = client.next_message().await;
    assert_eq!(done["type"], "complete", "{done}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_write_on_one_replica_reaches_subscribers_of_another() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("skipped: set FLEETGRAPH_TEST_DATABASE_URL to run against PostgreSQL");
        return;
    };
    let world = start_on(db).await;
    let replica = world.replica().await;
    let sim = workload_cluster(false).await;
    let cluster = world.register(&sim, "east").await;
    let acme = create_tenant(&world, &cluster, "acme").await;

    let owner = world.token(&[Role::TenantOwner], &["acme"], &[]);
    let mut client = subscribe_on(
        &replica,
        Protocol::TransportWs,
        &owner,
        TENANT_CHANGED,
        json!({}),
    )
    .await;
    // Written through the first server, heard by the subscriber of the second.
    create_project(&world, &acme, "web").await;
    let data = client.next_data("s").await;
    assert_eq!(
        event(&data),
        ("ADDED".into(), "PROJECT".into(), "web".into())
    );
    assert_eq!(
        data["tenantChanged"]["project"]["namespace"],
        "tn-acme-app-web"
    );
    replica.shutdown().await;
    world.shutdown().await;
}
