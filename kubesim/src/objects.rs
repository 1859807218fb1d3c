//! Create, update and delete with the apiserver's semantics, shared by the HTTP handlers and
//! the in-process Rust API so both go through the same admission path.

use rand::Rng;
use serde_json::{Value, json};

use crate::identity::UserInfo;
use crate::registry::ResourceInfo;
use crate::state::{Shared, now_rfc3339};
use crate::status::{ApiError, ApiResult};
use crate::store::{Change, GroupResource};

/// Options of a write request.
#[derive(Clone, Debug, Default)]
pub struct WriteOpts {
    pub dry_run: bool,
    pub field_manager: Option<String>,
    pub force: bool,
    pub user: UserInfo,
    /// Create through server-side apply: managedFields are already set by the caller.
    pub apply: bool,
    /// Create keeping `.status` (in-process loading of fixtures), as if written through
    /// `/status` right after.
    pub keep_status: bool,
    /// Do not record `metadata.managedFields` (bulk in-process loading).
    pub no_managed_fields: bool,
    /// `?fieldValidation=`: what to do with unknown fields (kubectl sends `Strict`).
    pub field_validation: crate::openapi::field_validation::FieldValidation,
}

impl WriteOpts {
    pub fn manager(&self) -> String {
        self.field_manager
            .clone()
            .unwrap_or_else(|| "unknown".into())
    }
}

pub fn gr(info: &ResourceInfo) -> GroupResource {
    GroupResource::new(&info.group, &info.plural)
}

pub fn status_enabled(info: &ResourceInfo) -> bool {
    info.subresources.iter().any(|s| s == "status")
}

pub(crate) fn meta(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]
        .as_object_mut()
        .expect("metadata is an object")
}

pub fn name_of(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The object as a client of `info`'s version sees it (CRDs without conversion only rewrite
/// `apiVersion`).
pub fn render(info: &ResourceInfo, obj: &Value) -> Value {
    let mut o = obj.clone();
    o["apiVersion"] = json!(info.api_version());
    o["kind"] = json!(info.kind);
    o
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Checks `apiVersion`/`kind` of a body against the resource and fills them in when absent.
fn check_type(info: &ResourceInfo, obj: &mut Value) -> ApiResult<()> {
    if !obj.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if !kind.is_empty() && kind != info.kind {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({}) does not match the expected API version ({})",
            obj.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
            info.api_version()
        )));
    }
    obj["apiVersion"] = json!(info.api_version());
    obj["kind"] = json!(info.kind);
    Ok(())
}

fn check_namespace(info: &ResourceInfo, ns: &str, obj: &mut Value) -> ApiResult<()> {
    let m = meta(obj);
    if info.namespaced {
        let body_ns = m.get("namespace").and_then(Value::as_str).unwrap_or("");
        if !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        m.insert("namespace".into(), json!(ns));
    } else {
        m.remove("namespace");
    }
    Ok(())
}

/// Schema admission of custom resources and the kind-specific normalisation of built-ins.
fn admit(shared: &Shared, info: &ResourceInfo, obj: &mut Value) -> ApiResult<()> {
    if info.group.is_empty() && info.plural == "secrets" {
        normalise_secret(obj);
    }
    if info.group == "apiextensions.k8s.io" && info.plural == "customresourcedefinitions" {
        crate::crd::validate(obj)?;
    }
    if let Some(schema) = shared.catalog().schema(info)
        && let Err(errors) = schema.admit(obj)
    {
        let status = crate::schema::invalid_status(&info.kind, &info.group, name_of(obj), &errors);
        return Err(ApiError::from_status(&status));
    }
    Ok(())
}

fn normalise_secret(obj: &mut Value) {
    use base64::Engine;
    if let Some(Value::Object(sd)) = obj.as_object_mut().and_then(|m| m.remove("stringData")) {
        if !obj.get("data").is_some_and(Value::is_object) {
            obj["data"] = json!({});
        }
        for (k, v) in sd {
            let s = v.as_str().unwrap_or("").as_bytes().to_vec();
            obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(s));
        }
    }
    if obj.get("type").is_none() {
        obj["type"] = json!("Opaque");
    }
}

pub(crate) fn is_crd(info: &ResourceInfo) -> bool {
    info.group == "apiextensions.k8s.io" && info.plural == "customresourcedefinitions"
}

pub(crate) fn after_write(shared: &Shared, info: &ResourceInfo, dry_run: bool) {
    if info.group == "rbac.authorization.k8s.io" && !dry_run {
        shared.access.invalidate_rbac();
    }
    if is_crd(info) && !dry_run {
        shared.rebuild_catalog();
    }
}

