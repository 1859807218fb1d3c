//! Unit tests of token authentication and impersonation.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use http::{HeaderMap, HeaderName, HeaderValue};
use parking_lot::Mutex;
use serde_json::json;

use super::*;
use crate::identity::{Attributes, UserInfo};
use crate::rbac::RbacSnapshot;

fn clock_at(start: DateTime<Utc>) -> (Clock, Arc<Mutex<DateTime<Utc>>>) {
    let now = Arc::new(Mutex::new(start));
    let read = now.clone();
    (Arc::new(move || *read.lock()), now)
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn static_and_admin_tokens() {
    let auth = Authenticator::new("admin-secret".into());
    auth.add_static_token("alice-token", "alice", &strings(&["devs"]));
    let admin = auth.authenticate("admin-secret").expect("admin");
    assert_eq!(admin.username, "kubesim-admin");
    assert_eq!(
        admin.groups,
        strings(&["system:masters", "system:authenticated"])
    );
    let alice = auth.authenticate("alice-token").expect("alice");
    assert_eq!(alice.groups, strings(&["devs", "system:authenticated"]));
    assert_eq!(auth.authenticate("nope"), None);
    assert_eq!(auth.authenticate(""), None);
}

#[test]
fn token_review_table() {
    let (clock, _) = clock_at(start());
    let auth = Authenticator::with_clock("admin".into(), clock);
    auth.add_static_token("static", "sam", &[]);
    let (api_token, _) =
        auth.mint_service_account_token("ns1", "sa1", "uid-1", Vec::new(), DEFAULT_TOKEN_SECONDS);
    let (fg_token, _) = auth.mint_service_account_token(
        "ns1",
        "sa1",
        "uid-1",
        strings(&["fleetgraph", "other"]),
        DEFAULT_TOKEN_SECONDS,
    );
    type Want = Result<(&'static str, Vec<String>), String>;
    let cases: Vec<(&str, &str, Vec<String>, Want)> = vec![
        (
            "static token, default audiences",
            "static",
            vec![],
            Ok(("sam", strings(&[API_AUDIENCE]))),
        ),
        (
            "static token, server audience named",
            "static",
            strings(&[API_AUDIENCE, "x"]),
            Ok(("sam", strings(&[API_AUDIENCE]))),
        ),
        (
            "static token is audience-agnostic: only this server",
            "static",
            strings(&["fleetgraph"]),
            Err("invalid bearer token".into()),
        ),
        (
            "unknown token",
            "garbage",
            vec![],
            Err("invalid bearer token".into()),
        ),
        (
            "minted without audiences is for this server",
            &api_token,
            vec![],
            Ok((
                "system:serviceaccount:ns1:sa1",
                strings(&[API_AUDIENCE]),
            )),
        ),
        (
            "minted for fleetgraph, reviewed for fleetgraph",
            &fg_token,
            strings(&["fleetgraph"]),
            Ok(("system:serviceaccount:ns1:sa1", strings(&["fleetgraph"]))),
        ),
        (
            "audience intersection keeps the token's order",
            &fg_token,
            strings(&["zzz", "other", "fleetgraph"]),
            Ok((
                "system:serviceaccount:ns1:sa1",
                strings(&["fleetgraph", "other"]),
            )),
        ),
        (
            "minted for fleetgraph, reviewed for the server",
            &fg_token,
            vec![],
            Err("[invalid bearer token, token audiences [\"fleetgraph\" \"other\"] is invalid for the target audiences [\"https://kubernetes.default.svc\"]]".into()),
        ),
        (
            "minted for the server, reviewed for fleetgraph",
            &api_token,
            strings(&["fleetgraph"]),
            Err("[invalid bearer token, token audiences [\"https://kubernetes.default.svc\"] is invalid for the target audiences [\"fleetgraph\"]]".into()),
        ),
    ];
    for (what, token, auds, want) in cases {
        let got = auth
            .review(token, &auds)
            .map(|(u, a)| (u.username.clone(), a));
        let want = want.map(|(u, a)| (u.to_string(), a));
        assert_eq!(got, want, "{what}");
    }
    // A token minted for another audience cannot call the API server itself.
    assert_eq!(auth.authenticate(&fg_token), None);
    assert!(auth.authenticate(&api_token).is_some());
}

#[test]
fn minted_token_identity_and_shape() {
    let (clock, _) = clock_at(start());
    let auth = Authenticator::with_clock("admin".into(), clock);
    let (token, expires) =
        auth.mint_service_account_token("team-a", "robot", "uid-42", strings(&["fg"]), 7200);
    assert_eq!(expires, start() + Duration::seconds(7200));
    let (user, _) = auth.review(&token, &strings(&["fg"])).expect("valid");
    assert_eq!(user.username, "system:serviceaccount:team-a:robot");
    assert_eq!(user.uid, "uid-42");
    assert_eq!(
        user.groups,
        strings(&[
            "system:serviceaccounts",
            "system:serviceaccounts:team-a",
            "system:authenticated"
        ])
    );
    assert_eq!(token.split('.').count(), 3, "JWT shape: {token}");
    let claims = decode_claims(&token).expect("decodable payload");
    assert_eq!(claims["iss"], API_AUDIENCE);
    assert_eq!(claims["sub"], "system:serviceaccount:team-a:robot");
    assert_eq!(claims["aud"], json!(["fg"]));
    assert_eq!(claims["exp"], json!(expires.timestamp()));
    assert_eq!(claims["iat"], json!(start().timestamp()));
    assert_eq!(claims["kubernetes.io"]["namespace"], "team-a");
    assert_eq!(
        claims["kubernetes.io"]["serviceaccount"],
        json!({"name": "robot", "uid": "uid-42"})
    );
    let jti = claims["jti"].as_str().unwrap();
    assert_eq!(
        user.extra.get(CREDENTIAL_ID_EXTRA),
        Some(&vec![format!("JTI={jti}")])
    );
    // Forging: the same claims with another signature are not a token kubesim minted.
    let forged = format!("{}.AAAA", token.rsplit_once('.').unwrap().0);
    assert!(auth.review(&forged, &strings(&["fg"])).is_err());
}

#[test]
fn expiry_follows_the_clock_with_the_jwt_leeway() {
    let (clock, now) = clock_at(start());
    let auth = Authenticator::with_clock("admin".into(), clock);
    // Below the minimum: the token still lives the minimum ten minutes.
    let (token, expires) = auth.mint_service_account_token("ns", "sa", "u", vec![], 60);
    assert_eq!(expires, start() + Duration::seconds(MIN_TOKEN_SECONDS));
    let expired = Err("[invalid bearer token, service account token has expired]".to_string());
    let steps = [
        (599, true),
        (600, true),
        (600 + EXPIRY_LEEWAY_SECONDS, true),
        (601 + EXPIRY_LEEWAY_SECONDS, false),
        (86_400, false),
    ];
    for (after, valid) in steps {
        *now.lock() = start() + Duration::seconds(after);
        let got = auth.review(&token, &[]).map(|(u, _)| u.username);
        if valid {
            assert!(got.is_ok(), "{after}s after minting: {got:?}");
        } else {
            assert_eq!(got, expired, "{after}s after minting");
            assert_eq!(auth.authenticate(&token), None);
        }
    }
}

#[test]
fn deleting_the_service_account_revokes_its_tokens() {
    let auth = Authenticator::new("admin".into());
    let (mine, _) = auth.mint_service_account_token("ns", "doomed", "u1", vec![], 3600);
    let (other, _) = auth.mint_service_account_token("ns", "kept", "u2", vec![], 3600);
    let (same_name_elsewhere, _) =
        auth.mint_service_account_token("ns2", "doomed", "u3", vec![], 3600);
    auth.revoke_service_account("ns", "doomed");
    assert_eq!(
        auth.review(&mine, &[]).map(|_| ()),
        Err("[invalid bearer token, serviceaccount \"doomed\" not found]".to_string())
    );
    assert!(auth.authenticate(&other).is_some());
    assert!(auth.authenticate(&same_name_elsewhere).is_some());
}

#[test]
fn service_account_usernames() {
    assert_eq!(
        split_service_account_username("system:serviceaccount:ns:name"),
        Some(("ns", "name"))
    );
    for not_sa in [
        "system:serviceaccount:ns",
        "system:serviceaccount::name",
        "system:serviceaccount:ns:a:b",
        "system:serviceaccount:Ns:name",
        "system:serviceaccounts:ns:name",
        "alice",
    ] {
        assert_eq!(split_service_account_username(not_sa), None, "{not_sa}");
    }
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
