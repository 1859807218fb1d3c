//! Typed and dynamic CRUD through the real `kube` client, with the Status shapes of failures.

mod common;

use common::{admin, crd_text, start, within};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{DynamicObject, GroupVersionKind};
use kube::discovery::{Discovery, Scope};
use serde_json::json;

fn cm(name: &str, labels: serde_json::Value) -> ConfigMap {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels},
        "data": {"k": "v"}
    }))
    .unwrap()
}

#[tokio::test]
async fn typed_configmap_and_namespace_crud() {
    let sim = start().await;
    let client = admin(&sim).await;
    within(30, async {
        let nss: Api<Namespace> = Api::all(client.clone());
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": "team-a"}})).unwrap();
        nss.create(&PostParams::default(), &ns).await.unwrap();
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "team-a");
        let created = cms
            .create(&PostParams::default(), &cm("one", json!({"app": "web"})))
            .await
            .unwrap();
        let meta = &created.metadata;
        assert!(meta.uid.is_some() && meta.creation_timestamp.is_some());
        assert_eq!(meta.generation, Some(1));
        let rv1 = meta.resource_version.clone().unwrap();

        let got = cms.get("one").await.unwrap();
        assert_eq!(got.data.unwrap()["k"], "v");

        let mut changed = created.clone();
        changed.data = Some([("k".to_string(), "w".to_string())].into());
        let updated = cms
            .replace("one", &PostParams::default(), &changed)
            .await
            .unwrap();
        assert_ne!(updated.metadata.resource_version.clone().unwrap(), rv1);
        assert_eq!(updated.metadata.generation, Some(2));

        // optimistic concurrency: the old resourceVersion conflicts
        let err = cms
            .replace("one", &PostParams::default(), &changed)
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else {
            panic!("{err:?}")
        };
        assert_eq!((s.code, s.reason.as_str()), (409, "Conflict"));
        assert!(
            s.message.contains("the object has been modified"),
            "{}",
            s.message
        );

        // AlreadyExists
        let err = cms
            .create(&PostParams::default(), &cm("one", json!({})))
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists"));

        // generateName
        let mut gen_cm = cm("", json!({}));
        gen_cm.metadata.name = None;
        gen_cm.metadata.generate_name = Some("gen-".into());
        let g = cms.create(&PostParams::default(), &gen_cm).await.unwrap();
        assert!(g.metadata.name.unwrap().starts_with("gen-"));

        // namespace must exist
        let missing: Api<ConfigMap> = Api::namespaced(client.clone(), "nope");
        let err = missing
            .create(&PostParams::default(), &cm("x", json!({})))
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(
            (s.code, s.reason.as_str(), s.message.as_str()),
            (404, "NotFound", "namespaces \"nope\" not found")
        );

        // built-in name rules
        let err = cms.create(&PostParams::default(), &cm("Not_Valid", json!({}))).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"));
        assert!(s.message.starts_with("ConfigMap \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain"), "{}", s.message);

        // dry run stores nothing
        let dry = PostParams {
            dry_run: true,
            ..Default::default()
        };
        cms.create(&dry, &cm("dry", json!({}))).await.unwrap();
        assert!(cms.get_opt("dry").await.unwrap().is_none());

        // merge patch and JSON patch
        cms.patch(
            "one",
            &PatchParams::default(),
            &Patch::Merge(json!({"data": {"m": "1"}})),
        )
        .await
        .unwrap();
        let jp: json_patch::Patch =
            serde_json::from_value(json!([{"op": "add", "path": "/data/j", "value": "2"}]))
                .unwrap();
        let p = cms
            .patch("one", &PatchParams::default(), &Patch::<()>::Json(jp))
            .await
            .unwrap();
        let data = p.data.unwrap();
        assert_eq!((data["m"].as_str(), data["j"].as_str()), ("1", "2"));
        // strategic merge patch on a built-in
        let p = cms
            .patch(
                "one",
                &PatchParams::default(),
                &Patch::Strategic(json!({"metadata": {"labels": {"tier": "x"}}})),
            )
            .await
            .unwrap();
        assert_eq!(p.metadata.labels.unwrap()["app"], "web");

        // an immediate deletion of a ConfigMap answers with a success Status
        let deleted = cms.delete("one", &DeleteParams::default()).await.unwrap();
        let status = deleted.right().expect("a success Status");
        assert!(status.is_success());
        assert_eq!(status.details.unwrap().name, "one");
        let err = cms.get("one").await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(
            (s.code, s.message.as_str()),
            (404, "configmaps \"one\" not found")
        );
        let details = s.details.unwrap();
        assert_eq!(
            (details.name.as_str(), details.kind.as_str()),
            ("one", "configmaps")
        );
    })
    .await;
}

