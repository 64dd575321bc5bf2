//! Argon2id passphrase key derivation with its parameters kept beside the wrapped key.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keys::KEY_LEN;
use crate::CryptoError;

/// Salt length in bytes.
const SALT_LEN: usize = 16;
/// Upper bounds accepted when reading parameters back, so a tampered keys file cannot make
/// unlocking allocate unbounded memory or spin for hours.
const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 16;
/// Lower bounds: never derive a key with parameters weaker than these.
const MIN_MEMORY_KIB: u32 = 8 * 1024;

/// Argon2id parameters and salt. Serialised beside every passphrase-wrapped key so the cost
/// can be raised later (rewrap with new parameters) without breaking old profiles.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `"argon2id"`; room for another algorithm later.
    pub algorithm: String,
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes over memory (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
    /// Random salt, base64 without padding.
    pub salt: String,
}

impl std::fmt::Debug for KdfParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KdfParams")
            .field("algorithm", &self.algorithm)
            .field("memory_kib", &self.memory_kib)
            .field("iterations", &self.iterations)
            .field("parallelism", &self.parallelism)
            .finish_non_exhaustive()
    }
}

impl KdfParams {
    /// Kith's default cost: m = 128 MiB, t = 3, p = 1 (one guess costs about 0.3 s on the
    /// project's 2-core reference machine; see the crate README/report). With a fresh salt.
    pub fn recommended() -> Result<Self, CryptoError> {
        Self::with_cost(128 * 1024, 3, 1)
    }

    /// Parameters with the given cost and a fresh random salt.
    pub fn with_cost(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, CryptoError> {
        let mut salt = [0u8; SALT_LEN];
        rand::rngs::OsRng.try_fill_bytes(&mut salt).map_err(|_| CryptoError::Randomness)?;
        let params = Self {
            algorithm: "argon2id".to_owned(),
            memory_kib,
            iterations,
            parallelism,
            salt: STANDARD_NO_PAD.encode(salt),
        };
        params.check()?;
        Ok(params)
    }

    /// Cheap parameters for tests only (m = 8 MiB, t = 1). Never use for real profiles.
    pub fn insecure_for_tests() -> Result<Self, CryptoError> {
        Self::with_cost(MIN_MEMORY_KIB, 1, 1)
    }

    fn check(&self) -> Result<(), CryptoError> {
        if self.algorithm != "argon2id" {
            return Err(CryptoError::UnsupportedKdfParams(format!(
                "algorithm {:?}",
                self.algorithm
            )));
        }
        if !(MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&self.memory_kib) {
            return Err(CryptoError::UnsupportedKdfParams(format!(
                "memory {} KiB",
                self.memory_kib
            )));
        }
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(CryptoError::UnsupportedKdfParams(format!(
                "iterations {}",
                self.iterations
            )));
        }
        if !(1..=MAX_PARALLELISM).contains(&self.parallelism) {
            return Err(CryptoError::UnsupportedKdfParams(format!(
                "parallelism {}",
                self.parallelism
            )));
        }
        Ok(())
    }

    /// Derives a 256-bit key-encryption key from the passphrase.
    pub(crate) fn derive(&self, passphrase: &str) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        if passphrase.is_empty() {
            return Err(CryptoError::EmptyPassphrase);
        }
        self.check()?;
        let salt = STANDARD_NO_PAD
            .decode(&self.salt)
            .map_err(|_| CryptoError::Malformed("key derivation salt"))?;
        if salt.len() < 8 {
            return Err(CryptoError::Malformed("key derivation salt"));
        }
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(KEY_LEN))
            .map_err(|error| CryptoError::UnsupportedKdfParams(error.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut output = Zeroizing::new([0u8; KEY_LEN]);
        argon2
            .hash_password_into(passphrase.as_bytes(), &salt, output.as_mut())
            .map_err(|error| CryptoError::UnsupportedKdfParams(error.to_string()))?;
        Ok(output)
    }
}
