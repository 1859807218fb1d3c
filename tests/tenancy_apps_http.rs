//! The app mutations over real GraphQL HTTP against kubesim with KubeVela's CRDs, on SQLite and
//! PostgreSQL: after each one the Application in the cluster and the store rows are checked;
//! callers without the right get FORBIDDEN / NOT_FOUND and change nothing.

mod common;

use common::TestDb;
use common::tenancy::{self, TenancyWorld, app_pod, first_error, kubevela_reports, last_audit};
use fleetgraph::auth::Role;
use kubesim::KubeSim;
use serde_json::{Value, json};
use uuid::Uuid;

const NS: &str = "tn-acme-app-web";

fn application(sim: &KubeSim) -> Option<Value> {
    sim.get_object("core.oam.dev/v1beta1", "Application", NS, "shop")
}

fn publish_version(sim: &KubeSim) -> Value {
    application(sim).expect("Application")["metadata"]["annotations"]["app.oam.dev/publishVersion"]
        .clone()
}

/// The store's view: (current revision, revision rows, their actions).
async fn stored(world: &TenancyWorld, id: Uuid) -> Option<(i32, Vec<String>)> {
    let row = world.store.app(id).await.expect("app query")?;
    let revisions = world.store.app_revisions(id).await.expect("revisions");
    Some((
        row.revision,
        revisions.into_iter().map(|r| r.action).collect(),
    ))
}

/// Runs one app mutation as admin and returns its payload's `app` (id, revision).
async fn mutate(world: &TenancyWorld, field: &str, input_type: &str, input: Value) -> Value {
    let query = format!(
        "mutation($i: {input_type}!) {{ {field}(input: $i) {{ app {{ id revision components {{ name image traits {{ type properties }} }} }} }} }}"
    );
    world.admin_ok(&query, json!({"i": input})).await[field]["app"].clone()
}

