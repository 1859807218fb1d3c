//! Resource requests: dispatch on verb and subresource, get, list, create, update, delete and
//! deletecollection. Patch is in `patch_handler.rs`, watch in `watch.rs`.

use std::sync::Arc;

use axum::response::Response;
use base64::Engine;
use http::StatusCode;
use serde_json::{Value, json};

use crate::objects::{self, Part, WriteOpts, gr, render};
use crate::registry::ResourceInfo;
use crate::route::ResourcePath;
use crate::selector::{FieldSelector, LabelSelector};
use crate::server::{Ctx, json_response, ok_json};
use crate::state::Catalog;
use crate::status::{ApiError, ApiResult};
use crate::store::Key;

pub fn write_opts(ctx: &Ctx) -> WriteOpts {
    let body_dry = ctx
        .body_json()
        .ok()
        .and_then(|b| b.get("dryRun").cloned())
        .and_then(|d| d.as_array().cloned())
        .is_some_and(|d| d.iter().any(|x| x == "All"));
    WriteOpts {
        dry_run: ctx.q("dryRun") == Some("All") || (ctx.method == http::Method::DELETE && body_dry),
        field_manager: ctx.q("fieldManager").map(str::to_string).or_else(|| {
            ctx.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .and_then(|ua| ua.split('/').next())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        }),
        force: ctx.flag("force"),
        user: ctx.user.clone(),
        apply: false,
        keep_status: false,
        no_managed_fields: false,
        field_validation: crate::openapi::field_validation::FieldValidation::from_query(
            ctx.q("fieldValidation"),
        )
        .unwrap_or_default(),
    }
}

pub async fn dispatch(
    ctx: &Ctx,
    catalog: &Arc<Catalog>,
    rp: &ResourcePath,
    verb: &str,
) -> ApiResult<Response> {
    let info = catalog
        .registry
        .lookup(&rp.group, &rp.version, &rp.resource)
        .ok_or_else(|| ApiError::no_route(&format!("{}/{}", rp.group, rp.resource)))?;
    if !rp.subresource.is_empty() && !info.subresources.contains(&rp.subresource) {
        return Err(ApiError::no_route(&rp.subresource));
    }
    if info.namespaced && rp.namespace.is_empty() && !rp.name.is_empty()
        || !info.namespaced && !rp.namespace.is_empty()
    {
        return Err(ApiError::no_route(&rp.resource));
    }
    if crate::builtin::is_review(&info.group) {
        if verb != "create" {
            return Err(ApiError::method_not_allowed(
                &info.group,
                &info.plural,
                verb,
            ));
        }
        let out = crate::glue::review(ctx, info, &rp.namespace, ctx.body_json()?)?;
        return Ok(json_response(StatusCode::CREATED, &out));
    }
    match (rp.subresource.as_str(), verb) {
        ("log", "get") => return crate::pods::log(ctx, &rp.namespace, &rp.name),
        ("token", "create") => {
            let out = crate::glue::token_request(ctx, &rp.namespace, &rp.name, ctx.body_json()?)?;
            return Ok(json_response(StatusCode::CREATED, &out));
        }
        _ => {}
    }
    let ns = rp.namespace.as_str();
    match verb {
        "get" => get(ctx, info, ns, &rp.name),
        "list" => list(ctx, info, ns),
        "watch" => crate::watch::serve(ctx, info, ns, &rp.name).await,
        "create" if rp.name.is_empty() => {
            let out = objects::create(&ctx.shared, info, ns, ctx.body_json()?, &write_opts(ctx))?;
            Ok(json_response(StatusCode::CREATED, &out))
        }
        "update" => {
            let body = ctx.body_json()?;
            let rv = body
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .unwrap_or("");
            // Custom resources do not allow unconditional updates.
            if info.schema.is_some() && rv.is_empty() {
                return Err(ApiError::invalid(
                    &info.group,
                    &info.kind,
                    &rp.name,
                    vec![crate::status::Cause {
                        reason: "FieldValueInvalid".into(),
                        message: "Invalid value: 0x0: must be specified for an update".into(),
                        field: "metadata.resourceVersion".into(),
                    }],
                ));
            }
            let out = objects::update(
                &ctx.shared,
                info,
                ns,
                &rp.name,
                Part::from_sub(&rp.subresource),
                body,
                &write_opts(ctx),
            )?;
            Ok(ok_json(&out))
        }
        "patch" => crate::patch_handler::patch(ctx, info, ns, &rp.name, &rp.subresource),
        "delete" => {
            let opts = write_opts(ctx);
            let body = ctx.body_json().unwrap_or(Value::Null);
            let pre = body.get("preconditions").cloned().unwrap_or(Value::Null);
            let out = if info.group.is_empty() && info.plural == "namespaces" {
                objects::delete_namespace(&ctx.shared, &rp.name, &opts)?
            } else {
                objects::delete(&ctx.shared, info, ns, &rp.name, &opts, &pre)?
            };
            // Most built-in stores answer an immediate deletion with a success Status; pods,
            // namespaces, CRDs and custom resources return the object.
            let returns_object = info.schema.is_some()
                || matches!(
                    (info.group.as_str(), info.plural.as_str()),
                    ("", "pods") | ("", "namespaces") | ("apiextensions.k8s.io", _)
                );
            if !returns_object && out.pointer("/metadata/deletionTimestamp").is_none() {
                let mut details = json!({"name": rp.name, "kind": info.plural});
                if !info.group.is_empty() {
                    details["group"] = json!(info.group);
                }
                if let Some(uid) = out.pointer("/metadata/uid") {
                    details["uid"] = uid.clone();
                }
                return Ok(ok_json(&crate::status::success(details)));
            }
            Ok(ok_json(&out))
        }
        "deletecollection" => delete_collection(ctx, info, ns),
        _ => Err(ApiError::method_not_allowed(
            &info.group,
            &info.plural,
            verb,
        )),
    }
}

