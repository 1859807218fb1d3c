//! Authentication, impersonation and authorization as the HTTP layer applies them to every
//! request. Token rules, impersonation rules and the RBAC evaluator are the auth module's
//! (`authn`, `rbac`); this file feeds them the request and the stored RBAC objects.

use std::sync::Arc;

use http::HeaderMap;
use parking_lot::RwLock;
use serde_json::Value;

use crate::authn::{Authenticator, ImpersonationError};
use crate::identity::{Attributes, Decision, UserInfo};
use crate::rbac::RbacSnapshot;
use crate::state::Shared;
use crate::status::ApiError;
use crate::store::GroupResource;

pub struct Access {
    pub authn: Authenticator,
    /// Rebuilt lazily after any write to an RBAC object.
    rbac: RwLock<Option<Arc<RbacSnapshot>>>,
}

impl Access {
    pub fn new(admin_token: String, tokens: Vec<(String, String, Vec<String>)>) -> Self {
        let authn = Authenticator::new(admin_token);
        for (t, u, g) in tokens {
            authn.add_static_token(&t, &u, &g);
        }
        Self {
            authn,
            rbac: RwLock::new(None),
        }
    }

    pub fn admin_token(&self) -> &str {
        self.authn.admin_token()
    }

    pub fn authenticate(&self, headers: &HeaderMap) -> Result<UserInfo, ApiError> {
        let token = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        self.authn
            .authenticate(token)
            .ok_or_else(ApiError::unauthorized)
    }

    pub fn invalidate_rbac(&self) {
        *self.rbac.write() = None;
    }
}

pub fn rbac_snapshot(shared: &Shared) -> Arc<RbacSnapshot> {
    if let Some(s) = shared.access.rbac.read().as_ref() {
        return s.clone();
    }
    let objs = |plural: &str| -> Vec<Value> {
        let (items, _) = shared
            .store
            .snapshot(&GroupResource::new("rbac.authorization.k8s.io", plural));
        items.iter().map(|v| (**v).clone()).collect()
    };
    let snap = Arc::new(RbacSnapshot::from_objects(
        &objs("roles"),
        &objs("clusterroles"),
        &objs("rolebindings"),
        &objs("clusterrolebindings"),
    ));
    *shared.access.rbac.write() = Some(snap.clone());
    snap
}

pub fn decide(shared: &Shared, user: &UserInfo, a: &Attributes) -> Decision {
    rbac_snapshot(shared).authorize(user, a)
}

pub fn forbidden(user: &UserInfo, a: &Attributes, reason: &str) -> ApiError {
    let msg = crate::rbac::forbidden_message(user, a, reason);
    if a.path.is_some() {
        return ApiError::new(403, "Forbidden", msg).with_details(serde_json::json!({}));
    }
    ApiError::forbidden_msg(&a.api_group, &a.resource, &a.name, msg)
}

/// The RBAC decision for one request, as a 403 Status when denied.
pub fn authorize(shared: &Shared, user: &UserInfo, a: &Attributes) -> Result<(), ApiError> {
    let decision = decide(shared, user, a);
    if decision.allowed {
        Ok(())
    } else {
        Err(forbidden(user, a, &decision.reason))
    }
}

/// The user a request acts as after its `Impersonate-*` headers.
pub fn impersonate(
    shared: &Shared,
    user: &UserInfo,
    headers: &HeaderMap,
    uri: &str,
) -> Result<UserInfo, Box<axum::response::Response>> {
    match crate::authn::impersonate(user, headers, |u, a| decide(shared, u, a)) {
        Ok(None) => Ok(user.clone()),
        Ok(Some(u)) => Ok(u),
        Err(ImpersonationError::Forbidden {
            attributes,
            message,
        }) => Err(Box::new(
            ApiError::forbidden_msg(
                &attributes.api_group,
                &attributes.resource,
                &attributes.name,
                message,
            )
            .into_response_(),
        )),
        Err(e @ ImpersonationError::WithoutUser(_)) => {
            Err(Box::new(crate::server::bytes_response(
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8",
                e.plain_text_body(uri).into(),
            )))
        }
        Err(e) => Err(Box::new(
            ApiError::bad_request(e.to_string()).into_response_(),
        )),
    }
}
