//! `Impersonate-*` headers, checked as the apiserver's impersonation filter checks them: one
//! `impersonate` authorization per requested user, service account, group, extra value and uid.

use std::collections::BTreeMap;

use http::HeaderMap;

use super::{
    SYSTEM_ANONYMOUS, SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED, service_account_groups,
    service_account_username, split_service_account_username,
};
use crate::identity::{Attributes, Decision, UserInfo};
use crate::rbac::forbidden_message;

const USER_HEADER: &str = "impersonate-user";
const GROUP_HEADER: &str = "impersonate-group";
const UID_HEADER: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";
const AUTHN_GROUP: &str = "authentication.k8s.io";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImpersonationError {
    /// `Impersonate-Group`, `-Extra-*` or `-Uid` without `Impersonate-User`. The real filter
    /// answers this with a plain-text 500 (`responsewriters.InternalError`), body
    /// [`ImpersonationError::plain_text_body`].
    #[error("requested {0} without impersonating a user")]
    WithoutUser(String),
    /// The requester may not impersonate what it asked for: a 403 `Forbidden` Status with this
    /// message and `details` {name, group, kind: resource} taken from `attributes`.
    #[error("{message}")]
    Forbidden {
        attributes: Box<Attributes>,
        message: String,
    },
    /// A header value that is not text.
    #[error("invalid impersonation header {0}")]
    BadHeader(String),
}

impl ImpersonationError {
    /// The HTTP status the real apiserver answers with.
    pub fn code(&self) -> u16 {
        match self {
            Self::WithoutUser(_) => 500,
            Self::Forbidden { .. } => 403,
            Self::BadHeader(_) => 400,
        }
    }

    /// The body of the real server's plain-text 500 for `request_uri`.
    pub fn plain_text_body(&self, request_uri: &str) -> String {
        format!("Internal Server Error: {request_uri:?}: {self}")
    }
}

/// One thing the caller asks to act as; `Display` is Go's `%v` of the `ObjectReference` the
/// real filter builds, which its error message prints.
struct Request {
    kind: &'static str,
    namespace: String,
    name: String,
    api_version: &'static str,
    field_path: String,
}

impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Kind Namespace Name UID APIVersion ResourceVersion FieldPath
        write!(
            f,
            "{{{} {} {}  {}  {}}}",
            self.kind, self.namespace, self.name, self.api_version, self.field_path
        )
    }
}

fn header_text(value: &http::HeaderValue, name: &str) -> Result<String, ImpersonationError> {
    value
        .to_str()
        .map(str::to_string)
        .map_err(|_| ImpersonationError::BadHeader(name.to_string()))
}

fn build_requests(headers: &HeaderMap) -> Result<Vec<Request>, ImpersonationError> {
    let mut requests = Vec::new();
    let user = match headers.get(USER_HEADER) {
        Some(v) => header_text(v, USER_HEADER)?,
        None => String::new(),
    };
    let has_user = !user.is_empty();
    if has_user {
        requests.push(match split_service_account_username(&user) {
            Some((namespace, name)) => Request {
                kind: "ServiceAccount",
                namespace: namespace.to_string(),
                name: name.to_string(),
                api_version: "",
                field_path: String::new(),
            },
            None => Request {
                kind: "User",
                namespace: String::new(),
                name: user.clone(),
                api_version: "",
                field_path: String::new(),
            },
        });
    }
    let mut others = false;
    for value in headers.get_all(GROUP_HEADER) {
        others = true;
        requests.push(Request {
            kind: "Group",
            namespace: String::new(),
            name: header_text(value, GROUP_HEADER)?,
            api_version: "",
            field_path: String::new(),
        });
    }
    for name in headers.keys() {
        let Some(encoded) = name.as_str().strip_prefix(EXTRA_PREFIX) else {
            continue;
        };
        others = true;
        let key = unescape_extra_key(encoded);
        for value in headers.get_all(name) {
            requests.push(Request {
                kind: "UserExtra",
                namespace: String::new(),
                name: header_text(value, name.as_str())?,
                api_version: "authentication.k8s.io/v1",
                field_path: key.clone(),
            });
        }
    }
    if let Some(v) = headers.get(UID_HEADER) {
        let uid = header_text(v, UID_HEADER)?;
        if !uid.is_empty() {
            others = true;
            requests.push(Request {
                kind: "UID",
                namespace: String::new(),
                name: uid,
                api_version: "authentication.k8s.io/v1",
                field_path: String::new(),
            });
        }
    }
    if others && !has_user {
        let listed: Vec<String> = requests.iter().map(ToString::to_string).collect();
        return Err(ImpersonationError::WithoutUser(format!(
            "[{}]",
            listed.join(" ")
        )));
    }
    Ok(requests)
}

