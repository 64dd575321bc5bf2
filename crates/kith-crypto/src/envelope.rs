//! Record envelopes: AES-256-GCM under the practice key, with a random 96-bit nonce and
//! associated data that binds the record's kind and id.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::{CryptoError, PracticeKey};

/// The envelope format version this build writes and reads.
pub const ENVELOPE_VERSION: u32 = 1;
const NONCE_LEN: usize = 12;

/// A sealed record. Serialises as `{version, nonce, ciphertext}` with base64 fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Format version ([`ENVELOPE_VERSION`]); bound into the associated data.
    pub version: u32,
    /// Random 96-bit nonce, base64 without padding.
    pub nonce: String,
    /// Ciphertext and 128-bit tag, base64 without padding.
    pub ciphertext: String,
}

/// The associated data for a record: its kind and id, unambiguously framed. Pass the result
/// to [`seal`] and [`open`] so an envelope moved to another record does not open.
pub fn record_associated_data(kind: &str, record_id: &str) -> Vec<u8> {
    let mut data = Vec::with_capacity(kind.len() + record_id.len() + 16);
    for part in [kind.as_bytes(), record_id.as_bytes()] {
        data.extend_from_slice(&(part.len() as u64).to_be_bytes());
        data.extend_from_slice(part);
    }
    data
}

fn full_associated_data(version: u32, associated_data: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(associated_data.len() + 16);
    data.extend_from_slice(b"kith envelope v");
    data.extend_from_slice(&version.to_be_bytes());
    data.extend_from_slice(associated_data);
    data
}

/// Encrypts and authenticates `plaintext`, binding `associated_data` (not encrypted).
pub fn seal(
    key: &PracticeKey,
    associated_data: &[u8],
    plaintext: &[u8],
) -> Result<Envelope, CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.try_fill_bytes(&mut nonce).map_err(|_| CryptoError::Randomness)?;
    let cipher = Aes256Gcm::new(key.cipher_bytes().into());
    let aad = full_associated_data(ENVELOPE_VERSION, associated_data);
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: &aad })
        .map_err(|_| CryptoError::EncryptionFailed)?;
    Ok(Envelope {
        version: ENVELOPE_VERSION,
        nonce: STANDARD_NO_PAD.encode(nonce),
        ciphertext: STANDARD_NO_PAD.encode(ciphertext),
    })
}

/// Verifies and decrypts an envelope. Any change to the ciphertext, nonce, version or
/// associated data, or the wrong key, gives [`CryptoError::EnvelopeDoesNotVerify`].
pub fn open(
    key: &PracticeKey,
    associated_data: &[u8],
    envelope: &Envelope,
) -> Result<Vec<u8>, CryptoError> {
    if envelope.version != ENVELOPE_VERSION {
        return Err(CryptoError::UnsupportedVersion {
            what: "envelope",
            version: envelope.version,
        });
    }
    let nonce = STANDARD_NO_PAD
        .decode(&envelope.nonce)
        .map_err(|_| CryptoError::Malformed("envelope nonce"))?;
    if nonce.len() != NONCE_LEN {
        return Err(CryptoError::Malformed("envelope nonce"));
    }
    let ciphertext = STANDARD_NO_PAD
        .decode(&envelope.ciphertext)
        .map_err(|_| CryptoError::Malformed("envelope ciphertext"))?;
    let cipher = Aes256Gcm::new(key.cipher_bytes().into());
    let aad = full_associated_data(envelope.version, associated_data);
    cipher
        .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: &aad })
        .map_err(|_| CryptoError::EnvelopeDoesNotVerify)
}
