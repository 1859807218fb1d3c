//! The GraphQL endpoint over real HTTP: root fields, GraphiQL, limits and request errors.

mod common;

use common::TestServer;
use common::server::error_codes;
use serde_json::json;

#[tokio::test]
async fn version_and_viewer() {
    let server = TestServer::start().await;
    let body = server
        .gql("{ version { version gitCommit features } viewer { subject roles tenants authKind } }")
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let version = &body["data"]["version"];
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    let commit = version["gitCommit"].as_str().expect("gitCommit");
    assert!(
        commit == "unknown"
            || (commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "gitCommit is a full hash or unknown: {commit}"
    );
    let features: Vec<&str> = version["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f.as_str().expect("string"))
        .collect();
    let mut sorted = features.clone();
    sorted.sort();
    assert_eq!(features, sorted, "features are sorted");
    let backend = format!("store:{}", server.db.backend);
    assert!(features.contains(&backend.as_str()), "{features:?}");
    assert!(features.contains(&"introspection"));
    assert_eq!(
        body["data"]["viewer"],
        json!({ "subject": "anonymous", "roles": [], "tenants": [], "authKind": "ANONYMOUS" })
    );
    server.shutdown().await;
}

#[tokio::test]
async fn query_over_get_and_mutations_refused_over_get() {
    let server = TestServer::start().await;
    let response = server
        .get("/graphql?query=%7B%20version%20%7B%20version%20%7D%20%7D")
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body["data"]["version"]["version"],
        env!("CARGO_PKG_VERSION")
    );

    let response = server.get("/graphql?query=mutation%20%7B%20x%20%7D").await;
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("POST")
    );

    let response = server.get("/graphql").await;
    assert_eq!(response.status(), 400, "GET without query or HTML accept");
    server.shutdown().await;
}

#[tokio::test]
async fn graphiql_is_served_from_bundled_assets() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(server.endpoint("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.expect("text");
    assert!(html.contains("GraphiQL"));
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn"),
        "no CDN: {html}"
    );
    // Every script and stylesheet the page references is served by us.
    let mut referenced = 0;
    for part in html.split(['"', '\'']) {
        if part.starts_with("/graphiql/") {
            referenced += 1;
            let asset = server.get(part).await;
            assert_eq!(asset.status(), 200, "{part}");
            assert!(asset.bytes().await.expect("bytes").len() > 1000, "{part}");
        }
    }
    assert_eq!(referenced, 4, "react, react-dom, graphiql js and css");
    assert_eq!(server.get("/graphiql/3.9.0/nope.js").await.status(), 404);
    server.shutdown().await;
}

