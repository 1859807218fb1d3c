//! Lists (every label-selector operator, field selectors, pagination), the status subresource,
//! server-side apply, finalizers and namespace deletion, through the real `kube` client.

mod common;

use common::{admin, crd_text, start, within};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ResourceQuota};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

async fn seed(cms: &Api<ConfigMap>) {
    let labels = [
        ("a", json!({"app": "web", "tier": "front"})),
        ("b", json!({"app": "web", "tier": "back"})),
        ("c", json!({"app": "db"})),
        ("d", json!({})),
    ];
    for (name, l) in labels {
        let cm: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": name, "labels": l}})).unwrap();
        cms.create(&PostParams::default(), &cm).await.unwrap();
    }
}

fn names(l: &kube::core::ObjectList<ConfigMap>) -> Vec<String> {
    l.items
        .iter()
        .map(|c| c.metadata.name.clone().unwrap())
        .collect()
}

#[tokio::test]
async fn label_field_selectors_and_pagination() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(30, async {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        seed(&cms).await;
        let cases = [
            ("app=web", vec!["a", "b"]),
            ("app==web", vec!["a", "b"]),
            ("app!=web", vec!["c", "d"]),
            ("app in (db,web)", vec!["a", "b", "c"]),
            ("app notin (web)", vec!["c", "d"]),
            ("tier", vec!["a", "b"]),
            ("!tier", vec!["c", "d"]),
            ("app=web,tier!=back", vec!["a"]),
        ];
        for (sel, want) in cases {
            let l = cms.list(&ListParams::default().labels(sel)).await.unwrap();
            assert_eq!(names(&l), want, "selector {sel}");
        }
        let l = cms
            .list(&ListParams::default().fields("metadata.name=c"))
            .await
            .unwrap();
        assert_eq!(names(&l), vec!["c"]);
        let l = cms
            .list(&ListParams::default().fields("metadata.name!=c,metadata.namespace=default"))
            .await
            .unwrap();
        assert_eq!(names(&l), vec!["a", "b", "d"]);
        let err = cms
            .list(&ListParams::default().labels("app in web"))
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 400);

        // pagination: pages of 3 over 10 more objects, stable and complete
        for i in 0..10 {
            let cm: ConfigMap = serde_json::from_value(
                json!({"metadata": {"name": format!("p{i:02}"), "labels": {"page": "yes"}}}),
            )
            .unwrap();
            cms.create(&PostParams::default(), &cm).await.unwrap();
        }
        let mut seen = Vec::new();
        let mut lp = ListParams::default().labels("page=yes").limit(3);
        let mut pages = 0;
        let mut first_rv = None;
        loop {
            let page = cms.list(&lp).await.unwrap();
            pages += 1;
            let rv = page.metadata.resource_version.clone().unwrap();
            first_rv.get_or_insert(rv.clone());
            assert_eq!(Some(rv), first_rv, "pages keep the list's resourceVersion");
            seen.extend(names(&page));
            match page.metadata.continue_ {
                Some(c) if !c.is_empty() => lp = lp.continue_token(&c),
                _ => break,
            }
        }
        assert_eq!(pages, 4);
        let want: Vec<String> = (0..10).map(|i| format!("p{i:02}")).collect();
        assert_eq!(seen, want);
        // across namespaces
        let all: Api<ConfigMap> = Api::all(client.clone());
        assert_eq!(
            all.list(&ListParams::default()).await.unwrap().items.len(),
            14
        );
        // deletecollection with a selector
        cms.delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("page=yes"),
        )
        .await
        .unwrap();
        assert_eq!(
            cms.list(&ListParams::default()).await.unwrap().items.len(),
            4
        );
    })
    .await;
}

