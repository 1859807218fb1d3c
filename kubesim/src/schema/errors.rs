//! Field errors and the 422 `Invalid` Status, worded like `k8s.io/apimachinery`'s
//! `field.Error.ErrorBody` and `apierrors.NewInvalid`.

use serde_json::{Map, Value, json};

/// The `reason` of a `StatusCause` (Go's `field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CauseReason {
    FieldValueRequired,
    FieldValueInvalid,
    FieldValueNotSupported,
    FieldValueTypeInvalid,
    FieldValueDuplicate,
    FieldValueTooLong,
    FieldValueTooMany,
    FieldValueForbidden,
}

impl CauseReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FieldValueRequired => "FieldValueRequired",
            Self::FieldValueInvalid => "FieldValueInvalid",
            Self::FieldValueNotSupported => "FieldValueNotSupported",
            Self::FieldValueTypeInvalid => "FieldValueTypeInvalid",
            Self::FieldValueDuplicate => "FieldValueDuplicate",
            Self::FieldValueTooLong => "FieldValueTooLong",
            Self::FieldValueTooMany => "FieldValueTooMany",
            Self::FieldValueForbidden => "FieldValueForbidden",
        }
    }

    /// The words Go's `ErrorType.String()` puts first in a message.
    fn label(self) -> &'static str {
        match self {
            Self::FieldValueRequired => "Required value",
            Self::FieldValueInvalid | Self::FieldValueTypeInvalid => "Invalid value",
            Self::FieldValueNotSupported => "Unsupported value",
            Self::FieldValueDuplicate => "Duplicate value",
            Self::FieldValueTooLong => "Too long",
            Self::FieldValueTooMany => "Too many",
            Self::FieldValueForbidden => "Forbidden",
        }
    }
}

impl std::fmt::Display for CauseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validation failure. `message` is the cause's message (Go's `ErrorBody()`), without the
/// field path; `Display` gives `field: message` as in the Status message.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub reason: CauseReason,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl FieldError {
    fn build(field: &str, reason: CauseReason, value: Option<&Value>, detail: &str) -> Self {
        let mut message = reason.label().to_string();
        if let Some(v) = value {
            message.push_str(": ");
            message.push_str(&go_value(v));
        }
        if !detail.is_empty() {
            message.push_str(": ");
            message.push_str(detail);
        }
        Self {
            field: field.to_string(),
            reason,
            message,
        }
    }

    pub fn required(field: &str, detail: &str) -> Self {
        Self::build(field, CauseReason::FieldValueRequired, None, detail)
    }

    pub fn invalid(field: &str, value: &Value, detail: &str) -> Self {
        Self::build(field, CauseReason::FieldValueInvalid, Some(value), detail)
    }

    pub fn type_invalid(field: &str, value: &Value, detail: &str) -> Self {
        Self::build(
            field,
            CauseReason::FieldValueTypeInvalid,
            Some(value),
            detail,
        )
    }

    pub fn duplicate(field: &str, value: &Value) -> Self {
        Self::build(field, CauseReason::FieldValueDuplicate, Some(value), "")
    }

    pub fn forbidden(field: &str, detail: &str) -> Self {
        Self::build(field, CauseReason::FieldValueForbidden, None, detail)
    }

    /// Go's `field.NotSupported`: non-string allowed values are shown as their JSON, quoted.
    pub fn not_supported(field: &str, value: &Value, allowed: &[Value]) -> Self {
        let quoted: Vec<String> = allowed
            .iter()
            .map(|v| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => go_json(other),
                };
                quote(&s)
            })
            .collect();
        let detail = if quoted.is_empty() {
            String::new()
        } else {
            format!("supported values: {}", quoted.join(", "))
        };
        Self::build(
            field,
            CauseReason::FieldValueNotSupported,
            Some(value),
            &detail,
        )
    }

    pub fn too_long(field: &str, max: i64) -> Self {
        let detail = match max {
            m if m < 0 => "value is too long".to_string(),
            1 => "may not be more than 1 byte".to_string(),
            m => format!("may not be more than {m} bytes"),
        };
        Self::build(field, CauseReason::FieldValueTooLong, None, &detail)
    }

    pub fn too_many(field: &str, actual: i64, max: i64) -> Self {
        let detail = match max {
            m if m < 0 => "has too many items".to_string(),
            1 => "must have at most 1 item".to_string(),
            m => format!("must have at most {m} items"),
        };
        Self::build(
            field,
            CauseReason::FieldValueTooMany,
            Some(&Value::from(actual)),
            &detail,
        )
    }
}

/// Go's `strconv.Quote` for the characters that appear in Kubernetes objects; JSON string
/// escaping agrees with it on everything but rare control characters.
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// How `ErrorBody` prints a bad value: `%v` for numbers and booleans, `%q` for strings,
/// `encoding/json` (sorted keys) for everything else, `null` for nil.
pub(crate) fn go_value(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Number(_) | Value::Bool(_) => go_scalar(v),
        other => go_json(other),
    }
}

/// Go's `%v` of an int64, float64 or bool decoded from JSON.
pub(crate) fn go_scalar(v: &Value) -> String {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                go_float(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::Bool(b) => b.to_string(),
        other => go_json(other),
    }
}

/// Go's `%v` of a float64: no trailing `.0`, exponent form for very large or small values.
pub(crate) fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        // Rust writes 1e21, Go writes 1e+21.
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e:0>2}"),
            Some((m, e)) => format!("{m}e-{:0>2}", &e[1..]),
            None => s,
        }
    } else if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// `encoding/json` output: object keys sorted.
pub(crate) fn go_json(v: &Value) -> String {
    serde_json::to_string(&sorted(v)).unwrap_or_default()
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The 422 Status `apierrors.NewInvalid` builds: the message joins the errors (deduplicated,
/// bracketed when more than one) after `Kind.group "name" is invalid`.
pub fn invalid_status(kind: &str, group: &str, name: &str, errors: &[FieldError]) -> Value {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let mut seen = std::collections::HashSet::new();
    let msgs: Vec<String> = errors
        .iter()
        .map(ToString::to_string)
        .filter(|m| seen.insert(m.clone()))
        .collect();
    let message = match msgs.len() {
        0 => format!("{qualified} {} is invalid", quote(name)),
        1 => format!("{qualified} {} is invalid: {}", quote(name), msgs[0]),
        _ => format!(
            "{qualified} {} is invalid: [{}]",
            quote(name),
            msgs.join(", ")
        ),
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.reason.as_str(), "message": e.message, "field": e.field}))
        .collect();
    // StatusDetails omits empty name and group.
    let mut details = Map::new();
    if !name.is_empty() {
        details.insert("name".into(), Value::from(name));
    }
    if !group.is_empty() {
        details.insert("group".into(), Value::from(group));
    }
    details.insert("kind".into(), Value::from(kind));
    details.insert("causes".into(), Value::Array(causes));
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "Invalid",
        "details": Value::Object(details),
        "code": 422
    })
}
