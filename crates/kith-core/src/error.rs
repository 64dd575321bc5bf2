//! The one error type of kith-core, and the `{code, message}` shape the UI receives.

use serde::Serialize;
use ts_rs::TS;

/// Everything that can go wrong in kith-core.
///
/// Messages never contain personal data or keys: they may be shown to the user and logged.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// What was asked for does not exist.
    #[error("{what} was not found")]
    NotFound { what: &'static str },
    /// No data directory could be chosen (no home directory, or an empty override).
    #[error("Kith could not find a folder to keep its data in: {reason}")]
    DataDirUnavailable { reason: String },
    /// The operating system refused a file operation.
    #[error("Kith could not read or write its data folder ({kind})")]
    Io { kind: std::io::ErrorKind },
    /// Kith is locked: unlock it first.
    #[error("Kith is locked: unlock it with your passphrase first")]
    Locked,
    /// The passphrase does not unlock this profile.
    #[error(
        "That passphrase is not right. Check Caps Lock and try again, or use your recovery key."
    )]
    WrongPassphrase,
    /// The recovery key is well formed but belongs to another profile.
    #[error(
        "That recovery key does not unlock this profile. Check it is the key for this laptop."
    )]
    WrongRecoveryKey,
    /// The recovery key was mistyped (the message says where).
    #[error("{message}")]
    RecoveryKeyTypo { message: String },
    /// A new passphrase is too weak.
    #[error("Choose a passphrase of at least {min_chars} characters: a few unrelated words are easy to remember and hard to guess")]
    WeakPassphrase { min_chars: usize },
    /// The database file is damaged or was tampered with.
    #[error("{message}")]
    DamagedOrTampered { message: String },
    /// The database was written by a newer Kith.
    #[error("{message}")]
    NewerDatabase { message: String },
    /// A profile already exists here.
    #[error("A Kith profile already exists on this computer: unlock it instead")]
    ProfileExists,
    /// No profile yet.
    #[error("There is no Kith profile on this computer yet: set one up first")]
    ProfileNotFound,
    /// The input broke a rule; nothing was changed. `rule` is kith-domain's code for it.
    #[error("{message}")]
    Invalid { rule: &'static str, message: String },
    /// The new person may already be on the caseload; confirm before adding a second record.
    #[error("{count} person/people with the same NHS number, or the same name and date of birth, are already recorded: check them before adding a new record")]
    PossibleDuplicate { count: usize },
    /// Any other failure of the local store (the message names no person).
    #[error("{message}")]
    Storage { message: String },
    /// The practice server could not be reached.
    #[error("The practice server could not be reached. Check this laptop is connected to the internet and the server address is right, then try again")]
    ServerUnreachable,
    /// The practice server refused the username or password.
    #[error("The practice server did not accept that username and password. Check them (Caps Lock?) or ask your practice administrator")]
    WrongServerPassword,
    /// The account is disabled on the practice server.
    #[error(
        "Your account on the practice server is disabled. Speak to your practice administrator"
    )]
    ServerAccountDisabled,
    /// Too many failed attempts: the server asks to wait.
    #[error("Too many attempts. Wait a few minutes, then try again")]
    TooManyAttempts,
    /// The account may not do this (e.g. a link worker setting up the practice).
    #[error("{message}")]
    NotPermitted { message: String },
    /// Another supervisor has already set up this practice (it has a practice key).
    #[error("This practice has already been set up by another supervisor. Ask a supervisor for an invite code and choose \"Join a practice\" instead")]
    PracticeAlreadySetUp,
    /// This laptop has already joined (or set up) a practice.
    #[error("This laptop has already joined a practice")]
    AlreadyJoined,
    /// This laptop has not joined a practice yet.
    #[error("This laptop has not joined a practice yet")]
    NotJoined,
    /// The invite code was mistyped (caught on this laptop; nothing was sent).
    #[error("{message}")]
    InviteCodeTypo { message: String },
    /// The server does not know the invite code, or it was used already or has expired.
    #[error("That invite code did not work: it may be mistyped, already used, or more than 7 days old. Ask your supervisor for a new code")]
    InviteNotAccepted,
    /// The invite's key does not open the practice's records.
    #[error("That invite code gave a key that does not match this practice's records. Ask your supervisor for a new code")]
    PracticeKeyMismatch,
    /// The practice server had a problem (in words, no internals).
    #[error("{message}")]
    ServerProblem { message: String },
    /// Syncing has stopped until someone acts (this laptop removed, account disabled...).
    #[error("{message}")]
    SyncStopped { message: String },
}

impl From<kith_domain::DomainError> for CoreError {
    fn from(error: kith_domain::DomainError) -> Self {
        CoreError::Invalid { rule: error.code(), message: error.to_string() }
    }
}

