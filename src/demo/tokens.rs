//! The demo's JWT key and ready-made tokens, so the token flow can be tried without set-up.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::Rng;

use crate::auth::jwt::{JwtKeys, TokenRequest};
use crate::auth::roles::parse_roles;
use crate::config::JwtConfig;
use crate::error::{Error, Result};

/// Lifetime of the printed tokens: a working day of playing.
const TOKEN_TTL: Duration = Duration::from_secs(12 * 3600);

/// The HS256 secret file and the tokens signed with it.
#[derive(Clone, Debug)]
pub struct DemoTokens {
    /// Holds the random HS256 secret; `fleetgraph token issue --jwt-secret-file` takes it.
    pub secret_file: PathBuf,
    /// A fleetgraph JWT with the admin role.
    pub admin: String,
    /// A fleetgraph JWT with the readOnly role.
    pub read_only: String,
}

impl DemoTokens {
    pub fn jwt_config(&self) -> JwtConfig {
        JwtConfig {
            jwt_secret_file: Some(self.secret_file.clone()),
            ..JwtConfig::default()
        }
    }
}

/// `n` random bytes as lower-case hex.
pub fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// Writes a fresh secret into `dir` and signs the demo tokens with it.
pub fn prepare(dir: &Path) -> Result<DemoTokens> {
    let secret_file = dir.join("jwt.secret");
    std::fs::write(&secret_file, random_hex(32))
        .map_err(|e| Error::Internal(format!("cannot write the demo JWT secret: {e}")))?;
    let mut tokens = DemoTokens {
        secret_file,
        admin: String::new(),
        read_only: String::new(),
    };
    let keys = JwtKeys::from_config(&tokens.jwt_config())?
        .ok_or_else(|| Error::Internal("the demo JWT key was not loaded".to_string()))?;
    tokens.admin = issue(&keys, "demo-admin", "admin")?;
    tokens.read_only = issue(&keys, "demo-viewer", "readOnly")?;
    Ok(tokens)
}

fn issue(keys: &JwtKeys, subject: &str, role: &str) -> Result<String> {
    let roles = parse_roles([role]).map_err(|e| Error::Internal(format!("demo role: {e}")))?;
    Ok(keys
        .issue(&TokenRequest {
            subject: subject.to_string(),
            roles,
            tenants: Vec::new(),
            projects: Vec::new(),
            ttl: TOKEN_TTL,
        })?
        .token)
}
