//! AES-256-GCM key wrapping under a passphrase (Argon2id) or a recovery key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keys::{KeyBytes, WrappableKey, KEY_LEN};
use crate::{CryptoError, KdfParams, RecoveryKey};

/// The wrapped-key format version this build writes and reads.
pub const WRAPPED_KEY_VERSION: u32 = 1;
const NONCE_LEN: usize = 12;

/// How the key-encryption key is obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum KeyWrapping {
    /// Argon2id over a passphrase, with these parameters and salt.
    Passphrase { kdf: KdfParams },
    /// A recovery key (256 random bits; no stretching needed).
    RecoveryKey,
}

/// A key encrypted under another key, as stored on disk (e.g. in a profile's `keys.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    /// Format version ([`WRAPPED_KEY_VERSION`]).
    pub version: u32,
    /// How to obtain the key-encryption key.
    pub wrapping: KeyWrapping,
    /// AES-GCM nonce, base64 without padding.
    pub nonce: String,
    /// AES-GCM ciphertext and tag, base64 without padding.
    pub ciphertext: String,
}

impl WrappedKey {
    /// Wraps `key` under a key derived from `passphrase` with `kdf` (see
    /// [`KdfParams::recommended`]).
    pub fn with_passphrase<K: WrappableKey>(
        key: &K,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, CryptoError> {
        let wrapping_key = kdf.derive(passphrase)?;
        seal_key(key, &wrapping_key, KeyWrapping::Passphrase { kdf })
    }

    /// Wraps `key` under a recovery key.
    pub fn with_recovery_key<K: WrappableKey>(
        key: &K,
        recovery_key: &RecoveryKey,
    ) -> Result<Self, CryptoError> {
        seal_key(key, &recovery_key.wrapping_key(), KeyWrapping::RecoveryKey)
    }

    /// Unwraps with a passphrase. A wrong passphrase gives [`CryptoError::WrongPassphrase`].
    pub fn unwrap_with_passphrase<K: WrappableKey>(
        &self,
        passphrase: &str,
    ) -> Result<K, CryptoError> {
        let KeyWrapping::Passphrase { kdf } = &self.wrapping else {
            return Err(CryptoError::Malformed("wrapped key (not wrapped with a passphrase)"));
        };
        self.check_version()?;
        let wrapping_key = kdf.derive(passphrase)?;
        self.open_key(&wrapping_key).ok_or(CryptoError::WrongPassphrase)?
    }

    /// Unwraps with a recovery key. A wrong one gives [`CryptoError::WrongRecoveryKey`].
    pub fn unwrap_with_recovery_key<K: WrappableKey>(
        &self,
        recovery_key: &RecoveryKey,
    ) -> Result<K, CryptoError> {
        if self.wrapping != KeyWrapping::RecoveryKey {
            return Err(CryptoError::Malformed("wrapped key (not wrapped with a recovery key)"));
        }
        self.check_version()?;
        self.open_key(&recovery_key.wrapping_key()).ok_or(CryptoError::WrongRecoveryKey)?
    }

    /// The KDF parameters, if this key is wrapped with a passphrase.
    pub fn kdf_params(&self) -> Option<&KdfParams> {
        match &self.wrapping {
            KeyWrapping::Passphrase { kdf } => Some(kdf),
            KeyWrapping::RecoveryKey => None,
        }
    }

    fn check_version(&self) -> Result<(), CryptoError> {
        if self.version != WRAPPED_KEY_VERSION {
            return Err(CryptoError::UnsupportedVersion {
                what: "wrapped key",
                version: self.version,
            });
        }
        Ok(())
    }

    /// `None` when the tag does not verify (wrong key or tampered); `Some(Err)` when malformed.
    fn open_key<K: WrappableKey>(
        &self,
        wrapping_key: &[u8; KEY_LEN],
    ) -> Option<Result<K, CryptoError>> {
        let Ok(nonce) = STANDARD_NO_PAD.decode(&self.nonce) else {
            return Some(Err(CryptoError::Malformed("wrapped key nonce")));
        };
        let Ok(ciphertext) = STANDARD_NO_PAD.decode(&self.ciphertext) else {
            return Some(Err(CryptoError::Malformed("wrapped key ciphertext")));
        };
        if nonce.len() != NONCE_LEN {
            return Some(Err(CryptoError::Malformed("wrapped key nonce")));
        }
        let cipher = Aes256Gcm::new(wrapping_key.into());
        let aad = associated_data::<K>(&self.wrapping);
        let plaintext = Zeroizing::new(
            cipher
                .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: &aad })
                .ok()?,
        );
        let Ok(bytes) = <[u8; KEY_LEN]>::try_from(plaintext.as_slice()) else {
            return Some(Err(CryptoError::Malformed("wrapped key length")));
        };
        Some(Ok(K::from_bytes(KeyBytes(bytes))))
    }
}

fn seal_key<K: WrappableKey>(
    key: &K,
    wrapping_key: &[u8; KEY_LEN],
    wrapping: KeyWrapping,
) -> Result<WrappedKey, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.try_fill_bytes(&mut nonce).map_err(|_| CryptoError::Randomness)?;
    let cipher = Aes256Gcm::new(wrapping_key.into());
    let aad = associated_data::<K>(&wrapping);
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: &key.bytes().0, aad: &aad })
        .map_err(|_| CryptoError::EncryptionFailed)?;
    Ok(WrappedKey {
        version: WRAPPED_KEY_VERSION,
        wrapping,
        nonce: STANDARD_NO_PAD.encode(nonce),
        ciphertext: STANDARD_NO_PAD.encode(ciphertext),
    })
}

/// Binds the key's purpose, the format version and the wrapping method (with its KDF
/// parameters) to the ciphertext.
fn associated_data<K: WrappableKey>(wrapping: &KeyWrapping) -> Vec<u8> {
    let method = match wrapping {
        KeyWrapping::Passphrase { kdf } => format!(
            "passphrase argon2id m={} t={} p={} salt={}",
            kdf.memory_kib, kdf.iterations, kdf.parallelism, kdf.salt
        ),
        KeyWrapping::RecoveryKey => "recovery key".to_owned(),
    };
    format!("{}\0v{}\0{}", K::PURPOSE, WRAPPED_KEY_VERSION, method).into_bytes()
}
