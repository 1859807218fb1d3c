//! OpenAPI v3 value validation as `k8s.io/kube-openapi/pkg/validation/validate` runs it for a
//! custom resource, with errors mapped to field errors the way the apiextensions-apiserver's
//! `kubeOpenAPIResultToFieldErrors` does.
//!
//! The walk mirrors the Go validator chain per node: type, allOf/anyOf/oneOf/not (in
//! `combinators`), string, format, number, array, enum, object. Paths are kube-openapi "names"
//! (`spec.items[0].name`, a leading `.` for root-level `required`), and the cause's `field` is
//! the name without that leading dot.

use serde_json::{Map, Value};

use super::errors::{FieldError, go_float, go_json, quote};
use super::formats;
use super::node::{Additional, Node};
use super::path::Path;

/// Field of a kube-openapi error name; an error on the root itself has none, and the
/// apiserver puts it on a nil path, printed `<nil>`.
fn field(path: &Path<'_>) -> String {
    if path.is_root() {
        "<nil>".to_string()
    } else {
        path.to_string()
    }
}

pub(super) fn composite(out: &mut Vec<FieldError>, detail: String) {
    out.push(FieldError::invalid("<nil>", &Value::from(""), &detail));
}

/// JSON type name and Go format of a decoded value, as `schemaInfoForType` sees it.
fn info(data: &Value) -> (&'static str, &'static str) {
    match data {
        Value::Null => ("null", ""),
        Value::Bool(_) => ("boolean", ""),
        Value::Number(n) if n.is_f64() => ("number", "float64"),
        Value::Number(_) => ("integer", "int64"),
        Value::String(_) => ("string", ""),
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
    }
}

pub(crate) fn node(s: &Node, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    if data.is_null() {
        if !s.types.is_empty() && !s.nullable {
            let t = s.types.join(",");
            out.push(FieldError::type_invalid(
                &field(path),
                &Value::from("null"),
                &format!("{path} in body must be of type {t}: \"null\""),
            ));
        }
        enumeration(s, data, path, out);
        return;
    }
    if !s.types.is_empty() || !s.format.is_empty() {
        type_check(s, data, path, out);
    }
    super::combinators::check(s, data, path, out);
    match data {
        Value::String(text) => {
            string(s, text, data, path, out);
            if !s.format.is_empty() && !formats::valid(&s.format, text) {
                let detail = format!(
                    "{path} in body must be of type {}: {}",
                    s.format,
                    quote(text)
                );
                out.push(FieldError::type_invalid(&field(path), data, &detail));
            }
        }
        Value::Number(_) => number(s, data, path, out),
        Value::Array(items) => array(s, items, path, out),
        _ => {}
    }
    enumeration(s, data, path, out);
    if let Value::Object(map) = data {
        object(s, map, path, out);
    }
}

/// The errors `data` has under `s` alone, for the combinators.
pub(super) fn sub(s: &Node, data: &Value, path: &Path<'_>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    node(s, data, path, &mut errs);
    errs
}

fn type_check(s: &Node, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    let (sch_type, data_format) = info(data);
    let has = |t: &str| s.types.contains(&t);
    let is_float_int =
        sch_type == "number" && data.as_f64().is_some_and(|f| f.fract() == 0.0) && has("integer");
    let is_int_float = sch_type == "integer" && has("number");
    let scalar_kind = !data.is_string() && !data.is_array();
    let format = s.format.as_str();
    if scalar_kind
        && !format.is_empty()
        && !(has(sch_type) || data_format == format || is_float_int || is_int_float)
    {
        out.push(FieldError::type_invalid(
            &field(path),
            &Value::from(data_format),
            &format!(
                "{path} in body must be of type {format}: {}",
                quote(data_format)
            ),
        ));
        return;
    }
    // A formatted string or array under a non-numeric type is left to the other checks.
    let numeric = has("number") || has("integer");
    if !numeric && !format.is_empty() && !scalar_kind {
        return;
    }
    if !(has(sch_type) || is_float_int || is_int_float) {
        let t = s.types.join(",");
        out.push(FieldError::type_invalid(
            &field(path),
            &Value::from(sch_type),
            &format!("{path} in body must be of type {t}: {}", quote(sch_type)),
        ));
    }
}

fn string(s: &Node, text: &str, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    if s.max_length.is_none() && s.min_length.is_none() && s.pattern.is_none() {
        return;
    }
    let len = text.chars().count() as i64;
    if let Some(max) = s.max_length
        && len > max
    {
        out.push(FieldError::too_long(&field(path), max));
        return;
    }
    if let Some(min) = s.min_length
        && len < min
    {
        let detail = format!("{path} in body should be at least {min} chars long");
        out.push(FieldError::invalid(&field(path), data, &detail));
        return;
    }
    if let Some((pattern, re)) = &s.pattern
        && !re.is_match(text)
    {
        let detail = format!("{path} in body should match '{pattern}'");
        out.push(FieldError::invalid(&field(path), data, &detail));
    }
}

