//! OpenAPI v3 value validation as `k8s.io/kube-openapi/pkg/validation/validate` runs it for a
//! custom resource, with errors mapped to field errors the way the apiextensions-apiserver's
//! `kubeOpenAPIResultToFieldErrors` does.
//!
//! The walk mirrors the Go validator chain per node: type, allOf/anyOf/oneOf/not, string,
//! format, number, array, enum, object. Paths are kube-openapi "names" (`spec.items[0].name`,
//! a leading `.` for root-level `required`), and the cause's `field` is the name without that
//! leading dot.

use std::collections::HashMap;

use regex::Regex;
use serde_json::{Map, Value};

use super::errors::{FieldError, go_float, quote};
use super::formats;

pub(crate) struct Validator<'a> {
    pub patterns: &'a HashMap<String, Regex>,
}

/// Field of a kube-openapi error name; the composite (anyOf/oneOf/allOf/not) errors carry no
/// name, and the apiserver puts them on a nil path, printed `<nil>`.
fn field(name: &str) -> &str {
    let f = name.strip_prefix('.').unwrap_or(name);
    if f.is_empty() { "<nil>" } else { f }
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

pub(crate) fn str_of<'v>(s: &'v Value, key: &str) -> Option<&'v str> {
    s.get(key).and_then(Value::as_str)
}

