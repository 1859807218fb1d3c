//! ObjectMeta checks the apiserver makes on every custom resource before schema validation
//! (`metadata.name` is a DNS-1123 subdomain, `metadata.namespace` a DNS-1123 label), and the
//! `apiVersion`/`kind` an `x-kubernetes-embedded-resource` object must carry.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::errors::FieldError;
use super::node::Node;
use super::path::Path;

const SUBDOMAIN_FMT: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

static SUBDOMAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{SUBDOMAIN_FMT}$")).expect("static regex"));
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{LABEL_FMT}$")).expect("static regex"));

/// `validation.IsDNS1123Subdomain`'s messages for `value`, empty when valid.
pub fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !SUBDOMAIN.is_match(value) {
        errs.push(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
             '-' or '.', and must start and end with an alphanumeric character (e.g. \
             'example.com', regex used for validation is '{SUBDOMAIN_FMT}')"
        ));
    }
    errs
}

/// `validation.IsDNS1123Label`'s messages for `value`, empty when valid.
pub fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !LABEL.is_match(value) {
        errs.push(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \
             '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or \
             '123-abc', regex used for validation is '{LABEL_FMT}')"
        ));
    }
    errs
}

pub(crate) fn check_object_meta(obj: &Value, out: &mut Vec<FieldError>) {
    let meta = obj.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let generate = meta
        .and_then(|m| m.get("generateName"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        if generate.is_empty() {
            out.push(FieldError::required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        for msg in dns1123_subdomain_errors(name) {
            out.push(FieldError::invalid(
                "metadata.name",
                &Value::from(name),
                &msg,
            ));
        }
    }
    if let Some(m) = meta {
        super::labels::check(m, out);
    }
    if let Some(ns) = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        && !ns.is_empty()
    {
        for msg in dns1123_label_errors(ns) {
            out.push(FieldError::invalid(
                "metadata.namespace",
                &Value::from(ns),
                &msg,
            ));
        }
    }
}

/// Walks the schema alongside the object to find embedded resources.
pub(crate) fn check_embedded(s: &Node, v: &Value, path: &Path<'_>, out: &mut Vec<FieldError>) {
    if !s.embedded_below {
        return;
    }
    match v {
        Value::Object(map) => {
            if s.embedded {
                for key in ["apiVersion", "kind"] {
                    let f = Path::Field(path, key).to_string();
                    match map.get(key) {
                        None => out.push(FieldError::required(&f, "must not be empty")),
                        Some(Value::String(x)) if x.is_empty() => out.push(FieldError::invalid(
                            &f,
                            &Value::from(""),
                            "must not be empty",
                        )),
                        Some(Value::String(_)) => {}
                        Some(other) => out.push(FieldError::invalid(&f, other, "must be a string")),
                    }
                }
            }
            for (k, child) in map {
                if let Some(sub) = s.property(k) {
                    check_embedded(sub, child, &Path::Field(path, k), out);
                } else if let Some(sub) = s.additional_schema() {
                    check_embedded(sub, child, &Path::Key(path, k), out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(sub) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    check_embedded(sub, item, &Path::Index(path, i), out);
                }
            }
        }
        _ => {}
    }
}