fn number(s: &Node, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    let v = data.as_f64().unwrap_or(0.0);
    let is_int = !data.as_number().is_some_and(serde_json::Number::is_f64);
    // Go compares an integer against int64(bound) and prints the bound as an integer.
    let bound = |b: f64| {
        if is_int && b.fract() == 0.0 {
            format!("{}", b as i64)
        } else {
            go_float(b)
        }
    };
    if let Some(m) = s.multiple_of
        && m > 0.0
        && ((v / m).fract().abs() > 1e-9)
    {
        let detail = format!("{path} in body should be a multiple of {}", go_float(m));
        out.push(FieldError::invalid(&field(path), data, &detail));
    }
    if let Some(max) = s.maximum
        && (v > max || (s.exclusive_maximum && v == max))
    {
        let op = if s.exclusive_maximum {
            "less than"
        } else {
            "less than or equal to"
        };
        let detail = format!("{path} in body should be {op} {}", bound(max));
        out.push(FieldError::invalid(&field(path), data, &detail));
    }
    if let Some(min) = s.minimum
        && (v < min || (s.exclusive_minimum && v == min))
    {
        let op = if s.exclusive_minimum {
            "greater than"
        } else {
            "greater than or equal to"
        };
        let detail = format!("{path} in body should be {op} {}", bound(min));
        out.push(FieldError::invalid(&field(path), data, &detail));
    }
}

fn array(s: &Node, items: &[Value], path: &Path<'_>, out: &mut Vec<FieldError>) {
    if let Some(item_schema) = &s.items {
        for (i, item) in items.iter().enumerate() {
            node(item_schema, item, &Path::Index(path, i), out);
        }
    }
    let size = items.len() as i64;
    if let Some(min) = s.min_items
        && size < min
    {
        let detail = format!("{path} in body should have at least {min} items");
        out.push(FieldError::invalid(
            &field(path),
            &Value::from(size),
            &detail,
        ));
    }
    if let Some(max) = s.max_items
        && size > max
    {
        out.push(FieldError::too_many(&field(path), size, max));
    }
    if s.unique_items {
        let mut seen = std::collections::HashSet::new();
        if !items.iter().all(|i| seen.insert(go_json(i))) {
            let detail = format!("{path} in body shouldn't contain duplicates");
            out.push(FieldError::invalid(&field(path), &Value::from(""), &detail));
        }
    }
}

fn enumeration(s: &Node, data: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    let Some(allowed) = &s.enumeration else {
        return;
    };
    let matches = |e: &Value| match (e, data) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    };
    if !allowed.iter().any(matches) {
        out.push(FieldError::not_supported(&field(path), data, allowed));
    }
}

fn object(s: &Node, map: &Map<String, Value>, path: &Path<'_>, out: &mut Vec<FieldError>) {
    let n = map.len() as i64;
    if let Some(min) = s.min_properties
        && n < min
    {
        let detail = format!("{path} in body should have at least {min} properties");
        out.push(FieldError::invalid(&field(path), &Value::from(n), &detail));
        return;
    }
    if let Some(max) = s.max_properties
        && n > max
    {
        out.push(FieldError::too_many(&field(path), n, max));
        return;
    }
    match &s.additional {
        Additional::Allows(false) => {
            for k in map.keys().filter(|k| !s.has_property(k)) {
                let detail = format!("{path}.{k} in body is a forbidden property");
                out.push(FieldError::invalid(
                    &field(path),
                    &Value::from(k.as_str()),
                    &detail,
                ));
            }
        }
        Additional::Schema(addl) => {
            for (k, v) in map.iter().filter(|(k, _)| !s.has_property(k)) {
                node(addl, v, &Path::Field(path, k), out);
            }
        }
        _ => {}
    }
    if map.len() * 2 < s.properties.len() {
        // Few fields of a wide schema: look the fields up, and keep the schema's order.
        let mut present: Vec<(usize, &String, &Value)> = map
            .iter()
            .filter_map(|(k, v)| Some((s.property_index(k)?, k, v)))
            .collect();
        present.sort_unstable_by_key(|p| p.0);
        for (i, name, v) in present {
            node(&s.properties[i].1, v, &Path::Field(path, name), out);
        }
    } else {
        for (name, sub) in &s.properties {
            if let Some(v) = map.get(name) {
                node(sub, v, &Path::Field(path, name), out);
            }
        }
    }
    for k in &s.required {
        if !map.contains_key(k) {
            out.push(FieldError::required(&Path::Field(path, k).to_string(), ""));
        }
    }
}
