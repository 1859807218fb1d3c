//! fleetgraph JWTs over real HTTP: issuance, verification, every way a token can be bad, auth
//! switched off, rate limits and CORS.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::TestServer;
use common::server::error_codes;
use fleetgraph::auth::Role;
use fleetgraph::auth::jwt::{JwtKeys, TokenRequest};
use fleetgraph::config::{JwtAlgorithm, JwtConfig, ServeConfig};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-only";
const VIEWER: &str = "{ viewer { subject roles tenants projects authKind } }";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jwt")).join(name)
}

fn hs256_config() -> JwtConfig {
    JwtConfig {
        jwt_secret: Some(SECRET.to_string()),
        ..JwtConfig::default()
    }
}

fn with_jwt(jwt: JwtConfig) -> impl FnOnce(&mut ServeConfig) {
    move |c| c.auth.jwt = jwt
}

async fn viewer_with(server: &TestServer, token: &str) -> (u16, Value) {
    let response = server
        .http
        .post(server.endpoint("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": VIEWER }))
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

fn issue(config: &JwtConfig, roles: Vec<Role>, tenants: &[&str]) -> String {
    JwtKeys::from_config(config)
        .unwrap()
        .unwrap()
        .issue(&TokenRequest {
            subject: "alice".into(),
            roles,
            tenants: tenants.iter().map(|t| t.to_string()).collect(),
            projects: vec!["acme/web".into()],
            ttl: Duration::from_secs(600),
        })
        .unwrap()
        .token
}

/// Claims as fleetgraph writes them, `exp` an hour away, for tampering.
fn claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": "mallory", "iss": "fleetgraph", "aud": "fleetgraph",
        "exp": now + 3600, "iat": now, "jti": "x", "roles": ["admin"], "tenants": [], "projects": []
    })
}

