//! Device tokens, password hashes and invite code hashes (the server's only secrets).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::ServerError;

/// SHA-256 of a device token: the only form in which tokens are stored.
pub type TokenHash = [u8; 32];

/// A fresh device token: 256 random bits, base64url without padding.
pub fn new_device_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a device token.
pub fn token_hash(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// A random password for `kith-server user add` (shown once).
pub fn new_password() -> String {
    let mut bytes = [0u8; 15];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Argon2id (v19, default parameters) PHC string for a password. Slow on purpose: call it from
/// a blocking thread.
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| ServerError::PasswordHash)
}

/// True when the password matches the stored hash. A `None` hash (unknown user) is checked
/// against a dummy hash so that unknown and known usernames take the same time.
pub fn verify_password(password: &str, stored_hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("kith-dummy-password").ok());
    let (hash_text, real) = match (stored_hash, dummy) {
        (Some(hash), _) => (hash, true),
        (None, Some(dummy)) => (dummy.as_str(), false),
        (None, None) => return false,
    };
    let Ok(parsed) = PasswordHash::new(hash_text) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

/// The invite code hash both sides compute: lower-case hex SHA-256 of the UTF-8 code.
pub fn invite_code_hash(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

/// Parses 64 lower- or upper-case hex characters into 32 bytes.
pub fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (index, chunk) in text.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk).ok()?;
        out[index] = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hash_stably() {
        let a = new_device_token();
        let b = new_device_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
        assert!(!verify_password("kith-dummy-password", None));
    }

    #[test]
    fn invite_hash_is_hex_sha256_and_parses_back() {
        let hash = invite_code_hash("abc");
        assert_eq!(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(hex(&parse_hex32(&hash).unwrap()), hash);
        assert!(parse_hex32("zz").is_none());
        assert!(parse_hex32(&"g".repeat(64)).is_none());
    }
}
