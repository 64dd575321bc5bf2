//! Every key and cipher in Kith: passphrase KDF, key wrapping, recovery keys, record envelopes.
//!
//! Nothing else in Kith touches a cipher. Keys are 256-bit, zeroized on drop and never printed
//! (`Debug` is redacted). Wrapped keys carry their KDF parameters so they can be raised later.

#![forbid(unsafe_code)]

mod envelope;
mod error;
mod kdf;
mod keys;
mod recovery;
mod wrap;

pub use envelope::{open, record_associated_data, seal, Envelope, ENVELOPE_VERSION};
pub use error::CryptoError;
pub use kdf::KdfParams;
pub use keys::{DatabaseKey, PracticeKey, WrappableKey};
pub use recovery::RecoveryKey;
pub use wrap::{KeyWrapping, WrappedKey, WRAPPED_KEY_VERSION};
