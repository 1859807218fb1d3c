//! fleetgraph JWTs: issued by `fleetgraph token issue` / `issueToken`, verified on every request.
//!
//! Only the configured algorithm is accepted, so a token signed with another one (including
//! `none`, or HS256 keyed with an RSA public key) is refused before its signature is looked at.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::roles::{Role, parse_roles};
use crate::config::{JwtAlgorithm, JwtConfig};
use crate::error::{Error, Result};

const MAX_LEEWAY_SECS: u64 = 300;
const MIN_HS256_SECRET_BYTES: usize = 32;
const MIN_TTL_SECS: u64 = 60;

/// The claims of a fleetgraph token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    // Defaults let the validator name a missing claim instead of failing to parse.
    #[serde(default)]
    pub exp: i64,
    #[serde(default)]
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub jti: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub tenants: Vec<String>,
    /// `tenant/project` pairs for project-scoped roles.
    #[serde(default)]
    pub projects: Vec<String>,
}

/// A verified token's meaning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    pub subject: String,
    pub roles: Vec<Role>,
    pub tenants: Vec<String>,
    pub projects: Vec<String>,
    pub expires_at: DateTime<Utc>,
}

/// What to put in a new token.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub subject: String,
    pub roles: Vec<Role>,
    pub tenants: Vec<String>,
    pub projects: Vec<String>,
    pub ttl: Duration,
}

/// An issued token and when it stops working.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub id: String,
}

/// Signs and verifies fleetgraph tokens with the configured key.
pub struct JwtKeys {
    algorithm: Algorithm,
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    max_ttl: Duration,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field("can_issue", &self.encoding.is_some())
            .finish_non_exhaustive()
    }
}

impl JwtKeys {
    /// Loads the keys named in the configuration; `Ok(None)` when none are configured.
    pub fn from_config(config: &JwtConfig) -> Result<Option<Self>> {
        let (algorithm, encoding, decoding) = match config.jwt_algorithm {
            JwtAlgorithm::Hs256 => {
                let Some(secret) = hs256_secret(config)? else {
                    return Ok(None);
                };
                (
                    Algorithm::HS256,
                    Some(EncodingKey::from_secret(&secret)),
                    DecodingKey::from_secret(&secret),
                )
            }
            JwtAlgorithm::Rs256 | JwtAlgorithm::EdDsa => {
                let Some(public_path) = &config.jwt_public_key_file else {
                    if config.jwt_private_key_file.is_some() {
                        return Err(config_error(
                            "--jwt-public-key-file is needed with --jwt-private-key-file",
                        ));
                    }
                    return Ok(None);
                };
                let public = read_key(public_path)?;
                let private = config
                    .jwt_private_key_file
                    .as_ref()
                    .map(|p| read_key(p))
                    .transpose()?;
                let rsa = config.jwt_algorithm == JwtAlgorithm::Rs256;
                let decoding = if rsa {
                    DecodingKey::from_rsa_pem(&public)
                } else {
                    DecodingKey::from_ed_pem(&public)
                }
                .map_err(|e| config_error(&format!("bad public key: {e}")))?;
                let encoding = private
                    .map(|pem| {
                        if rsa {
                            EncodingKey::from_rsa_pem(&pem)
                        } else {
                            EncodingKey::from_ed_pem(&pem)
                        }
                        .map_err(|e| config_error(&format!("bad private key: {e}")))
                    })
                    .transpose()?;
                let algorithm = if rsa {
                    Algorithm::RS256
                } else {
                    Algorithm::EdDSA
                };
                (algorithm, encoding, decoding)
            }
        };
        if config.jwt_leeway_secs > MAX_LEEWAY_SECS {
            return Err(config_error(&format!(
                "--jwt-leeway-secs may be at most {MAX_LEEWAY_SECS}"
            )));
        }
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = config.jwt_leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[config.jwt_issuer.as_str()]);
        validation.set_audience(&[config.jwt_audience.as_str()]);
        validation.required_spec_claims =
            HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
        Ok(Some(Self {
            algorithm,
            encoding,
            decoding,
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            max_ttl: Duration::from_secs(config.jwt_max_ttl_secs),
        }))
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn can_issue(&self) -> bool {
        self.encoding.is_some()
    }

    pub fn max_ttl(&self) -> Duration {
        self.max_ttl
    }

