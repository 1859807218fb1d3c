//! Bearer-token authentication: the admin token, a static token table and ServiceAccount tokens
//! minted by TokenRequest, with the audience and expiry rules of the real apiserver.
//!
//! Minted tokens look like the apiserver's bound ServiceAccount JWTs (so clients that decode them
//! see the usual claims) but kubesim trusts only its own table: a token is valid when it was
//! minted here, has not expired and its ServiceAccount still exists.

mod impersonation;
mod jwt;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use parking_lot::RwLock;

use crate::identity::UserInfo;

pub use impersonation::{ImpersonationError, impersonate};
pub use jwt::decode_claims;

/// The audience and issuer of this server, used when a TokenReview or TokenRequest names none.
pub const API_AUDIENCE: &str = "https://kubernetes.default.svc";
/// The smallest `expirationSeconds` a TokenRequest may ask for (the real server rejects less).
pub const MIN_TOKEN_SECONDS: i64 = 600;
/// What a TokenRequest gets when it asks for no particular lifetime.
pub const DEFAULT_TOKEN_SECONDS: i64 = 3600;
/// The largest `expirationSeconds` the real server accepts (2^32).
pub const MAX_TOKEN_SECONDS: i64 = 1 << 32;
/// go-jose's default leeway: the apiserver still accepts a token this long after its `exp`.
pub const EXPIRY_LEEWAY_SECONDS: i64 = 60;

pub const ADMIN_USER: &str = "kubesim-admin";
pub const SYSTEM_MASTERS: &str = "system:masters";
pub const SYSTEM_AUTHENTICATED: &str = "system:authenticated";
pub const SYSTEM_UNAUTHENTICATED: &str = "system:unauthenticated";
pub const SYSTEM_ANONYMOUS: &str = "system:anonymous";
pub const SERVICE_ACCOUNT_PREFIX: &str = "system:serviceaccount:";
pub const SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";
pub const CREDENTIAL_ID_EXTRA: &str = "authentication.kubernetes.io/credential-id";

const INVALID_BEARER: &str = "invalid bearer token";

/// Where the authenticator reads the time; tests inject one to expire tokens without waiting.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// `(namespace, name)` → the stored ServiceAccount's uid, `None` when it does not exist.
pub type ServiceAccountLookup = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// `system:serviceaccount:<ns>:<name>`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}")
}

/// The groups the apiserver gives every ServiceAccount of `namespace` (without
/// `system:authenticated`, which authentication adds).
pub fn service_account_groups(namespace: &str) -> Vec<String> {
    vec![
        SERVICE_ACCOUNTS_GROUP.to_string(),
        format!("{SERVICE_ACCOUNTS_GROUP}:{namespace}"),
    ]
}

/// Splits `system:serviceaccount:<ns>:<name>` as the apiserver's `SplitUsername` does: exactly
/// two parts, each a valid object name; anything else is an ordinary user name.
pub fn split_service_account_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    let label = |s: &str, dots: bool| {
        !s.is_empty()
            && s.len() <= 253
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || (dots && b == b'.')
            })
            && !s.starts_with(['-', '.'])
            && !s.ends_with(['-', '.'])
    };
    (label(namespace, false) && namespace.len() <= 63 && label(name, true))
        .then_some((namespace, name))
}

struct Minted {
    user: UserInfo,
    audiences: Vec<String>,
    expires: DateTime<Utc>,
    namespace: String,
    sa_name: String,
    revoked: bool,
}

struct Inner {
    static_tokens: RwLock<HashMap<String, UserInfo>>,
    minted: RwLock<HashMap<String, Minted>>,
    clock: Clock,
    api_audiences: Vec<String>,
    signing_key: [u8; 32],
    admin_token: String,
    sa_lookup: RwLock<Option<ServiceAccountLookup>>,
}