pub fn create(
    shared: &Shared,
    info: &ResourceInfo,
    ns: &str,
    mut obj: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    check_type(info, &mut obj)?;
    check_namespace(info, ns, &mut obj)?;
    if info.namespaced && !shared.namespace_exists(ns) {
        return Err(ApiError::not_found("", "namespaces", ns));
    }
    let now = now_rfc3339();
    let m = meta(&mut obj);
    let mut name = m
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let generate = m
        .get("generateName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() && generate.is_empty() {
        return Err(ApiError::invalid(
            &info.group,
            &info.kind,
            "",
            vec![crate::status::Cause {
                reason: "FieldValueRequired".into(),
                message: "Required value: name or generateName is required".into(),
                field: "metadata.name".into(),
            }],
        ));
    }
    for k in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        m.remove(k);
    }
    m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("creationTimestamp".into(), json!(now));
    m.insert("generation".into(), json!(1));
    if info.group.is_empty() && info.plural == "namespaces" {
        let labels = m.entry("labels").or_insert_with(|| json!({}));
        labels["kubernetes.io/metadata.name"] = json!(name);
    }
    if status_enabled(info)
        && !opts.keep_status
        && let Some(o) = obj.as_object_mut()
    {
        o.remove("status");
    }
    if info.group.is_empty() && info.plural == "namespaces" {
        obj["spec"] = json!({"finalizers": ["kubernetes"]});
        obj["status"] = json!({"phase": "Active"});
    }
    if is_crd(info) {
        crate::crd::set_established(&mut obj, &now);
    }
    crate::openapi::field_validation::enforce(shared, info, opts.field_validation, &obj)?;
    admit(shared, info, &mut obj)?;
    let schema = shared.catalog().schema(info);
    let shape = crate::fields::Shape {
        schema: schema.as_deref().map(|c| c.schema()),
    };
    if !opts.apply && !opts.no_managed_fields {
        crate::fields::record_write(None, &mut obj, &opts.manager(), "Update", &now, shape, "");
    }
    if info.schema.is_none() && !name.is_empty() {
        check_builtin_name(info, &name)?;
    }
    for _attempt in 0..8 {
        if !generate.is_empty() && name.is_empty() {
            name = format!("{generate}{}", random_suffix());
            meta(&mut obj).insert("name".into(), json!(name));
        }
        let candidate = obj.clone();
        let res = shared
            .store
            .mutate(&gr(info), ns, &name, opts.dry_run, |cur| match cur {
                Some(_) => Err(ApiError::already_exists(&info.group, &info.plural, &name)),
                None => Ok(Change::Put(candidate)),
            });
        match res {
            Ok((Some(stored), _)) => {
                after_write(shared, info, opts.dry_run);
                return Ok(render(info, &stored));
            }
            Ok((None, _)) => return Err(ApiError::internal("object vanished on create")),
            Err(e) if e.reason == "AlreadyExists" && !generate.is_empty() => {
                name.clear();
                meta(&mut obj).remove("name");
            }
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::new(
        500,
        "AlreadyExists",
        "could not generate a unique name",
    ))
}

/// Name rules of built-in kinds (custom resources get theirs from the schema module):
/// namespaces are DNS labels, everything else DNS subdomains.
fn check_builtin_name(info: &ResourceInfo, name: &str) -> ApiResult<()> {
    let errors = if info.group.is_empty() && info.plural == "namespaces" {
        crate::schema::dns1123_label_errors(name)
    } else if info.group == "rbac.authorization.k8s.io" {
        // RBAC objects only need a valid path segment (`system:discovery` is fine).
        match name {
            "." | ".." => vec![format!("may not be '{name}'")],
            _ if name.contains('/') => vec!["may not contain '/'".to_string()],
            _ if name.contains('%') => vec!["may not contain '%'".to_string()],
            _ => Vec::new(),
        }
    } else {
        crate::schema::dns1123_subdomain_errors(name)
    };
    if errors.is_empty() {
        return Ok(());
    }
    let causes = errors
        .into_iter()
        .map(|e| crate::status::Cause {
            reason: "FieldValueInvalid".into(),
            message: format!("Invalid value: \"{name}\": {e}"),
            field: "metadata.name".into(),
        })
        .collect();
    Err(ApiError::invalid(&info.group, &info.kind, name, causes))
}

/// Which part of an object a write may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Main,
    Status,
}

impl Part {
    pub fn from_sub(sub: &str) -> Self {
        if sub == "status" {
            Part::Status
        } else {
            Part::Main
        }
    }
}

