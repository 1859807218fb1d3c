//! `metav1.Status` failures with the codes, reasons and messages the real apiserver uses, so
//! that clients branching on `reason` (kube's `is_not_found`, kubectl's messages) behave the same.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};

/// One `details.causes` entry of an `Invalid` Status.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    /// e.g. `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`.
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// An API failure, rendered as a `Status` object with its HTTP code.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    pub code: u16,
    pub reason: String,
    pub message: String,
    /// `details`, already shaped (`name`, `group`, `kind`, `causes`); `None` when absent.
    pub details: Option<Box<Value>>,
}

/// "configmaps" or "clusterprofiles.config.projectsveltos.io", as messages name a resource.
pub fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

fn details(name: &str, group: &str, kind: &str) -> Value {
    let mut d = serde_json::Map::new();
    if !name.is_empty() {
        d.insert("name".into(), json!(name));
    }
    if !group.is_empty() {
        d.insert("group".into(), json!(group));
    }
    if !kind.is_empty() {
        d.insert("kind".into(), json!(kind));
    }
    Value::Object(d)
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.to_string(),
            message: message.into(),
            details: None,
        }
    }

    /// From a `Status` object built elsewhere (e.g. the schema module's 422).
    pub fn from_status(status: &Value) -> Self {
        Self {
            code: status["code"].as_u64().unwrap_or(500) as u16,
            reason: status["reason"]
                .as_str()
                .unwrap_or("InternalError")
                .to_string(),
            message: status["message"].as_str().unwrap_or("").to_string(),
            details: status.get("details").cloned().map(Box::new),
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", qualified(group, resource)),
        )
        .with_details(details(name, group, resource))
    }

    /// A path that names no served resource; the real server answers a bare 404.
    pub fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
        .with_details(json!({"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]}))
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", qualified(group, resource)),
        )
        .with_details(details(name, group, resource))
    }

    pub fn conflict(group: &str, resource: &str, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                qualified(group, resource)
            ),
        )
        .with_details(details(name, group, resource))
    }

    /// A 409 with a custom message, e.g. server-side apply field conflicts.
    pub fn conflict_msg(group: &str, resource: &str, name: &str, message: String) -> Self {
        Self::new(409, "Conflict", message).with_details(details(name, group, resource))
    }

    /// 422 Invalid: `Kind.group "name" is invalid: field: message, ...`.
    pub fn invalid(group: &str, kind: &str, name: &str, causes: Vec<Cause>) -> Self {
        let qualified_kind = qualified(group, kind);
        let summary: Vec<String> = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect();
        let message = if summary.len() == 1 {
            format!("{qualified_kind} \"{name}\" is invalid: {}", summary[0])
        } else {
            format!(
                "{qualified_kind} \"{name}\" is invalid: [{}]",
                summary.join(", ")
            )
        };
        let mut d = details(name, group, kind);
        d["causes"] = Value::Array(
            causes
                .iter()
                .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
                .collect(),
        );
        Self::new(422, "Invalid", message).with_details(d)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed(group: &str, resource: &str, verb: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!(
                "the server does not allow this method on the requested resource ({verb} {})",
                qualified(group, resource)
            ),
        )
        .with_details(details("", group, resource))
    }

    pub fn unsupported_media_type(content_type: &str, accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
        .with_details(json!({"causes": [{"reason": "UnexpectedServerResponse", "message": content_type}]}))
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden_msg(group: &str, resource: &str, name: &str, message: String) -> Self {
        Self::new(403, "Forbidden", message).with_details(details(name, group, resource))
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalError", message)
    }

    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        });
        if let Some(d) = &self.details {
            s["details"] = (**d).clone();
        }
        s["code"] = json!(self.code);
        s
    }
}

/// A `Status` with `status: Success`, as DELETE of a collection or some subresources return.
pub fn success(details: Value) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        crate::server::json_response(code, &self.to_status())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
