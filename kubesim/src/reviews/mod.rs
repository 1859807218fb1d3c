//! The review APIs as pure functions from request body to response object: the request comes
//! back with `status` filled, as the real apiserver answers a create of these kinds.
//! `authentication.k8s.io`: TokenReview, SelfSubjectReview and the ServiceAccount `token`
//! subresource (TokenRequest); `authorization.k8s.io`: see [`access`].

mod access;

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use crate::authn::{Authenticator, DEFAULT_TOKEN_SECONDS, MAX_TOKEN_SECONDS, MIN_TOKEN_SECONDS};
use crate::identity::UserInfo;

pub use access::{
    local_subject_access_review, self_subject_access_review, self_subject_rules_review,
    subject_access_review,
};

const AUTHN_V1: &str = "authentication.k8s.io/v1";

/// One field error of a 422, as `field.Error` renders: `field` and the body after it
/// (`Invalid value: "": at least one of user or group must be specified`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl FieldError {
    fn invalid(field: &str, value: &str, why: &str) -> Self {
        Self {
            field: field.to_string(),
            detail: format!("Invalid value: {value}: {why}"),
        }
    }
}

/// Why a review request was refused: a 400 `BadRequest` or a 422 `Invalid` Status.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{}", invalid_message(group, kind, name, causes))]
    Invalid {
        group: String,
        kind: String,
        name: String,
        causes: Vec<FieldError>,
    },
}

fn invalid_message(group: &str, kind: &str, name: &str, causes: &[FieldError]) -> String {
    let parts: Vec<String> = causes
        .iter()
        .map(|c| format!("{}: {}", c.field, c.detail))
        .collect();
    let summary = match parts.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    format!("{kind}.{group} \"{name}\" is invalid: {summary}")
}

impl ReviewError {
    pub fn code(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Invalid { .. } => 422,
        }
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BadRequest",
            Self::Invalid { .. } => "Invalid",
        }
    }

    /// The `metav1.Status` the real server sends.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.to_string(),
            "reason": self.reason(),
        });
        if let Self::Invalid {
            group,
            kind,
            name,
            causes,
        } = self
        {
            let causes: Vec<Value> = causes
                .iter()
                .map(|c| json!({"reason": "FieldValueInvalid", "message": c.detail, "field": c.field}))
                .collect();
            status["details"] =
                json!({"name": name, "group": group, "kind": kind, "causes": causes});
        }
        status["code"] = json!(self.code());
        status
    }
}

/// The request echoed back: `apiVersion`/`kind` defaulted, `metadata` present.
pub(crate) fn echo(body: &Value, api_version: &str, kind: &str) -> Map<String, Value> {
    let mut out = body.as_object().cloned().unwrap_or_default();
    out.entry("apiVersion")
        .or_insert_with(|| json!(api_version));
    out.entry("kind").or_insert_with(|| json!(kind));
    let metadata = out.entry("metadata").or_insert_with(|| json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.entry("creationTimestamp").or_insert(Value::Null);
    }
    out
}

/// `authentication.k8s.io/v1` `UserInfo`, empty fields omitted as Go's `omitempty` does.
pub fn user_info_json(user: &UserInfo) -> Value {
    let mut m = Map::new();
    if !user.username.is_empty() {
        m.insert("username".into(), json!(user.username));
    }
    if !user.uid.is_empty() {
        m.insert("uid".into(), json!(user.uid));
    }
    if !user.groups.is_empty() {
        m.insert("groups".into(), json!(user.groups));
    }
    if !user.extra.is_empty() {
        m.insert("extra".into(), json!(user.extra));
    }
    Value::Object(m)
}

pub(crate) fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// TokenReview: who is this token, for these audiences (`spec.audiences` empty = this server's).
pub fn token_review(auth: &Authenticator, body: &Value) -> Result<Value, ReviewError> {
    let token = body
        .pointer("/spec/token")
        .and_then(Value::as_str)
        .unwrap_or("");
    if token.is_empty() {
        return Err(ReviewError::BadRequest(
            "token is required for TokenReview in authentication".to_string(),
        ));
    }
    let audiences = string_list(body.pointer("/spec/audiences"));
    let status = match auth.review(token, &audiences) {
        Ok((user, auds)) => json!({
            "authenticated": true,
            "user": user_info_json(&user),
            "audiences": auds,
        }),
        // `user` is a struct, not a pointer, in the Go type: it is always serialized.
        Err(error) => json!({"user": {}, "error": error}),
    };
    let mut out = echo(body, AUTHN_V1, "TokenReview");
    out.insert("status".into(), status);
    Ok(Value::Object(out))
}

/// SelfSubjectReview: the caller as the server sees it (after impersonation).
pub fn self_subject_review(caller: &UserInfo) -> Value {
    json!({
        "apiVersion": AUTHN_V1,
        "kind": "SelfSubjectReview",
        "metadata": {"creationTimestamp": null},
        "status": {"userInfo": user_info_json(caller)},
    })
}

/// TokenRequest (`POST .../serviceaccounts/{name}/token`) for the stored ServiceAccount `sa`:
/// validates `spec.expirationSeconds` (default 3600, at least 600), defaults `spec.audiences` to
/// this server's, mints the token and answers the request with `status.token` and
/// `status.expirationTimestamp`.
pub fn token_request(
    auth: &Authenticator,
    namespace: &str,
    sa: &Value,
    body: &Value,
) -> Result<Value, ReviewError> {
    let sa_name = sa
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let sa_uid = sa
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("");
    let seconds = match body.pointer("/spec/expirationSeconds") {
        None | Some(Value::Null) => DEFAULT_TOKEN_SECONDS,
        Some(v) => v.as_i64().ok_or_else(|| {
            ReviewError::BadRequest(format!(
                "spec.expirationSeconds: expected an integer, got {v}"
            ))
        })?,
    };
    let too_short = seconds < MIN_TOKEN_SECONDS;
    if too_short || seconds > MAX_TOKEN_SECONDS {
        let why = if too_short {
            "may not specify a duration less than 10 minutes"
        } else {
            "may not specify a duration larger than 2^32 seconds"
        };
        return Err(ReviewError::Invalid {
            group: "authentication.k8s.io".to_string(),
            kind: "TokenRequest".to_string(),
            name: sa_name.to_string(),
            causes: vec![FieldError::invalid(
                "spec.expirationSeconds",
                &seconds.to_string(),
                why,
            )],
        });
    }
    let mut audiences = string_list(body.pointer("/spec/audiences"));
    if audiences.is_empty() {
        audiences = auth.api_audiences().to_vec();
    }
    let (token, expires) =
        auth.mint_service_account_token(namespace, sa_name, sa_uid, audiences.clone(), seconds);
    let mut out = echo(body, AUTHN_V1, "TokenRequest");
    out.insert(
        "metadata".into(),
        json!({
            "name": sa_name,
            "namespace": namespace,
            "creationTimestamp": auth.now().to_rfc3339_opts(SecondsFormat::Secs, true),
        }),
    );
    let spec = out.entry("spec").or_insert_with(|| json!({}));
    if let Some(spec) = spec.as_object_mut() {
        spec.insert("audiences".into(), json!(audiences));
        spec.insert("expirationSeconds".into(), json!(seconds));
        spec.entry("boundObjectRef").or_insert(Value::Null);
    }
    out.insert(
        "status".into(),
        json!({
            "token": token,
            "expirationTimestamp": expires.to_rfc3339_opts(SecondsFormat::Secs, true),
        }),
    );
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests;
