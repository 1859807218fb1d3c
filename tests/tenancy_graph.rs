//! The tenancy graph over HTTP against kubesim, on SQLite and PostgreSQL: the catalog, usage
//! fed by the periodic sampler, a project's apps, `node(id)` for apps, and scoping of all of
//! them by the caller's token.

mod common;

use chrono::{DateTime, Utc};
use common::TestDb;
use common::sim::eventually_async;
use common::tenancy::{self, TenancyWorld, first_error, quota_status};
use fleetgraph::auth::Role;
use serde_json::{Value, json};
use uuid::Uuid;

const NS: &str = "tn-acme-app-web";

async fn uid(world: &TenancyWorld, type_field: &str, id: &str) -> Uuid {
    let data = world
        .admin_ok(
            &format!("query($id: ID!) {{ {type_field}(id: $id) {{ uid }} }}"),
            json!({"id": id}),
        )
        .await;
    Uuid::parse_str(data[type_field]["uid"].as_str().expect("uid")).expect("uuid")
}

/// Waits until the sampler stored a `pods` reading of `used` for the scope.
async fn sampled(world: &TenancyWorld, scope: &str, id: Uuid, used: f64) {
    let store = world.store.clone();
    eventually_async(30, &format!("a {scope} sample of {used} pods"), || {
        let store = store.clone();
        async move {
            store
                .usage_samples(scope, id, DateTime::<Utc>::UNIX_EPOCH)
                .await
                .expect("samples")
                .iter()
                .any(|s| s.resource == "pods" && s.used == used)
        }
    })
    .await;
}

fn pods(usage: &Value) -> &Value {
    usage["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["resource"] == "pods")
        .expect("pods reading")
}

const USAGE: &str = "query($t: ID!, $p: ID!, $r: String) {
    tenant(id: $t) { usage(range: $r) { range from to resources { resource current average peak hard samples } } }
    project(id: $p) { usage(range: $r) { range resources { resource current average peak hard samples } } }
}";