/// Extra keys arrive percent-encoded (header names cannot hold every character); a malformed
/// encoding is kept as sent, as the real filter does.
fn unescape_extra_key(encoded: &str) -> String {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => return encoded.to_string(),
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| encoded.to_string())
}

/// Applies the `Impersonate-*` headers of a request made by `requester`. `Ok(None)`: no
/// impersonation asked; `Ok(Some(user))`: the request proceeds as `user`.
pub fn impersonate(
    requester: &UserInfo,
    headers: &HeaderMap,
    authorize: impl Fn(&UserInfo, &Attributes) -> Decision,
) -> Result<Option<UserInfo>, ImpersonationError> {
    let requests = build_requests(headers)?;
    if requests.is_empty() {
        return Ok(None);
    }
    // Groups given explicitly are the whole truth, even for a service account.
    let groups_specified = headers.contains_key(GROUP_HEADER);
    let mut username = String::new();
    let mut uid = String::new();
    let mut groups: Vec<String> = Vec::new();
    let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for request in &requests {
        let mut attrs = Attributes {
            verb: "impersonate".to_string(),
            namespace: request.namespace.clone(),
            name: request.name.clone(),
            ..Attributes::default()
        };
        match request.kind {
            "ServiceAccount" => {
                attrs.resource = "serviceaccounts".to_string();
                username = service_account_username(&request.namespace, &request.name);
                if !groups_specified {
                    groups = service_account_groups(&request.namespace);
                }
            }
            "User" => {
                attrs.resource = "users".to_string();
                username = request.name.clone();
            }
            "Group" => {
                attrs.resource = "groups".to_string();
                groups.push(request.name.clone());
            }
            "UserExtra" => {
                attrs.api_group = AUTHN_GROUP.to_string();
                attrs.api_version = "v1".to_string();
                attrs.resource = "userextras".to_string();
                attrs.subresource = request.field_path.clone();
                extra
                    .entry(request.field_path.clone())
                    .or_default()
                    .push(request.name.clone());
            }
            _ => {
                attrs.api_group = AUTHN_GROUP.to_string();
                attrs.api_version = "v1".to_string();
                attrs.resource = "uids".to_string();
                uid = request.name.clone();
            }
        }
        let decision = authorize(requester, &attrs);
        if !decision.allowed {
            let message = forbidden_message(requester, &attrs, &decision.reason);
            return Err(ImpersonationError::Forbidden {
                attributes: Box::new(attrs),
                message,
            });
        }
    }
    if username != SYSTEM_ANONYMOUS {
        if !groups
            .iter()
            .any(|g| g == SYSTEM_AUTHENTICATED || g == SYSTEM_UNAUTHENTICATED)
        {
            groups.push(SYSTEM_AUTHENTICATED.to_string());
        }
    } else if !groups.iter().any(|g| g == SYSTEM_UNAUTHENTICATED) {
        groups.push(SYSTEM_UNAUTHENTICATED.to_string());
    }
    Ok(Some(UserInfo {
        username,
        uid,
        groups,
        extra,
    }))
}
