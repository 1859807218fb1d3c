//! Authentication (401), RBAC decisions (403 with the real message), impersonation,
//! TokenRequest, pod logs, test controls and isolation of several instances.

mod common;

use std::time::{Duration, Instant};

use common::{admin, client, start, within};
use k8s_openapi::api::authentication::v1::TokenRequest;
use k8s_openapi::api::authorization::v1::SelfSubjectAccessReview;
use k8s_openapi::api::core::v1::{ConfigMap, Pod, ServiceAccount};
use kube::api::{Api, ListParams, LogParams, Patch, PatchParams, PostParams};
use kubesim::{FailureRule, KubeSim};
use serde_json::json;

#[tokio::test]
async fn unauthenticated_forbidden_and_rbac_grants() {
    let sim = start().await;
    let admin_c = admin(&sim).await;
    within(30, async {
        // unknown token: 401
        let bad = client(&sim, "nope").await;
        let err = Api::<ConfigMap>::namespaced(bad, "default").list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!("{err:?}") };
        assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized"));

        // alice is authenticated but not allowed yet
        let alice = client(&sim, "alice-token").await;
        let cms: Api<ConfigMap> = Api::namespaced(alice.clone(), "default");
        let err = cms.list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 403);
        assert_eq!(
            s.message,
            "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
        );
        // discovery is open to every authenticated user
        kube::discovery::Discovery::new(alice.clone()).run().await.unwrap();

        // a RoleBinding to the group "devs" grants view in "default"
        sim.apply_object(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "devs-view", "namespace": "default"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"}]
        }))
        .unwrap();
        cms.list(&ListParams::default()).await.unwrap();
        // the review APIs answer from the same evaluator (what `kubectl auth can-i` asks)
        let ssar: Api<SelfSubjectAccessReview> = Api::all(alice.clone());
        for (ns, want) in [("default", true), ("kube-system", false)] {
            let review: SelfSubjectAccessReview = serde_json::from_value(json!({
                "spec": {"resourceAttributes": {"verb": "list", "resource": "configmaps", "namespace": ns}}
            }))
            .unwrap();
            let answer = ssar.create(&PostParams::default(), &review).await.unwrap();
            assert_eq!(answer.status.unwrap().allowed, want, "{ns}");
        }
        let err = cms
            .create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": "x"}})).unwrap())
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 403);

        // impersonation by the admin: acts as alice
        let mut cfg = kube::Config::new(sim.url().parse().unwrap());
        cfg.auth_info.impersonate = Some("alice".into());
        cfg.auth_info.impersonate_groups = Some(vec!["devs".into()]);
        let kc = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml(&sim.admin_token())).unwrap();
        let mut cfg2 = kube::Config::from_custom_kubeconfig(kc, &Default::default()).await.unwrap();
        cfg2.auth_info.impersonate = cfg.auth_info.impersonate.clone();
        cfg2.auth_info.impersonate_groups = cfg.auth_info.impersonate_groups.clone();
        let as_alice = kube::Client::try_from(cfg2).unwrap();
        let err = Api::<ConfigMap>::namespaced(as_alice.clone(), "kube-system").list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert!(s.message.contains("User \"alice\""), "{}", s.message);
        // alice may not impersonate
        let kc = kube::config::Kubeconfig::from_yaml(&sim.kubeconfig_yaml("alice-token")).unwrap();
        let mut cfg3 = kube::Config::from_custom_kubeconfig(kc, &Default::default()).await.unwrap();
        cfg3.auth_info.impersonate = Some("bob".into());
        let err = Api::<ConfigMap>::namespaced(kube::Client::try_from(cfg3).unwrap(), "default")
            .list(&ListParams::default())
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 403);

        // TokenRequest: a minted ServiceAccount token authenticates as the ServiceAccount
        let sas: Api<ServiceAccount> = Api::namespaced(admin_c.clone(), "default");
        sas.create(&PostParams::default(), &serde_json::from_value(json!({"metadata": {"name": "robot"}})).unwrap())
            .await
            .unwrap();
        let tr: TokenRequest = serde_json::from_value(json!({"spec": {"audiences": [], "expirationSeconds": 3600}})).unwrap();
        let minted = sas.create_token_request("robot", &PostParams::default(), &tr).await.unwrap();
        let token = minted.status.unwrap().token.unwrap_or_default();
        let robot = client(&sim, &token).await;
        let err = Api::<ConfigMap>::namespaced(robot, "default").list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert!(s.message.contains("system:serviceaccount:default:robot"), "{}", s.message);
        // deleting the ServiceAccount revokes its tokens
        sas.delete("robot", &Default::default()).await.unwrap();
        let err = Api::<ConfigMap>::namespaced(client(&sim, &token).await, "default")
            .list(&ListParams::default())
            .await
            .unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 401);
    })
    .await;
}