pub(crate) fn flag(s: &Value, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn int_of(s: &Value, key: &str) -> Option<i64> {
    s.get(key)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

fn types_of(s: &Value) -> Vec<&str> {
    if flag(s, "x-kubernetes-int-or-string") {
        vec!["integer", "string"]
    } else {
        str_of(s, "type").into_iter().collect()
    }
}

impl Validator<'_> {
    pub fn node(&self, s: &Value, data: &Value, path: &str, out: &mut Vec<FieldError>) {
        let types = types_of(s);
        let format = str_of(s, "format").unwrap_or("");
        if data.is_null() {
            if !types.is_empty() && !flag(s, "nullable") {
                let t = types.join(",");
                out.push(FieldError::type_invalid(
                    field(path),
                    &Value::from("null"),
                    &format!("{path} in body must be of type {t}: \"null\""),
                ));
            }
            self.enumeration(s, data, path, out);
            return;
        }
        if !types.is_empty() || !format.is_empty() {
            self.type_check(&types, format, data, path, out);
        }
        self.combinators(s, data, path, out);
        match data {
            Value::String(text) => {
                self.string(s, text, data, path, out);
                if !format.is_empty() && !formats::valid(format, text) {
                    out.push(FieldError::type_invalid(
                        field(path),
                        data,
                        &format!("{path} in body must be of type {format}: {}", quote(text)),
                    ));
                }
            }
            Value::Number(_) => self.number(s, data, path, out),
            Value::Array(items) => self.array(s, items, path, out),
            _ => {}
        }
        self.enumeration(s, data, path, out);
        if let Value::Object(map) = data {
            self.object(s, map, path, out);
        }
    }

    fn type_check(
        &self,
        types: &[&str],
        format: &str,
        data: &Value,
        path: &str,
        out: &mut Vec<FieldError>,
    ) {
        let (sch_type, data_format) = info(data);
        let has = |t: &str| types.contains(&t);
        let is_float_int = sch_type == "number"
            && data.as_f64().is_some_and(|f| f.fract() == 0.0)
            && has("integer");
        let is_int_float = sch_type == "integer" && has("number");
        let scalar_kind = !data.is_string() && !data.is_array();
        if scalar_kind
            && !format.is_empty()
            && !(has(sch_type) || data_format == format || is_float_int || is_int_float)
        {
            out.push(FieldError::type_invalid(
                field(path),
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
            let t = types.join(",");
            out.push(FieldError::type_invalid(
                field(path),
                &Value::from(sch_type),
                &format!("{path} in body must be of type {t}: {}", quote(sch_type)),
            ));
        }
    }

    pub(super) fn sub(&self, s: &Value, data: &Value, path: &str) -> Vec<FieldError> {
        let mut errs = Vec::new();
        self.node(s, data, path, &mut errs);
        errs
    }

    fn string(&self, s: &Value, text: &str, data: &Value, path: &str, out: &mut Vec<FieldError>) {
        let len = text.chars().count() as i64;
        if let Some(max) = int_of(s, "maxLength")
            && len > max
        {
            out.push(FieldError::too_long(field(path), max));
            return;
        }
        if let Some(min) = int_of(s, "minLength")
            && len < min
        {
            let detail = format!("{path} in body should be at least {min} chars long");
            out.push(FieldError::invalid(field(path), data, &detail));
            return;
        }
        if let Some(pattern) = str_of(s, "pattern") {
            let matched = match self.patterns.get(pattern) {
                Some(re) => re.is_match(text),
                None => Regex::new(pattern)
                    .map(|re| re.is_match(text))
                    .unwrap_or(true),
            };
            if !matched {
                let detail = format!("{path} in body should match '{pattern}'");
                out.push(FieldError::invalid(field(path), data, &detail));
            }
        }
    }

    fn number(&self, s: &Value, data: &Value, path: &str, out: &mut Vec<FieldError>) {
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
        if let Some(m) = s.get("multipleOf").and_then(Value::as_f64)
            && m > 0.0
            && ((v / m).fract().abs() > 1e-9)
        {
            let detail = format!("{path} in body should be a multiple of {}", go_float(m));
            out.push(FieldError::invalid(field(path), data, &detail));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            let exclusive = flag(s, "exclusiveMaximum");
            if v > max || (exclusive && v == max) {
                let op = if exclusive {
                    "less than"
                } else {
                    "less than or equal to"
                };
                let detail = format!("{path} in body should be {op} {}", bound(max));
                out.push(FieldError::invalid(field(path), data, &detail));
            }
        }
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            let exclusive = flag(s, "exclusiveMinimum");
            if v < min || (exclusive && v == min) {
                let op = if exclusive {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                let detail = format!("{path} in body should be {op} {}", bound(min));
                out.push(FieldError::invalid(field(path), data, &detail));
            }
        }
    }

    fn array(&self, s: &Value, items: &[Value], path: &str, out: &mut Vec<FieldError>) {
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
            for (i, item) in items.iter().enumerate() {
                self.node(item_schema, item, &format!("{path}[{i}]"), out);
            }
        }
        let size = items.len() as i64;
        if let Some(min) = int_of(s, "minItems")
            && size < min
        {
            let detail = format!("{path} in body should have at least {min} items");
            out.push(FieldError::invalid(
                field(path),
                &Value::from(size),
                &detail,
            ));
        }
        if let Some(max) = int_of(s, "maxItems")
            && size > max
        {
            out.push(FieldError::too_many(field(path), size, max));
        }
        if flag(s, "uniqueItems") {
            let mut seen = std::collections::HashSet::new();
            if !items.iter().all(|i| seen.insert(super::errors::go_json(i))) {
                let detail = format!("{path} in body shouldn't contain duplicates");
                out.push(FieldError::invalid(field(path), &Value::from(""), &detail));
            }
        }
    }

    fn enumeration(&self, s: &Value, data: &Value, path: &str, out: &mut Vec<FieldError>) {
        let Some(allowed) = s
            .get("enum")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
        else {
            return;
        };
        let matches = |e: &Value| match (e, data) {
            (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
            (a, b) => a == b,
        };
        if !allowed.iter().any(matches) {
            out.push(FieldError::not_supported(field(path), data, allowed));
        }
    }

    fn object(&self, s: &Value, map: &Map<String, Value>, path: &str, out: &mut Vec<FieldError>) {
        let n = map.len() as i64;
        if let Some(min) = int_of(s, "minProperties")
            && n < min
        {
            let detail = format!("{path} in body should have at least {min} properties");
            out.push(FieldError::invalid(field(path), &Value::from(n), &detail));
            return;
        }
        if let Some(max) = int_of(s, "maxProperties")
            && n > max
        {
            out.push(FieldError::too_many(field(path), n, max));
            return;
        }
        let props = s.get("properties").and_then(Value::as_object);
        let known = |k: &str| props.is_some_and(|p| p.contains_key(k));
        match s.get("additionalProperties") {
            Some(Value::Bool(false)) => {
                for k in map.keys().filter(|k| !known(k)) {
                    let detail = format!("{path}.{k} in body is a forbidden property");
                    out.push(FieldError::invalid(
                        field(path),
                        &Value::from(k.as_str()),
                        &detail,
                    ));
                }
            }
            Some(addl @ Value::Object(_)) => {
                for (k, v) in map.iter().filter(|(k, _)| !known(k)) {
                    self.node(addl, v, &format!("{path}.{k}"), out);
                }
            }
            _ => {}
        }
        if let Some(props) = props {
            for (name, sub) in props {
                if let Some(v) = map.get(name) {
                    let child = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    self.node(sub, v, &child, out);
                }
            }
        }
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for k in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(k) {
                    out.push(FieldError::required(field(&format!("{path}.{k}")), ""));
                }
            }
        }
    }
}
