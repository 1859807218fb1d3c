//! Unit tests of the review APIs: request in, response (or the real server's error) out.

use serde_json::{Value, json};

use super::*;
use crate::identity::UserInfo;
use crate::rbac::{RbacSnapshot, bootstrap_rbac_objects};

fn rbac() -> RbacSnapshot {
    let mut cluster_roles = vec![
        json!({"kind": "ClusterRole", "metadata": {"name": "pod-reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
    ];
    let mut crbs = Vec::new();
    for o in bootstrap_rbac_objects() {
        if o["kind"] == "ClusterRole" {
            cluster_roles.push(o);
        } else {
            crbs.push(o);
        }
    }
    let rb = json!({"kind": "RoleBinding", "metadata": {"name": "read", "namespace": "team-a"},
        "roleRef": {"kind": "ClusterRole", "name": "pod-reader"},
        "subjects": [{"kind": "Group", "name": "readers"}]});
    RbacSnapshot::from_objects(&[], &cluster_roles, &[rb], &crbs)
}

fn user(name: &str, groups: &[&str]) -> UserInfo {
    UserInfo {
        username: name.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        ..UserInfo::default()
    }
}

fn sar(spec: Value) -> Value {
    json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
}

#[test]
fn token_review_answers() {
    let auth = Authenticator::new("admin".into());
    let (token, _) = auth.mint_service_account_token("ns", "sa", "uid-9", vec![], 3600);
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                      "spec": {"token": token}});
    let out = token_review(&auth, &body).unwrap();
    assert_eq!(out["spec"]["token"], json!(token), "request echoed");
    assert_eq!(out["metadata"], json!({"creationTimestamp": null}));
    let status = &out["status"];
    assert_eq!(status["authenticated"], true);
    assert_eq!(status["user"]["username"], "system:serviceaccount:ns:sa");
    assert_eq!(status["user"]["uid"], "uid-9");
    assert_eq!(
        status["user"]["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:ns",
            "system:authenticated"
        ])
    );
    assert!(
        status["user"]["extra"]["authentication.kubernetes.io/credential-id"][0]
            .as_str()
            .unwrap()
            .starts_with("JTI=")
    );
    assert_eq!(
        status["audiences"],
        json!(["https://kubernetes.default.svc"])
    );

    let wrong = json!({"spec": {"token": token, "audiences": ["fleetgraph"]}});
    let out = token_review(&auth, &wrong).unwrap();
    assert_eq!(out["kind"], "TokenReview");
    assert_eq!(out["apiVersion"], "authentication.k8s.io/v1");
    assert_eq!(out["status"]["authenticated"], Value::Null);
    assert_eq!(out["status"]["user"], json!({}));
    assert!(
        out["status"]["error"]
            .as_str()
            .unwrap()
            .contains("is invalid for the target audiences [\"fleetgraph\"]")
    );

    let err = token_review(&auth, &json!({"spec": {}})).unwrap_err();
    assert_eq!(
        err,
        ReviewError::BadRequest("token is required for TokenReview in authentication".into())
    );
    assert_eq!(err.to_status()["code"], 400);
}

#[test]
fn self_subject_review_reports_the_caller() {
    let out = self_subject_review(&user("alice", &["devs", "system:authenticated"]));
    assert_eq!(out["kind"], "SelfSubjectReview");
    assert_eq!(
        out["status"]["userInfo"],
        json!({"username": "alice", "groups": ["devs", "system:authenticated"]})
    );
}

#[test]
fn subject_access_reviews() {
    let rbac = rbac();
    let allowed = subject_access_review(
        &rbac,
        &sar(json!({"user": "x", "groups": ["readers"],
            "resourceAttributes": {"namespace": "team-a", "verb": "list", "resource": "pods", "version": "v1"}})),
    )
    .unwrap();
    assert_eq!(
        allowed["status"],
        json!({"allowed": true, "reason": "RBAC: allowed by RoleBinding \"read/team-a\" of ClusterRole \"pod-reader\" to Group \"readers\""})
    );
    assert_eq!(allowed["spec"]["user"], "x", "request echoed");

    let denied = subject_access_review(
        &rbac,
        &sar(json!({"user": "x", "groups": ["readers"],
            "resourceAttributes": {"namespace": "team-b", "verb": "list", "resource": "pods"}})),
    )
    .unwrap();
    assert_eq!(denied["status"], json!({"allowed": false}));

    let url = subject_access_review(
        &rbac,
        &sar(json!({"user": "x", "groups": ["system:authenticated"],
            "nonResourceAttributes": {"path": "/apis/apps", "verb": "get"}})),
    )
    .unwrap();
    assert_eq!(url["status"]["allowed"], true);

    // The groups are the review's, not the caller's: no system:authenticated here.
    let bare = subject_access_review(
        &rbac,
        &sar(json!({"user": "x", "nonResourceAttributes": {"path": "/apis", "verb": "get"}})),
    )
    .unwrap();
    assert_eq!(bare["status"]["allowed"], false);
}