fn get(ctx: &Ctx, info: &ResourceInfo, ns: &str, name: &str) -> ApiResult<Response> {
    let obj = ctx
        .shared
        .store
        .get(&gr(info), ns, name)
        .ok_or_else(|| ApiError::not_found(&info.group, &info.plural, name))?;
    let obj = render(info, &obj);
    if let Some(table) = crate::glue::table(ctx, info, std::slice::from_ref(&obj), None) {
        return Ok(ok_json(&table));
    }
    if crate::table::wants_partial_metadata(ctx.accept()) {
        return Ok(ok_json(&crate::table::partial_metadata(&obj)));
    }
    Ok(ok_json(&obj))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    rv: u64,
    ns: String,
    name: String,
}

fn decode_continue(token: &str) -> ApiResult<Continue> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| ApiError::bad_request("continue key is not valid: illegal base64 data"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"))
}

fn encode_continue(c: &Continue) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(c).unwrap_or_default())
}

pub struct Selectors {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Selectors {
    pub fn from_ctx(ctx: &Ctx, info: &ResourceInfo) -> ApiResult<Self> {
        let labels = LabelSelector::parse(ctx.q("labelSelector").unwrap_or(""))?;
        let fields = FieldSelector::parse(ctx.q("fieldSelector").unwrap_or(""))?;
        // Built-in kinds support more field labels (e.g. pods' status.phase); custom resources
        // only the metadata ones.
        if info.schema.is_some() {
            fields.validate(&info.kind, &info.api_version())?;
        }
        Ok(Self { labels, fields })
    }

    pub fn matches(&self, v: &Value) -> bool {
        self.labels.matches(v) && self.fields.matches(v)
    }
}

/// Serialises a list without cloning stored objects that already carry the right type.
pub fn list_body(info: &ResourceInfo, meta: &Value, items: &[Arc<Value>]) -> Vec<u8> {
    let api_version = info.api_version();
    let mut buf = Vec::with_capacity(256 + items.len() * 512);
    buf.extend_from_slice(b"{\"kind\":");
    let _ = serde_json::to_writer(&mut buf, &info.list_kind);
    buf.extend_from_slice(b",\"apiVersion\":");
    let _ = serde_json::to_writer(&mut buf, &api_version);
    buf.extend_from_slice(b",\"metadata\":");
    let _ = serde_json::to_writer(&mut buf, meta);
    buf.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if item.get("apiVersion").and_then(Value::as_str) == Some(api_version.as_str()) {
            let _ = serde_json::to_writer(&mut buf, item.as_ref());
        } else {
            let _ = serde_json::to_writer(&mut buf, &render(info, item));
        }
    }
    buf.extend_from_slice(b"]}");
    buf
}

fn list(ctx: &Ctx, info: &ResourceInfo, ns: &str) -> ApiResult<Response> {
    let sel = Selectors::from_ctx(ctx, info)?;
    let limit: usize = ctx.q("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let cont = ctx.q("continue").map(decode_continue).transpose()?;
    let after: Option<Key> = cont.as_ref().map(|c| (c.ns.clone(), c.name.clone()));
    let ns_opt = if info.namespaced && !ns.is_empty() {
        Some(ns)
    } else {
        None
    };
    let page = ctx
        .shared
        .store
        .list_page(&gr(info), ns_opt, after.as_ref(), limit, &|v| {
            sel.matches(v)
        });
    let rv = cont.as_ref().map(|c| c.rv).unwrap_or(page.rv);
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(next) = &page.next {
        meta["continue"] = json!(encode_continue(&Continue {
            rv,
            ns: next.0.clone(),
            name: next.1.clone(),
        }));
    }
    if ctx.accept().contains("as=Table") {
        let items: Vec<Value> = page.items.iter().map(|i| render(info, i)).collect();
        if let Some(table) = crate::glue::table(ctx, info, &items, Some(&meta)) {
            return Ok(ok_json(&table));
        }
    }
    if crate::table::wants_partial_metadata(ctx.accept()) {
        let items: Vec<Value> = page
            .items
            .iter()
            .map(|i| crate::table::partial_metadata(i))
            .collect();
        return Ok(ok_json(&json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
            "items": items,
        })));
    }
    let body = list_body(info, &meta, &page.items);
    Ok(crate::server::bytes_response(
        StatusCode::OK,
        "application/json",
        body.into(),
    ))
}

fn delete_collection(ctx: &Ctx, info: &ResourceInfo, ns: &str) -> ApiResult<Response> {
    let sel = Selectors::from_ctx(ctx, info)?;
    let opts = write_opts(ctx);
    let ns_opt = if info.namespaced && !ns.is_empty() {
        Some(ns)
    } else {
        None
    };
    let page = ctx
        .shared
        .store
        .list_page(&gr(info), ns_opt, None, 0, &|v| sel.matches(v));
    let mut deleted = Vec::new();
    for item in &page.items {
        let name = objects::name_of(item).to_string();
        let item_ns = item
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let res = if info.group.is_empty() && info.plural == "namespaces" {
            objects::delete_namespace(&ctx.shared, &name, &opts)
        } else {
            objects::delete(&ctx.shared, info, &item_ns, &name, &opts, &Value::Null)
        };
        match res {
            Ok(v) => deleted.push(Arc::new(v)),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let meta = json!({"resourceVersion": ctx.shared.store.current_rv().to_string()});
    Ok(crate::server::bytes_response(
        StatusCode::OK,
        "application/json",
        list_body(info, &meta, &deleted).into(),
    ))
}
