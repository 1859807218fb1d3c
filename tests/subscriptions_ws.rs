//! GraphQL over WebSocket, protocol level, against the running server: authentication in
//! `connection_init`, the per-connection operation limit, keep-alives, limits on every path,
//! and the close code at shutdown. Both protocols.

mod common;

use std::time::Duration;

use common::TestServer;
use common::ws::{Ending, Protocol, WsClient};
use fleetgraph::auth::Role;
use fleetgraph::auth::jwt::{JwtKeys, TokenRequest};
use fleetgraph::config::JwtConfig;
use serde_json::{Value, json};

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-only";
const CLUSTERS: &str = "subscription { clusterChanged { change cluster { id name } } }";

fn jwt() -> JwtConfig {
    JwtConfig {
        jwt_secret: Some(SECRET.to_string()),
        ..JwtConfig::default()
    }
}

fn token(roles: Vec<Role>) -> String {
    JwtKeys::from_config(&jwt())
        .unwrap()
        .unwrap()
        .issue(&TokenRequest {
            subject: "alice".into(),
            roles,
            tenants: vec![],
            projects: vec![],
            ttl: Duration::from_secs(600),
        })
        .unwrap()
        .token
}

fn path(protocol: Protocol) -> &'static str {
    // The legacy protocol goes through the upgrade on /graphql, the other through /graphql/ws.
    match protocol {
        Protocol::TransportWs => "/graphql/ws",
        Protocol::Legacy => "/graphql",
    }
}

/// Refusals the server counted for `reason` (see /metrics).
async fn refusals(server: &TestServer, reason: &str) -> u64 {
    let text = server.get("/metrics").await.text().await.unwrap();
    let prefix = format!("fleetgraph_websocket_refusals_total{{reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn connection_init_without_valid_credentials_is_refused() {
    let server = TestServer::start_with(|c| c.auth.jwt = jwt()).await;
    let expired = {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({ "sub": "x", "iss": "fleetgraph", "aud": "fleetgraph",
            "exp": now - 3600, "iat": now - 7200, "roles": ["admin"] });
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    let bad_payloads = [
        json!({}),
        json!({ "Authorization": "Bearer not-a-token" }),
        json!({ "Authorization": format!("Bearer {expired}") }),
        json!({ "token": "garbage" }),
    ];
    for protocol in Protocol::BOTH {
        for payload in &bad_payloads {
            let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
            let refused = client.init(payload.clone()).await;
            match protocol {
                Protocol::TransportWs => match refused {
                    Err(Ending::Closed(Some(4403), _)) => {}
                    other => panic!("{payload}: expected close 4403, got {other:?}"),
                },
                Protocol::Legacy => {
                    let Err(Ending::ConnectionError(message)) = refused else {
                        panic!("{payload}: expected connection_error, got {refused:?}");
                    };
                    assert!(message["payload"]["message"].is_string(), "{message}");
                    let (code, _) = client.read_to_close().await;
                    assert_eq!(code, Some(4403));
                }
            }
        }
        // Valid credentials, in every accepted spelling, are acknowledged.
        let good = token(vec![Role::Admin]);
        for payload in [
            json!({ "Authorization": format!("Bearer {good}") }),
            json!({ "headers": { "authorization": format!("Bearer {good}") } }),
            json!({ "authToken": good }),
        ] {
            let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
            assert_eq!(client.init(payload.clone()).await, Ok(()), "{payload}");
        }
    }
    assert!(refusals(&server, "unauthenticated").await >= 8);
    server.shutdown().await;
}

#[tokio::test]
async fn operations_per_connection_are_limited() {
    let server = TestServer::start_with(|c| {
        c.auth.auth_disabled = true;
        c.limits.max_subscriptions_per_connection = 2;
    })
    .await;
    for protocol in Protocol::BOTH {
        let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
        client.init(json!({})).await.unwrap();
        client.subscribe("1", CLUSTERS, json!({})).await;
        client.subscribe("2", CLUSTERS, json!({})).await;
        client.subscribe("3", CLUSTERS, json!({})).await;
        let refused = client.next_message().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["id"], "3");
        let error = match protocol {
            Protocol::TransportWs => refused["payload"][0].clone(),
            Protocol::Legacy => refused["payload"].clone(),
        };
        assert_eq!(error["extensions"]["code"], "RATE_LIMITED", "{refused}");
        // Completing one frees a place: the next one runs (a query answers and completes).
        client.complete("1").await;
        if protocol == Protocol::Legacy {
            let done = client.next_message().await;
            assert_eq!(
                (done["type"].as_str(), done["id"].as_str()),
                (Some("complete"), Some("1"))
            );
        }
        client
            .subscribe("4", "{ version { version } }", json!({}))
            .await;
        let answer = client.next_data("4").await;
        assert!(answer["version"]["version"].is_string(), "{answer}");
    }
    assert_eq!(refusals(&server, "subscription_limit").await, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn depth_and_complexity_limits_apply_over_websocket() {
    let server = TestServer::start_with(|c| {
        c.auth.auth_disabled = true;
        c.limits.max_query_depth = 3;
    })
    .await;
    for protocol in Protocol::BOTH {
        let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
        client.init(json!({})).await.unwrap();
        client
            .subscribe(
                "deep",
                "subscription { clusterChanged { cluster { health { hasIssues } } } }",
                json!({}),
            )
            .await;
        let message = client.next_message().await;
        assert_eq!(message["id"], "deep", "{message}");
        assert!(
            message["payload"].to_string().contains("QUERY_TOO_COMPLEX"),
            "{message}"
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn idle_connections_get_keepalives_and_shutdown_closes_with_1001() {
    let server = TestServer::start_with(|c| {
        c.auth.auth_disabled = true;
        c.limits.ws_keepalive_secs = 1;
    })
    .await;
    let mut clients = Vec::new();
    for protocol in Protocol::BOTH {
        let mut client = WsClient::connect(&server.url, path(protocol), protocol).await;
        client.init(json!({})).await.unwrap();
        // Read raw frames: the keep-alive of each protocol comes while nothing else happens.
        let expected = match protocol {
            Protocol::TransportWs => "ping",
            Protocol::Legacy => "ka",
        };
        loop {
            use futures::StreamExt;
            let frame = client.socket.next().await.unwrap().unwrap();
            if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
                let value: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(value["type"], expected);
                break;
            }
        }
        client.subscribe("s", CLUSTERS, json!({})).await;
        clients.push(client);
    }
    server.shutdown().await;
    for mut client in clients {
        let (code, _) = client.read_to_close().await;
        assert_eq!(code, Some(1001), "{:?}", client.protocol);
    }
}

#[tokio::test]
async fn a_client_without_a_subprotocol_is_told_what_to_ask_for() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(server.endpoint("/graphql/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    server.shutdown().await;
}