/// The token authenticator. Cheap to clone (shared state behind an `Arc`); every method takes
/// its lock only for the duration of a map operation, so it is safe to call from async code.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("static_tokens", &self.inner.static_tokens.read().len())
            .field("minted_tokens", &self.inner.minted.read().len())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator accepting `admin_token` as user `kubesim-admin` in `system:masters`.
    pub fn new(admin_token: String) -> Self {
        Self::with_clock(admin_token, Arc::new(Utc::now))
    }

    /// As [`Authenticator::new`], reading the time from `clock`.
    pub fn with_clock(admin_token: String, clock: Clock) -> Self {
        let admin = UserInfo {
            username: ADMIN_USER.to_string(),
            uid: String::new(),
            groups: vec![SYSTEM_MASTERS.to_string(), SYSTEM_AUTHENTICATED.to_string()],
            extra: BTreeMap::new(),
        };
        let mut table = HashMap::new();
        table.insert(admin_token.clone(), admin);
        Self {
            inner: Arc::new(Inner {
                static_tokens: RwLock::new(table),
                minted: RwLock::new(HashMap::new()),
                clock,
                api_audiences: vec![API_AUDIENCE.to_string()],
                signing_key: rand::random(),
                admin_token,
                sa_lookup: RwLock::new(None),
            }),
        }
    }

    pub fn admin_token(&self) -> &str {
        &self.inner.admin_token
    }

    /// The authenticator's current time (the injected clock, if any).
    pub fn now(&self) -> DateTime<Utc> {
        (self.inner.clock)()
    }

    /// The audiences this server identifies as; a TokenReview without `spec.audiences` and every
    /// ordinary API request are checked against these.
    pub fn api_audiences(&self) -> &[String] {
        &self.inner.api_audiences
    }

    /// Lets token validation look the ServiceAccount up in the store, as the apiserver's
    /// validator does: a token stops authenticating once its ServiceAccount is gone, however it
    /// went (delete, deletecollection, namespace deletion), or was re-created with a new uid.
    pub fn set_service_account_lookup(&self, lookup: ServiceAccountLookup) {
        *self.inner.sa_lookup.write() = Some(lookup);
    }

    /// Adds (or replaces) a static token. `system:authenticated` is added to the groups, as the
    /// apiserver's authentication does for every authenticated user.
    pub fn add_static_token(&self, token: &str, user: &str, groups: &[String]) {
        let mut groups = groups.to_vec();
        if !groups.iter().any(|g| g == SYSTEM_AUTHENTICATED) {
            groups.push(SYSTEM_AUTHENTICATED.to_string());
        }
        let info = UserInfo {
            username: user.to_string(),
            groups,
            ..UserInfo::default()
        };
        self.inner
            .static_tokens
            .write()
            .insert(token.to_string(), info);
    }

    /// Authenticates an API request's bearer token (without the `Bearer ` prefix). The request
    /// targets this server, so a minted token must carry one of its API audiences.
    pub fn authenticate(&self, bearer: &str) -> Option<UserInfo> {
        match self.review(bearer, &[]) {
            Ok((user, _)) => Some(user),
            Err(why) => {
                tracing::debug!(%why, "bearer token rejected");
                None
            }
        }
    }

    /// TokenRequest for a ServiceAccount. `audiences` empty means this server's audiences;
    /// `expiration_seconds` is clamped to the range the real server accepts (validation of the
    /// request body, with its 422, is the caller's job — see `reviews::token_request`).
    pub fn mint_service_account_token(
        &self,
        namespace: &str,
        sa_name: &str,
        sa_uid: &str,
        audiences: Vec<String>,
        expiration_seconds: i64,
    ) -> (String, DateTime<Utc>) {
        let seconds = expiration_seconds.clamp(MIN_TOKEN_SECONDS, MAX_TOKEN_SECONDS);
        self.mint_with_lifetime(
            namespace,
            sa_name,
            sa_uid,
            audiences,
            Duration::seconds(seconds),
        )
    }

    /// A test control: mints a ServiceAccount token with any lifetime, without the TokenRequest
    /// bounds — a negative one gives a token that is already expired (beyond the 60 s leeway
    /// once `lifetime` is below -60 s), so that callers' handling of expired tokens can be
    /// tested without waiting ten minutes.
    pub fn mint_service_account_token_with_lifetime(
        &self,
        namespace: &str,
        sa_name: &str,
        sa_uid: &str,
        audiences: Vec<String>,
        lifetime: Duration,
    ) -> (String, DateTime<Utc>) {
        self.mint_with_lifetime(namespace, sa_name, sa_uid, audiences, lifetime)
    }

    fn mint_with_lifetime(
        &self,
        namespace: &str,
        sa_name: &str,
        sa_uid: &str,
        audiences: Vec<String>,
        lifetime: Duration,
    ) -> (String, DateTime<Utc>) {
        let audiences = if audiences.is_empty() {
            self.inner.api_audiences.clone()
        } else {
            audiences
        };
        let now = self.now();
        let expires = now + lifetime;
        let jti = uuid::Uuid::new_v4().to_string();
        let username = service_account_username(namespace, sa_name);
        let token = jwt::encode(
            &self.inner.signing_key,
            &jwt::Claims {
                issuer: API_AUDIENCE,
                subject: &username,
                audiences: &audiences,
                issued_at: now.timestamp(),
                expires: expires.timestamp(),
                jti: &jti,
                namespace,
                sa_name,
                sa_uid,
            },
        );
        let mut groups = service_account_groups(namespace);
        groups.push(SYSTEM_AUTHENTICATED.to_string());
        let user = UserInfo {
            username,
            uid: sa_uid.to_string(),
            groups,
            extra: BTreeMap::from([(CREDENTIAL_ID_EXTRA.to_string(), vec![format!("JTI={jti}")])]),
        };
        let mut minted = self.inner.minted.write();
        // Long-expired tokens are only kept to explain a rejection; drop them after a while so a
        // long-running demo does not grow without bound.
        let horizon = now - Duration::hours(1);
        minted.retain(|_, m| m.expires > horizon);
        minted.insert(
            token.clone(),
            Minted {
                user,
                audiences,
                expires,
                namespace: namespace.to_string(),
                sa_name: sa_name.to_string(),
                revoked: false,
            },
        );
        (token, expires)
    }

    /// TokenReview semantics: `audiences` empty means this server's audiences. Returns the user
    /// and the audiences the token is valid for among those requested, or the text the real
    /// server puts in `status.error`.
    pub fn review(
        &self,
        token: &str,
        audiences: &[String],
    ) -> Result<(UserInfo, Vec<String>), String> {
        let requested: &[String] = if audiences.is_empty() {
            &self.inner.api_audiences
        } else {
            audiences
        };
        if let Some(user) = self.inner.static_tokens.read().get(token) {
            // Static tokens carry no audience: they are valid exactly for this server's own.
            let auds = intersect(&self.inner.api_audiences, requested);
            return if auds.is_empty() {
                Err(INVALID_BEARER.to_string())
            } else {
                Ok((user.clone(), auds))
            };
        }
        let minted = self.inner.minted.read();
        let Some(m) = minted.get(token) else {
            return Err(INVALID_BEARER.to_string());
        };
        let invalid = |why: String| Err(format!("[{INVALID_BEARER}, {why}]"));
        // Same order of checks as the apiserver's JWT authenticator: audience, then the claims'
        // time window, then whether the ServiceAccount still exists.
        let auds = intersect(&m.audiences, requested);
        if auds.is_empty() {
            return invalid(format!(
                "token audiences {} is invalid for the target audiences {}",
                go_quoted_list(&m.audiences),
                go_quoted_list(requested)
            ));
        }
        if self.now() > m.expires + Duration::seconds(EXPIRY_LEEWAY_SECONDS) {
            return invalid("service account token has expired".to_string());
        }
        let not_found = format!("serviceaccount \"{}\" not found", m.sa_name);
        if m.revoked {
            return invalid(not_found);
        }
        let (user, namespace, sa_name) = (m.user.clone(), m.namespace.clone(), m.sa_name.clone());
        drop(minted);
        // The lookup reads the store: call it with no lock of ours held.
        let lookup = self.inner.sa_lookup.read().clone();
        if let Some(lookup) = lookup {
            match lookup(&namespace, &sa_name) {
                None => return invalid(not_found),
                Some(uid) if uid != user.uid => {
                    return invalid(format!(
                        "service account UID ({uid}) does not match claim ({})",
                        user.uid
                    ));
                }
                Some(_) => {}
            }
        }
        Ok((user, auds))
    }

    /// The ServiceAccount was deleted: every token minted for it stops authenticating (a
    /// ServiceAccount re-created under the same name gets a new uid, so the old tokens stay dead).
    pub fn revoke_service_account(&self, namespace: &str, sa_name: &str) {
        for m in self.inner.minted.write().values_mut() {
            if m.namespace == namespace && m.sa_name == sa_name {
                m.revoked = true;
            }
        }
    }
}

/// The members of `token` also in `requested`, in `token`'s order.
fn intersect(token: &[String], requested: &[String]) -> Vec<String> {
    token
        .iter()
        .filter(|a| requested.contains(a))
        .cloned()
        .collect()
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(" "))
}

#[cfg(test)]
mod impersonation_tests;
#[cfg(test)]
mod tests;
