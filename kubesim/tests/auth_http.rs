//! Authentication and authorization over HTTP with the real `kube` client: TokenRequest tokens
//! bound by RBAC, RBAC changes taking effect on the next request, TokenReview and the
//! access-review APIs as fleetgraph calls them, and impersonation headers.

mod common;

use common::{admin, client, start, within};
use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenRequest, TokenReview};
use k8s_openapi::api::authorization::v1::{
    SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview,
};
use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, RoleBinding};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kubesim::KubeSim;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn obj<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("valid object")
}

fn api_status(err: kube::Error) -> kube::core::Status {
    match err {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn create_namespace(c: &kube::Client, name: &str) {
    Api::<Namespace>::all(c.clone())
        .create(
            &PostParams::default(),
            &obj(json!({"metadata": {"name": name}})),
        )
        .await
        .expect("namespace");
}

/// A ServiceAccount `name` in `ns` and a TokenRequest for it; returns (token, SA uid).
async fn sa_token(c: &kube::Client, ns: &str, name: &str, audiences: &[&str]) -> (String, String) {
    let sas: Api<ServiceAccount> = Api::namespaced(c.clone(), ns);
    let sa = sas
        .create(
            &PostParams::default(),
            &obj(json!({"metadata": {"name": name}})),
        )
        .await
        .expect("service account");
    let tr: TokenRequest = obj(json!({"spec": {"audiences": audiences}}));
    let minted = sas
        .create_token_request(name, &PostParams::default(), &tr)
        .await
        .expect("token request");
    let status = minted.status.expect("TokenRequest status");
    (status.token.expect("token"), sa.metadata.uid.expect("uid"))
}

/// Grants `ClusterRole pod-reader` (get/list pods) through RoleBinding `name` in `ns`.
async fn bind_pod_reader(c: &kube::Client, ns: &str, name: &str, subject: Value) {
    let roles: Api<ClusterRole> = Api::all(c.clone());
    if roles.get_opt("pod-reader").await.expect("get").is_none() {
        roles
            .create(
                &PostParams::default(),
                &obj(json!({"metadata": {"name": "pod-reader"},
                    "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]})),
            )
            .await
            .expect("cluster role");
    }
    Api::<RoleBinding>::namespaced(c.clone(), ns)
        .create(
            &PostParams::default(),
            &obj(json!({"metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "pod-reader"},
                "subjects": [subject]})),
        )
        .await
        .expect("role binding");
}

async fn impersonating(sim: &KubeSim, token: &str, user: &str, groups: &[&str]) -> kube::Client {
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig_yaml(token)).expect("kubeconfig");
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("config");
    cfg.auth_info.impersonate = Some(user.to_string());
    if !groups.is_empty() {
        cfg.auth_info.impersonate_groups = Some(groups.iter().map(|g| g.to_string()).collect());
    }
    kube::Client::try_from(cfg).expect("client")
}

async fn whoami(c: &kube::Client) -> (String, Vec<String>) {
    let review = Api::<SelfSubjectReview>::all(c.clone())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .expect("self subject review");
    let user = review.status.and_then(|s| s.user_info).expect("userInfo");
    (
        user.username.unwrap_or_default(),
        user.groups.unwrap_or_default(),
    )
}

#[tokio::test]
async fn minted_token_authenticates_and_is_bound_by_rbac() {
    let sim = start().await;
    let admin = admin(&sim).await;
    within(30, async {
        create_namespace(&admin, "team-a").await;
        create_namespace(&admin, "team-b").await;
        let (token, _) = sa_token(&admin, "team-a", "robot", &[]).await;
        assert_eq!(token.split('.').count(), 3, "JWT-shaped: {token}");
        let robot = client(&sim, &token).await;
        let (name, groups) = whoami(&robot).await;
        assert_eq!(name, "system:serviceaccount:team-a:robot");
        assert_eq!(
            groups,
            ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"]
        );

        let pods_a: Api<Pod> = Api::namespaced(robot.clone(), "team-a");
        let s = api_status(pods_a.list(&ListParams::default()).await.unwrap_err());
        assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
        assert_eq!(
            s.message,
            "pods is forbidden: User \"system:serviceaccount:team-a:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"team-a\""
        );

        // The ServiceAccount subject has no namespace: it defaults to the binding's.
        bind_pod_reader(&admin, "team-a", "robot-reads", json!({"kind": "ServiceAccount", "name": "robot"})).await;
        pods_a.list(&ListParams::default()).await.expect("allowed on the next request");
        let s = api_status(
            Api::<Pod>::namespaced(robot.clone(), "team-b")
                .list(&ListParams::default())
                .await
                .unwrap_err(),
        );
        assert_eq!(s.code, 403, "the RoleBinding is for team-a only");
        let s = api_status(Api::<Pod>::all(robot.clone()).list(&ListParams::default()).await.unwrap_err());
        assert_eq!(
            s.message,
            "pods is forbidden: User \"system:serviceaccount:team-a:robot\" cannot list resource \"pods\" in API group \"\" at the cluster scope"
        );

        Api::<RoleBinding>::namespaced(admin.clone(), "team-a")
            .delete("robot-reads", &DeleteParams::default())
            .await
            .expect("delete binding");
        let s = api_status(pods_a.list(&ListParams::default()).await.unwrap_err());
        assert_eq!(s.code, 403, "revoked on the next request");

        // No credentials at all: 401, as with a token the server does not know.
        let anonymous = kube::Client::try_from(kube::Config::new(sim.url().parse().unwrap())).unwrap();
        let s = api_status(
            Api::<Pod>::namespaced(anonymous, "team-a")
                .list(&ListParams::default())
                .await
                .unwrap_err(),
        );
        assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized"));

        // A token minted for another audience does not authenticate to the API server.
        let (fg_token, _) = sa_token(&admin, "team-a", "fg", &["fleetgraph"]).await;
        let fg = client(&sim, &fg_token).await;
        let s = api_status(Api::<Pod>::namespaced(fg, "team-a").list(&ListParams::default()).await.unwrap_err());
        assert_eq!((s.code, s.reason.as_str()), (401, "Unauthorized"));
    })
    .await;
}

#[tokio::test]
async fn token_review_and_access_reviews_as_fleetgraph_uses_them() {
    let sim = start().await;
    let admin = admin(&sim).await;
    within(30, async {
        create_namespace(&admin, "team-a").await;
        let (token, uid) = sa_token(&admin, "team-a", "viewer", &["fleetgraph"]).await;

        let reviews: Api<TokenReview> = Api::all(admin.clone());
        let review = |auds: Value| {
            let body: TokenReview = obj(json!({"spec": {"token": token, "audiences": auds}}));
            let reviews = reviews.clone();
            async move { reviews.create(&PostParams::default(), &body).await.expect("token review") }
        };
        let ok = review(json!(["fleetgraph"])).await.status.expect("status");
        assert_eq!(ok.authenticated, Some(true));
        assert_eq!(ok.audiences, Some(vec!["fleetgraph".to_string()]));
        let user = ok.user.expect("user");
        assert_eq!(user.username.as_deref(), Some("system:serviceaccount:team-a:viewer"));
        assert_eq!(user.uid.as_deref(), Some(uid.as_str()));
        assert_eq!(
            user.groups.unwrap_or_default(),
            ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"]
        );
        let extra = user.extra.unwrap_or_default();
        assert!(extra["authentication.kubernetes.io/credential-id"][0].starts_with("JTI="));

        let wrong = review(json!([])).await.status.expect("status");
        assert_ne!(wrong.authenticated, Some(true));
        let error = wrong.error.unwrap_or_default();
        assert!(
            error.contains("token audiences [\"fleetgraph\"] is invalid for the target audiences [\"https://kubernetes.default.svc\"]"),
            "{error}"
        );
        let garbage: TokenReview = obj(json!({"spec": {"token": "garbage"}}));
        let garbage = reviews.create(&PostParams::default(), &garbage).await.expect("review").status.unwrap();
        assert_ne!(garbage.authenticated, Some(true));
        assert_eq!(garbage.error.as_deref(), Some("invalid bearer token"));

        // Reviewing tokens is itself authorized.
        let alice = client(&sim, "alice-token").await;
        let body: TokenReview = obj(json!({"spec": {"token": token}}));
        let s = api_status(Api::<TokenReview>::all(alice.clone()).create(&PostParams::default(), &body).await.unwrap_err());
        assert_eq!(
            s.message,
            "tokenreviews.authentication.k8s.io is forbidden: User \"alice\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope"
        );

        // SubjectAccessReview for the reviewed user, with its groups.
        let sar = |ns: &str| -> SubjectAccessReview {
            obj(json!({"spec": {
                "user": "system:serviceaccount:team-a:viewer",
                "groups": ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
                "resourceAttributes": {"namespace": ns, "verb": "list", "group": "", "version": "v1", "resource": "pods"}}}))
        };
        let sars: Api<SubjectAccessReview> = Api::all(admin.clone());
        let denied = sars.create(&PostParams::default(), &sar("team-a")).await.unwrap().status.unwrap();
        assert!(!denied.allowed);
        bind_pod_reader(&admin, "team-a", "viewer-reads", json!({"kind": "ServiceAccount", "name": "viewer", "namespace": "team-a"})).await;
        let allowed = sars.create(&PostParams::default(), &sar("team-a")).await.unwrap().status.unwrap();
        assert!(allowed.allowed);
        assert_eq!(
            allowed.reason.as_deref(),
            Some("RBAC: allowed by RoleBinding \"viewer-reads/team-a\" of ClusterRole \"pod-reader\" to ServiceAccount \"viewer/team-a\"")
        );
        let elsewhere = sars.create(&PostParams::default(), &sar("default")).await.unwrap().status.unwrap();
        assert!(!elsewhere.allowed);

        // The caller's own view: can-i and can-i --list.
        let ssar: SelfSubjectAccessReview = obj(json!({"spec": {"resourceAttributes":
            {"namespace": "default", "verb": "list", "resource": "configmaps"}}}));
        let mine = Api::<SelfSubjectAccessReview>::all(alice.clone())
            .create(&PostParams::default(), &ssar)
            .await
            .unwrap()
            .status
            .unwrap();
        assert!(!mine.allowed);
        let ssrr: SelfSubjectRulesReview = obj(json!({"spec": {"namespace": "default"}}));
        let rules = Api::<SelfSubjectRulesReview>::all(alice.clone())
            .create(&PostParams::default(), &ssrr)
            .await
            .unwrap()
            .status
            .unwrap();
        assert!(!rules.incomplete);
        assert!(
            rules.resource_rules.iter().any(|r| r.resources.as_deref().unwrap_or_default().contains(&"selfsubjectaccessreviews".to_string())),
            "{:?}",
            rules.resource_rules
        );
        assert!(rules.non_resource_rules.iter().any(|r| r.non_resource_urls.as_deref().unwrap_or_default().contains(&"/api".to_string())));
    })
    .await;
}

#[tokio::test]
async fn impersonation_headers() {
    let sim = start().await;
    let admin = admin(&sim).await;
    within(30, async {
        // The admin (system:masters) may impersonate anyone; a service account gets its groups.
        let as_sa = impersonating(&sim, &sim.admin_token(), "system:serviceaccount:team-a:robot", &[]).await;
        assert_eq!(
            whoami(&as_sa).await,
            (
                "system:serviceaccount:team-a:robot".to_string(),
                vec![
                    "system:serviceaccounts".to_string(),
                    "system:serviceaccounts:team-a".to_string(),
                    "system:authenticated".to_string()
                ]
            )
        );
        let as_bob = impersonating(&sim, &sim.admin_token(), "bob", &["ops"]).await;
        assert_eq!(
            whoami(&as_bob).await,
            ("bob".to_string(), vec!["ops".to_string(), "system:authenticated".to_string()])
        );

        // alice may not, until RBAC lets her impersonate exactly bob.
        let alice_as_bob = impersonating(&sim, "alice-token", "bob", &[]).await;
        let s = api_status(
            Api::<SelfSubjectReview>::all(alice_as_bob.clone())
                .create(&PostParams::default(), &SelfSubjectReview::default())
                .await
                .unwrap_err(),
        );
        assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
        assert_eq!(
            s.message,
            "users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
        );
        Api::<ClusterRole>::all(admin.clone())
            .create(
                &PostParams::default(),
                &obj(json!({"metadata": {"name": "impersonate-bob"},
                    "rules": [{"apiGroups": [""], "resources": ["users"], "resourceNames": ["bob"], "verbs": ["impersonate"]}]})),
            )
            .await
            .unwrap();
        Api::<ClusterRoleBinding>::all(admin.clone())
            .create(
                &PostParams::default(),
                &obj(json!({"metadata": {"name": "alice-impersonates-bob"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "impersonate-bob"},
                    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]})),
            )
            .await
            .unwrap();
        assert_eq!(
            whoami(&alice_as_bob).await,
            ("bob".to_string(), vec!["system:authenticated".to_string()])
        );
        // ... but not as bob in a group she was not allowed.
        let alice_as_bob_ops = impersonating(&sim, "alice-token", "bob", &["ops"]).await;
        let s = api_status(
            Api::<SelfSubjectReview>::all(alice_as_bob_ops)
                .create(&PostParams::default(), &SelfSubjectReview::default())
                .await
                .unwrap_err(),
        );
        assert!(s.message.starts_with("groups \"ops\" is forbidden: User \"alice\" cannot impersonate resource \"groups\""), "{}", s.message);

        // A group without a user is refused before any authorization.
        let req = http::Request::get("/api/v1/namespaces/default/configmaps")
            .header("Impersonate-Group", "devs")
            .body(Vec::new())
            .unwrap();
        let s = api_status(admin.request_text(req).await.unwrap_err());
        assert_eq!(s.code, 500);
        assert!(s.message.contains("requested [{Group  devs    }] without impersonating a user"), "{}", s.message);
    })
    .await;
}