    /// Verifies signature, algorithm, `exp`/`nbf` (with the configured leeway), `iss` and `aud`.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken> {
        // Named up front so `alg: none` is called what it is rather than "malformed".
        if let Some(alg) = header_algorithm(token) {
            let expected = format!("{:?}", self.algorithm);
            if alg != expected {
                return Err(Error::Unauthenticated(format!(
                    "invalid token: algorithm {alg:?} not accepted (this server uses {expected})"
                )));
            }
        }
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| Error::Unauthenticated(format!("invalid token: {}", describe(&e))))?;
        let claims = data.claims;
        if claims.sub.trim().is_empty() {
            return Err(Error::Unauthenticated(
                "invalid token: empty subject".to_string(),
            ));
        }
        let roles = parse_roles(claims.roles.iter().map(String::as_str))
            .map_err(|e| Error::Unauthenticated(format!("invalid token: {e}")))?;
        let expires_at = DateTime::from_timestamp(claims.exp, 0)
            .ok_or_else(|| Error::Unauthenticated("invalid token: bad exp".to_string()))?;
        Ok(VerifiedToken {
            subject: claims.sub,
            roles,
            tenants: sorted(claims.tenants),
            projects: sorted(claims.projects),
            expires_at,
        })
    }

    /// Signs a new token; the TTL must lie between one minute and the configured maximum.
    pub fn issue(&self, request: &TokenRequest) -> Result<IssuedToken> {
        let Some(encoding) = &self.encoding else {
            return Err(Error::Unavailable(
                "this server cannot issue tokens: no private key is configured".to_string(),
            ));
        };
        let subject = request.subject.trim();
        if subject.is_empty() {
            return Err(Error::bad_field("subject", "subject must not be empty"));
        }
        let ttl = request.ttl.as_secs();
        if ttl < MIN_TTL_SECS || request.ttl > self.max_ttl {
            return Err(Error::bad_field(
                "ttl",
                format!(
                    "ttl must be between {MIN_TTL_SECS}s and {}s",
                    self.max_ttl.as_secs()
                ),
            ));
        }
        if request.roles.is_empty() {
            return Err(Error::bad_field(
                "roles",
                "give the token at least one role",
            ));
        }
        let now = Utc::now();
        let expires_at = now + chrono::Duration::seconds(ttl as i64);
        let id = uuid::Uuid::new_v4().to_string();
        let claims = Claims {
            sub: subject.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: expires_at.timestamp(),
            iat: now.timestamp(),
            nbf: Some(now.timestamp()),
            jti: id.clone(),
            roles: request
                .roles
                .iter()
                .map(|r| r.as_claim().to_string())
                .collect(),
            tenants: sorted(request.tenants.clone()),
            projects: sorted(request.projects.clone()),
        };
        let token = encode(&Header::new(self.algorithm), &claims, encoding)
            .map_err(|e| Error::Internal(format!("could not sign token: {e}")))?;
        Ok(IssuedToken {
            token,
            expires_at,
            id,
        })
    }
}

/// The `alg` of a JWT's header, unverified.
fn header_algorithm(token: &str) -> Option<String> {
    use base64::Engine;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_string)
}

fn hs256_secret(config: &JwtConfig) -> Result<Option<Vec<u8>>> {
    let secret = match (&config.jwt_secret, &config.jwt_secret_file) {
        (Some(_), Some(_)) => {
            return Err(config_error(
                "give either --jwt-secret or --jwt-secret-file, not both",
            ));
        }
        (Some(secret), None) => secret.as_bytes().to_vec(),
        (None, Some(path)) => {
            let mut bytes = read_key(path)?;
            while bytes.last().is_some_and(|b| b.is_ascii_whitespace()) {
                bytes.pop();
            }
            bytes
        }
        (None, None) => return Ok(None),
    };
    if secret.len() < MIN_HS256_SECRET_BYTES {
        return Err(config_error(&format!(
            "the HS256 secret must be at least {MIN_HS256_SECRET_BYTES} bytes"
        )));
    }
    Ok(Some(secret))
}

fn read_key(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| config_error(&format!("cannot read {}: {e}", path.display())))
}

fn config_error(message: &str) -> Error {
    Error::bad_field("jwt", message.to_string())
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

/// A short reason that helps the caller without revealing key material.
fn describe(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::ExpiredSignature => "token has expired".to_string(),
        ErrorKind::ImmatureSignature => "token is not valid yet (nbf)".to_string(),
        ErrorKind::InvalidIssuer => "wrong issuer".to_string(),
        ErrorKind::InvalidAudience => "wrong audience".to_string(),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            "algorithm not accepted".to_string()
        }
        ErrorKind::InvalidSignature => "bad signature".to_string(),
        ErrorKind::MissingRequiredClaim(claim) => format!("missing claim {claim}"),
        _ => "malformed token".to_string(),
    }
}
