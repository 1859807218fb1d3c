//! Sealing secrets at rest: AES-256-GCM with a random 96-bit nonce per value, the owning row's
//! id as associated data (a ciphertext copied onto another row does not open), and a key id
//! stored beside each value so keys can be rotated.
//!
//! The key id is derived from the key (first 8 bytes of its SHA-256, hex), so it names a key
//! without revealing it and needs no separate configuration.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::TenancyConfig;
use crate::error::{Error, Result};

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

/// A sealed value and the id of the key that sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// base64(nonce ‖ ciphertext ‖ tag).
    pub ciphertext: String,
    pub key_id: String,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The current key (sealing and opening) and earlier keys (opening only).
#[derive(Clone)]
pub struct Sealer {
    current: String,
    keys: BTreeMap<String, Aes256Gcm>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("current", &self.current)
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Sealer {
    /// The sealer of the configuration; `Ok(None)` when no key is configured.
    pub fn from_config(config: &TenancyConfig) -> Result<Option<Self>> {
        let current = match (&config.encryption_key, &config.encryption_key_file) {
            (Some(_), Some(_)) => {
                return Err(key_error(
                    "give either --encryption-key or --encryption-key-file, not both",
                ));
            }
            (Some(text), None) => decode_key(text.trim().as_bytes())?,
            (None, Some(path)) => decode_key(&read(path)?)?,
            (None, None) => {
                if !config.encryption_previous_key_files.is_empty() {
                    return Err(key_error(
                        "previous encryption keys need a current one (--encryption-key-file)",
                    ));
                }
                return Ok(None);
            }
        };
        let previous = config
            .encryption_previous_key_files
            .iter()
            .map(|p| read(p).and_then(|b| decode_key(&b)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Self::new(current, previous)))
    }

    pub fn new(current: [u8; KEY_BYTES], previous: Vec<[u8; KEY_BYTES]>) -> Self {
        let mut keys = BTreeMap::new();
        for key in previous {
            keys.insert(key_id(&key), Aes256Gcm::new(&key.into()));
        }
        let current_id = key_id(&current);
        keys.insert(current_id.clone(), Aes256Gcm::new(&current.into()));
        Self {
            current: current_id,
            keys,
        }
    }

    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    /// Seals `plaintext` for the row `aad` (its id) with the current key.
    pub fn seal(&self, plaintext: &[u8], aad: &str) -> Result<Sealed> {
        let cipher = &self.keys[&self.current];
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| Error::Internal("sealing failed".to_string()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(Sealed {
            ciphertext: STANDARD.encode(out),
            key_id: self.current.clone(),
        })
    }

    /// Opens a value sealed for the row `aad` by any known key.
    pub fn open(&self, sealed: &Sealed, aad: &str) -> Result<Vec<u8>> {
        let cipher = self.keys.get(&sealed.key_id).ok_or_else(|| {
            Error::Unavailable(format!(
                "the stored secret was sealed with key {} which is not configured; add it with --encryption-previous-key-files",
                sealed.key_id
            ))
        })?;
        let bytes = STANDARD
            .decode(&sealed.ciphertext)
            .map_err(|_| Error::Internal("stored ciphertext is not base64".to_string()))?;
        if bytes.len() < NONCE_BYTES {
            return Err(Error::Internal(
                "stored ciphertext is truncated".to_string(),
            ));
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| {
                Error::Internal("stored ciphertext does not open with its key".to_string())
            })
    }
}

fn key_id(key: &[u8; KEY_BYTES]) -> String {
    let digest = Sha256::digest(key);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| key_error(&format!("cannot read key file {}: {e}", path.display())))
}

/// A key is 32 raw bytes or the base64 of 32 bytes (surrounding whitespace ignored).
fn decode_key(bytes: &[u8]) -> Result<[u8; KEY_BYTES]> {
    if let Ok(raw) = <[u8; KEY_BYTES]>::try_from(bytes) {
        return Ok(raw);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| key_error("the encryption key must be base64 of 32 bytes"))?
        .trim();
    let decoded = STANDARD
        .decode(text)
        .map_err(|_| key_error("the encryption key must be base64 of 32 bytes"))?;
    <[u8; KEY_BYTES]>::try_from(decoded.as_slice()).map_err(|_| {
        key_error(&format!(
            "the encryption key must be 32 bytes (AES-256); got {}",
            decoded.len()
        ))
    })
}

fn key_error(message: &str) -> Error {
    Error::bad_field("encryption-key", message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_opens_rotates_and_binds_to_the_row() {
        let old = Sealer::new([1; 32], vec![]);
        let sealed = old.seal(b"apiVersion: v1", "row-1").unwrap();
        assert!(!sealed.ciphertext.contains("apiVersion"));
        assert_eq!(old.open(&sealed, "row-1").unwrap(), b"apiVersion: v1");
        assert!(old.open(&sealed, "row-2").is_err(), "AAD binds to the row");

        let rotated = Sealer::new([2; 32], vec![[1; 32]]);
        assert_ne!(rotated.current_key_id(), old.current_key_id());
        assert_eq!(rotated.open(&sealed, "row-1").unwrap(), b"apiVersion: v1");
        assert_eq!(
            rotated.seal(b"x", "r").unwrap().key_id,
            rotated.current_key_id()
        );

        let unknown = Sealer::new([3; 32], vec![]);
        assert_eq!(
            unknown.open(&sealed, "row-1").unwrap_err().code().as_str(),
            "UNAVAILABLE"
        );
        let mut tampered = sealed.clone();
        tampered.ciphertext.replace_range(20..24, "AAAA");
        assert!(old.open(&tampered, "row-1").is_err());
    }

    #[test]
    fn keys_decode_from_base64_or_raw() {
        let b64 = STANDARD.encode([7u8; 32]);
        assert_eq!(decode_key(b64.as_bytes()).unwrap(), [7u8; 32]);
        assert_eq!(decode_key(&[9u8; 32]).unwrap(), [9u8; 32]);
        assert!(decode_key(STANDARD.encode([1u8; 16]).as_bytes()).is_err());
        assert!(decode_key(b"not base64!").is_err());
    }
}