#[test]
fn subject_access_review_validation() {
    let rbac = rbac();
    let cases = [
        (
            json!({"resourceAttributes": {"verb": "get", "resource": "pods"}}),
            "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified",
        ),
        (
            json!({"user": "x"}),
            "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
        ),
        (
            json!({"user": "x", "resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/x", "verb": "get"}}),
            "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: Invalid value: &authorization.NonResourceAttributes{Path:\"/x\", Verb:\"get\"}: cannot be specified in combination with resourceAttributes",
        ),
        (
            json!({}),
            "SubjectAccessReview.authorization.k8s.io \"\" is invalid: [spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: \"\": at least one of user or group must be specified]",
        ),
    ];
    for (spec, want) in cases {
        let err = subject_access_review(&rbac, &sar(spec.clone())).unwrap_err();
        assert_eq!(err.to_string(), want, "{spec}");
        let status = err.to_status();
        assert_eq!(status["code"], 422);
        assert_eq!(status["reason"], "Invalid");
        assert_eq!(status["details"]["kind"], "SubjectAccessReview");
        assert_eq!(status["details"]["group"], "authorization.k8s.io");
        assert_eq!(
            status["details"]["causes"][0]["reason"],
            "FieldValueInvalid"
        );
    }
}

#[test]
fn local_subject_access_reviews() {
    let rbac = rbac();
    let body = |ns: &str| {
        json!({"spec": {"groups": ["readers"],
            "resourceAttributes": {"namespace": ns, "verb": "get", "resource": "pods", "name": "p"}}})
    };
    let out = local_subject_access_review(&rbac, "team-a", &body("team-a")).unwrap();
    assert_eq!(out["kind"], "LocalSubjectAccessReview");
    assert_eq!(out["metadata"]["namespace"], "team-a");
    assert_eq!(out["status"]["allowed"], true);

    let err = local_subject_access_review(&rbac, "team-a", &body("team-b")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LocalSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid value: \"team-b\": must match metadata.namespace"
    );
    let err = local_subject_access_review(
        &rbac,
        "team-a",
        &json!({"spec": {"user": "x", "nonResourceAttributes": {"path": "/api", "verb": "get"}}}),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("disallowed on this kind of request"),
        "{err}"
    );
    let mut wrong_meta = body("team-a");
    wrong_meta["metadata"] = json!({"namespace": "team-b"});
    let err = local_subject_access_review(&rbac, "team-a", &wrong_meta).unwrap_err();
    assert_eq!(err.code(), 400);
}

#[test]
fn self_reviews_use_the_caller() {
    let rbac = rbac();
    let reader = user("r", &["readers", "system:authenticated"]);
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"namespace": "team-a", "verb": "list", "resource": "pods"}}});
    let out = self_subject_access_review(&rbac, &reader, &body).unwrap();
    assert_eq!(out["status"]["allowed"], true);
    let out =
        self_subject_access_review(&rbac, &user("o", &["system:authenticated"]), &body).unwrap();
    assert_eq!(out["status"]["allowed"], false);
    let err = self_subject_access_review(&rbac, &reader, &json!({"spec": {}})).unwrap_err();
    assert!(err.to_string().starts_with(
        "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes"
    ));

    let rules = self_subject_rules_review(
        &rbac,
        &reader,
        &json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
                "spec": {"namespace": "team-a"}}),
    )
    .unwrap();
    let status = &rules["status"];
    assert_eq!(status["incomplete"], false);
    assert!(
        status["resourceRules"]
            .as_array()
            .unwrap()
            .contains(&json!({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}))
    );
    assert!(
        status["nonResourceRules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["nonResourceURLs"]
                .as_array()
                .unwrap()
                .contains(&json!("/api")))
    );
    let err = self_subject_rules_review(&rbac, &reader, &json!({"spec": {}})).unwrap_err();
    assert_eq!(
        err,
        ReviewError::BadRequest("no namespace on request".into())
    );
}

#[test]
fn token_request_validates_defaults_and_mints() {
    let auth = Authenticator::new("admin".into());
    let sa = json!({"metadata": {"name": "robot", "namespace": "ns", "uid": "sa-uid"}});
    let out = token_request(
        &auth,
        "ns",
        &sa,
        &json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}),
    )
    .unwrap();
    assert_eq!(out["kind"], "TokenRequest");
    assert_eq!(out["metadata"]["name"], "robot");
    assert_eq!(out["metadata"]["namespace"], "ns");
    assert_eq!(out["spec"]["expirationSeconds"], 3600);
    assert_eq!(
        out["spec"]["audiences"],
        json!(["https://kubernetes.default.svc"])
    );
    let token = out["status"]["token"].as_str().unwrap();
    let user = auth
        .authenticate(token)
        .expect("minted token authenticates");
    assert_eq!(user.username, "system:serviceaccount:ns:robot");
    assert_eq!(user.uid, "sa-uid");
    let expires = chrono::DateTime::parse_from_rfc3339(
        out["status"]["expirationTimestamp"].as_str().unwrap(),
    )
    .unwrap();
    let lifetime = expires.timestamp() - auth.now().timestamp();
    assert!((3590..=3600).contains(&lifetime), "{lifetime}");

    let out = token_request(
        &auth,
        "ns",
        &sa,
        &json!({"spec": {"audiences": ["fg"], "expirationSeconds": 600}}),
    )
    .unwrap();
    assert_eq!(out["spec"]["audiences"], json!(["fg"]));
    let token = out["status"]["token"].as_str().unwrap();
    assert!(auth.authenticate(token).is_none(), "not for the API server");
    assert!(auth.review(token, &["fg".to_string()]).is_ok());

    let err = token_request(
        &auth,
        "ns",
        &sa,
        &json!({"spec": {"expirationSeconds": 599}}),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "TokenRequest.authentication.k8s.io \"robot\" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"
    );
    assert_eq!(err.code(), 422);
}
