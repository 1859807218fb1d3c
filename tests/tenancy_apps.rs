//! Apps against a kubesim cluster with the real KubeVela CRDs, on SQLite and PostgreSQL: after
//! each step the real Application object and the store rows are checked.

mod common;
mod tenancy_apps_support;

use chrono::{Duration, Utc};
use fleetgraph::error::{Error, ErrorCode};
use fleetgraph::tenancy::apps::logs::component_logs;
use fleetgraph::tenancy::apps::spec::{Policy, Trait};
use fleetgraph::tenancy::apps::{diff_revisions, find_app};
use serde_json::json;
use tenancy_apps_support::*;

use common::TestDb;

fn code(e: Error) -> ErrorCode {
    e.code()
}

#[tokio::test]
async fn the_app_lifecycle_writes_the_application_and_keeps_revisions() {
    for db in TestDb::all().await {
        let backend = db.backend;
        let w = world(db).await;
        let apps = w.apps(vec![baseline()]);

        // Create: the Application carries the component, its trait, the baseline policy and
        // publishVersion 1; the store has the app at revision 1.
        let app = apps
            .create(&w.scope, new_app("shop", vec![web("web", "nginx:1.25")]))
            .await
            .expect("created");
        let obj = w.application("shop").expect("Application written");
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "1"
        );
        assert_eq!(
            obj["metadata"]["labels"]["kubenova.io/app-id"],
            app.id.to_string()
        );
        let comp = &obj["spec"]["components"][0];
        assert_eq!(comp["type"], "webservice");
        assert_eq!(comp["properties"]["image"], "nginx:1.25");
        assert_eq!(
            comp["traits"],
            json!([{"type": "scaler", "properties": {"replicas": 1}}])
        );
        assert_eq!(
            obj["spec"]["policies"][0]["name"], "baseline-health",
            "{backend}"
        );
        assert_eq!(w.store.app_revisions(app.id).await.expect("revs").len(), 1);

        // A duplicate is a CONFLICT and changes nothing.
        let dup = apps
            .create(&w.scope, new_app("shop", vec![web("web", "nginx:9")]))
            .await
            .expect_err("duplicate");
        assert_eq!(code(dup), ErrorCode::Conflict);
        assert_eq!(
            w.application("shop").expect("still there")["spec"]["components"][0]["properties"]["image"],
            "nginx:1.25"
        );

        // Deploy with another set attached: a new publishVersion, the set's traits on the
        // component (the user's own scaler kept), revision 2 recorded.
        let apps = w.apps(vec![baseline(), observability()]);
        let app = apps.deploy(&app).await.expect("deployed");
        assert_eq!(app.revision, 2);
        let obj = w.application("shop").expect("Application");
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "2"
        );
        assert_eq!(
            obj["spec"]["components"][0]["traits"],
            json!([{"type": "scaler", "properties": {"replicas": 1}},
                   {"type": "logging", "properties": {"provider": "stdout", "level": "info"}}])
        );

        // KubeVela runs it: status and revisions come from the cluster.
        w.kubevela_reports("shop", running_workflow());
        let status = apps.status(&app).await.expect("status");
        assert!(status.present && status.healthy && !status.suspended);
        assert_eq!(status.phase, "running");
        assert_eq!(status.publish_version.as_deref(), Some("2"));
        let revisions = apps.revisions(&app).await.expect("revisions");
        assert_eq!(revisions.len(), 2);
        assert_eq!(revisions[0].application_revision, None);
        assert_eq!(
            revisions[1].application_revision.as_deref(),
            Some("shop-v2")
        );
        assert_eq!(revisions[1].row.created_by, "alice");
        assert_eq!(revisions[1].row.action, "deploy");

        // Diff: exactly the trait that the set added.
        let changes = diff_revisions(&w.store, &app, 1, 2).await.expect("diff");
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].op, "add");
        assert_eq!(changes[0].path, "/components/0/traits/1");
        let unknown = diff_revisions(&w.store, &app, 1, 9)
            .await
            .expect_err("no rev 9");
        assert_eq!(code(unknown), ErrorCode::NotFound);

        // Logs of the component's pods, through the pod log API, merged by time.
        let now = Utc::now();
        for (pod, offset) in [("shop-web-a", 0), ("shop-web-b", 1)] {
            w.sim
                .apply_object(json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": pod, "namespace": NS, "labels": {
                        "app.oam.dev/name": "shop", "app.oam.dev/component": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}))
                .expect("pod");
            w.sim.set_pod_logs(
                NS,
                pod,
                "web",
                vec![
                    (now - Duration::seconds(600), format!("{pod} old")),
                    (
                        now - Duration::seconds(20 - offset),
                        format!("{pod} starting"),
                    ),
                    (now - Duration::seconds(10 - offset), format!("{pod} ready")),
                ],
            );
        }
        let lines = component_logs(&w.client, &app, "web", Some(3), Some(60))
            .await
            .expect("logs");
        let messages: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "shop-web-b starting",
                "shop-web-a ready",
                "shop-web-b ready"
            ]
        );
        let bad = component_logs(&w.client, &app, "db", None, None).await;
        assert_eq!(
            code(bad.expect_err("no such component")),
            ErrorCode::BadUserInput
        );

        // Image, traits, policies: one revision each, each visible in the Application.
        let app = apps
            .update_image(&app, "web", "nginx", Some("1.26"))
            .await
            .expect("image");
        assert_eq!(
            w.application("shop").expect("app")["spec"]["components"][0]["properties"]["image"],
            "nginx:1.26"
        );
        let traits = vec![Trait {
            type_: "scaler".into(),
            properties: serde_json::from_value(json!({"replicas": 2})).expect("map"),
        }];
        let app = apps
            .set_traits(&app, Some("web"), traits)
            .await
            .expect("traits");
        assert_eq!(
            w.application("shop").expect("app")["spec"]["components"][0]["traits"][0],
            json!({"type": "scaler", "properties": {"replicas": 2}})
        );
        let policies = vec![Policy {
            name: "topology".into(),
            type_: "topology".into(),
            properties: serde_json::from_value(json!({"clusters": ["local"]})).expect("map"),
        }];
        let app = apps.set_policies(&app, policies).await.expect("policies");
        assert_eq!(app.revision, 5);
        let obj = w.application("shop").expect("app");
        assert_eq!(obj["spec"]["policies"][0]["name"], "topology");
        assert_eq!(obj["spec"]["policies"][1]["name"], "baseline-health");
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "5"
        );

        // Suspend / resume: KubeVela's workflow flag on the status subresource.
        w.kubevela_reports("shop", running_workflow());
        let s = apps.suspend(&app).await.expect("suspend");
        assert!(s.suspended);
        let obj = w.application("shop").expect("app");
        assert_eq!(obj["status"]["workflow"]["suspend"], true);
        assert_eq!(obj["status"]["workflow"]["steps"][0]["phase"], "suspending");
        let s = apps.resume(&app).await.expect("resume");
        assert!(!s.suspended);
        let obj = w.application("shop").expect("app");
        assert_eq!(obj["status"]["workflow"]["suspend"], false);
        assert_eq!(obj["status"]["workflow"]["steps"][0]["phase"], "running");

        // Rollback to revision 1: its spec again, under a new publishVersion.
        let app = apps.rollback(&app, Some(1)).await.expect("rollback");
        assert_eq!(app.revision, 6);
        let obj = w.application("shop").expect("app");
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "6"
        );
        assert_eq!(
            obj["spec"]["components"][0]["properties"]["image"],
            "nginx:1.25"
        );
        let rev6 = w
            .store
            .app_revision(app.id, 6)
            .await
            .expect("q")
            .expect("rev 6");
        assert_eq!(
            (rev6.action.as_str(), rev6.rolled_back_from),
            ("rollback", Some(1))
        );
        let missing = apps
            .rollback(&app, Some(42))
            .await
            .expect_err("unknown revision");
        assert_eq!(code(missing), ErrorCode::NotFound);
        assert_eq!(find_app(&w.store, app.id).await.expect("app").revision, 6);

        // Delete: the Application and every row go.
        apps.delete(&app).await.expect("deleted");
        assert!(w.application("shop").is_none());
        assert!(w.store.app(app.id).await.expect("q").is_none());
        assert!(w.store.app_revisions(app.id).await.expect("q").is_empty());
        apps.delete(&app).await.expect("deleting again converges");
        w.sim.shutdown().await;
    }
}