#[tokio::test]
async fn dynamic_crud_over_discovery_and_crd_status_shapes() {
    let sim = start().await;
    sim.load_yaml(&crd_text(
        "sveltos/config.projectsveltos.io_clusterprofiles.yaml",
    ))
    .unwrap();
    let client = admin(&sim).await;
    within(30, async {
        let discovery = Discovery::new(client.clone()).run().await.unwrap();
        let gvk = GroupVersionKind::gvk("config.projectsveltos.io", "v1beta1", "ClusterProfile");
        let (ar, caps) = discovery
            .resolve_gvk(&gvk)
            .expect("ClusterProfile discovered");
        assert_eq!(caps.scope, Scope::Cluster);
        assert!(
            caps.subresources
                .iter()
                .any(|(s, _)| s.plural == "clusterprofiles/status" || s.plural == "status"),
            "{:?}",
            caps.subresources
        );
        let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
        let obj: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterProfile",
            "metadata": {"name": "p1"},
            "spec": {"clusterSelector": {"matchLabels": {"env": "prod"}}, "unknownField": 1}
        }))
        .unwrap();
        let created = api.create(&PostParams::default(), &obj).await.unwrap();
        // defaults applied, unknown fields pruned
        assert_eq!(created.data["spec"]["syncMode"], "Continuous");
        assert!(created.data["spec"].get("unknownField").is_none());

        let err = api.get("missing").await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(
            s.message,
            "clusterprofiles.config.projectsveltos.io \"missing\" not found"
        );
        let d = s.details.unwrap();
        assert_eq!(
            (d.group.as_str(), d.kind.as_str()),
            ("config.projectsveltos.io", "clusterprofiles")
        );

        let bad: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "config.projectsveltos.io/v1beta1", "kind": "ClusterProfile",
            "metadata": {"name": "bad"}, "spec": {"syncMode": "Sometimes"}
        }))
        .unwrap();
        let err = api.create(&PostParams::default(), &bad).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"));
        assert!(s.message.contains("spec.syncMode"), "{}", s.message);

        // strategic merge patch is refused for custom resources
        let err = api
            .patch(
                "p1",
                &PatchParams::default(),
                &Patch::Strategic(json!({"spec": {"tier": 5}})),
            )
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (415, "UnsupportedMediaType"));

        // custom resources refuse unconditional updates
        let mut unconditional = created.clone();
        unconditional.metadata.resource_version = None;
        let err = api.replace("p1", &PostParams::default(), &unconditional).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!((s.code, s.reason.as_str()), (422, "Invalid"));
        assert!(s.message.ends_with("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"), "{}", s.message);
        api.replace("p1", &PostParams::default(), &created).await.unwrap();
        let list = api.list(&ListParams::default()).await.unwrap();
        assert_eq!(list.items.len(), 1);
        // custom resources support only the metadata field labels
        let err = api
            .list(&ListParams::default().fields("spec.tier=1"))
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(
            (s.code, s.message.as_str()),
            (400, "field label not supported: spec.tier")
        );
        api.delete("p1", &DeleteParams::default()).await.unwrap();
        assert!(api.get_opt("p1").await.unwrap().is_none());

        // deleting the CRD removes its objects and stops serving the kind
        api.create(&PostParams::default(), &obj).await.unwrap();
        let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
            Api::all(client.clone());
        let crd = crds.get("clusterprofiles.config.projectsveltos.io").await.unwrap();
        let conditions = crd.status.unwrap().conditions.unwrap();
        assert!(conditions.iter().any(|c| c.type_ == "Established" && c.status == "True"));
        crds.delete("clusterprofiles.config.projectsveltos.io", &DeleteParams::default()).await.unwrap();
        let err = api.list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 404);
        let discovery = Discovery::new(client.clone()).run().await.unwrap();
        assert!(discovery.resolve_gvk(&gvk).is_none());
        // re-created, it starts empty
        sim.load_yaml(&crd_text("sveltos/config.projectsveltos.io_clusterprofiles.yaml")).unwrap();
        assert!(api.list(&ListParams::default()).await.unwrap().items.is_empty());
    })
    .await;
}