#[tokio::test]
async fn depth_limit_gives_query_too_complex() {
    let server = TestServer::start_with(|c| c.limits.max_query_depth = 3).await;
    let body = server
        .gql("{ __schema { types { fields { type { name } } } } }")
        .await;
    assert_eq!(error_codes(&body), vec!["QUERY_TOO_COMPLEX"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep")
    );
    let ok = server.gql("{ version { version } }").await;
    assert!(ok.get("errors").is_none(), "{ok}");
    server.shutdown().await;
}

#[tokio::test]
async fn complexity_limit_gives_query_too_complex() {
    let server = TestServer::start_with(|c| c.limits.max_query_complexity = 3).await;
    let body = server
        .gql("{ version { version gitCommit features } viewer { subject } }")
        .await;
    assert_eq!(error_codes(&body), vec!["QUERY_TOO_COMPLEX"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("too complex")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn default_limits_allow_the_graphiql_introspection_query() {
    let server = TestServer::start().await;
    let body = server.gql(INTROSPECTION).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 5);
    server.shutdown().await;
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let server = TestServer::start_with(|c| c.limits.introspection = false).await;
    let body = server.gql("{ __schema { queryType { name } } }").await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("introspection is disabled")
    );
    let body = server
        .gql("query { ...F } fragment F on Query { __type(name: \"Version\") { name } }")
        .await;
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"], "{body}");
    let body = server.gql("{ __typename version { features } }").await;
    assert!(body.get("errors").is_none(), "{body}");
    let features = body["data"]["version"]["features"].as_array().unwrap();
    assert!(!features.contains(&json!("introspection")));
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_coded_errors() {
    let server = TestServer::start().await;

    let (status, body) = server
        .post_raw("application/json", b"{\"query\": ".to_vec())
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("malformed")
    );

    let (status, body) = server
        .post_raw("text/plain", b"{ version { version } }".to_vec())
        .await;
    assert_eq!(status, 415);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );

    let (status, body) = server.post_raw("application/json", b"[]".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);

    // Syntax errors and unknown fields are GraphQL errors with HTTP 200.
    let body = server.gql("{ version { ").await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    let body = server.gql("{ noSuchField }").await;
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("noSuchField")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn oversized_body_is_rejected_with_413() {
    let server = TestServer::start_with(|c| c.limits.max_body_bytes = 1024).await;
    let padding = " ".repeat(2048);
    let body = format!("{{\"query\": \"{{ version {{ version }} }}{padding}\"}}");
    let (status, body) = server.post_raw("application/json", body.into_bytes()).await;
    assert_eq!(status, 413);
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1024")
    );
    // Just under the limit still works.
    let body = server.gql("{ version { version } }").await;
    assert!(body.get("errors").is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn batches_are_answered_in_order() {
    let server = TestServer::start().await;
    let (status, body) = server
        .post_raw(
            "application/json",
            serde_json::to_vec(&json!([
                { "query": "{ version { version } }" },
                { "query": "{ viewer { subject } }" }
            ]))
            .unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body[0]["data"]["version"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(body[1]["data"]["viewer"]["subject"], "anonymous");
    server.shutdown().await;
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = TestServer::start().await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let ready = server.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        ready,
        json!({ "status": "ready", "checks": { "store": "ok" } })
    );

    // A closed gate (e.g. a cache that has not synced) makes the server not ready.
    let readiness = server.server.as_ref().unwrap().state.readiness.clone();
    readiness.register("fleet-cache");
    let not_ready = server.get("/readyz").await;
    assert_eq!(not_ready.status(), 503);
    let not_ready: serde_json::Value = not_ready.json().await.unwrap();
    assert_eq!(not_ready["checks"]["fleet-cache"], "waiting");
    readiness.open("fleet-cache");
    assert_eq!(server.get("/readyz").await.status(), 200);

    server
        .gql_vars_named("query PageOne { version { version } }", "PageOne")
        .await;
    server.gql("{ nope }").await;
    let metrics = server.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"fleetgraph_graphql_requests_total{operation="PageOne",outcome="ok"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"fleetgraph_graphql_requests_total{operation="anonymous",outcome="BAD_USER_INPUT"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("fleetgraph_graphql_request_duration_seconds_bucket"));
    assert!(
        text.contains(
            r#"fleetgraph_graphql_request_duration_seconds_count{operation="PageOne"} 1"#
        )
    );
    server.shutdown().await;
}

trait NamedQuery {
    async fn gql_vars_named(&self, query: &str, name: &str) -> serde_json::Value;
}

impl NamedQuery for TestServer {
    async fn gql_vars_named(&self, query: &str, name: &str) -> serde_json::Value {
        let response = self
            .http
            .post(self.endpoint("/graphql"))
            .json(&json!({ "query": query, "operationName": name }))
            .send()
            .await
            .expect("sent");
        response.json().await.expect("json")
    }
}

/// The query GraphiQL sends on load (graphql-js `getIntrospectionQuery()`).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}
"#;

#[tokio::test]
async fn fleet_fields_without_a_management_cluster_are_unavailable() {
    let server = TestServer::start_with(|c| c.auth.auth_disabled = true).await;
    let body = server
        .gql("{ clusters(first: 5) { totalCount } version { version } }")
        .await;
    assert_eq!(error_codes(&body), vec!["UNAVAILABLE"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--kubeconfig")
    );
    // The rest of the query still answers.
    assert_eq!(
        body["data"]["version"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    server.shutdown().await;
}