#[tokio::test]
async fn status_subresource_split_and_generation() {
    let sim = start().await;
    sim.load_yaml(&crd_text(
        "sveltos/lib.projectsveltos.io_sveltosclusters.yaml",
    ))
    .unwrap();
    let client = admin(&sim).await;
    within(30, async {
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("lib.projectsveltos.io", "v1beta1", "SveltosCluster"),
            "sveltosclusters",
        );
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
        let obj: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "lib.projectsveltos.io/v1beta1", "kind": "SveltosCluster",
            "metadata": {"name": "c1"},
            "spec": {"kubeconfigName": "c1-kubeconfig"},
            "status": {"ready": true}
        }))
        .unwrap();
        let created = api.create(&PostParams::default(), &obj).await.unwrap();
        assert_eq!(created.metadata.generation, Some(1));
        assert!(
            created.data["status"].get("ready").is_none(),
            "status is ignored on create: {:?}",
            created.data
        );

        // status through /status does not bump generation
        let st = api
            .patch_status(
                "c1",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"ready": true, "version": "v1.30.0"}})),
            )
            .await
            .unwrap();
        assert_eq!(st.data["status"]["ready"], true);
        assert_eq!(st.metadata.generation, Some(1));
        // status changes on the main endpoint are ignored; spec changes bump generation
        let main = api
            .patch(
                "c1",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"paused": true}, "status": {"ready": false}})),
            )
            .await
            .unwrap();
        assert_eq!(main.data["status"]["ready"], true);
        assert_eq!(main.data["spec"]["paused"], true);
        assert_eq!(main.metadata.generation, Some(2));
        // spec changes through /status are ignored
        let st = api
            .patch_status(
                "c1",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"paused": false}})),
            )
            .await
            .unwrap();
        assert_eq!(st.data["spec"]["paused"], true);
        // metadata-only changes do not bump generation
        let m = api
            .patch(
                "c1",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
            )
            .await
            .unwrap();
        assert_eq!(m.metadata.generation, Some(2));
    })
    .await;

    // a built-in with status: ResourceQuota
    within(30, async {
        let rq: Api<ResourceQuota> = Api::namespaced(client.clone(), "default");
        let q: ResourceQuota = serde_json::from_value(
            json!({"metadata": {"name": "q"}, "spec": {"hard": {"pods": "10"}}}),
        )
        .unwrap();
        rq.create(&PostParams::default(), &q).await.unwrap();
        let st = rq
            .patch_status(
                "q",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"used": {"pods": "3"}}})),
            )
            .await
            .unwrap();
        assert_eq!(st.status.unwrap().used.unwrap()["pods"].0, "3");
    })
    .await;
}

#[tokio::test]
async fn server_side_apply_create_update_conflict_force() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(30, async {
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
        let cfg = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1", "b": "1"}});
        let pp = PatchParams::apply("alpha");
        let created = cms.patch("ssa", &pp, &Patch::Apply(&cfg)).await.unwrap();
        assert_eq!(created.data.clone().unwrap()["a"], "1");
        let mf = created.metadata.managed_fields.clone().unwrap();
        assert_eq!(mf.len(), 1);
        assert_eq!((mf[0].manager.as_deref(), mf[0].operation.as_deref()), (Some("alpha"), Some("Apply")));

        // another manager setting a different value conflicts
        let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "2"}});
        let err = cms.patch("ssa", &PatchParams::apply("beta"), &Patch::Apply(&other)).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"));
        assert!(s.message.contains("conflict with \"alpha\""), "{}", s.message);
        // same value: shared ownership, no conflict
        let same = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"b": "1"}});
        cms.patch("ssa", &PatchParams::apply("beta"), &Patch::Apply(&same)).await.unwrap();
        // force takes the field
        let forced = cms.patch("ssa", &PatchParams::apply("beta").force(), &Patch::Apply(&other)).await.unwrap();
        assert_eq!(forced.data.clone().unwrap()["a"], "2");
        // beta's last apply no longer has b, so alpha alone owns it: when alpha drops b it goes;
        // a stays (beta owns it since the forced apply)
        let alpha2 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"c": "3"}});
        let after = cms.patch("ssa", &PatchParams::apply("alpha"), &Patch::Apply(&alpha2)).await.unwrap();
        let data = after.data.unwrap();
        assert_eq!((data.get("a").map(String::as_str), data.get("b").map(String::as_str), data.get("c").map(String::as_str)), (Some("2"), None, Some("3")));
        // apply without fieldManager is rejected
        let err = cms.patch("ssa", &PatchParams::default(), &Patch::Apply(&alpha2)).await;
        assert!(err.is_err());
        // an update by a PUT-style manager then conflicts with apply
        cms.patch("ssa", &PatchParams { field_manager: Some("editor".into()), ..Default::default() }, &Patch::Merge(json!({"data": {"c": "edited"}})))
            .await
            .unwrap();
        let err = cms.patch("ssa", &PatchParams::apply("alpha"), &Patch::Apply(&alpha2)).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert!(s.message.contains("conflict with \"editor\""), "{}", s.message);
    })
    .await;
}

