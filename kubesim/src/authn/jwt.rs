//! The shape of a bound ServiceAccount token: a compact JWS whose payload carries the claims the
//! apiserver puts there. Clients may decode it; only kubesim's token table makes it valid.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

pub(super) struct Claims<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub audiences: &'a [String],
    pub issued_at: i64,
    pub expires: i64,
    pub jti: &'a str,
    pub namespace: &'a str,
    pub sa_name: &'a str,
    pub sa_uid: &'a str,
}

pub(super) fn encode(key: &[u8; 32], claims: &Claims<'_>) -> String {
    let header = json!({"alg": "RS256", "kid": "kubesim"});
    let payload = json!({
        "aud": claims.audiences,
        "exp": claims.expires,
        "iat": claims.issued_at,
        "iss": claims.issuer,
        "jti": claims.jti,
        "kubernetes.io": {
            "namespace": claims.namespace,
            "serviceaccount": {"name": claims.sa_name, "uid": claims.sa_uid},
        },
        "nbf": claims.issued_at,
        "sub": claims.subject,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    // Not RS256 at all: a keyed digest, so tokens cannot be forged from the visible claims.
    let mut digest = Sha256::new();
    digest.update(key);
    digest.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(digest.finalize());
    format!("{signing_input}.{signature}")
}

/// The payload of a compact JWS, for tests and debugging.
pub fn decode_claims(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}
