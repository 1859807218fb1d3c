//! The real server, in process, on an ephemeral port.

use fleetgraph::config::ServeConfig;
use fleetgraph::server::{self, RunningServer};
use serde_json::{Value, json};

use super::TestDb;

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub url: String,
    pub http: reqwest::Client,
    pub db: TestDb,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts with a fresh database and settings adjusted by `configure`.
    pub async fn start_with(configure: impl FnOnce(&mut ServeConfig)) -> TestServer {
        let db = TestDb::from_env().await;
        Self::start_on(db, configure).await
    }

    pub async fn start_on(db: TestDb, configure: impl FnOnce(&mut ServeConfig)) -> TestServer {
        let mut config = ServeConfig::ephemeral(db.url.clone());
        configure(&mut config);
        let server = server::start(&config).await.expect("server starts");
        TestServer {
            url: server.url(),
            server: Some(server),
            http: reqwest::Client::new(),
            db,
        }
    }

    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.url, path)
    }

    /// POSTs a query and returns the whole JSON body (data and errors).
    pub async fn gql(&self, query: &str) -> Value {
        self.gql_vars(query, json!({})).await
    }

    pub async fn gql_vars(&self, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(self.endpoint("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200, "GraphQL answers with HTTP 200");
        response.json().await.expect("JSON body")
    }

    /// POSTs a query with a bearer token (none: anonymous) and returns the whole JSON body.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.http.post(self.endpoint("/graphql"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status(), 200, "GraphQL answers with HTTP 200");
        response.json().await.expect("JSON body")
    }

    /// POSTs raw bytes with a content type; returns status and JSON body.
    pub async fn post_raw(&self, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .http
            .post(self.endpoint("/graphql"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.endpoint(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
    }
}

/// The `extensions.code` of every error in a response body.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}
