//! The HTTP front: one fallback handler that parses the path as the apiserver does, applies
//! test controls, authentication, impersonation and authorization, then dispatches.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, header};
use serde_json::Value;

use crate::identity::{Attributes, UserInfo};
use crate::route::{ResourcePath, Route};
use crate::state::Shared;
use crate::status::{ApiError, ApiResult};

pub fn json_response(code: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    bytes_response(code, "application/json", Bytes::from(body))
}

pub fn bytes_response(code: StatusCode, content_type: &str, body: Bytes) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = code;
    if let Ok(ct) = content_type.parse() {
        r.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    r
}

pub fn ok_json(v: &Value) -> Response {
    json_response(StatusCode::OK, v)
}

pub fn router(shared: Arc<Shared>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(shared)
}

/// Everything a handler needs about one request.
pub struct Ctx {
    pub shared: Arc<Shared>,
    pub method: Method,
    pub headers: HeaderMap,
    pub query: HashMap<String, String>,
    pub body: Bytes,
    pub user: UserInfo,
}

impl Ctx {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn flag(&self, k: &str) -> bool {
        matches!(self.q(k), Some("1" | "true" | "True"))
    }

    pub fn content_type(&self) -> String {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default()
    }

    pub fn accept(&self) -> &str {
        self.headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The body as JSON (YAML accepted too, as the real server does for `application/yaml`).
    pub fn body_json(&self) -> ApiResult<Value> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        // kubectl >= 1.31 sends built-in kinds from its typed clients as protobuf.
        if crate::protobuf::is_protobuf(&self.content_type()) {
            return crate::protobuf::decode_body(&self.body)
                .map_err(|e| ApiError::new(415, "UnsupportedMediaType", e.to_string()));
        }
        serde_json::from_slice(&self.body).or_else(|e| {
            serde_yaml::from_slice(&self.body).map_err(|_| {
                ApiError::bad_request(format!("the object provided is unrecognized: {e}"))
            })
        })
    }
}

fn parse_query(q: Option<&str>) -> HashMap<String, String> {
    let Some(q) = q else { return HashMap::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Authorizer attributes for a request.
pub fn attributes(route: &Route, rp: Option<&ResourcePath>, verb: &str, path: &str) -> Attributes {
    match (route, rp) {
        (Route::Resource(_), Some(rp)) => Attributes {
            verb: verb.into(),
            api_group: rp.group.clone(),
            api_version: rp.version.clone(),
            resource: rp.resource.clone(),
            subresource: rp.subresource.clone(),
            namespace: if rp.resource == "namespaces" && rp.group.is_empty() {
                rp.name.clone()
            } else {
                rp.namespace.clone()
            },
            name: rp.name.clone(),
            path: None,
        },
        _ => Attributes {
            verb: verb.into(),
            path: Some(path.to_string()),
            ..Default::default()
        },
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query = parse_query(parts.uri.query());
    let catalog = shared.catalog();
    let route = crate::route::parse(&path, &catalog.registry);
    let latency = shared.controls.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if route == Route::Health {
        return bytes_response(
            StatusCode::OK,
            "text/plain; charset=utf-8",
            Bytes::from_static(b"ok"),
        );
    }
    let watch_param = matches!(query.get("watch").map(String::as_str), Some("1" | "true"));
    let rp = match &route {
        Route::Resource(rp) => Some(rp.clone()),
        _ => None,
    };
    let verb = match &rp {
        Some(rp) => crate::route::verb(&parts.method, rp, watch_param).to_string(),
        None => match parts.method {
            Method::GET | Method::HEAD => "get".into(),
            Method::POST => "post".into(),
            Method::PUT => "put".into(),
            Method::DELETE => "delete".into(),
            _ => parts.method.as_str().to_lowercase(),
        },
    };
    let (group, resource) = match &rp {
        Some(rp) => (rp.group.clone(), rp.resource.clone()),
        None => (String::new(), String::new()),
    };
    shared.controls.count(&verb, &group, &resource);
    if !matches!(route, Route::Controls(_))
        && let Some(code) = shared.controls.take_failure(&verb, &resource)
    {
        let reason = crate::controls::reason_for(code);
        return ApiError::new(code, reason, format!("injected failure ({code} {reason})"))
            .into_response_();
    }
    let user = match shared.access.authenticate(&parts.headers) {
        Ok(u) => u,
        Err(e) if route == Route::Version => {
            let _ = e;
            UserInfo {
                username: "system:anonymous".into(),
                groups: vec!["system:unauthenticated".into()],
                ..Default::default()
            }
        }
        Err(e) => return e.into_response_(),
    };
    let uri = parts.uri.to_string();
    let user = match crate::access::impersonate(&shared, &user, &parts.headers, &uri) {
        Ok(u) => u,
        Err(resp) => return *resp,
    };
    let attrs = attributes(&route, rp.as_ref(), &verb, &path);
    if !matches!(route, Route::Version | Route::Controls(_))
        && let Err(e) = crate::access::authorize(&shared, &user, &attrs)
    {
        return e.into_response_();
    }
    let body = match axum::body::to_bytes(body, 256 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => return ApiError::bad_request(format!("reading body: {e}")).into_response_(),
    };
    let ctx = Ctx {
        shared: shared.clone(),
        method: parts.method.clone(),
        headers: parts.headers,
        query,
        body,
        user,
    };
    let result = match route {
        Route::Health => unreachable_ok(),
        Route::Version => Ok(ok_json(&crate::discovery::version())),
        Route::CoreVersions => Ok(ok_json(&crate::discovery::core_versions())),
        Route::GroupList => Ok(ok_json(&crate::discovery::group_list(&catalog.registry))),
        Route::Group(g) => crate::discovery::group(&catalog.registry, &g).map(|v| ok_json(&v)),
        Route::ResourceList { group, version } => {
            crate::discovery::resource_list(&catalog.registry, &group, &version)
                .map(|v| ok_json(&v))
        }
        Route::OpenApi(rest) => crate::glue::openapi(&ctx, &catalog, &rest),
        Route::Controls(rest) => crate::controls_http::handle(&ctx, &rest),
        Route::Resource(rp) => crate::handlers::dispatch(&ctx, &catalog, &rp, &verb).await,
        Route::NotFound => Err(ApiError::no_route(&path)),
    };
    result.unwrap_or_else(|e| e.into_response_())
}

fn unreachable_ok() -> ApiResult<Response> {
    Ok(bytes_response(
        StatusCode::OK,
        "text/plain",
        Bytes::from_static(b"ok"),
    ))
}

impl ApiError {
    /// `IntoResponse` under a name that does not need the trait in scope.
    pub fn into_response_(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}
