//! The one error type of kith-sync, and the words a link worker sees for each error.

use kith_protocol::ErrorCode;

/// Everything that can stop a sync round. Messages never contain record contents or keys.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// No answer, a broken connection, or a timeout: try again later.
    #[error("the practice server could not be reached ({0})")]
    Unreachable(String),
    /// The server says this device was revoked: stop syncing, keep local data.
    #[error("this device has been removed from the practice")]
    DeviceRevoked,
    /// The server does not know this device's token: stop syncing, keep local data.
    #[error("the practice server does not recognise this device")]
    Unauthorized,
    /// The user's account is disabled: stop syncing, keep local data.
    #[error("the account is disabled")]
    AccountDisabled,
    /// The server needs a newer client.
    #[error("this app is too old for the practice server")]
    UpdateNeeded,
    /// The server is older than this client's protocol.
    #[error("the practice server is older than this app")]
    ServerOutdated,
    /// The server asked us to slow down.
    #[error("the practice server is busy")]
    Busy,
    /// Any other error answer from the server.
    #[error("the practice server answered {status}: {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's error code, when the body had one.
        code: Option<ErrorCode>,
        /// The server's message.
        message: String,
    },
    /// The server's answer made no sense (a cursor going backwards, endless resync requests).
    #[error("the practice server's answer made no sense: {0}")]
    Protocol(String),
    /// Sealing or opening an envelope failed.
    #[error("encryption: {0}")]
    Crypto(#[from] kith_crypto::CryptoError),
    /// The local store failed.
    #[error("local store: {0}")]
    Local(String),
}

impl SyncError {
    /// True when syncing must stop until someone acts (device removed, account disabled, app
    /// too old). Local data is left untouched.
    pub fn stops_syncing(&self) -> bool {
        matches!(
            self,
            SyncError::DeviceRevoked
                | SyncError::Unauthorized
                | SyncError::AccountDisabled
                | SyncError::UpdateNeeded
                | SyncError::ServerOutdated
        )
    }

    /// True when the server could not be reached at all (the UI shows "offline").
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Unreachable(_))
    }

    /// What happened, in words a link worker understands.
    pub fn words(&self) -> String {
        const SAFE: &str = "Your changes are safe on this laptop";
        match self {
            SyncError::Unreachable(_) => format!(
                "The practice server could not be reached. {SAFE} and will be sent when it can."
            ),
            SyncError::DeviceRevoked => "This laptop has been removed from the practice, so it \
                no longer syncs. Everything on it stays encrypted and untouched. Ask your \
                supervisor to add it again."
                .into(),
            SyncError::Unauthorized => "The practice server no longer recognises this laptop, \
                so it has stopped syncing. Everything on it stays encrypted and untouched. Ask \
                your supervisor to add it again."
                .into(),
            SyncError::AccountDisabled => "Your account on the practice server has been \
                disabled, so this laptop has stopped syncing. Everything on it stays encrypted \
                and untouched. Speak to your practice administrator."
                .into(),
            SyncError::UpdateNeeded => {
                format!("Kith needs updating before it can sync with the practice server. {SAFE}.")
            }
            SyncError::ServerOutdated => format!(
                "The practice server must be updated before this laptop can sync with it. {SAFE}."
            ),
            SyncError::Busy => {
                format!("The practice server is busy. Kith will try again shortly. {SAFE}.")
            }
            SyncError::Server { .. } | SyncError::Protocol(_) => format!(
                "The practice server had a problem, so this sync did not finish. Kith will try \
                 again. {SAFE}."
            ),
            SyncError::Crypto(_) => format!(
                "Kith could not encrypt or decrypt a change while syncing. {SAFE}; please tell \
                 your practice administrator."
            ),
            SyncError::Local(_) => format!(
                "Kith could not read or write its records on this laptop while syncing. {SAFE}; \
                 if this keeps happening, restart Kith."
            ),
        }
    }
}
