//! Calls from the HTTP layer into the other owners' modules: Table output (`table`), OpenAPI
//! documents, TokenRequest and the review APIs (`authn`, `rbac`).

use std::sync::Arc;

use axum::response::Response;
use serde_json::{Value, json};

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

pub fn openapi(ctx: &Ctx, catalog: &Arc<Catalog>, rest: &str) -> ApiResult<Response> {
    Ok(crate::openapi::serve(
        catalog,
        rest,
        &ctx.query,
        &ctx.headers,
    ))
}

fn review_error(e: crate::reviews::ReviewError) -> ApiError {
    use crate::reviews::ReviewError;
    match &e {
        ReviewError::BadRequest(m) => ApiError::bad_request(m.clone()),
        ReviewError::Invalid {
            group,
            kind,
            name,
            causes,
        } => ApiError::new(422, "Invalid", e.to_string()).with_details(json!({
            "name": name,
            "group": group,
            "kind": kind,
            "causes": causes
                .iter()
                .map(|c| json!({"reason": "FieldValueInvalid", "message": c.detail, "field": c.field}))
                .collect::<Vec<_>>(),
        })),
    }
}

/// `serviceaccounts/{name}/token`: a TokenRequest for an existing ServiceAccount.
pub fn token_request(ctx: &Ctx, ns: &str, name: &str, body: Value) -> ApiResult<Value> {
    let sa = ctx
        .shared
        .store
        .get(&GroupResource::new("", "serviceaccounts"), ns, name)
        .ok_or_else(|| ApiError::not_found("", "serviceaccounts", name))?;
    crate::reviews::token_request(&ctx.shared.access.authn, ns, &sa, &body).map_err(review_error)
}

/// The review APIs: answered from the authenticator and the RBAC evaluator, never stored.
pub fn review(ctx: &Ctx, info: &ResourceInfo, ns: &str, body: Value) -> ApiResult<Value> {
    let shared = &ctx.shared;
    let rbac = crate::access::rbac_snapshot(shared);
    let out = match info.plural.as_str() {
        "selfsubjectreviews" => Ok(crate::reviews::self_subject_review(&ctx.user)),
        "tokenreviews" => crate::reviews::token_review(&shared.access.authn, &body),
        "selfsubjectrulesreviews" => {
            crate::reviews::self_subject_rules_review(&rbac, &ctx.user, &body)
        }
        "selfsubjectaccessreviews" => {
            crate::reviews::self_subject_access_review(&rbac, &ctx.user, &body)
        }
        "localsubjectaccessreviews" => {
            crate::reviews::local_subject_access_review(&rbac, ns, &body)
        }
        "subjectaccessreviews" => crate::reviews::subject_access_review(&rbac, &body),
        other => return Err(ApiError::no_route(other)),
    };
    out.map_err(review_error)
}
