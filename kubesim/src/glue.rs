//! Calls from the HTTP layer into the other owners' modules: Table output (`table`), OpenAPI
//! documents, TokenRequest and the review APIs (`authn`, `rbac`).

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

use crate::identity::{Attributes, UserInfo};
use crate::registry::ResourceInfo;
use crate::server::Ctx;
use crate::state::Catalog;
use crate::status::{ApiError, ApiResult};
use crate::store::GroupResource;
use crate::table::{IncludeObject, wants_table};

/// A Table for a `kubectl get`-style Accept header, `None` when the client wants objects.
pub fn table(
    ctx: &Ctx,
    info: &ResourceInfo,
    objects: &[Value],
    list_meta: Option<&Value>,
) -> Option<Value> {
    let version = wants_table(ctx.accept())?;
    let include = IncludeObject::from_query(ctx.q("includeObject"));
    Some(crate::table::to_table_as(
        version,
        info,
        objects,
        list_meta.cloned().unwrap_or(json!({})),
        include,
    ))
}

pub fn table_for_watch(accept: &str, info: &ResourceInfo, obj: &Value) -> Option<Value> {
    let version = wants_table(accept)?;
    Some(crate::table::watch_event_table(
        version,
        info,
        obj,
        IncludeObject::Metadata,
    ))
}

pub fn openapi(_ctx: &Ctx, _catalog: &Arc<Catalog>, rest: &str) -> ApiResult<Response> {
    Err(ApiError::no_route(&format!("/openapi{rest}")))
}

/// `serviceaccounts/{name}/token`: a TokenRequest for an existing ServiceAccount.
pub fn token_request(ctx: &Ctx, ns: &str, name: &str, body: Value) -> ApiResult<Value> {
    let sa = ctx
        .shared
        .store
        .get(&GroupResource::new("", "serviceaccounts"), ns, name)
        .ok_or_else(|| ApiError::not_found("", "serviceaccounts", name))?;
    let uid = sa
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let audiences: Vec<String> = body
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let seconds = body
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(crate::authn::DEFAULT_TOKEN_SECONDS);
    let (token, expires) = ctx.shared.access.authn.mint_service_account_token(
        ns,
        name,
        uid,
        audiences.clone(),
        seconds,
    );
    let mut out = body;
    if !out.is_object() {
        out = json!({});
    }
    out["kind"] = json!("TokenRequest");
    out["apiVersion"] = json!("authentication.k8s.io/v1");
    out["metadata"] = json!({"name": name, "namespace": ns, "creationTimestamp": null});
    let auds = if audiences.is_empty() {
        ctx.shared.access.authn.api_audiences().to_vec()
    } else {
        audiences
    };
    out["spec"]["audiences"] = json!(auds);
    out["spec"]["expirationSeconds"] = json!(seconds.clamp(
        crate::authn::MIN_TOKEN_SECONDS,
        crate::authn::MAX_TOKEN_SECONDS
    ));
    out["status"] = json!({
        "token": token,
        "expirationTimestamp": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    Ok(out)
}

fn user_info_json(u: &UserInfo) -> Value {
    let mut v = json!({"username": u.username, "groups": u.groups});
    if !u.uid.is_empty() {
        v["uid"] = json!(u.uid);
    }
    if !u.extra.is_empty() {
        v["extra"] = json!(u.extra);
    }
    v
}

fn attrs_from_spec(spec: &Value, ns_override: Option<&str>) -> Attributes {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(ra) = spec.get("resourceAttributes") {
        Attributes {
            verb: s(ra, "verb"),
            api_group: s(ra, "group"),
            api_version: s(ra, "version"),
            resource: s(ra, "resource"),
            subresource: s(ra, "subresource"),
            namespace: ns_override
                .map(str::to_string)
                .unwrap_or_else(|| s(ra, "namespace")),
            name: s(ra, "name"),
            path: None,
        }
    } else {
        let nra = spec
            .get("nonResourceAttributes")
            .cloned()
            .unwrap_or(json!({}));
        Attributes {
            verb: s(&nra, "verb"),
            path: Some(s(&nra, "path")),
            ..Default::default()
        }
    }
}

fn spec_user(spec: &Value) -> UserInfo {
    UserInfo {
        username: spec
            .get("user")
            .and_then(Value::as_str)
            .unwrap_or("")
            .into(),
        uid: spec.get("uid").and_then(Value::as_str).unwrap_or("").into(),
        groups: spec
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        extra: serde_json::from_value(spec.get("extra").cloned().unwrap_or(json!({})))
            .unwrap_or_default(),
    }
}

/// The review APIs: answered from the authenticator and the RBAC evaluator, never stored.
pub fn review(ctx: &Ctx, info: &ResourceInfo, ns: &str, body: Value) -> ApiResult<Value> {
    let mut out = if body.is_object() { body } else { json!({}) };
    out["apiVersion"] = json!(info.api_version());
    out["kind"] = json!(info.kind);
    if !out.get("metadata").is_some_and(Value::is_object) {
        out["metadata"] = json!({});
    }
    out["metadata"]["creationTimestamp"] = Value::Null;
    let shared = &ctx.shared;
    let spec = out.get("spec").cloned().unwrap_or(json!({}));
    match info.plural.as_str() {
        "selfsubjectreviews" => {
            out["status"] = json!({"userInfo": user_info_json(&ctx.user)});
        }
        "tokenreviews" => {
            let token = spec.get("token").and_then(Value::as_str).unwrap_or("");
            let auds: Vec<String> = spec
                .get("audiences")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            out["status"] = match shared.access.authn.review(token, &auds) {
                Ok((u, a)) => {
                    json!({"authenticated": true, "user": user_info_json(&u), "audiences": a})
                }
                Err(e) => json!({"user": {}, "error": e}),
            };
        }
        "selfsubjectrulesreviews" => {
            let target_ns = spec.get("namespace").and_then(Value::as_str).unwrap_or("");
            out["status"] = crate::access::rules_review_status(shared, &ctx.user, target_ns);
        }
        plural => {
            let (user, attrs) = match plural {
                "selfsubjectaccessreviews" => (ctx.user.clone(), attrs_from_spec(&spec, None)),
                "localsubjectaccessreviews" => (spec_user(&spec), attrs_from_spec(&spec, Some(ns))),
                _ => (spec_user(&spec), attrs_from_spec(&spec, None)),
            };
            let d = crate::access::decide(shared, &user, &attrs);
            let mut st = json!({"allowed": d.allowed});
            if !d.reason.is_empty() {
                st["reason"] = json!(d.reason);
            }
            out["status"] = st;
        }
    }
    Ok(out)
}
