//! The one error type of kith-crypto.

/// Everything that can go wrong in kith-crypto. Messages never contain key material.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The passphrase does not unwrap the key (the AES-GCM tag did not verify).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The recovery key is well formed but does not unwrap the key.
    #[error("this recovery key does not belong to this profile")]
    WrongRecoveryKey,
    /// The passphrase is empty.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
    /// A recovery key with the wrong number of characters.
    #[error("a recovery key has {expected} characters (not counting spaces and dashes); this one has {found}")]
    RecoveryKeyLength { expected: usize, found: usize },
    /// A character that recovery keys never contain.
    #[error("'{character}' in group {group} is not a recovery key character (letters U and symbols are never used)")]
    RecoveryKeyCharacter { character: char, group: usize },
    /// A single character looks mistyped; `group` is 1-based.
    #[error("the recovery key has a typo, probably in group {group}")]
    RecoveryKeyTypoInGroup { group: usize },
    /// Two characters look swapped.
    #[error("the recovery key has two characters swapped or mistyped")]
    RecoveryKeyTransposition,
    /// The checksum does not match and the mistake cannot be located.
    #[error("the recovery key has a typo (its check group does not match)")]
    RecoveryKeyChecksum,
    /// Argon2 parameters outside the range Kith accepts (protects against a tampered keys file).
    #[error("unsupported key derivation parameters: {0}")]
    UnsupportedKdfParams(String),
    /// A wrapped key or envelope of a version this build does not know.
    #[error("unsupported {what} version {version}")]
    UnsupportedVersion { what: &'static str, version: u32 },
    /// A wrapped key or envelope that is not well formed (wrong lengths, bad base64).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The envelope did not verify: the ciphertext or its associated data was changed, or the
    /// key is not the one that sealed it.
    #[error("the record does not verify: it was changed, or sealed with another key")]
    EnvelopeDoesNotVerify,
    /// Encryption failed (only on absurd input sizes).
    #[error("encryption failed")]
    EncryptionFailed,
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Randomness,
}