#[tokio::test]
async fn finalizers_and_namespace_cascade() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(30, async {
        let nss: Api<Namespace> = Api::all(client.clone());
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": "doomed"}})).unwrap();
        nss.create(&PostParams::default(), &ns).await.unwrap();
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "doomed");
        let fin: ConfigMap = serde_json::from_value(
            json!({"metadata": {"name": "held", "finalizers": ["example.com/hold"]}}),
        )
        .unwrap();
        cms.create(&PostParams::default(), &fin).await.unwrap();
        let plain: ConfigMap =
            serde_json::from_value(json!({"metadata": {"name": "plain"}})).unwrap();
        cms.create(&PostParams::default(), &plain).await.unwrap();

        cms.delete("held", &DeleteParams::default()).await.unwrap();
        let held = cms.get("held").await.unwrap();
        assert!(held.metadata.deletion_timestamp.is_some());
        // removing the finalizer completes the deletion
        cms.patch(
            "held",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
        assert!(cms.get_opt("held").await.unwrap().is_none());

        nss.delete("doomed", &DeleteParams::default())
            .await
            .unwrap();
        assert!(nss.get_opt("doomed").await.unwrap().is_none());
        let all: Api<ConfigMap> = Api::all(client.clone());
        let left: Vec<_> = all
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|c| c.metadata.namespace.as_deref() == Some("doomed"))
            .collect();
        assert!(left.is_empty());
    })
    .await;
}

#[tokio::test]
async fn server_side_apply_merges_list_maps_by_key_on_status() {
    let sim = start().await;
    sim.load_yaml(&crd_text(
        "sveltos/config.projectsveltos.io_clustersummaries.yaml",
    ))
    .unwrap();
    let fixture: serde_json::Value = serde_yaml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/valid/config.projectsveltos.io_clustersummaries.yaml"
        ))
        .unwrap(),
    )
    .unwrap();
    let client = admin(&sim).await;
    within(30, async {
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("config.projectsveltos.io", "v1beta1", "ClusterSummary"),
            "clustersummaries",
        );
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
        let mut obj = fixture.clone();
        obj["metadata"] = json!({"name": "cs"});
        obj.as_object_mut().unwrap().remove("status");
        api.create(
            &PostParams::default(),
            &serde_json::from_value(obj).unwrap(),
        )
        .await
        .unwrap();
        let status = |items: serde_json::Value| {
            json!({"apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterSummary",
                   "metadata": {"name": "cs"}, "status": {"featureSummaries": items}})
        };
        api.patch_status(
            "cs",
            &PatchParams::apply("helm-ctl"),
            &Patch::Apply(status(
                json!([{"featureID": "Helm", "status": "Provisioned"}]),
            )),
        )
        .await
        .unwrap();
        let both = api
            .patch_status(
                "cs",
                &PatchParams::apply("res-ctl"),
                &Patch::Apply(status(
                    json!([{"featureID": "Resources", "status": "Provisioning"}]),
                )),
            )
            .await
            .unwrap();
        let ids: Vec<&str> = both.data["status"]["featureSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["featureID"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["Helm", "Resources"], "items merged by featureID");
        // helm-ctl stops applying its entry: only that entry goes
        let after = api
            .patch_status(
                "cs",
                &PatchParams::apply("helm-ctl"),
                &Patch::Apply(status(json!([]))),
            )
            .await
            .unwrap();
        let ids: Vec<&str> = after.data["status"]["featureSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["featureID"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec!["Resources"]);
        // a different status for another manager's entry conflicts
        let err = api
            .patch_status(
                "cs",
                &PatchParams::apply("helm-ctl"),
                &Patch::Apply(status(
                    json!([{"featureID": "Resources", "status": "Failed"}]),
                )),
            )
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 409, "{}", s.message);
        assert!(s.message.contains("res-ctl"), "{}", s.message);
    })
    .await;
}
