//! The one error type of kith-store. Messages name no person and show no key.

use kith_crypto::CryptoError;
use kith_domain::DomainError;

/// Everything that can go wrong in the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The passphrase does not unlock this profile.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The recovery key is well formed but belongs to another profile.
    #[error("this recovery key does not unlock this profile")]
    WrongRecoveryKey,
    /// The recovery key was mistyped; the inner error says where.
    #[error("{0}")]
    RecoveryKeyTypo(CryptoError),
    /// The database file is damaged or has been tampered with.
    #[error("the database file is damaged or has been tampered with ({0}); restore it from a backup or sync it again from the practice server")]
    DamagedOrTampered(String),
    /// The database was written by a newer version of Kith.
    #[error("this database was written by a newer version of Kith (schema {found}; this version knows up to {supported}); update Kith to open it")]
    NewerDatabase { found: u32, supported: u32 },
    /// A profile already exists where one was to be created.
    #[error("a profile already exists in this folder")]
    ProfileExists,
    /// No profile in the folder.
    #[error("no Kith profile in this folder")]
    ProfileNotFound,
    /// The keys file exists but cannot be read.
    #[error("the profile's keys file is damaged: {0}")]
    KeysFileDamaged(String),
    /// The operating system gave no data directory and none was set.
    #[error("no data directory: set {} or pass a folder", crate::profile::DATA_DIR_ENV)]
    NoDataDirectory,
    /// A record that does not exist (or was deleted).
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// The input broke a domain rule; nothing was changed.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// An attempt to change or delete something append-only (a note, the audit log).
    #[error("{0} cannot be changed or deleted; write an amendment instead")]
    AppendOnly(&'static str),
    /// No current user is set, so the change cannot be attributed.
    #[error("no current user: set the profile's user before recording anything")]
    NoCurrentUser,
    /// A cryptographic failure other than a wrong secret.
    #[error(transparent)]
    Crypto(CryptoError),
    /// A file system error.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
    /// A stored record that cannot be read back.
    #[error("a stored record cannot be read: {0}")]
    Decode(String),
    /// Sync with the practice server cannot go on (no device enrolled, a malformed stored
    /// operation...). The text names no person and no contents.
    #[error("sync: {0}")]
    Sync(String),

    /// Any other database error.
    #[error("database error: {0}")]
    Database(rusqlite::Error),
}

impl From<CryptoError> for StoreError {
    fn from(error: CryptoError) -> Self {
        match error {
            CryptoError::WrongPassphrase => StoreError::WrongPassphrase,
            CryptoError::WrongRecoveryKey => StoreError::WrongRecoveryKey,
            CryptoError::RecoveryKeyLength { .. }
            | CryptoError::RecoveryKeyCharacter { .. }
            | CryptoError::RecoveryKeyTypoInGroup { .. }
            | CryptoError::RecoveryKeyTransposition
            | CryptoError::RecoveryKeyChecksum => StoreError::RecoveryKeyTypo(error),
            other => StoreError::Crypto(other),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        if let rusqlite::Error::SqliteFailure(failure, message) = &error {
            match failure.code {
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return StoreError::DamagedOrTampered(
                        message.clone().unwrap_or_else(|| failure.to_string()),
                    )
                }
                ErrorCode::ConstraintViolation
                    if message.as_deref().is_some_and(|m| m.contains("append-only")) =>
                {
                    return StoreError::AppendOnly("a note or audit entry")
                }
                _ => {}
            }
        }
        StoreError::Database(error)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        // Only the category and position: serde's message can quote the stored value.
        StoreError::Decode(format!(
            "{:?} error at line {} column {}",
            error.classify(),
            error.line(),
            error.column()
        ))
    }
}
