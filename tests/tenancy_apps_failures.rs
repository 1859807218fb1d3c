//! Bad input and failures mid-operation leave nothing half-written: no store row without its
//! Application, no Application without its row, and a failed publish is put back.

mod common;
mod tenancy_apps_support;

use fleetgraph::error::ErrorCode;
use fleetgraph::tenancy::apps::find_app;
use kubesim::FailureRule;
use serde_json::json;
use tenancy_apps_support::*;

use common::TestDb;

fn fail(verb: &str, code: u16) -> FailureRule {
    FailureRule {
        verb: verb.into(),
        resource: "applications".into(),
        code,
        times: 1,
    }
}

#[tokio::test]
async fn bad_input_and_failing_clusters_leave_nothing_half_written() {
    for db in TestDb::all().await {
        let w = world(db).await;
        let apps = w.apps(vec![baseline()]);
        let count = || async {
            w.store
                .count_apps(None, Some(w.scope.project_id))
                .await
                .expect("count")
        };

        // Invalid names, images, component lists: BAD_USER_INPUT with the field, nothing written.
        for (input, field) in [
            (new_app("Shop_1", vec![web("web", "nginx")]), "input.name"),
            (
                new_app("shop", vec![web("web", "Not An Image")]),
                "input.components[0].image",
            ),
            (
                new_app("shop", vec![web("Web", "nginx")]),
                "input.components[0].name",
            ),
            (
                new_app("shop", vec![web("web", "nginx"), web("web", "nginx")]),
                "input.components[1].name",
            ),
            (new_app("shop", vec![]), "input.components"),
        ] {
            let e = apps.create(&w.scope, input).await.expect_err("invalid");
            assert_eq!(e.code(), ErrorCode::BadUserInput);
            assert!(
                matches!(&e, fleetgraph::error::Error::BadUserInput { field: Some(f), .. } if f == field),
                "{e:?} should name {field}"
            );
        }
        assert_eq!(count().await, 0);
        assert!(w.application("shop").is_none() && w.application("Shop_1").is_none());

        // The cluster fails the write: UNAVAILABLE, and no store row.
        w.sim.inject_failure(fail("patch", 500));
        let e = apps
            .create(&w.scope, new_app("shop", vec![web("web", "nginx:1.25")]))
            .await
            .expect_err("cluster down");
        assert_eq!(e.code(), ErrorCode::Unavailable);
        assert_eq!(count().await, 0);
        assert!(w.application("shop").is_none());

        // An Application of that name that fleetgraph did not create is not taken over.
        w.sim
            .apply_object(
                json!({"apiVersion": "core.oam.dev/v1beta1", "kind": "Application",
                "metadata": {"name": "legacy", "namespace": NS},
                "spec": {"components": [{"name": "x", "type": "webservice"}]}}),
            )
            .expect("foreign app");
        let e = apps
            .create(&w.scope, new_app("legacy", vec![web("web", "nginx")]))
            .await
            .expect_err("foreign");
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert_eq!(
            w.application("legacy").expect("kept")["spec"]["components"][0]["name"],
            "x"
        );

        // A publish the cluster refuses changes neither the Application nor the store.
        let app = apps
            .create(&w.scope, new_app("shop", vec![web("web", "nginx:1.25")]))
            .await
            .expect("created");
        w.sim.inject_failure(fail("patch", 500));
        let e = apps
            .update_image(&app, "web", "nginx", Some("1.26"))
            .await
            .expect_err("down");
        assert_eq!(e.code(), ErrorCode::Unavailable);
        assert_eq!(find_app(&w.store, app.id).await.expect("app").revision, 1);
        assert_eq!(w.store.app_revisions(app.id).await.expect("revs").len(), 1);
        let obj = w.application("shop").expect("app");
        assert_eq!(
            obj["spec"]["components"][0]["properties"]["image"],
            "nginx:1.25"
        );
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "1"
        );

        // Bad image on update: nothing at all happens.
        let e = apps
            .update_image(&app, "web", "nginx", Some("bad tag"))
            .await
            .expect_err("tag");
        assert_eq!(e.code(), ErrorCode::BadUserInput);

        // The store refuses a publish (another one landed first, from a stale read): the
        // cluster write is put back to what the store records.
        let current = apps.deploy(&app).await.expect("deploy");
        assert_eq!(current.revision, 2);
        let e = apps
            .update_image(&app, "web", "nginx", Some("1.27"))
            .await
            .expect_err("stale");
        assert_eq!(e.code(), ErrorCode::Conflict);
        let obj = w.application("shop").expect("app");
        assert_eq!(
            obj["metadata"]["annotations"]["app.oam.dev/publishVersion"],
            "2"
        );
        assert_eq!(
            obj["spec"]["components"][0]["properties"]["image"],
            "nginx:1.25"
        );
        assert_eq!(w.store.app_revisions(app.id).await.expect("revs").len(), 2);

        // Rollback without a previous revision of a new app, and to the current revision.
        let e = apps.rollback(&current, Some(2)).await.expect_err("current");
        assert_eq!(e.code(), ErrorCode::BadUserInput);

        // Suspend before KubeVela reported a workflow: CONFLICT, nothing written.
        let e = apps.suspend(&current).await.expect_err("not running");
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert!(
            w.application("shop")
                .expect("app")
                .get("status")
                .is_none_or(|s| s.get("workflow").is_none())
        );

        // Delete while the cluster is down: the app stays, whole; the retry converges.
        w.sim.inject_failure(fail("delete", 500));
        let e = apps.delete(&current).await.expect_err("down");
        assert_eq!(e.code(), ErrorCode::Unavailable);
        assert!(w.application("shop").is_some());
        assert_eq!(find_app(&w.store, app.id).await.expect("kept").revision, 2);
        apps.delete(&current).await.expect("retry");
        assert!(w.application("shop").is_none());
        assert_eq!(count().await, 0);
        w.sim.shutdown().await;
    }
}
