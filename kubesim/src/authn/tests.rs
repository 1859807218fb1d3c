//! Unit tests of token authentication and impersonation.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use parking_lot::Mutex;
use serde_json::json;

use super::*;

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
fn a_token_can_be_minted_already_expired_for_tests() {
    let auth = Authenticator::new("admin".into());
    let (expired, expires) = auth.mint_service_account_token_with_lifetime(
        "ns",
        "sa",
        "u",
        strings(&["fleetgraph"]),
        Duration::minutes(-5),
    );
    assert!(expires < Utc::now());
    assert_eq!(
        auth.review(&expired, &strings(&["fleetgraph"])).map(|_| ()),
        Err("[invalid bearer token, service account token has expired]".to_string())
    );
    let (short, _) = auth.mint_service_account_token_with_lifetime(
        "ns",
        "sa",
        "u",
        vec![],
        Duration::seconds(5),
    );
    assert!(
        auth.authenticate(&short).is_some(),
        "no minimum for the test control"
    );
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
fn the_store_lookup_decides_whether_the_service_account_still_exists() {
    let auth = Authenticator::new("admin".into());
    let store: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(Some("uid-1".into())));
    let view = store.clone();
    auth.set_service_account_lookup(Arc::new(move |ns, name| {
        (ns == "ns" && name == "robot")
            .then(|| view.lock().clone())
            .flatten()
    }));
    let (token, _) = auth.mint_service_account_token("ns", "robot", "uid-1", vec![], 3600);
    assert!(auth.authenticate(&token).is_some());
    // Re-created under the same name: a new uid.
    *store.lock() = Some("uid-2".into());
    assert_eq!(
        auth.review(&token, &[]).map(|_| ()),
        Err(
            "[invalid bearer token, service account UID (uid-2) does not match claim (uid-1)]"
                .to_string()
        )
    );
    *store.lock() = None;
    assert_eq!(
        auth.review(&token, &[]).map(|_| ()),
        Err("[invalid bearer token, serviceaccount \"robot\" not found]".to_string())
    );
    // Static tokens are not ServiceAccounts: the lookup does not concern them.
    auth.add_static_token("t", "system:serviceaccount:ns:robot", &[]);
    assert!(auth.authenticate("t").is_some());
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