#[tokio::test]
async fn app_mutations_over_http_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_on(db).await;
        let sim = tenancy::workload_cluster(true).await;
        let cluster = world.register(&sim, "edge").await;
        let tid = world.create_tenant(&cluster, "acme").await;
        let pid = world.create_project(&tid, "web").await;

        // Create: Application with the component and its trait, publishVersion 1, revision 1.
        let data = world
            .admin_ok(
                "mutation($i: CreateAppInput!) { createApp(input: $i) { app { id uuid name namespace revision } } }",
                json!({"i": {"projectId": pid, "name": "shop", "description": "the shop",
                    "components": [{"name": "web", "type": "webservice", "image": "nginx:1.25",
                        "properties": {"ports": [{"port": 80, "expose": true}]},
                        "traits": [{"type": "scaler", "properties": {"replicas": 1}}]}]}}),
            )
            .await;
        let app = &data["createApp"]["app"];
        let id = app["id"].as_str().expect("id").to_string();
        let uuid = Uuid::parse_str(app["uuid"].as_str().expect("uuid")).expect("uuid");
        assert_eq!(app["namespace"], NS, "{backend}");
        let obj = application(&sim).expect("Application written");
        assert_eq!(
            obj["metadata"]["labels"]["kubenova.io/app-id"],
            uuid.to_string()
        );
        let comp = &obj["spec"]["components"][0];
        assert_eq!(comp["properties"]["image"], "nginx:1.25");
        assert_eq!(
            comp["traits"],
            json!([{"type": "scaler", "properties": {"replicas": 1}}])
        );
        assert_eq!(publish_version(&sim), "1");
        assert_eq!(stored(&world, uuid).await, Some((1, vec!["create".into()])));
        assert_eq!(
            last_audit(&world.store, "createApp")
                .await
                .expect("audited")
                .1,
            "success"
        );

        // Deploy: a new publishVersion and revision.
        let out = mutate(&world, "deployApp", "AppInput", json!({"appId": id})).await;
        assert_eq!(out["revision"], 2);
        assert_eq!(publish_version(&sim), "2");
        assert_eq!(stored(&world, uuid).await.expect("row").0, 2);

        // Status and revisions read from the Application KubeVela reports on.
        kubevela_reports(&sim, NS, "shop", tenancy::running_workflow());
        world.await_app_phase(&id, "running").await;
        let data = world
            .admin_ok(
                "query($a: ID!) { app(id: $a) { status { present phase healthy suspended publishVersion latestRevision }
                    revisions { number action applicationRevision } } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(
            data["app"]["status"],
            json!({"present": true, "phase": "running", "healthy": true, "suspended": false,
                   "publishVersion": "2", "latestRevision": "shop-v2"})
        );
        assert_eq!(
            data["app"]["revisions"],
            json!([{"number": 1, "action": "create", "applicationRevision": null},
                   {"number": 2, "action": "deploy", "applicationRevision": "shop-v2"}])
        );

        // Image, traits, policies: one revision each, each in the Application.
        let out = mutate(
            &world,
            "updateAppImage",
            "UpdateAppImageInput",
            json!({"appId": id, "component": "web", "image": "nginx", "tag": "1.26"}),
        )
        .await;
        assert_eq!(out["components"][0]["image"], "nginx:1.26");
        assert_eq!(
            application(&sim).expect("app")["spec"]["components"][0]["properties"]["image"],
            "nginx:1.26"
        );
        let out = mutate(
            &world,
            "setAppTraits",
            "SetAppTraitsInput",
            json!({"appId": id, "component": "web", "traits": [{"type": "scaler", "properties": {"replicas": 3}}]}),
        )
        .await;
        assert_eq!(out["revision"], 4);
        assert_eq!(
            application(&sim).expect("app")["spec"]["components"][0]["traits"],
            json!([{"type": "scaler", "properties": {"replicas": 3}}])
        );
        let data = world
            .admin_ok(
                "mutation($i: SetAppPoliciesInput!) { setAppPolicies(input: $i) { app { revision policies { name type } } } }",
                json!({"i": {"appId": id, "policies": [{"name": "topology", "type": "topology", "properties": {"clusters": ["local"]}}]}}),
            )
            .await;
        assert_eq!(
            data["setAppPolicies"]["app"],
            json!({"revision": 5, "policies": [{"name": "topology", "type": "topology"}]})
        );
        assert_eq!(
            application(&sim).expect("app")["spec"]["policies"],
            json!([{"name": "topology", "type": "topology", "properties": {"clusters": ["local"]}}])
        );
        assert_eq!(
            stored(&world, uuid).await,
            Some((
                5,
                [
                    "create",
                    "deploy",
                    "update-image",
                    "set-traits",
                    "set-policies"
                ]
                .map(String::from)
                .to_vec()
            ))
        );

        // Diff between revisions: the image change, as JSON Patch.
        let data = world
            .admin_ok(
                "query($a: ID!) { app(id: $a) { diff(from: 2, to: 3) { op path value } } }",
                json!({"a": id}),
            )
            .await;
        let changes = data["app"]["diff"].as_array().expect("changes");
        assert!(
            changes.iter().any(|c| c["op"] == "replace"
                && c["path"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("/properties/image")
                && c["value"] == "nginx:1.26"),
            "{changes:?}"
        );
        let body = world
            .gql_as(
                &world.admin(),
                "query($a: ID!) { app(id: $a) { diff(from: 1, to: 42) { op } } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(first_error(&body)["code"], "NOT_FOUND", "{body}");

        // Logs of the component's pods through the pod log API.
        app_pod(
            &sim,
            NS,
            "shop",
            "web",
            "shop-web-a",
            &[(30, "a starting"), (10, "a ready")],
        );
        app_pod(&sim, NS, "shop", "web", "shop-web-b", &[(20, "b ready")]);
        let data = world
            .admin_ok(
                "query($a: ID!) { app(id: $a) { logs(component: \"web\", tail: 2) { pod container message } } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(
            data["app"]["logs"],
            json!([{"pod": "shop-web-b", "container": "web", "message": "b ready"},
                   {"pod": "shop-web-a", "container": "web", "message": "a ready"}])
        );

        // Suspend / resume: KubeVela's workflow flag on the Application's status.
        kubevela_reports(&sim, NS, "shop", tenancy::running_workflow());
        let data = world
            .admin_ok(
                "mutation($a: ID!) { suspendApp(input: {appId: $a}) { status { suspended } } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(data["suspendApp"]["status"]["suspended"], true);
        assert_eq!(
            application(&sim).expect("app")["status"]["workflow"]["suspend"],
            true
        );
        let data = world
            .admin_ok(
                "mutation($a: ID!) { resumeApp(input: {appId: $a}) { status { suspended } } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(data["resumeApp"]["status"]["suspended"], false);
        assert_eq!(
            application(&sim).expect("app")["status"]["workflow"]["suspend"],
            false
        );

        // Rollback to revision 1: its spec again under a new publishVersion.
        let out = mutate(
            &world,
            "rollbackApp",
            "RollbackAppInput",
            json!({"appId": id, "toRevision": 1}),
        )
        .await;
        assert_eq!(out["revision"], 6);
        assert_eq!(publish_version(&sim), "6");
        assert_eq!(
            application(&sim).expect("app")["spec"]["components"][0]["properties"]["image"],
            "nginx:1.25"
        );
        let rev6 = world
            .store
            .app_revision(uuid, 6)
            .await
            .expect("q")
            .expect("rev 6");
        assert_eq!(
            (rev6.action.as_str(), rev6.rolled_back_from),
            ("rollback", Some(1))
        );

        // Callers without the right change nothing.
        let reader = world.token(&[Role::ReadOnly], &["acme"], &[]);
        let stranger = world.token(&[Role::TenantOwner], &["globex"], &[]);
        for (token, code) in [(reader, "FORBIDDEN"), (stranger, "NOT_FOUND")] {
            let body = world
                .gql_as(
                    &token,
                    "mutation($a: ID!) { deployApp(input: {appId: $a}) { app { revision } } }",
                    json!({"a": id}),
                )
                .await;
            assert_eq!(first_error(&body)["code"], code, "{body}");
        }
        assert_eq!(publish_version(&sim), "6");
        assert_eq!(stored(&world, uuid).await.expect("row").0, 6);
        assert_eq!(
            last_audit(&world.store, "deployApp")
                .await
                .expect("audited")
                .1,
            "denied"
        );

        // Delete: the Application and the rows go.
        let data = world
            .admin_ok(
                "mutation($a: ID!) { deleteApp(input: {appId: $a}) { deletedAppId } }",
                json!({"a": id}),
            )
            .await;
        assert_eq!(data["deleteApp"]["deletedAppId"], id);
        assert!(application(&sim).is_none());
        assert_eq!(stored(&world, uuid).await, None);
        assert!(world.store.app_revisions(uuid).await.expect("q").is_empty());
        world.shutdown().await;
        sim.shutdown().await;
    }
}