fn strip_managed(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    v
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

/// Turns a proposed new state into what is stored, given the current one: status split,
/// immutable metadata, generation, admission, finalizers. `Keep` when nothing changes.
pub fn prepare_update(
    shared: &Shared,
    info: &ResourceInfo,
    old: &Value,
    mut new: Value,
    part: Part,
    opts: &WriteOpts,
    operation: &str,
) -> ApiResult<Change> {
    check_type(info, &mut new)?;
    let ns = old
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    check_namespace(info, ns, &mut new)?;
    let name = name_of(old).to_string();
    let new_name = name_of(&new);
    if !new_name.is_empty() && new_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({new_name}) does not match the name on the URL ({name})"
        )));
    }
    let old_rv = old
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if let Some(rv) = new
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        && !rv.is_empty()
        && rv != old_rv
    {
        return Err(ApiError::conflict(&info.group, &info.plural, &name));
    }
    let mut new = match part {
        Part::Status => {
            let mut merged = old.clone();
            if let Some(mf) = new.pointer("/metadata/managedFields") {
                meta(&mut merged).insert("managedFields".into(), mf.clone());
            }
            match new.get("status") {
                Some(s) => merged["status"] = s.clone(),
                None => {
                    if let Some(m) = merged.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
            merged
        }
        Part::Main => {
            if status_enabled(info) {
                match old.get("status") {
                    Some(s) => new["status"] = s.clone(),
                    None => {
                        if let Some(m) = new.as_object_mut() {
                            m.remove("status");
                        }
                    }
                }
            }
            new
        }
    };
    {
        let om = old.get("metadata").cloned().unwrap_or(json!({}));
        let m = meta(&mut new);
        m.insert("name".into(), json!(name));
        for k in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "managedFields",
        ] {
            if k == "managedFields" && operation == "Apply" {
                continue;
            }
            match om.get(k) {
                Some(v) => m.insert(k.into(), v.clone()),
                None => m.remove(k),
            };
        }
        m.insert("resourceVersion".into(), json!(old_rv));
    }
    // Anything but metadata bumps the generation; status too where it has no subresource (as
    // the custom resource strategy compares everything but metadata).
    let ignored: &[&str] = if status_enabled(info) {
        &["metadata", "status", "apiVersion", "kind"]
    } else {
        &["metadata", "apiVersion", "kind"]
    };
    if without(&new, ignored) != without(old, ignored) {
        let g = old
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        meta(&mut new).insert("generation".into(), json!(g + 1));
    }
    if is_crd(info) {
        crate::crd::set_established(&mut new, &now_rfc3339());
    }
    crate::openapi::field_validation::enforce(shared, info, opts.field_validation, &new)?;
    admit(shared, info, &mut new)?;
    let deleting = new.pointer("/metadata/deletionTimestamp").is_some();
    let finalizers_left = new
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if strip_managed(&new) == strip_managed(old) && operation != "Apply" {
        return Ok(Change::Keep);
    }
    if operation != "Apply" && !opts.no_managed_fields {
        let schema = shared.catalog().schema(info);
        let shape = crate::fields::Shape {
            schema: schema.as_deref().map(|c| c.schema()),
        };
        let sub = if part == Part::Status { "status" } else { "" };
        crate::fields::record_write(
            Some(old),
            &mut new,
            &opts.manager(),
            operation,
            &now_rfc3339(),
            shape,
            sub,
        );
    }
    if deleting && !finalizers_left {
        return Ok(Change::Remove(new));
    }
    if strip_managed(&new) == strip_managed(old) && operation == "Apply" {
        return Ok(Change::Keep);
    }
    Ok(Change::Put(new))
}

/// PUT: replace the object (or its status) with optimistic concurrency.
pub fn update(
    shared: &Shared,
    info: &ResourceInfo,
    ns: &str,
    name: &str,
    part: Part,
    new: Value,
    opts: &WriteOpts,
) -> ApiResult<Value> {
    let (stored, _) = shared
        .store
        .mutate(&gr(info), ns, name, opts.dry_run, |cur| match cur {
            None => Err(ApiError::not_found(&info.group, &info.plural, name)),
            Some(old) => prepare_update(shared, info, old, new, part, opts, "Update"),
        })?;
    after_write(shared, info, opts.dry_run);
    stored
        .map(|s| render(info, &s))
        .ok_or_else(|| ApiError::not_found(&info.group, &info.plural, name))
}

pub use crate::deletion::{delete, delete_namespace};
