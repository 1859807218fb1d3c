//! `POST /graphql` and `GET /graphql`: request decoding, limits and timeouts around the schema.
//!
//! Bodies are read and decoded here rather than by async-graphql-axum's extractor so that every
//! failure before execution (wrong content type, oversized or malformed body) still answers with
//! a GraphQL-shaped error carrying `extensions.code`.

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Executor, Request};
use axum::body::Body;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorCode, graphql_error_body};
use crate::http::graphiql;
use crate::loaders;
use crate::state::AppState;

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !is_json(&headers) {
        return reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send GraphQL requests with `Content-Type: application/json` and a body like {\"query\": \"{ version { version } }\"}",
        );
    }
    let limit = state.limits.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(e) if is_length_limit(&e) => {
            return reject(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "request body is larger than the {limit}-byte limit; send a smaller query or use variables"
                ),
            );
        }
        Err(e) => {
            return reject(
                StatusCode::BAD_REQUEST,
                &format!("could not read the request body: {e}"),
            );
        }
    };
    let batch = match decode_batch(&bytes) {
        Ok(batch) => batch,
        Err(message) => return reject(StatusCode::BAD_REQUEST, &message),
    };
    execute(&state, &headers, peer, batch).await
}

pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if accepts_html(&headers) {
        return graphiql::page().into_response();
    }
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return reject(
            StatusCode::BAD_REQUEST,
            "GET /graphql needs a `query` parameter (open it in a browser for GraphiQL, or POST JSON)",
        );
    };
    let request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(e) => {
            return reject(
                StatusCode::BAD_REQUEST,
                &format!("malformed GraphQL query string: {e}"),
            );
        }
    };
    // Mutations over GET would be open to cross-site links and caching proxies.
    if is_mutation(&request) {
        return reject(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations must be sent with POST",
        );
    }
    execute(&state, &headers, peer, BatchRequest::Single(request)).await
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    peer: SocketAddr,
    batch: BatchRequest,
) -> Response {
    let authorization = match headers.get(header::AUTHORIZATION).map(|v| v.to_str()) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(_)) => {
            return unauthenticated("the Authorization header is not valid text");
        }
    };
    let principal = match state.auth.authenticate(authorization).await {
        Ok(principal) => principal,
        Err(e) if e.code() == ErrorCode::Unauthenticated => {
            return unauthenticated(&e.to_string());
        }
        Err(e) => return reject_code(StatusCode::SERVICE_UNAVAILABLE, e.code(), &e.to_string()),
    };
    // Anonymous callers share no bucket with each other: each address has its own.
    let limit_key = if principal.is_authenticated() {
        principal.key()
    } else {
        format!("anonymous@{}", peer.ip())
    };
    if let Err(e) = state.rate_limiter.check(&limit_key) {
        return reject_code(StatusCode::TOO_MANY_REQUESTS, e.code(), &e.to_string());
    }
    let batch = loaders::attach(batch, state, principal);
    let timeout = state.limits.request_timeout();
    match tokio::time::timeout(timeout, state.schema.execute_batch(batch)).await {
        Ok(response) => json_response(StatusCode::OK, &response),
        Err(_) => reject(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the request took longer than {}s and was cancelled; ask for less or retry",
                timeout.as_secs()
            ),
        ),
    }
}

fn json_response(status: StatusCode, response: &BatchResponse) -> Response {
    match serde_json::to_vec(response) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "failed to serialise a GraphQL response");
            reject_code(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "failed to serialise the response",
            )
        }
    }
}

/// A request is a JSON object, or a non-empty array of objects (a batch).
fn decode_batch(bytes: &[u8]) -> Result<BatchRequest, String> {
    const EXPECTED: &str = r#"expected JSON like {"query": "...", "variables": {}}"#;
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("malformed GraphQL request body ({e}); {EXPECTED}"))?;
    let shape_ok = match &value {
        serde_json::Value::Object(_) => true,
        serde_json::Value::Array(items) => {
            !items.is_empty() && items.iter().all(serde_json::Value::is_object)
        }
        _ => false,
    };
    if !shape_ok {
        return Err(format!(
            "a GraphQL request body must be an object or a non-empty array of objects; {EXPECTED}"
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("malformed GraphQL request ({e}); {EXPECTED}"))
}

fn unauthenticated(message: &str) -> Response {
    let mut response = reject_code(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        message,
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    );
    response
}

fn reject(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        _ => ErrorCode::BadUserInput,
    };
    reject_code(status, code, message)
}

fn reject_code(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (status, axum::Json(graphql_error_body(code, message))).into_response()
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime == "application/graphql+json"
        })
        .unwrap_or(false)
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"))
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn is_mutation(request: &Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let op_type = match &doc.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None if ops.len() == 1 => ops.values().next().map(|op| op.node.ty),
            None => None,
        },
    };
    op_type == Some(OperationType::Mutation)
}
