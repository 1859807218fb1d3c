//! `authorization.k8s.io/v1`: SubjectAccessReview, LocalSubjectAccessReview,
//! SelfSubjectAccessReview and SelfSubjectRulesReview, validated as the real server validates
//! them and answered by the RBAC snapshot.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{FieldError, ReviewError, echo, string_list};
use crate::identity::{Attributes, UserInfo};
use crate::rbac::{RbacSnapshot, aggregate_errors};

const AUTHZ: &str = "authorization.k8s.io";
const AUTHZ_V1: &str = "authorization.k8s.io/v1";

fn present<'a>(spec: &'a Value, key: &str) -> Option<&'a Value> {
    spec.get(key).filter(|v| !v.is_null())
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Go's `%#v` of a `*NonResourceAttributes`, as field errors print it.
fn go_non_resource(v: &Value) -> String {
    format!(
        "&authorization.NonResourceAttributes{{Path:{:?}, Verb:{:?}}}",
        s(v, "path"),
        s(v, "verb")
    )
}

/// `ValidateSubjectAccessReviewSpec` (with `needs_subject`) or its SelfSubject variant.
fn spec_errors(spec: &Value, needs_subject: bool) -> Vec<FieldError> {
    let resource = present(spec, "resourceAttributes");
    let non_resource = present(spec, "nonResourceAttributes");
    let mut errors = Vec::new();
    match (resource, non_resource) {
        (Some(_), Some(n)) => errors.push(FieldError::invalid(
            "spec.nonResourceAttributes",
            &go_non_resource(n),
            "cannot be specified in combination with resourceAttributes",
        )),
        (None, None) => errors.push(FieldError::invalid(
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
        _ => {}
    }
    if needs_subject && s(spec, "user").is_empty() && string_list(spec.get("groups")).is_empty() {
        errors.push(FieldError::invalid(
            "spec.user",
            "\"\"",
            "at least one of user or group must be specified",
        ));
    }
    errors
}

fn invalid(kind: &str, causes: Vec<FieldError>) -> ReviewError {
    ReviewError::Invalid {
        group: AUTHZ.to_string(),
        kind: kind.to_string(),
        name: String::new(),
        causes,
    }
}

fn attributes(spec: &Value) -> Attributes {
    if let Some(r) = present(spec, "resourceAttributes") {
        Attributes {
            verb: s(r, "verb").to_string(),
            api_group: s(r, "group").to_string(),
            api_version: s(r, "version").to_string(),
            resource: s(r, "resource").to_string(),
            subresource: s(r, "subresource").to_string(),
            namespace: s(r, "namespace").to_string(),
            name: s(r, "name").to_string(),
            path: None,
        }
    } else {
        let n = present(spec, "nonResourceAttributes").unwrap_or(&Value::Null);
        Attributes {
            verb: s(n, "verb").to_string(),
            path: Some(s(n, "path").to_string()),
            ..Attributes::default()
        }
    }
}

fn spec_user(spec: &Value) -> UserInfo {
    let extra: BTreeMap<String, Vec<String>> = spec
        .get("extra")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), string_list(Some(v))))
                .collect()
        })
        .unwrap_or_default();
    UserInfo {
        username: s(spec, "user").to_string(),
        uid: s(spec, "uid").to_string(),
        groups: string_list(spec.get("groups")),
        extra,
    }
}

fn answer(rbac: &RbacSnapshot, user: &UserInfo, body: &Value, kind: &str) -> Value {
    let spec = body.get("spec").unwrap_or(&Value::Null);
    let decision = rbac.authorize(user, &attributes(spec));
    // RBAC never denies outright (it has no opinion), so `denied` stays false and is omitted.
    let mut status = json!({"allowed": decision.allowed});
    if !decision.reason.is_empty() {
        status["reason"] = json!(decision.reason);
    }
    let mut out = echo(body, AUTHZ_V1, kind);
    out.insert("status".into(), status);
    Value::Object(out)
}

/// SubjectAccessReview: may `spec.user` / `spec.groups` do this?
pub fn subject_access_review(rbac: &RbacSnapshot, body: &Value) -> Result<Value, ReviewError> {
    let spec = body.get("spec").unwrap_or(&Value::Null);
    let errors = spec_errors(spec, true);
    if !errors.is_empty() {
        return Err(invalid("SubjectAccessReview", errors));
    }
    Ok(answer(rbac, &spec_user(spec), body, "SubjectAccessReview"))
}

/// LocalSubjectAccessReview posted to `namespace`: the object's namespace defaults to it and
/// `spec.resourceAttributes.namespace` must equal it.
pub fn local_subject_access_review(
    rbac: &RbacSnapshot,
    namespace: &str,
    body: &Value,
) -> Result<Value, ReviewError> {
    if namespace.is_empty() {
        return Err(ReviewError::BadRequest(
            "namespace is required on this type: ".to_string(),
        ));
    }
    let object_ns = body
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !object_ns.is_empty() && object_ns != namespace {
        return Err(ReviewError::BadRequest(
            "the namespace of the provided object does not match the namespace sent on the request"
                .to_string(),
        ));
    }
    let spec = body.get("spec").unwrap_or(&Value::Null);
    let mut errors = spec_errors(spec, true);
    if let Some(r) = present(spec, "resourceAttributes") {
        let ns = s(r, "namespace");
        if ns != namespace {
            errors.push(FieldError::invalid(
                "spec.resourceAttributes.namespace",
                &format!("{ns:?}"),
                "must match metadata.namespace",
            ));
        }
    }
    if let Some(n) = present(spec, "nonResourceAttributes") {
        errors.push(FieldError::invalid(
            "spec.nonResourceAttributes",
            &go_non_resource(n),
            "disallowed on this kind of request",
        ));
    }
    if !errors.is_empty() {
        return Err(invalid("LocalSubjectAccessReview", errors));
    }
    let mut out = answer(rbac, &spec_user(spec), body, "LocalSubjectAccessReview");
    out["metadata"]["namespace"] = json!(namespace);
    Ok(out)
}

/// SelfSubjectAccessReview: may the caller do this? (`kubectl auth can-i`)
pub fn self_subject_access_review(
    rbac: &RbacSnapshot,
    caller: &UserInfo,
    body: &Value,
) -> Result<Value, ReviewError> {
    let spec = body.get("spec").unwrap_or(&Value::Null);
    let errors = spec_errors(spec, false);
    if !errors.is_empty() {
        return Err(invalid("SelfSubjectAccessReview", errors));
    }
    Ok(answer(rbac, caller, body, "SelfSubjectAccessReview"))
}

/// SelfSubjectRulesReview: everything the caller may do in `spec.namespace`
/// (`kubectl auth can-i --list`).
pub fn self_subject_rules_review(
    rbac: &RbacSnapshot,
    caller: &UserInfo,
    body: &Value,
) -> Result<Value, ReviewError> {
    let namespace = body
        .pointer("/spec/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if namespace.is_empty() {
        return Err(ReviewError::BadRequest(
            "no namespace on request".to_string(),
        ));
    }
    let (resource, non_resource, errors) = rbac.rules_review(caller, namespace);
    let mut status = json!({
        "resourceRules": resource,
        "nonResourceRules": non_resource,
        "incomplete": !errors.is_empty(),
    });
    if !errors.is_empty() {
        status["evaluationError"] = json!(aggregate_errors(&errors));
    }
    let mut out = echo(body, AUTHZ_V1, "SelfSubjectRulesReview");
    out.insert("status".into(), status);
    Ok(Value::Object(out))
}
