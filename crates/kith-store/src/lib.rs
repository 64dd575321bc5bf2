//! The encrypted local store (SQLCipher through rusqlite): migrations, repositories, search, caseload queries, audit log and the sync outbox. The only client crate with SQL.
//!
//! # Code map
//! - [`profile`]: the profile directory (`kith.db` + `keys.json`), create / unlock / recover /
//!   change passphrase.
//! - `database`: opening SQLCipher with a raw key, pragmas, damage checks, migrations.
//! - `migrations`: the embedded, append-only schema migrations; `history_upgrade` publishes,
//!   once, the history a profile wrote before history synced.
//! - [`registry`]: the one list of record kinds (table, wire kind, editable or insert-only,
//!   about a person or practice-wide, who receives it); sync, purge, export and table lists
//!   are derived from it.
//! - [`store`]: [`Store`], the unlocked database, and how every write becomes one
//!   transaction with its outbox and audit rows.
//! - `repositories`: one module per kind of record (people, referrals, notes, ...).
//! - `search`, `caseload`: full-text search and the "Today" queries.
//! - `reports`: the figures of a report for a date range (counts, episodes, measures to pair).
//! - `exports`: everything held about one person (subject access), a discharge by id.
//! - `sync`: the store as a kith-sync `Replica` (merge state, outbox statuses, cursor, clock,
//!   conflicts, purge of people who left the scope): all the SQL of sync.
//! - `sync_conflicts`: showing and resolving same-field conflicts, and which user owns each
//!   device (so a conflict can say who wrote each value).
//!
//! # Invariants
//! - Every value reaches SQL as a bound parameter; table and column names come only from
//!   constants in this crate.
//! - Every write is one transaction that also appends to the outbox and the audit log. A
//!   write runs as a savepoint, so [`Store::in_one_transaction`] can group many writes (a
//!   bulk load, or a use case that must keep all or nothing) under one commit.
//! - The feature `plaintext-for-benchmarks` adds `Store::open_plaintext_for_benchmarks`, an
//!   UNENCRYPTED store used only to compare SQLCipher with plain SQLite. Only kith-tests'
//!   `bench_store` example enables it; the app and normal builds cannot open one.
//! - Notes and the audit log are append-only (triggers refuse UPDATE and DELETE); other
//!   records are never deleted, only tombstoned.
//!
//! # Durability: `synchronous = FULL`
//! The database runs in WAL mode with `synchronous = FULL`: the WAL is fsynced at every
//! commit, so a note whose save returned survives a power cut or an OS crash, not only a
//! killed process (`NORMAL` in WAL mode may lose the last commits on power loss). The cost
//! is one fsync per save, which a person typing notes never notices.
//!
//! # Security notes
//! - The whole file (tables, indexes, full-text index, WAL) is SQLCipher ciphertext under a
//!   random 256-bit key that exists on disk only wrapped (`keys.json`: Argon2id passphrase
//!   and recovery key, see kith-crypto).
//! - Damage and tampering are detected per page (SQLCipher's HMAC): page 1 at unlock, every
//!   other page when it is read, and all pages by `Store::verify_integrity` (run on demand: on
//!   a 150,000-note practice it reads 660 MB, far too slow for every unlock), but writing back an *older*, validly encrypted copy of a page
//!   (a rollback of part of the file) is **not** detected.
//! - A wrong passphrase fails at the AES-GCM unwrap, before the database is opened; a wrong,
//!   damaged or newer database is refused before anything is written to it.
#![forbid(unsafe_code)]

mod caseload;
mod checkpoint;
mod database;
mod error;
mod exports;
mod history_upgrade;
mod migrations;
pub mod profile;
mod records;
pub mod registry;
mod reports;
mod repositories;
mod search;
pub mod store;
mod sync;
mod sync_conflicts;

pub use caseload::{Caseload, CaseloadEntry, CaseloadScope, LinkWorkerFigures};
pub use error::StoreError;
pub use exports::{Held, HeldAboutPerson, SUBJECT_ACCESS_EXPORT_KIND};
pub use profile::{resolve_profile_dir, Profile, DATABASE_FILE, DATA_DIR_ENV};
pub use reports::{CaseloadEpisode, ConnectionCount, KeyCount, ReportFigures, SessionCount};
pub use repositories::audit::{AuditAction, AuditBatch, AuditEntry, BatchedAuditEntry};
pub use repositories::outbox::OutboxOperation;
pub use repositories::{
    ConcernEvent, Draft, QueuedItem, QueuedRecord, ReferralStatusChange, ReviewQueueEntry,
    ReviewQueueGroup,
};
pub use search::{MatchedIn, NoteHit, PersonHit, PersonOverview, ReferralSummary};
pub use store::Store;
pub use sync::{wire_kind, KeptAsideOperation, STORE_KIND_FIELD};
pub use sync_conflicts::{DeviceOwner, SyncConflict};

/// The schema version this build knows (the number of embedded migrations).
pub fn supported_schema_version() -> u32 {
    migrations::MIGRATIONS.len() as u32
}
