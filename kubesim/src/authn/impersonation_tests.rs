//! Unit tests of the impersonation filter: who may act as whom, and the real server's errors.

use http::{HeaderMap, HeaderName, HeaderValue};
use parking_lot::Mutex;
use serde_json::json;

use super::*;
use crate::identity::{Attributes, UserInfo};
use crate::rbac::RbacSnapshot;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// `impersonator` may impersonate user bob, any group but `admins`, any service account of
/// `team-a`, extra `scopes` and any uid; `peon` nothing.
fn impersonation_policy() -> RbacSnapshot {
    let role = json!({"kind": "ClusterRole", "metadata": {"name": "impersonator"}, "rules": [
        {"apiGroups": [""], "resources": ["users"], "resourceNames": ["bob", "system:anonymous"], "verbs": ["impersonate"]},
        {"apiGroups": [""], "resources": ["groups"], "resourceNames": ["devs", "ops", "system:authenticated"], "verbs": ["impersonate"]},
        {"apiGroups": ["authentication.k8s.io"], "resources": ["userextras/scopes", "uids"], "verbs": ["impersonate"]},
    ]});
    let sa_role = json!({"kind": "ClusterRole", "metadata": {"name": "sa-impersonator"}, "rules": [
        {"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["impersonate"]},
    ]});
    let crb = json!({"kind": "ClusterRoleBinding", "metadata": {"name": "imp"},
        "roleRef": {"kind": "ClusterRole", "name": "impersonator"},
        "subjects": [{"kind": "User", "name": "impersonator"}]});
    let rb = json!({"kind": "RoleBinding", "metadata": {"name": "imp-sa", "namespace": "team-a"},
        "roleRef": {"kind": "ClusterRole", "name": "sa-impersonator"},
        "subjects": [{"kind": "User", "name": "impersonator"}]});
    RbacSnapshot::from_objects(&[], &[role, sa_role], &[rb], &[crb])
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn caller(name: &str) -> UserInfo {
    UserInfo {
        username: name.into(),
        groups: strings(&["system:authenticated"]),
        ..UserInfo::default()
    }
}

#[test]
fn impersonation_table() {
    let rbac = impersonation_policy();
    let imp = caller("impersonator");
    let run = |who: &UserInfo, pairs: &[(&str, &str)]| {
        impersonate(who, &headers(pairs), |u, a| rbac.authorize(u, a))
    };
    let as_user = |name: &str, groups: &[&str]| UserInfo {
        username: name.into(),
        groups: strings(groups),
        ..UserInfo::default()
    };

    assert_eq!(run(&imp, &[]), Ok(None), "no headers: no impersonation");
    assert_eq!(
        run(&imp, &[("Impersonate-User", "bob")]),
        Ok(Some(as_user("bob", &["system:authenticated"])))
    );
    assert_eq!(
        run(
            &imp,
            &[
                ("Impersonate-User", "bob"),
                ("Impersonate-Group", "devs"),
                ("Impersonate-Group", "ops")
            ]
        ),
        Ok(Some(as_user(
            "bob",
            &["devs", "ops", "system:authenticated"]
        )))
    );
    assert_eq!(
        run(
            &imp,
            &[
                ("Impersonate-User", "bob"),
                ("Impersonate-Group", "system:authenticated")
            ]
        ),
        Ok(Some(as_user("bob", &["system:authenticated"]))),
        "system:authenticated is not added twice"
    );
    assert_eq!(
        run(
            &imp,
            &[("Impersonate-User", "system:serviceaccount:team-a:robot")]
        ),
        Ok(Some(as_user(
            "system:serviceaccount:team-a:robot",
            &[
                "system:serviceaccounts",
                "system:serviceaccounts:team-a",
                "system:authenticated"
            ]
        ))),
        "a service account gets its groups"
    );
    assert_eq!(
        run(
            &imp,
            &[
                ("Impersonate-User", "system:serviceaccount:team-a:robot"),
                ("Impersonate-Group", "devs")
            ]
        ),
        Ok(Some(as_user(
            "system:serviceaccount:team-a:robot",
            &["devs", "system:authenticated"]
        ))),
        "explicit groups replace the service account's"
    );
    assert_eq!(
        run(&imp, &[("Impersonate-User", "system:anonymous")]),
        Ok(Some(as_user(
            "system:anonymous",
            &["system:unauthenticated"]
        )))
    );
    let with_extra = run(
        &imp,
        &[
            ("Impersonate-User", "bob"),
            ("Impersonate-Extra-Scopes", "view"),
            ("Impersonate-Extra-Scopes", "edit"),
            ("Impersonate-Uid", "1234"),
        ],
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        with_extra.extra.get("scopes"),
        Some(&strings(&["view", "edit"]))
    );
    assert_eq!(with_extra.uid, "1234");

    // Forbidden, with the real message and the attributes for the Status details.
    let forbidden = |who: &UserInfo, pairs: &[(&str, &str)]| match run(who, pairs) {
        Err(ImpersonationError::Forbidden {
            attributes,
            message,
        }) => (*attributes, message),
        other => panic!("{pairs:?}: expected Forbidden, got {other:?}"),
    };
    let (attrs, message) = forbidden(&imp, &[("Impersonate-User", "carol")]);
    assert_eq!(
        message,
        "users \"carol\" is forbidden: User \"impersonator\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
    assert_eq!(
        (attrs.resource.as_str(), attrs.name.as_str()),
        ("users", "carol")
    );
    let (_, message) = forbidden(
        &imp,
        &[("Impersonate-User", "bob"), ("Impersonate-Group", "admins")],
    );
    assert_eq!(
        message,
        "groups \"admins\" is forbidden: User \"impersonator\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope"
    );
    let (attrs, message) = forbidden(
        &imp,
        &[("Impersonate-User", "system:serviceaccount:team-b:robot")],
    );
    assert_eq!(
        message,
        "serviceaccounts \"robot\" is forbidden: User \"impersonator\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"team-b\""
    );
    assert_eq!(attrs.namespace, "team-b");
    let (attrs, message) = forbidden(
        &imp,
        &[
            ("Impersonate-User", "bob"),
            ("Impersonate-Extra-Tenant", "a"),
        ],
    );
    assert_eq!(
        message,
        "userextras.authentication.k8s.io \"a\" is forbidden: User \"impersonator\" cannot impersonate resource \"userextras/tenant\" in API group \"authentication.k8s.io\" at the cluster scope"
    );
    assert_eq!(attrs.subresource, "tenant");
    forbidden(&caller("peon"), &[("Impersonate-User", "bob")]);

    // Percent-encoded extra keys are decoded (and authorized decoded).
    let (attrs, _) = forbidden(
        &imp,
        &[
            ("Impersonate-User", "bob"),
            ("Impersonate-Extra-Example.com%2fteam", "x"),
        ],
    );
    assert_eq!(attrs.subresource, "example.com/team");

    // Group without user: the filter's 500, before any authorization.
    let err = run(&caller("peon"), &[("Impersonate-Group", "devs")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "requested [{Group  devs    }] without impersonating a user"
    );
    assert_eq!(err.code(), 500);
    assert_eq!(
        err.plain_text_body("/api/v1/pods"),
        "Internal Server Error: \"/api/v1/pods\": requested [{Group  devs    }] without impersonating a user"
    );
    let err = run(&imp, &[("Impersonate-Uid", "1")]).unwrap_err();
    assert_eq!(
        err,
        ImpersonationError::WithoutUser("[{UID  1  authentication.k8s.io/v1  }]".into())
    );
}

#[test]
fn impersonation_checks_every_request_in_order() {
    let seen = Mutex::new(Vec::<Attributes>::new());
    let result = impersonate(
        &caller("x"),
        &headers(&[
            ("Impersonate-User", "bob"),
            ("Impersonate-Group", "g1"),
            ("Impersonate-Uid", "u"),
        ]),
        |_, a| {
            seen.lock().push(a.clone());
            crate::identity::Decision {
                allowed: true,
                reason: String::new(),
            }
        },
    );
    assert!(result.is_ok());
    let seen: Vec<(String, String, String)> = seen
        .into_inner()
        .into_iter()
        .map(|a| (a.verb, a.api_group, format!("{}/{}", a.resource, a.name)))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("impersonate".into(), "".into(), "users/bob".into()),
            ("impersonate".into(), "".into(), "groups/g1".into()),
            (
                "impersonate".into(),
                "authentication.k8s.io".into(),
                "uids/u".into()
            ),
        ]
    );
}
