//! Device tokens, password hashes and invite code hashes (the server's only secrets).

use std::cell::RefCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

thread_local! {
    /// Argon2's working memory (19 MiB with the default parameters), kept by each thread that
    /// hashes and reused by every call on it. Allocated afresh per call, as the argon2 crate
    /// does, each worker thread's resident memory grew by about 19 MiB a call (to some
    /// 180 MiB per thread in a 200-login burst): glibc did not hand the freed block back.
    static ARGON2_MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Most Argon2 memory a stored hash may ask for (blocks of 1 KiB): 256 MiB.
const MAX_ARGON2_BLOCKS: usize = 256 * 1024;

/// Runs Argon2 into `out` in this thread's reused working memory, and wipes that memory after.
fn argon2_into(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), ServerError> {
    let needed = argon2.params().block_count();
    if needed > MAX_ARGON2_BLOCKS {
        return Err(ServerError::PasswordHash);
    }
    ARGON2_MEMORY.with(|memory| match memory.try_borrow_mut() {
        Ok(mut memory) => argon2_in(&mut memory, argon2, password, salt, out),
        // Not reentrant in practice; should it be, work in memory of its own.
        Err(_) => argon2_in(&mut Vec::new(), argon2, password, salt, out),
    })
}

fn argon2_in(
    memory: &mut Vec<Block>,
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), ServerError> {
    let needed = argon2.params().block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    let working = &mut memory[..needed];
    let outcome = argon2.hash_password_into_with_memory(password, salt, out, &mut *working);
    working.fill(Block::default());
    outcome.map_err(|_| ServerError::PasswordHash)
}

/// Argon2id (v19, default parameters) PHC string for a password. Slow on purpose: call it from
/// a blocking thread (the server runs it on its password workers).
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    let argon2 = Argon2::default();
    let mut salt_buffer = [0u8; 64];
    let salt_bytes =
        salt.as_salt().decode_b64(&mut salt_buffer).map_err(|_| ServerError::PasswordHash)?;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon2, password.as_bytes(), salt_bytes, &mut output)?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|_| ServerError::PasswordHash)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&output).map_err(|_| ServerError::PasswordHash)?),
    };
    Ok(hash.to_string())
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
    matches_hash(password, hash_text) && real
}

/// Checks a password against a PHC string, in the same way as argon2's `PasswordVerifier`
/// (the output compared in constant time) but in the thread's reused working memory.
fn matches_hash(password: &str, hash_text: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash_text) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2_into(&argon2, password.as_bytes(), salt_bytes, &mut computed).is_err() {
        return false;
    }
    Output::new(&computed).is_ok_and(|computed| computed == expected)
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
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong", Some(&hash)));
        assert!(!verify_password("kith-dummy-password", None));
        assert!(!verify_password("correct horse battery", Some("not a hash")));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // Made by the crate's own hasher (as stored by earlier servers), checked here.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"a long password", &salt).unwrap();
        assert!(verify_password("a long password", Some(&theirs.to_string())));
        assert!(!verify_password("a long passwore", Some(&theirs.to_string())));
        // Made here, checked by the crate.
        let ours = hash_password("a long password").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"a long password", &parsed).is_ok());
        // Other parameters (as a hash from a future default might carry) still verify.
        let params = Params::new(8 * 1024, 1, 1, Some(32)).unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"pw with other params", &salt)
            .unwrap();
        assert!(verify_password("pw with other params", Some(&other.to_string())));
    }

    #[test]
    fn a_stored_hash_asking_for_more_than_256_mib_is_refused_without_running() {
        let salt = SaltString::generate(&mut OsRng);
        let greedy = format!(
            "$argon2id$v=19$m=4194304,t=1,p=1${}$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            salt.as_str()
        );
        assert!(!verify_password("anything", Some(&greedy)));
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
