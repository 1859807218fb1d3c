//! From an `Authorization` header to a [`Principal`].
//!
//! A bearer token whose (unverified) `iss` is fleetgraph's own is verified as a fleetgraph JWT
//! and never falls through to another method; any other token goes to TokenReview when a
//! management cluster is configured. No header other than `Authorization` is read, so nothing
//! a client sends can raise its privileges.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::jwt::JwtKeys;
use super::principal::{AuthKind, CallerToken, Principal};
use super::roles::{Role, parse_roles};
use super::token_review::TokenReviewer;
use crate::error::{Error, Result};

pub struct Authenticator {
    disabled: bool,
    jwt: Option<Arc<JwtKeys>>,
    reviewer: Option<Arc<dyn TokenReviewer>>,
    group_roles: BTreeMap<String, Vec<Role>>,
}

impl Authenticator {
    pub fn new(
        disabled: bool,
        jwt: Option<Arc<JwtKeys>>,
        reviewer: Option<Arc<dyn TokenReviewer>>,
        group_roles: BTreeMap<String, Vec<Role>>,
    ) -> Self {
        Self {
            disabled,
            jwt,
            reviewer,
            group_roles,
        }
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    pub fn jwt_keys(&self) -> Option<&Arc<JwtKeys>> {
        self.jwt.as_ref()
    }

    /// The caller behind an `Authorization` header value (None: no header).
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Principal> {
        if self.disabled {
            return Ok(Principal::auth_disabled());
        }
        let Some(header) = authorization else {
            return Ok(Principal::anonymous());
        };
        let token = bearer_token(header)?;
        let issuer = unverified_issuer(token);
        if let Some(keys) = &self.jwt
            && issuer.as_deref() == Some(keys.issuer())
        {
            let verified = keys.verify(token)?;
            return Ok(Principal {
                subject: verified.subject,
                roles: verified.roles,
                tenants: verified.tenants,
                projects: verified.projects,
                kind: AuthKind::Jwt,
                kube: None,
                kube_token: None,
            });
        }
        let Some(reviewer) = &self.reviewer else {
            return Err(Error::Unauthenticated(if self.jwt.is_some() {
                "invalid token: not issued by this server".to_string()
            } else {
                "this server accepts no bearer tokens: configure a JWT key or a management cluster"
                    .to_string()
            }));
        };
        let Some(identity) = reviewer.review(token).await? else {
            return Err(Error::Unauthenticated(
                "invalid token: the Kubernetes API server did not authenticate it".to_string(),
            ));
        };
        let mut roles: Vec<Role> = identity
            .groups
            .iter()
            .filter_map(|g| self.group_roles.get(g))
            .flatten()
            .copied()
            .collect();
        roles.sort();
        roles.dedup();
        Ok(Principal {
            subject: identity.username.clone(),
            roles,
            tenants: Vec::new(),
            projects: Vec::new(),
            kind: AuthKind::Kubernetes,
            kube: Some(identity),
            kube_token: Some(CallerToken::new(token)),
        })
    }
}

/// `Bearer <token>`, scheme case-insensitive (RFC 7235); anything else is refused, never a panic.
fn bearer_token(header: &str) -> Result<&str> {
    let header = header.trim();
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(Error::Unauthenticated(
            "the Authorization header must be `Bearer <token>`".to_string(),
        ));
    }
    Ok(token)
}

/// The `iss` claim of a JWT-shaped token, without verifying anything: used only to choose how
/// to verify.
fn unverified_issuer(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (_, payload, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_string)
}

/// Parses `group=role` pairs from `--kube-group-roles`.
pub fn parse_group_roles(pairs: &[String]) -> Result<BTreeMap<String, Vec<Role>>> {
    let mut map: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    for pair in pairs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let (group, role) = pair.split_once('=').ok_or_else(|| {
            Error::bad_field("kube-group-roles", format!("{pair:?} is not `group=role`"))
        })?;
        let roles = parse_roles([role]).map_err(|e| Error::bad_field("kube-group-roles", e))?;
        let entry = map.entry(group.trim().to_string()).or_default();
        entry.extend(roles);
        entry.sort();
        entry.dedup();
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parsing_never_panics() {
        assert_eq!(bearer_token("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_token("bearer   abc ").unwrap(), "abc");
        for bad in ["", "B", "Bearer", "Bearer ", "Basic abc", "abc"] {
            assert!(bearer_token(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn issuer_is_read_only_from_jwt_shaped_tokens() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"iss":"fleetgraph"}"#);
        assert_eq!(
            unverified_issuer(&format!("e30.{payload}.sig")).as_deref(),
            Some("fleetgraph")
        );
        assert_eq!(unverified_issuer("not-a-jwt"), None);
        assert_eq!(unverified_issuer("a.b.c.d"), None);
        assert_eq!(unverified_issuer("a.!!!.c"), None);
    }

    #[test]
    fn group_roles_parse_and_reject_unknown_roles() {
        let map =
            parse_group_roles(&["sre=ops".into(), "sre=readOnly".into(), "root=admin".into()])
                .unwrap();
        assert_eq!(map["sre"], vec![Role::Ops, Role::ReadOnly]);
        assert_eq!(map["root"], vec![Role::Admin]);
        assert!(parse_group_roles(&["sre=superuser".into()]).is_err());
        assert!(parse_group_roles(&["sre".into()]).is_err());
    }
}