#[tokio::test]
async fn pod_logs_counters_failures_latency() {
    let sim = start().await;
    let c = admin(&sim).await;
    within(30, async {
        let pods: Api<Pod> = Api::namespaced(c.clone(), "default");
        pods.create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "app", "image": "x"}, {"name": "side", "image": "y"}]}})).unwrap(),
        )
        .await
        .unwrap();
        let now = chrono::Utc::now();
        sim.set_pod_logs(
            "default",
            "p",
            "app",
            vec![
                (now - chrono::Duration::seconds(600), "old".into()),
                (now - chrono::Duration::seconds(2), "one".into()),
                (now, "two".into()),
            ],
        );
        let lp = LogParams { container: Some("app".into()), ..Default::default() };
        assert_eq!(pods.logs("p", &lp).await.unwrap(), "old\none\ntwo\n");
        let lp = LogParams { container: Some("app".into()), tail_lines: Some(1), ..Default::default() };
        assert_eq!(pods.logs("p", &lp).await.unwrap(), "two\n");
        let lp = LogParams { container: Some("app".into()), since_seconds: Some(60), ..Default::default() };
        assert_eq!(pods.logs("p", &lp).await.unwrap(), "one\ntwo\n");
        let lp = LogParams { container: Some("app".into()), tail_lines: Some(1), timestamps: true, ..Default::default() };
        assert!(pods.logs("p", &lp).await.unwrap().ends_with("Z two\n"));
        // two containers and none named: 400
        assert!(pods.logs("p", &LogParams::default()).await.is_err());
        // built-in field labels beyond metadata, as pods' status.phase
        pods.patch_status("p", &PatchParams::default(), &Patch::Merge(json!({"status": {"phase": "Running"}})))
            .await
            .unwrap();
        assert_eq!(pods.list(&ListParams::default().fields("status.phase=Running")).await.unwrap().items.len(), 1);
        assert_eq!(pods.list(&ListParams::default().fields("status.phase=Pending")).await.unwrap().items.len(), 0);

        sim.reset_counters();
        let cms: Api<ConfigMap> = Api::namespaced(c.clone(), "default");
        cms.list(&ListParams::default()).await.unwrap();
        cms.get_opt("nothing").await.unwrap();
        let counters = sim.counters();
        assert_eq!(counters.get("list", "", "configmaps"), 1);
        assert_eq!(counters.get("get", "", "configmaps"), 1);
        assert_eq!(counters.total, 2);

        sim.inject_failure(FailureRule { verb: "list".into(), resource: "configmaps".into(), code: 500, times: 1 });
        let err = cms.list(&ListParams::default()).await.unwrap_err();
        let kube::Error::Api(s) = err else { panic!() };
        assert_eq!(s.code, 500);
        cms.list(&ListParams::default()).await.unwrap();

        sim.inject_latency(Duration::from_millis(300));
        let t = Instant::now();
        cms.list(&ListParams::default()).await.unwrap();
        assert!(t.elapsed() >= Duration::from_millis(300));
        sim.inject_latency(Duration::ZERO);
    })
    .await;
}

#[tokio::test]
async fn instances_are_isolated() {
    let a = start().await;
    let b = KubeSim::builder().start().await.unwrap();
    assert_ne!(a.addr(), b.addr());
    let ca = admin(&a).await;
    let cb = admin(&b).await;
    within(30, async {
        Api::<ConfigMap>::namespaced(ca.clone(), "default")
            .create(
                &PostParams::default(),
                &serde_json::from_value(json!({"metadata": {"name": "only-a"}})).unwrap(),
            )
            .await
            .unwrap();
        assert!(
            Api::<ConfigMap>::namespaced(cb.clone(), "default")
                .get_opt("only-a")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            b.get_object("v1", "ConfigMap", "default", "only-a")
                .is_none()
        );
        assert!(
            a.get_object("v1", "ConfigMap", "default", "only-a")
                .is_some()
        );
        // a's admin token means nothing to b
        let cross = client(&b, &a.admin_token()).await;
        assert!(
            Api::<ConfigMap>::namespaced(cross, "default")
                .list(&ListParams::default())
                .await
                .is_err()
        );
        assert_eq!(b.counters().get("create", "", "configmaps"), 0);
    })
    .await;
    b.shutdown().await;
}
