//! The client sync engine: push the outbox, pull by cursor, merge, report progress.
//!
//! # Code map
//! - [`hlc`]: the hybrid logical clock, [`Stamp`] `(hlc, device_id)`, and the rule it gives
//!   for devices with wrong clocks.
//! - [`merge`]: pure per-field last-writer-wins with conflicts kept; insert-only records;
//!   tombstones.
//! - [`operation`]: an operation's plaintext body, sealed into and opened from the wire
//!   [`kith_protocol::Operation`] with the practice key (kith-crypto).
//! - [`engine`]: the sync round over the [`Replica`] and [`Transport`] traits, and the
//!   [`SyncState`] the UI shows.
//! - [`schedule`]: backoff with jitter and the local-change debounce (pure).
//! - `http`: [`HttpTransport`], the reqwest client for the server's `/v1/sync/...` endpoints.
//! - `runner`: [`spawn_sync`], background sync on tokio ([`SyncHandle`]).
//! - [`memory`]: an in-memory [`Replica`] for tests.
//!
//! # Invariants
//! - Merging is a function of the set of operations received: any order, any repetition, same
//!   state and same conflicts.
//! - A page and its cursor are applied together ([`Replica::apply_page`] is one transaction).
//! - Record contents leave this crate only sealed; the envelope binds every clear field.
#![forbid(unsafe_code)]

pub mod engine;
mod error;
pub mod hlc;
mod http;
pub mod memory;
pub mod merge;
pub mod operation;
mod runner;
pub mod schedule;

pub use engine::{
    PulledPage, Replica, SyncConfig, SyncEngine, SyncPhase, SyncProgress, SyncReport, SyncState,
    Transport, UnreadableOperation,
};
pub use error::SyncError;
pub use hlc::{Clock, Hlc, Stamp};
pub use http::{error_from, HttpTransport};
pub use merge::{FieldConflict, FieldValue, InsertOnlyRecord, RecordState};
pub use operation::{open_operation, seal_operation, FieldChange, OperationBody, PlainOperation};
pub use runner::{spawn_sync, Schedule, SyncHandle};
pub use schedule::{Backoff, Debounce};
