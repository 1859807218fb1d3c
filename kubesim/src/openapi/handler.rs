//! Serving the documents as kube-openapi's handlers do: ETags and `If-None-Match`, immutable
//! caching when the request carries the current `?hash=`, a redirect when it carries a stale
//! one, and 406 for protobuf-only requests (kubesim serves JSON only).
//!
//! Documents are built once per catalog (the registry is rebuilt as a whole when a CRD
//! changes) and kept while that catalog is alive: every kubectl call fetches the index.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, Weak};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use parking_lot::Mutex;
use serde_json::{Map, Value, json};

use super::content_hash;
use super::documents::{served_gvs, v3_document};
use super::swagger::v2_document;
use crate::state::Catalog;
use crate::status::ApiError;

/// A serialized document and its hash.
#[derive(Clone)]
struct Doc {
    bytes: Bytes,
    hash: String,
    content_type: &'static str,
}

impl Doc {
    fn new(v: &Value) -> Self {
        Self::from_bytes(
            serde_json::to_vec(v).unwrap_or_default(),
            "application/json",
        )
    }

    fn from_bytes(bytes: Vec<u8>, content_type: &'static str) -> Self {
        let hash = content_hash(&bytes);
        Self {
            bytes: Bytes::from(bytes),
            hash,
            content_type,
        }
    }
}

struct Docs {
    index: Doc,
    by_gv: HashMap<String, Doc>,
    v2: OnceLock<Doc>,
    v2_proto: OnceLock<Doc>,
}

fn build(catalog: &Catalog) -> Docs {
    let mut by_gv = HashMap::new();
    let mut paths = Map::new();
    for gv in served_gvs(&catalog.registry) {
        if let Some(doc) = v3_document(&catalog.registry, &gv) {
            let d = Doc::new(&doc);
            paths.insert(
                gv.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{gv}?hash={}", d.hash)}),
            );
            by_gv.insert(gv, d);
        }
    }
    Docs {
        index: Doc::new(&json!({ "paths": paths })),
        by_gv,
        v2: OnceLock::new(),
        v2_proto: OnceLock::new(),
    }
}

/// The documents of `catalog`, built on first use. A `Weak` keeps the catalog's allocation
/// from being reused, so pointer identity cannot confuse two catalogs.
fn docs_for(catalog: &Arc<Catalog>) -> Arc<Docs> {
    static CACHE: Mutex<Vec<(Weak<Catalog>, Arc<Docs>)>> = Mutex::new(Vec::new());
    let found = {
        let mut cache = CACHE.lock();
        cache.retain(|(w, _)| w.strong_count() > 0);
        cache
            .iter()
            .find(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(catalog)))
            .map(|(_, d)| d.clone())
    };
    if let Some(d) = found {
        return d;
    }
    // Built without the lock so other instances are not held up; a concurrent first request
    // may build the same documents twice, which is harmless.
    let d = Arc::new(build(catalog));
    CACHE.lock().push((Arc::downgrade(catalog), d.clone()));
    d
}

fn accepts_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.trim().is_empty()
        || accept.split(',').any(|r| {
            let mime = r.split(';').next().unwrap_or("").trim();
            matches!(mime, "application/json" | "*/*" | "application/*")
        })
}

fn wants_v2_protobuf(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("com.github.proto-openapi.spec.v2"))
}

fn not_acceptable() -> Response {
    let mut r = ApiError::new(
        406,
        "NotAcceptable",
        "only application/json is served for OpenAPI documents",
    )
    .into_response();
    *r.status_mut() = StatusCode::NOT_ACCEPTABLE;
    r
}

fn json_with_etag(doc: &Doc, headers: &HeaderMap, immutable: bool) -> Response {
    let etag = format!("\"{}\"", doc.hash);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut r = if matches {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        let mut r = Response::new(Body::from(doc.bytes.clone()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(doc.content_type),
        );
        r
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    let cache = if immutable {
        "public, immutable"
    } else {
        "no-cache, private"
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if immutable {
        let expires = (chrono::Utc::now() + chrono::Duration::days(365))
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        if let Ok(v) = HeaderValue::from_str(&expires) {
            r.headers_mut().insert(header::EXPIRES, v);
        }
    }
    r
}

/// Answers `/openapi{rest}` (`rest` is `/v2`, `/v3` or `/v3/{api/v1 | apis/g/v}`).
pub fn serve(
    catalog: &Arc<Catalog>,
    rest: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Response {
    let rest = rest.trim_end_matches('/');
    let docs = docs_for(catalog);
    if rest == "/v2" {
        let v2 = || {
            docs.v2
                .get_or_init(|| Doc::new(&v2_document(&catalog.registry)))
        };
        if wants_v2_protobuf(headers) {
            let proto = docs.v2_proto.get_or_init(|| {
                let json: Value = serde_json::from_slice(&v2().bytes).unwrap_or_default();
                Doc::from_bytes(
                    super::proto_v2::encode(&json),
                    super::proto_v2::RESPONSE_CONTENT_TYPE,
                )
            });
            return json_with_etag(proto, headers, false);
        }
        if !accepts_json(headers) {
            return not_acceptable();
        }
        return json_with_etag(v2(), headers, false);
    }
    if rest == "/v3" {
        return json_with_etag(&docs.index, headers, false);
    }
    let Some(doc) = rest
        .strip_prefix("/v3/")
        .and_then(|gv| docs.by_gv.get(gv).map(|d| (gv, d)))
    else {
        return ApiError::no_route(&format!("/openapi{rest}")).into_response();
    };
    let (gv, doc) = doc;
    if !accepts_json(headers) {
        return not_acceptable();
    }
    match query.get("hash").filter(|h| !h.is_empty()) {
        Some(h) if *h != doc.hash => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(v) = HeaderValue::from_str(&format!("/openapi/v3/{gv}?hash={}", doc.hash)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Some(_) => json_with_etag(doc, headers, true),
        None => json_with_etag(doc, headers, false),
    }
}
