//! The installation's Ed25519 signing keys. Generated on first start into
//! `<data-dir>/keys/` with owner-only permissions; `attest key rotate` adds a
//! new current key and keeps the old ones so earlier certificates still verify.
//! A key's id is the first 16 hex digits of the SHA-256 of its public key.
//! A restored backup without its private keys brings their public halves
//! (`ed25519-{kid}.pub`): certificates they signed still verify, and a new
//! key signs from then on.

use crate::error::AppError;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct KeyStore {
    dir: PathBuf,
    current: String,
    keys: BTreeMap<String, SigningKey>,
    /// Keys known only by their public half (from a backup).
    verify_only: BTreeMap<String, VerifyingKey>,
}

/// A public key as published.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicKey {
    pub kid: String,
    pub alg: String,
    /// Hex of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub current: bool,
}

pub fn key_id(public: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(public.as_bytes()))[..16].to_string()
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

impl KeyStore {
    /// Opens the key directory, creating the first key if there is none.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let mut keys = BTreeMap::new();
        let mut verify_only = BTreeMap::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let ext = path.extension().and_then(|e| e.to_str());
            if ext == Some("pub") {
                let text = std::fs::read_to_string(&path)?;
                let key = parse_public_key(&text).map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                verify_only.insert(key_id(&key), key);
                continue;
            }
            if ext != Some("key") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let bytes: [u8; 32] = hex::decode(text.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} is not a hex Ed25519 key", path.display()),
                    )
                })?;
            let key = SigningKey::from_bytes(&bytes);
            keys.insert(key_id(&key.verifying_key()), key);
        }
        let current = std::fs::read_to_string(dir.join("current"))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|k| keys.contains_key(k));
        let mut store = KeyStore {
            dir,
            current: current.unwrap_or_default(),
            keys,
            verify_only,
        };
        if store.current.is_empty() {
            store.rotate()?;
        }
        Ok(store)
    }

    /// Generates a new key and makes it current. Returns its id.
    pub fn rotate(&mut self) -> std::io::Result<String> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let key = SigningKey::from_bytes(&secret);
        let kid = key_id(&key.verifying_key());
        write_private(
            &self.dir.join(format!("ed25519-{kid}.key")),
            &hex::encode(secret),
        )?;
        let tmp = self.dir.join("current.tmp");
        std::fs::write(&tmp, &kid)?;
        std::fs::rename(&tmp, self.dir.join("current"))?;
        self.keys.insert(kid.clone(), key);
        self.current = kid.clone();
        Ok(kid)
    }

    pub fn current_id(&self) -> &str {
        &self.current
    }

    /// Signs with the current key: (key id, hex signature).
    pub fn sign(&self, message: &[u8]) -> Result<(String, String), AppError> {
        let key = self.keys.get(&self.current).ok_or(AppError::Internal)?;
        Ok((
            self.current.clone(),
            hex::encode(key.sign(message).to_bytes()),
        ))
    }

    pub fn public(&self, kid: &str) -> Option<VerifyingKey> {
        self.keys
            .get(kid)
            .map(SigningKey::verifying_key)
            .or_else(|| self.verify_only.get(kid).copied())
    }

    /// The directory the keys live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every key, for the well-known URL.
    pub fn published(&self) -> Vec<PublicKey> {
        let signing = self.keys.iter().map(|(kid, k)| (kid, k.verifying_key()));
        let only = self.verify_only.iter().map(|(kid, k)| (kid, *k));
        let mut all: Vec<PublicKey> = signing
            .chain(only)
            .map(|(kid, k)| PublicKey {
                kid: kid.clone(),
                alg: "Ed25519".into(),
                public_key: hex::encode(k.as_bytes()),
                current: *kid == self.current,
            })
            .collect();
        all.sort_by(|a, b| a.kid.cmp(&b.kid));
        all.dedup_by(|a, b| a.kid == b.kid);
        all
    }
}

/// Parses a hex (64 digits) Ed25519 public key.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .map_err(|_| "the public key is not hex".to_string())?
        .try_into()
        .map_err(|_| "an Ed25519 public key is 32 bytes (64 hex digits)".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("not a valid Ed25519 public key ({e})"))
}

/// Checks a hex signature over `message`.
pub fn verify(public: &VerifyingKey, message: &[u8], signature_hex: &str) -> Result<(), String> {
    let bytes: [u8; 64] = hex::decode(signature_hex.trim())
        .map_err(|_| "the signature is not hex".to_string())?
        .try_into()
        .map_err(|_| "an Ed25519 signature is 64 bytes".to_string())?;
    public
        .verify(message, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match the payload".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_flipped_byte_fails() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::open(dir.path()).unwrap();
        let msg = br#"{"number":"WM-M3-20261123-001","verdict":"met"}"#;
        let (kid, sig) = store.sign(msg).unwrap();
        let public = store.public(&kid).unwrap();
        assert_eq!(verify(&public, msg, &sig), Ok(()));
        for i in 0..msg.len() {
            let mut m = msg.to_vec();
            m[i] ^= 1;
            assert!(
                verify(&public, &m, &sig).is_err(),
                "flipped byte {i} still verified"
            );
        }
        let mut bad = hex::decode(&sig).unwrap();
        bad[0] ^= 1;
        assert!(verify(&public, msg, &hex::encode(bad)).is_err());
    }

    #[test]
    fn rotation_keeps_old_keys_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = KeyStore::open(dir.path()).unwrap();
        let first = store.current_id().to_string();
        let (_, sig) = store.sign(b"x").unwrap();
        let second = store.rotate().unwrap();
        assert_ne!(first, second);
        let reopened = KeyStore::open(dir.path()).unwrap();
        assert_eq!(reopened.current_id(), second);
        assert_eq!(
            verify(&reopened.public(&first).unwrap(), b"x", &sig),
            Ok(())
        );
        assert_eq!(reopened.published().len(), 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let f = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .find(|e| e.path().extension().is_some_and(|x| x == "key"))
                .unwrap();
            assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