impl From<kith_store::StoreError> for CoreError {
    fn from(error: kith_store::StoreError) -> Self {
        use kith_store::StoreError;
        match error {
            StoreError::WrongPassphrase => CoreError::WrongPassphrase,
            StoreError::WrongRecoveryKey => CoreError::WrongRecoveryKey,
            StoreError::RecoveryKeyTypo(_) => {
                CoreError::RecoveryKeyTypo { message: as_sentence(&error.to_string()) }
            }
            StoreError::DamagedOrTampered(_) | StoreError::KeysFileDamaged(_) => {
                CoreError::DamagedOrTampered { message: error.to_string() }
            }
            StoreError::NewerDatabase { .. } => {
                CoreError::NewerDatabase { message: error.to_string() }
            }
            StoreError::ProfileExists => CoreError::ProfileExists,
            StoreError::ProfileNotFound => CoreError::ProfileNotFound,
            StoreError::NoDataDirectory => {
                CoreError::DataDirUnavailable { reason: error.to_string() }
            }
            StoreError::NotFound { kind, .. } => CoreError::NotFound { what: kind },
            StoreError::Invalid(domain) => domain.into(),
            StoreError::AppendOnly(_) => {
                CoreError::Invalid { rule: "append_only", message: error.to_string() }
            }
            StoreError::Io(io) => io.into(),
            other => CoreError::Storage { message: other.to_string() },
        }
    }
}

impl From<std::io::Error> for CoreError {
    fn from(error: std::io::Error) -> Self {
        CoreError::Io { kind: error.kind() }
    }
}

/// The closed set of error codes the UI can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    DataDirUnavailable,
    Io,
    Locked,
    WrongPassphrase,
    WrongRecoveryKey,
    RecoveryKeyTypo,
    WeakPassphrase,
    DamagedOrTampered,
    NewerDatabase,
    ProfileExists,
    ProfileNotFound,
    InvalidInput,
    PossibleDuplicate,
    Storage,
    ServerUnreachable,
    WrongServerPassword,
    ServerAccountDisabled,
    TooManyAttempts,
    NotPermitted,
    PracticeAlreadySetUp,
    AlreadyJoined,
    NotJoined,
    InviteCodeTypo,
    InviteNotAccepted,
    PracticeKeyMismatch,
    ServerProblem,
    SyncStopped,
}

/// An error as the UI receives it over IPC: a code to branch on and a message to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl CoreError {
    /// The code the UI sees for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::DataDirUnavailable { .. } => ErrorCode::DataDirUnavailable,
            CoreError::Io { .. } => ErrorCode::Io,
            CoreError::Locked => ErrorCode::Locked,
            CoreError::WrongPassphrase => ErrorCode::WrongPassphrase,
            CoreError::WrongRecoveryKey => ErrorCode::WrongRecoveryKey,
            CoreError::RecoveryKeyTypo { .. } => ErrorCode::RecoveryKeyTypo,
            CoreError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            CoreError::DamagedOrTampered { .. } => ErrorCode::DamagedOrTampered,
            CoreError::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            CoreError::ProfileExists => ErrorCode::ProfileExists,
            CoreError::ProfileNotFound => ErrorCode::ProfileNotFound,
            CoreError::Invalid { .. } => ErrorCode::InvalidInput,
            CoreError::PossibleDuplicate { .. } => ErrorCode::PossibleDuplicate,
            CoreError::Storage { .. } => ErrorCode::Storage,
            CoreError::ServerUnreachable => ErrorCode::ServerUnreachable,
            CoreError::WrongServerPassword => ErrorCode::WrongServerPassword,
            CoreError::ServerAccountDisabled => ErrorCode::ServerAccountDisabled,
            CoreError::TooManyAttempts => ErrorCode::TooManyAttempts,
            CoreError::NotPermitted { .. } => ErrorCode::NotPermitted,
            CoreError::PracticeAlreadySetUp => ErrorCode::PracticeAlreadySetUp,
            CoreError::AlreadyJoined => ErrorCode::AlreadyJoined,
            CoreError::NotJoined => ErrorCode::NotJoined,
            CoreError::InviteCodeTypo { .. } => ErrorCode::InviteCodeTypo,
            CoreError::InviteNotAccepted => ErrorCode::InviteNotAccepted,
            CoreError::PracticeKeyMismatch => ErrorCode::PracticeKeyMismatch,
            CoreError::ServerProblem { .. } => ErrorCode::ServerProblem,
            CoreError::SyncStopped { .. } => ErrorCode::SyncStopped,
        }
    }
}

impl From<CoreError> for IpcError {
    fn from(error: CoreError) -> Self {
        IpcError { code: error.code(), message: error.to_string() }
    }
}

/// A lower-case library message as a sentence for the screen: capital first, full stop last.
fn as_sentence(text: &str) -> String {
    let mut chars = text.trim().chars();
    let mut sentence: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reaches_the_ui_as_code_and_message() {
        let error = IpcError::from(CoreError::NotFound { what: "The profile" });
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "not_found");
        assert_eq!(json["message"], "The profile was not found");
    }

    #[test]
    fn io_errors_keep_only_their_kind_not_the_path() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "/home/alice/secret");
        let message = IpcError::from(CoreError::from(io)).message;
        assert!(!message.contains("alice"), "{message}");
        assert!(message.contains("permission denied"), "{message}");
    }
}
