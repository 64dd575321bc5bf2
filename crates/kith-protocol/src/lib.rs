//! Sync wire types shared by the Kith client and the practice server, versioned.
//!
//! Plain serde structs, no IO. Every request to `/v1/...` carries the header
//! [`PROTOCOL_VERSION_HEADER`] with [`PROTOCOL_VERSION`]; a server answers an older or missing
//! version with HTTP 426 and [`ErrorCode::UpdateNeeded`].
//!
//! Record contents travel only inside [`Envelope`]s (AES-256-GCM ciphertext under the practice
//! key, sealed and opened by the client); the server sees ids, kinds, person routing, clocks
//! and sizes, never contents.

#![forbid(unsafe_code)]

mod ids;
mod wire;

pub use ids::{DeviceId, InviteId, OperationId, PersonId, PracticeId, RecordId, UserId};
pub use wire::*;

/// The protocol version this crate describes. Bump it on any incompatible wire change.
pub const PROTOCOL_VERSION: u32 = 1;

/// The oldest client protocol version the server still serves.
pub const MIN_SUPPORTED_PROTOCOL_VERSION: u32 = 1;

/// The HTTP header that names the protocol version of a request.
pub const PROTOCOL_VERSION_HEADER: &str = "kith-protocol-version";

/// How far ahead of the server's clock an operation's HLC wall time may be. Operations further
/// ahead are refused with [`RefusalReason::ClockAhead`] (never clamped: clamping would make the
/// pushing device and everyone else order the same edit differently).
pub const MAX_CLOCK_AHEAD_MS: u64 = 5 * 60 * 1000;

/// Most operations one push may carry.
pub const MAX_OPERATIONS_PER_PUSH: usize = 1000;

/// Most operations one pull page returns (a larger `limit` is lowered to this).
pub const MAX_PULL_LIMIT: u32 = 1000;

/// The page size when a pull names no `limit`.
pub const DEFAULT_PULL_LIMIT: u32 = 500;
