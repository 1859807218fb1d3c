//! PATCH requests: choose the patch type from the Content-Type, apply it to the current object
//! under the table lock, then store through the same update path as PUT.

use axum::response::Response;
use http::StatusCode;
use serde_json::Value;

use crate::apply::{apply, conflict_message};
use crate::fields::Shape;
use crate::handlers::write_opts;
use crate::objects::{self, Part, WriteOpts, gr, render};
use crate::registry::ResourceInfo;
use crate::server::{Ctx, json_response, ok_json};
use crate::state::{Shared, now_rfc3339};
use crate::status::{ApiError, ApiResult};
use crate::store::Change;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Merge,
    Json,
    Strategic,
    Apply,
}

const CR_TYPES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/apply-patch+yaml",
];

pub fn patch_type(content_type: &str, info: &ResourceInfo) -> ApiResult<PatchType> {
    let t = match content_type {
        "application/merge-patch+json" => PatchType::Merge,
        "application/json-patch+json" => PatchType::Json,
        "application/strategic-merge-patch+json" => PatchType::Strategic,
        "application/apply-patch+yaml" | "application/apply-patch+cbor" => PatchType::Apply,
        other => {
            let mut accepted = CR_TYPES.to_vec();
            accepted.push("application/strategic-merge-patch+json");
            return Err(ApiError::unsupported_media_type(other, &accepted));
        }
    };
    if t == PatchType::Strategic && info.schema.is_some() {
        return Err(ApiError::unsupported_media_type(content_type, CR_TYPES));
    }
    Ok(t)
}

fn parse_body(ctx: &Ctx, t: PatchType) -> ApiResult<Value> {
    let v: Value = if t == PatchType::Apply {
        serde_yaml::from_slice(&ctx.body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
    } else {
        serde_json::from_slice(&ctx.body)
            .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?
    };
    Ok(v)
}

pub fn patch(
    ctx: &Ctx,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    sub: &str,
) -> ApiResult<Response> {
    let t = patch_type(&ctx.content_type(), info)?;
    let body = parse_body(ctx, t)?;
    let opts = write_opts(ctx);
    if t == PatchType::Apply && ctx.q("fieldManager").is_none() {
        return Err(ApiError::bad_request(
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    }
    let (created, out) = patch_object(
        &ctx.shared,
        info,
        ns,
        name,
        Part::from_sub(sub),
        t,
        &body,
        &opts,
    )?;
    Ok(if created {
        json_response(StatusCode::CREATED, &out)
    } else {
        ok_json(&out)
    })
}

/// Applies a patch of type `t` to (ns, name); server-side apply creates the object when absent.
/// Returns whether it was created, and the stored object.
#[allow(clippy::too_many_arguments)]
pub fn patch_object(
    shared: &Shared,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    part: Part,
    t: PatchType,
    body: &Value,
    opts: &WriteOpts,
) -> ApiResult<(bool, Value)> {
    if t == PatchType::Apply {
        check_applied(info, ns, name, body)?;
    }
    let catalog = shared.catalog();
    let schema = catalog.schema(info);
    let shape = Shape {
        schema: schema.as_deref().map(|c| c.schema()),
    };
    let skip_status = part == Part::Main && objects::status_enabled(info);
    let manager = opts.manager();
    let subresource = if part == Part::Status { "status" } else { "" };
    let result = shared.store.mutate(&gr(info), ns, name, opts.dry_run, |cur| {
        let Some(old) = cur else {
            return Err(ApiError::not_found(&info.group, &info.plural, name));
        };
        let mut target = render(info, old);
        let operation = match t {
            PatchType::Merge => {
                crate::patch::merge_patch(&mut target, body);
                "Update"
            }
            PatchType::Json => {
                crate::patch::json_patch(&mut target, body)?;
                "Update"
            }
            PatchType::Strategic => {
                crate::patch::strategic_merge(&mut target, body);
                "Update"
            }
            PatchType::Apply => {
                let now = now_rfc3339();
                target = apply(&target, body, &manager, opts.force, shape, skip_status, subresource, &now)
                    .map_err(|c| {
                        let mut e = ApiError::conflict_msg(&info.group, &info.plural, name, conflict_message(&c));
                        if let Some(d) = e.details.as_mut() {
                            d["causes"] = Value::Array(
                                c.iter()
                                    .map(|c| serde_json::json!({
                                        "reason": "FieldManagerConflict",
                                        "message": format!("conflict with \"{}\" using {}", c.manager, c.api_version),
                                        "field": crate::apply::render_path(&c.path),
                                    }))
                                    .collect(),
                            );
                        }
                        e
                    })?;
                "Apply"
            }
        };
        if target.pointer("/metadata/resourceVersion").and_then(Value::as_str).is_none()
            && let Some(m) = target.get_mut("metadata").and_then(Value::as_object_mut)
        {
            m.insert("resourceVersion".into(), old["metadata"]["resourceVersion"].clone());
        }
        let change = objects::prepare_update(shared, info, old, target, part, opts, operation)?;
        Ok::<Change, ApiError>(change)
    });
    match result {
        Ok((Some(obj), _)) => {
            if info.group == "apiextensions.k8s.io" && !opts.dry_run {
                shared.rebuild_catalog();
            }
            Ok((false, render(info, &obj)))
        }
        Ok((None, _)) => Err(ApiError::not_found(&info.group, &info.plural, name)),
        Err(e) if e.code == 404 && t == PatchType::Apply && part == Part::Main => {
            let mut obj = body.clone();
            if objects::name_of(&obj).is_empty() {
                obj["metadata"]["name"] = serde_json::json!(name);
            }
            let now = now_rfc3339();
            let applied = apply(
                &serde_json::json!({"metadata": {}}),
                body,
                &manager,
                true,
                shape,
                skip_status,
                "",
                &now,
            )
            .map_err(|_| ApiError::internal("apply on empty object conflicted"))?;
            if let Some(mf) = applied.pointer("/metadata/managedFields") {
                obj["metadata"]["managedFields"] = mf.clone();
            }
            let mut o = opts.clone();
            o.apply = true;
            objects::create(shared, info, ns, obj, &o).map(|v| (true, v))
        }
        Err(e) => Err(e),
    }
}

fn check_applied(info: &ResourceInfo, ns: &str, name: &str, body: &Value) -> ApiResult<()> {
    let av = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    if av.is_empty() || kind.is_empty() {
        return Err(ApiError::bad_request(
            "apiVersion and kind must be set in the applied configuration",
        ));
    }
    let body_name = objects::name_of(body);
    if !body_name.is_empty() && body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    let body_ns = body
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if info.namespaced && !body_ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}
