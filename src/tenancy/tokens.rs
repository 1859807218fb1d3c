//! `issueToken`: admins mint fleetgraph tokens (anyone may while authentication is disabled,
//! as every caller is then an admin). Each issued token is recorded, never the token itself.

use std::time::Duration;

use super::{Access, Tenancy, validate};
use crate::auth::jwt::{IssuedToken, TokenRequest};
use crate::auth::roles::parse_roles;
use crate::error::{Error, Result};
use crate::store::tenancy::tokens::NewToken;

pub struct IssueToken {
    pub subject: String,
    pub roles: Vec<String>,
    pub tenants: Vec<String>,
    pub projects: Vec<String>,
    pub ttl_seconds: u64,
}

pub async fn issue(t: &Tenancy, access: &Access<'_>, input: IssueToken) -> Result<IssuedToken> {
    access.require_token_issuer()?;
    let subject = input.subject.trim().to_string();
    if subject.is_empty() || subject.len() > 253 {
        return Err(Error::bad_field(
            "input.subject",
            "subject must be 1 to 253 characters",
        ));
    }
    let roles = parse_roles(input.roles.iter().map(String::as_str))
        .map_err(|e| Error::bad_field("input.roles", e))?;
    for tenant in &input.tenants {
        validate::dns_label("input.tenants", tenant, 63)?;
    }
    for pair in &input.projects {
        let Some((tenant, project)) = pair.split_once('/') else {
            return Err(Error::bad_field(
                "input.projects",
                format!("input.projects: {pair:?} must be tenant/project"),
            ));
        };
        validate::dns_label("input.projects", tenant, 63)?;
        validate::dns_label("input.projects", project, 63)?;
    }
    let keys = t.jwt.as_ref().ok_or_else(|| {
        Error::Unavailable(
            "this server has no JWT key configured and cannot issue tokens".to_string(),
        )
    })?;
    let issued = keys
        .issue(&TokenRequest {
            subject: subject.clone(),
            roles: roles.clone(),
            tenants: input.tenants.clone(),
            projects: input.projects.clone(),
            ttl: Duration::from_secs(input.ttl_seconds),
        })
        .map_err(|e| match e {
            Error::BadUserInput { message, field } => Error::BadUserInput {
                message,
                field: field.map(|f| format!("input.{f}")),
            },
            other => other,
        })?;
    let id = uuid::Uuid::parse_str(&issued.id)
        .map_err(|_| Error::Internal("issued token id is not a UUID".to_string()))?;
    t.store
        .record_issued_token(NewToken {
            id,
            subject,
            roles: roles.iter().map(|r| r.as_claim().to_string()).collect(),
            tenants: input.tenants,
            projects: input.projects,
            issued_by: access.principal().subject.clone(),
            expires_at: issued.expires_at,
        })
        .await?;
    Ok(issued)
}
