//! Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`): which fields of a
//! request object the server does not know, and what to do about them. kubectl 1.27+ sends
//! `fieldValidation=Strict` on create/apply/patch once the OpenAPI v3 document shows the
//! parameter, and then skips its own client-side validation.

use serde_json::Value;

use super::builtin::builtins;
use super::documents::definition_names;
use crate::registry::ResourceInfo;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    Ignore,
    /// The apiserver's default when the parameter is absent.
    #[default]
    Warn,
    Strict,
}

impl FieldValidation {
    /// Parses `fieldValidation`; `None` for a value the server must reject with 400.
    pub fn from_query(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("") => Some(Self::Warn),
            Some("Ignore") => Some(Self::Ignore),
            Some("Warn") => Some(Self::Warn),
            Some("Strict") => Some(Self::Strict),
            Some(_) => None,
        }
    }
}

/// The 400 message for an invalid `fieldValidation` value.
pub fn invalid_directive_message(value: &str) -> String {
    format!("fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got {value:?}")
}

/// What the handler does with the unknown fields: `Ok(warnings)` to go on (each warning is
/// sent as `Warning: 299 - "<text>"`), or `Err(message)` for a 400 BadRequest Status.
pub fn decide(directive: FieldValidation, unknown: &[String]) -> Result<Vec<String>, String> {
    let texts: Vec<String> = unknown
        .iter()
        .map(|f| format!("unknown field {f:?}"))
        .collect();
    match directive {
        FieldValidation::Ignore => Ok(Vec::new()),
        FieldValidation::Warn => Ok(texts),
        FieldValidation::Strict if texts.is_empty() => Ok(Vec::new()),
        FieldValidation::Strict => Err(format!("strict decoding error: {}", texts.join(", "))),
    }
}

/// A `Warning` header value as the apiserver formats one.
pub fn warning_header(text: &str) -> String {
    format!("299 - {}", Value::String(text.to_string()))
}

/// Fields present in `before` but gone from `after` (the object before and after CRD
/// pruning), as `spec.foo` / `spec.items[0].bar` paths.
pub fn pruned_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(before, after, "", &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn diff(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(av) => diff(v, av, &join(path, k), out),
                    None => out.push(join(path, k)),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                diff(bv, av, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Unknown fields of an object of a built-in kind, judged against k8s-openapi's schema.
/// Objects without properties in the schema (e.g. `FieldsV1`) accept anything.
pub fn unknown_builtin_fields(info: &ResourceInfo, obj: &Value) -> Vec<String> {
    let (name, _) = definition_names(info);
    let Some(schema) = builtins().definitions.get(&name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(schema, obj, "", &mut out, 0);
    out
}

fn resolve(s: &Value) -> &Value {
    let defs = &builtins().definitions;
    if let Some(name) = s
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        return defs.get(name).unwrap_or(s);
    }
    if let Some([one]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return resolve(one);
    }
    s
}

fn walk(schema: &Value, v: &Value, path: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    let s = resolve(schema);
    match v {
        Value::Object(m) => {
            let props = s.get("properties").and_then(Value::as_object);
            let additional = s.get("additionalProperties").filter(|a| a.is_object());
            for (k, x) in m {
                let p = join(path, k);
                match (props.and_then(|ps| ps.get(k)), additional) {
                    (Some(sub), _) => walk(sub, x, &p, out, depth + 1),
                    (None, Some(sub)) => walk(sub, x, &p, out, depth + 1),
                    (None, None) if props.is_some() => out.push(p),
                    (None, None) => {}
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = s.get("items") {
                for (i, x) in a.iter().enumerate() {
                    walk(items, x, &format!("{path}[{i}]"), out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// What the write path calls before admission: finds the request object's unknown fields
/// (for a CRD, what pruning would drop; for a built-in, what its schema lacks) and applies the
/// directive. `Err` is the 400 the real server answers under `Strict`
/// (`ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: ...`);
/// `Ok` carries the texts of the `Warning` headers due under `Warn`.
pub fn enforce(
    shared: &crate::state::Shared,
    info: &ResourceInfo,
    directive: FieldValidation,
    obj: &Value,
) -> Result<Vec<String>, crate::status::ApiError> {
    if directive == FieldValidation::Ignore {
        return Ok(Vec::new());
    }
    let unknown = match shared.catalog().schema(info) {
        Some(schema) => {
            let mut pruned = obj.clone();
            schema.prune(&mut pruned);
            pruned_fields(obj, &pruned)
        }
        None => unknown_builtin_fields(info, obj),
    };
    decide(directive, &unknown).map_err(|msg| {
        crate::status::ApiError::bad_request(format!(
            "{kind} in version \"{v}\" cannot be handled as a {kind}: {msg}",
            kind = info.kind,
            v = info.version
        ))
    })
}
