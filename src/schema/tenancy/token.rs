//! `issueToken`.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{principal, tenancy};
use crate::auth::Role;
use crate::tenancy::Access;
use crate::tenancy::audit::audited;
use crate::tenancy::errors::KnResultExt;
use crate::tenancy::tokens::{self, IssueToken};

#[derive(InputObject)]
pub struct IssueTokenInput {
    /// Who the token speaks for (`sub`).
    pub subject: String,
    pub roles: Vec<Role>,
    /// Tenants (by name) the scoped roles apply to.
    #[graphql(default)]
    pub tenants: Vec<String>,
    /// `tenant/project` pairs a projectDev works in.
    #[graphql(default)]
    pub projects: Vec<String>,
    /// Lifetime in seconds, between 60 and the server's maximum (default one hour).
    #[graphql(default = 3600)]
    pub ttl_seconds: i64,
}

#[derive(SimpleObject)]
pub struct IssueTokenPayload {
    /// The bearer token; shown once, never stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// The token's id (`jti`), as recorded.
    pub token_id: String,
}

#[derive(Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Issues a fleetgraph token (admins; anyone while authentication is disabled).
    async fn issue_token(
        &self,
        ctx: &Context<'_>,
        input: IssueTokenInput,
    ) -> async_graphql::Result<IssueTokenPayload> {
        let t = tenancy(ctx).kn()?;
        let principal = principal(ctx);
        let access = Access::new(&principal);
        let target = format!("token/{}", input.subject);
        let issued = audited(&t.store, &principal, "issueToken", target, async {
            let ttl = u64::try_from(input.ttl_seconds).map_err(|_| {
                crate::error::Error::bad_field("input.ttlSeconds", "ttlSeconds must be positive")
            })?;
            tokens::issue(
                t,
                &access,
                IssueToken {
                    subject: input.subject,
                    roles: input
                        .roles
                        .iter()
                        .map(|r| r.as_claim().to_string())
                        .collect(),
                    tenants: input.tenants,
                    projects: input.projects,
                    ttl_seconds: ttl,
                },
            )
            .await
        })
        .await
        .kn()?;
        Ok(IssueTokenPayload {
            token: issued.token,
            expires_at: issued.expires_at,
            token_id: issued.id,
        })
    }
}