#[tokio::test]
async fn catalog_usage_apps_and_nodes_on_every_backend() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let world = tenancy::start_configured(db, |c| {
            c.tenancy.usage_sample_interval_secs = 1;
        })
        .await;
        let sim = tenancy::workload_cluster(true).await;
        let cluster = world.register(&sim, "edge").await;
        let tid = world.create_tenant(&cluster, "acme").await;
        let pid = world.create_project(&tid, "web").await;
        let other_tid = world.create_tenant(&cluster, "globex").await;

        // Catalog: the shipped one without a cluster; the cluster's definitions with it.
        const CATALOG: &str = "query($c: ID) { catalog(clusterId: $c) {
            components { name description namespace source detail }
            traits { name source } workflows { name source } } }";
        let data = world.admin_ok(CATALOG, json!({"c": null})).await;
        assert_eq!(data["catalog"]["components"][0]["name"], "web", "{backend}");
        assert_eq!(data["catalog"]["components"][0]["source"], "BUILTIN");
        assert_eq!(data["catalog"]["traits"][0]["name"], "scaler");
        sim.load_objects(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "vela-system"}}),
            json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "ComponentDefinition",
                "metadata": {"name": "webservice", "namespace": "vela-system",
                    "annotations": {"definition.oam.dev/description": "Long-running service"}},
                "spec": {"workload": {"definition": {"apiVersion": "apps/v1", "kind": "Deployment"}}}}),
        ])
        .expect("definitions");
        let data = world.admin_ok(CATALOG, json!({"c": cluster})).await;
        let c = &data["catalog"];
        assert_eq!(
            c["components"],
            json!([{"name": "webservice", "description": "Long-running service",
                "namespace": "vela-system", "source": "CLUSTER",
                "detail": {"workload": {"definition": {"apiVersion": "apps/v1", "kind": "Deployment"}}}}])
        );
        assert_eq!(
            c["traits"],
            json!([{"name": "scaler", "source": "BUILTIN"}])
        );
        assert_eq!(
            c["workflows"],
            json!([{"name": "rollout", "source": "BUILTIN"}])
        );
        // A cluster the caller does not see is NOT_FOUND; no token is UNAUTHENTICATED.
        let globex_owner = world.token(&[Role::TenantOwner], &["globex"], &[]);
        let nobody = world.token(&[Role::TenantOwner], &["initech"], &[]);
        let body = world.gql_as(&nobody, CATALOG, json!({"c": cluster})).await;
        assert_eq!(first_error(&body)["code"], "NOT_FOUND", "{body}");
        let body = world
            .server
            .gql("{ catalog { components { name } } }")
            .await;
        assert_eq!(first_error(&body)["code"], "UNAUTHENTICATED", "{body}");

        // Usage: the sampler stores readings of the tenant and the project; the range
        // aggregates them with the current quota status.
        let tenant_uid = uid(&world, "tenant", &tid).await;
        let project_uid = uid(&world, "project", &pid).await;
        quota_status(&sim, NS, json!({"pods": "10"}), json!({"pods": "8"}));
        sampled(&world, "tenant", tenant_uid, 8.0).await;
        sampled(&world, "project", project_uid, 8.0).await;
        quota_status(&sim, NS, json!({"pods": "10"}), json!({"pods": "2"}));
        sampled(&world, "tenant", tenant_uid, 2.0).await;
        sampled(&world, "project", project_uid, 2.0).await;
        let data = world
            .admin_ok(USAGE, json!({"t": tid, "p": pid, "r": "1h"}))
            .await;
        for usage in [&data["tenant"]["usage"], &data["project"]["usage"]] {
            assert_eq!(usage["range"], "1h");
            let p = pods(usage);
            assert_eq!(
                (&p["current"], &p["peak"], &p["hard"]),
                (&json!(2.0), &json!(8.0), &json!(10.0))
            );
            assert!(p["samples"].as_u64().expect("n") >= 3, "{p}");
            let average = p["average"].as_f64().expect("average");
            assert!(average > 2.0 && average < 8.0, "{backend}: {p}");
        }
        let from: DateTime<Utc> = data["tenant"]["usage"]["from"]
            .as_str()
            .expect("from")
            .parse()
            .expect("time");
        let to: DateTime<Utc> = data["tenant"]["usage"]["to"]
            .as_str()
            .expect("to")
            .parse()
            .expect("time");
        assert_eq!(to - from, chrono::Duration::hours(1));
        let body = world
            .gql_as(
                &world.admin(),
                USAGE,
                json!({"t": tid, "p": pid, "r": "2h"}),
            )
            .await;
        assert_eq!(first_error(&body)["code"], "BAD_USER_INPUT", "{body}");
        // Another tenant's owner sees neither usage.
        let body = world
            .gql_as(&globex_owner, USAGE, json!({"t": tid, "p": pid}))
            .await;
        assert_eq!(body["data"]["tenant"], Value::Null, "{body}");
        assert_eq!(body["data"]["project"], Value::Null, "{body}");

        // The tenant page in one query: tenant, projects, their apps and app status.
        let app = world.create_app(&pid, "shop", "nginx:1.25").await;
        world.create_app(&pid, "api", "api:1").await;
        const PAGE: &str = "query($t: ID!) { tenant(id: $t) { name projects { edges { node { name
            apps(first: 1) { totalCount pageInfo { hasNextPage } edges { node { name status { present phase } } } } } } } } }";
        let data = world.admin_ok(PAGE, json!({"t": tid})).await;
        let apps = &data["tenant"]["projects"]["edges"][0]["node"]["apps"];
        assert_eq!(apps["totalCount"], 2);
        assert_eq!(apps["pageInfo"]["hasNextPage"], true);
        assert_eq!(
            apps["edges"][0]["node"],
            json!({"name": "api", "status": {"present": true, "phase": "pending"}})
        );

        // node(id) resolves apps for whoever sees their project, and for nobody else.
        const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on App { name namespace } } }";
        let reader = world.token(&[Role::ReadOnly], &["acme"], &[]);
        let dev_other_project = world.token(&[Role::ProjectDev], &[], &["acme/api"]);
        for (token, visible) in [
            (world.admin(), true),
            (reader, true),
            (globex_owner.clone(), false),
            (dev_other_project, false),
        ] {
            let body = world.gql_as(&token, NODE, json!({"id": app})).await;
            assert!(body.get("errors").is_none(), "{body}");
            if visible {
                assert_eq!(
                    body["data"]["node"],
                    json!({"id": app, "name": "shop", "namespace": NS})
                );
            } else {
                assert_eq!(body["data"]["node"], Value::Null, "{body}");
            }
        }
        let body = world.gql_as(&globex_owner, PAGE, json!({"t": tid})).await;
        assert_eq!(body["data"]["tenant"], Value::Null, "{body}");
        let body = world
            .gql_as(&globex_owner, PAGE, json!({"t": other_tid}))
            .await;
        assert_eq!(body["data"]["tenant"]["name"], "globex", "{body}");
        world.shutdown().await;
        sim.shutdown().await;
    }
}