fn sign_hs(claims: &Value, alg: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn hs256_token_identifies_the_caller() {
    let config = hs256_config();
    let server = TestServer::start_with(with_jwt(config.clone())).await;
    let token = issue(
        &config,
        vec![Role::TenantOwner, Role::ReadOnly],
        &["beta", "acme"],
    );
    let (status, body) = viewer_with(&server, &token).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["viewer"],
        json!({
            "subject": "alice",
            "roles": ["TENANT_OWNER", "READ_ONLY"],
            "tenants": ["acme", "beta"],
            "projects": ["acme/web"],
            "authKind": "JWT"
        })
    );
    let body = server.gql("{ version { features } }").await;
    assert!(
        body["data"]["version"]["features"]
            .as_array()
            .unwrap()
            .contains(&json!("auth:jwt"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn no_token_is_anonymous() {
    let server = TestServer::start_with(with_jwt(hs256_config())).await;
    let body = server.gql(VIEWER).await;
    assert_eq!(body["data"]["viewer"]["authKind"], "ANONYMOUS");
    assert_eq!(body["data"]["viewer"]["roles"], json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn every_kind_of_bad_token_is_unauthenticated() {
    let server = TestServer::start_with(with_jwt(hs256_config())).await;
    let now = chrono::Utc::now().timestamp();
    let mut expired = claims();
    expired["exp"] = json!(now - 3600);
    let mut not_yet = claims();
    not_yet["nbf"] = json!(now + 3600);
    let mut wrong_audience = claims();
    wrong_audience["aud"] = json!("someone-else");
    let mut wrong_issuer = claims();
    wrong_issuer["iss"] = json!("evil");
    let mut no_exp = claims();
    no_exp.as_object_mut().unwrap().remove("exp");
    let mut unknown_role = claims();
    unknown_role["roles"] = json!(["superuser"]);
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    let rsa_key = std::fs::read(fixture("rs256-private.pem")).unwrap();
    let rs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(),
        &EncodingKey::from_rsa_pem(&rsa_key).unwrap(),
    )
    .unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            sign_hs(&expired, Algorithm::HS256, SECRET.as_bytes()),
            "expired",
        ),
        (
            "not yet valid",
            sign_hs(&not_yet, Algorithm::HS256, SECRET.as_bytes()),
            "not valid yet",
        ),
        (
            "wrong audience",
            sign_hs(&wrong_audience, Algorithm::HS256, SECRET.as_bytes()),
            "audience",
        ),
        (
            "wrong issuer",
            sign_hs(&wrong_issuer, Algorithm::HS256, SECRET.as_bytes()),
            "not issued by this server",
        ),
        (
            "missing exp",
            sign_hs(&no_exp, Algorithm::HS256, SECRET.as_bytes()),
            "exp",
        ),
        (
            "unknown role",
            sign_hs(&unknown_role, Algorithm::HS256, SECRET.as_bytes()),
            "unknown role",
        ),
        (
            "wrong secret",
            sign_hs(
                &claims(),
                Algorithm::HS256,
                b"another-secret-another-secret-xx",
            ),
            "signature",
        ),
        (
            "other HMAC algorithm",
            sign_hs(&claims(), Algorithm::HS384, SECRET.as_bytes()),
            "algorithm",
        ),
        ("RS256 instead of HS256", rs256, "algorithm"),
        ("alg none", format!("{none_header}.{payload}."), "algorithm"),
        (
            "alg none, no signature part",
            format!("{none_header}.{payload}"),
            "invalid token",
        ),
        ("malformed", "not.a.jwt".to_string(), "invalid token"),
        ("garbage", "%%%".to_string(), "invalid token"),
    ];
    for (name, token, reason) in cases {
        let (status, body) = viewer_with(&server, &token).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(
            error_codes(&body),
            vec!["UNAUTHENTICATED"],
            "{name}: {body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{name}: {message}");
        assert!(body["data"].is_null(), "{name}: no data leaks");
    }

    for header in ["Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer ", "token"] {
        let response = server
            .http
            .post(server.endpoint("/graphql"))
            .header("authorization", header)
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{header:?}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn clock_skew_within_the_leeway_is_tolerated() {
    let server = TestServer::start_with(with_jwt(hs256_config())).await;
    let mut just_expired = claims();
    just_expired["exp"] = json!(chrono::Utc::now().timestamp() - 5);
    let (status, body) = viewer_with(
        &server,
        &sign_hs(&just_expired, Algorithm::HS256, SECRET.as_bytes()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["subject"], "mallory");
    server.shutdown().await;
}

#[tokio::test]
async fn rs256_and_eddsa_keys_work_and_refuse_each_other() {
    let rs = JwtConfig {
        jwt_algorithm: JwtAlgorithm::Rs256,
        jwt_private_key_file: Some(fixture("rs256-private.pem")),
        jwt_public_key_file: Some(fixture("rs256-public.pem")),
        ..JwtConfig::default()
    };
    let ed = JwtConfig {
        jwt_algorithm: JwtAlgorithm::EdDsa,
        jwt_private_key_file: Some(fixture("eddsa-private.pem")),
        jwt_public_key_file: Some(fixture("eddsa-public.pem")),
        ..JwtConfig::default()
    };
    let rs_token = issue(&rs, vec![Role::Ops], &[]);
    let ed_token = issue(&ed, vec![Role::Admin], &[]);

    let server = TestServer::start_with(with_jwt(rs.clone())).await;
    let (status, body) = viewer_with(&server, &rs_token).await;
    assert_eq!(
        (status, &body["data"]["viewer"]["roles"]),
        (200, &json!(["OPS"]))
    );
    let (status, _) = viewer_with(&server, &ed_token).await;
    assert_eq!(status, 401);
    // HS256 signed with the RSA public key: the classic algorithm-confusion attack.
    let public_pem = std::fs::read(fixture("rs256-public.pem")).unwrap();
    let (status, body) =
        viewer_with(&server, &sign_hs(&claims(), Algorithm::HS256, &public_pem)).await;
    assert_eq!(status, 401, "{body}");
    server.shutdown().await;

    let server = TestServer::start_with(with_jwt(ed)).await;
    let (status, body) = viewer_with(&server, &ed_token).await;
    assert_eq!(
        (status, &body["data"]["viewer"]["roles"]),
        (200, &json!(["ADMIN"]))
    );
    assert_eq!(viewer_with(&server, &rs_token).await.0, 401);
    server.shutdown().await;
}

#[tokio::test]
async fn issuing_enforces_ttl_bounds_and_roles() {
    let keys = JwtKeys::from_config(&hs256_config()).unwrap().unwrap();
    let request = |ttl: u64, roles: Vec<Role>| TokenRequest {
        subject: "bob".into(),
        roles,
        tenants: vec![],
        projects: vec![],
        ttl: Duration::from_secs(ttl),
    };
    let err = keys.issue(&request(10, vec![Role::Admin])).unwrap_err();
    assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
    let err = keys
        .issue(&request(40 * 24 * 3600, vec![Role::Admin]))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
    let err = keys.issue(&request(600, vec![])).unwrap_err();
    assert_eq!(err.code().as_str(), "BAD_USER_INPUT");
    let short = JwtConfig {
        jwt_secret: Some("too-short".into()),
        ..JwtConfig::default()
    };
    assert!(
        JwtKeys::from_config(&short).is_err(),
        "short HS256 secrets are refused"
    );
}

#[tokio::test]
async fn token_issue_command_signs_with_the_configured_key() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetgraph"))
        .args([
            "token",
            "issue",
            "--subject",
            "root",
            "--roles",
            "admin",
            "--ttl",
            "1h",
        ])
        .arg("--jwt-secret-file")
        .arg(&secret_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();

    let server = TestServer::start_with(with_jwt(hs256_config())).await;
    let (status, body) = viewer_with(&server, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["viewer"]["subject"], "root");
    assert_eq!(body["data"]["viewer"]["roles"], json!(["ADMIN"]));
    server.shutdown().await;

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetgraph"))
        .args(["token", "issue", "--subject", "root", "--roles", "admin"])
        .env_remove("FLEETGRAPH_JWT_SECRET")
        .env_remove("FLEETGRAPH_JWT_SECRET_FILE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("no signing key")
    );

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fleetgraph"))
        .args([
            "token",
            "issue",
            "--subject",
            "x",
            "--roles",
            "root",
            "--jwt-secret",
            SECRET,
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("unknown role")
    );
}

#[tokio::test]
async fn auth_disabled_trusts_everyone_and_says_so() {
    let server = TestServer::start_with(|c| c.auth.auth_disabled = true).await;
    let body = server.gql(VIEWER).await;
    assert_eq!(body["data"]["viewer"]["authKind"], "DISABLED");
    assert_eq!(body["data"]["viewer"]["roles"], json!(["ADMIN"]));
    let body = server.gql("{ version { features } }").await;
    assert!(
        body["data"]["version"]["features"]
            .as_array()
            .unwrap()
            .contains(&json!("auth:disabled"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn rate_limit_is_per_principal() {
    let config = hs256_config();
    let server = TestServer::start_with(|c| {
        c.auth.jwt = config.clone();
        c.auth.rate_limit_per_second = 1;
        c.auth.rate_limit_burst = 2;
    })
    .await;
    let alice = issue(&config, vec![Role::ReadOnly], &[]);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(viewer_with(&server, &alice).await);
    }
    let limited = statuses
        .iter()
        .find(|(s, _)| *s == 429)
        .expect("a request is limited");
    assert_eq!(error_codes(&limited.1), vec!["RATE_LIMITED"]);
    // Another principal has a bucket of its own.
    let bob = JwtKeys::from_config(&config)
        .unwrap()
        .unwrap()
        .issue(&TokenRequest {
            subject: "bob".into(),
            roles: vec![Role::ReadOnly],
            tenants: vec![],
            projects: vec![],
            ttl: Duration::from_secs(600),
        })
        .unwrap()
        .token;
    assert_eq!(viewer_with(&server, &bob).await.0, 200);
    server.shutdown().await;
}

#[tokio::test]
async fn cors_allows_only_listed_origins() {
    let server = TestServer::start_with(|c| {
        c.auth.cors_allowed_origins = vec!["https://dashboard.example.com".into()]
    })
    .await;
    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, server.endpoint("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let allowed = preflight("https://dashboard.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://dashboard.example.com"
    );
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    server.shutdown().await;
}
