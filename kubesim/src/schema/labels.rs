//! `metadata.labels` and `metadata.annotations` checks of Go's `ValidateObjectMeta`, worded
//! as `k8s.io/apimachinery/pkg/util/validation` words them.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::errors::FieldError;
use super::meta::dns1123_subdomain_errors;

const QUALIFIED_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
/// Go's `TotalAnnotationSizeLimitB`.
const ANNOTATIONS_LIMIT: usize = 256 * 1024;

static QUALIFIED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{QUALIFIED_FMT}$")).expect("static regex"));
static LABEL_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^{LABEL_VALUE_FMT}$")).expect("static regex"));

/// `validation.IsQualifiedName`'s messages, empty when valid.
pub fn qualified_name_errors(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split('/').collect();
    let (prefix, name) = match parts.as_slice() {
        [name] => (None, *name),
        [prefix, name] => (Some(*prefix), *name),
        _ => {
            return vec![format!(
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and \
                 must start and end with an alphanumeric character (e.g. 'MyName',  or \
                 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_FMT}') with \
                 an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )];
        }
    };
    let mut errs = Vec::new();
    match prefix {
        Some("") => errs.push("prefix part must be non-empty".to_string()),
        Some(p) => errs.extend(
            dns1123_subdomain_errors(p)
                .into_iter()
                .map(|m| format!("prefix part {m}")),
        ),
        None => {}
    }
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_string());
    }
    if !QUALIFIED.is_match(name) {
        errs.push(format!(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start \
             and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or \
             '123-abc', regex used for validation is '{QUALIFIED_FMT}')"
        ));
    }
    errs
}

/// `validation.IsValidLabelValue`'s messages, empty when valid.
pub fn label_value_errors(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !LABEL_VALUE.is_match(value) {
        errs.push(format!(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', \
             '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  \
             or 'my_value',  or '12345', regex used for validation is '{LABEL_VALUE_FMT}')"
        ));
    }
    errs
}

fn sorted(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

pub(crate) fn check(meta: &Value, out: &mut Vec<FieldError>) {
    if let Some(labels) = meta.get("labels").and_then(Value::as_object) {
        for (k, v) in sorted(labels) {
            for msg in qualified_name_errors(k) {
                out.push(FieldError::invalid(
                    "metadata.labels",
                    &Value::from(k.as_str()),
                    &msg,
                ));
            }
            let value = v.as_str().unwrap_or_default();
            for msg in label_value_errors(value) {
                out.push(FieldError::invalid(
                    "metadata.labels",
                    &Value::from(value),
                    &msg,
                ));
            }
        }
    }
    if let Some(annotations) = meta.get("annotations").and_then(Value::as_object) {
        let mut total = 0;
        for (k, v) in sorted(annotations) {
            for msg in qualified_name_errors(&k.to_lowercase()) {
                out.push(FieldError::invalid(
                    "metadata.annotations",
                    &Value::from(k.as_str()),
                    &msg,
                ));
            }
            total += k.len() + v.as_str().map_or(0, str::len);
        }
        if total > ANNOTATIONS_LIMIT {
            out.push(FieldError::too_long(
                "metadata.annotations",
                ANNOTATIONS_LIMIT as i64,
            ));
        }
    }
}
