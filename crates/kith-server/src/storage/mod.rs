//! The storage trait the server runs on, and the two backends behind it (SQLite, PostgreSQL).
//!
//! All SQL lives in `sqlite.rs` and `postgres.rs`, with bound parameters only. Both backends
//! hand out the per-practice sequence inside the writing transaction while holding the
//! practice's counter (SQLite: the single write lock; PostgreSQL: a row lock on
//! `practice_counters`), so commit order equals sequence order within a practice and a
//! reader can never see seq N+1 before seq N.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use kith_protocol::{
    Assignment, DeviceId, DeviceInfo, Operation, PersonId, PracticeId, PushOutcome, Role,
    ScopeChecksum, StoredOperation, UserId, UserInfo,
};
use sha2::{Digest, Sha256};

use crate::scope::OperationLimits;
use crate::secrets::TokenHash;
use crate::ServerError;

pub mod postgres;
pub mod sqlite;

/// A boxed future returned by every storage call.
pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ServerError>> + Send + 'a>>;

/// Who is making a request, as established from their device token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The account.
    pub user_id: UserId,
    /// The account's practice.
    pub practice_id: PracticeId,
    /// The device the token belongs to.
    pub device_id: DeviceId,
    /// The account's role.
    pub role: Role,
}

/// What a token lookup finds.
#[derive(Clone, Debug)]
pub struct DeviceSession {
    /// The account behind the device.
    pub user: UserInfo,
    /// The device.
    pub device_id: DeviceId,
    /// Revoked devices are refused.
    pub device_revoked: bool,
    /// The device must resync from zero (its scope changed).
    pub resync_required: bool,
}

/// A practice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Practice {
    /// Its id.
    pub id: PracticeId,
    /// Its name (not personal data).
    pub name: String,
}

/// A user to create.
#[derive(Clone)]
pub struct NewUser {
    /// Their practice.
    pub practice_id: PracticeId,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// A user with their password hash, for login.
#[derive(Clone)]
pub struct UserCredentials {
    /// The account.
    pub user: UserInfo,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// An invite to store.
#[derive(Clone, Debug)]
pub struct NewInvite {
    /// The invite id.
    pub invite_id: kith_protocol::InviteId,
    /// Its practice.
    pub practice_id: PracticeId,
    /// The supervisor who made it.
    pub created_by: UserId,
    /// SHA-256 of the code.
    pub code_hash: [u8; 32],
    /// The practice key wrapped under the code-derived key (opaque).
    pub wrapped_key: Vec<u8>,
    /// Expiry, Unix ms.
    pub expires_at_ms: i64,
}

/// One page of a pull.
#[derive(Clone, Debug, Default)]
pub struct PullPage {
    /// Visible operations, in sequence order.
    pub operations: Vec<StoredOperation>,
    /// More visible operations follow.
    pub has_more: bool,
    /// The highest sequence the caller may see, read in the same snapshot as the page (0 when
    /// nothing is visible).
    pub head_seq: u64,
}

/// What a push did.
#[derive(Clone, Debug, Default)]
pub struct PushReport {
    /// One per pushed operation, in order.
    pub outcomes: Vec<PushOutcome>,
    /// How many operations this push stored for the first time (replays of stored
    /// operations are accepted but not counted).
    pub newly_stored: u64,
}

/// Counts for `check` and the metrics page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreCounts {
    /// Practices.
    pub practices: u64,
    /// Users.
    pub users: u64,
    /// Devices (including revoked).
    pub devices: u64,
    /// Stored operations.
    pub operations: u64,
}

/// Where the data lives.
#[derive(Clone, Debug)]
pub enum DatabaseLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://...`).
    Postgres(String),
}

/// Everything the server stores, behind one interface. Every call is one transaction.
pub trait Storage: Send + Sync {
    /// Cheap liveness check of the database.
    fn ping(&self) -> StorageFuture<'_, ()>;
    /// Creates a practice and its sequence counter.
    fn create_practice(&self, name: String) -> StorageFuture<'_, Practice>;
    /// All practices.
    fn list_practices(&self) -> StorageFuture<'_, Vec<Practice>>;
    /// Creates a user; [`ServerError::Conflict`] when the username is taken.
    fn create_user(&self, user: NewUser) -> StorageFuture<'_, UserInfo>;
    /// A user and password hash by username.
    fn user_credentials(&self, username: String) -> StorageFuture<'_, Option<UserCredentials>>;
    /// A user by id.
    fn user(&self, user_id: UserId) -> StorageFuture<'_, Option<UserInfo>>;
    /// Users of one practice, or of all practices.
    fn list_users(&self, practice_id: Option<PracticeId>) -> StorageFuture<'_, Vec<UserInfo>>;
    /// Disables (or re-enables) a user; [`ServerError::NotFound`] when there is none.
    fn set_user_disabled(&self, user_id: UserId, disabled: bool) -> StorageFuture<'_, ()>;
    /// Enrols a device with the hash of its token.
    fn create_device(
        &self,
        user_id: UserId,
        name: String,
        token_hash: TokenHash,
        now_ms: i64,
    ) -> StorageFuture<'_, DeviceInfo>;
    /// Finds the device (and user) a token hash belongs to.
    fn device_session(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<DeviceSession>>;
    /// A device and its practice.
    fn device(&self, device_id: DeviceId) -> StorageFuture<'_, Option<(DeviceInfo, PracticeId)>>;
    /// Devices of a practice (all when `None`), optionally of one user.
    fn list_devices(
        &self,
        practice_id: Option<PracticeId>,
        user_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<DeviceInfo>>;
    /// Revokes a device; [`ServerError::NotFound`] when there is none.
    fn revoke_device(&self, device_id: DeviceId) -> StorageFuture<'_, ()>;
    /// Assigns a person to a link worker, and flags the devices of the previous and the new
    /// link worker to resync.
    fn assign_person(
        &self,
        practice_id: PracticeId,
        person_id: PersonId,
        link_worker_id: UserId,
        now_ms: i64,
    ) -> StorageFuture<'_, ()>;
    /// Assignments of a practice, optionally only one link worker's.
    fn list_assignments(
        &self,
        practice_id: PracticeId,
        link_worker_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<Assignment>>;
    /// Stores an invite.
    fn create_invite(&self, invite: NewInvite) -> StorageFuture<'_, ()>;
    /// Marks a live invite of this practice with this code hash used and returns its wrapped
    /// key; `None` when there is no such unexpired, unused invite.
    fn redeem_invite(
        &self,
        practice_id: PracticeId,
        code_hash: [u8; 32],
        device_id: DeviceId,
        now_ms: i64,
    ) -> StorageFuture<'_, Option<Vec<u8>>>;
    /// Stores a push in one transaction, deciding each operation with [`crate::scope`].
    fn push(
        &self,
        caller: Caller,
        operations: Arc<Vec<Operation>>,
        now_ms: u64,
        limits: OperationLimits,
    ) -> StorageFuture<'_, PushReport>;
    /// One page of what the caller may see after `since`.
    fn pull(&self, caller: Caller, since: u64, limit: u32) -> StorageFuture<'_, PullPage>;
    /// Clears a device's resync flag (it is pulling from zero).
    fn clear_resync(&self, device_id: DeviceId) -> StorageFuture<'_, ()>;
    /// Checksum of what the caller may see up to `upto`.
    fn scope_checksum(&self, caller: Caller, upto: u64) -> StorageFuture<'_, ScopeChecksum>;
    /// Row counts.
    fn counts(&self) -> StorageFuture<'_, StoreCounts>;
    /// Consistency checks; returns the problems found (empty when healthy).
    fn check(&self) -> StorageFuture<'_, Vec<String>>;
    /// Writes a consistent copy of the database to `destination` (SQLite only).
    fn backup(&self, destination: PathBuf) -> StorageFuture<'_, ()>;
}

/// Opens (creating and migrating as needed) the database at `location`.
pub async fn open_storage(location: &DatabaseLocation) -> Result<Arc<dyn Storage>, ServerError> {
    match location {
        DatabaseLocation::Sqlite(path) => {
            Ok(Arc::new(sqlite::SqliteStorage::open(path.clone()).await?))
        }
        DatabaseLocation::Postgres(url) => {
            Ok(Arc::new(postgres::PostgresStorage::connect(url).await?))
        }
    }
}

/// Incremental [`ScopeChecksum`] builder shared by the backends.
pub(crate) struct ChecksumBuilder {
    hasher: Sha256,
    count: u64,
}

impl ChecksumBuilder {
    pub(crate) fn new() -> Self {
        Self { hasher: Sha256::new(), count: 0 }
    }

    pub(crate) fn add(&mut self, seq: u64, op_id: &uuid::Uuid) {
        self.hasher.update(seq.to_be_bytes());
        self.hasher.update(op_id.as_bytes());
        self.count += 1;
    }

    pub(crate) fn finish(self, upto: u64) -> ScopeChecksum {
        ScopeChecksum {
            upto,
            count: self.count,
            sha256: crate::secrets::hex(&self.hasher.finalize()),
        }
    }
}

/// Converts a stored non-negative integer.
pub(crate) fn to_u64(value: i64) -> Result<u64, ServerError> {
    u64::try_from(value).map_err(|_| ServerError::Corrupt("negative counter".into()))
}

/// Converts a counter for storage.
pub(crate) fn to_i64(value: u64) -> Result<i64, ServerError> {
    i64::try_from(value).map_err(|_| ServerError::Invalid("number out of range".into()))
}

/// Parses a stored role.
pub(crate) fn parse_role(text: &str) -> Result<Role, ServerError> {
    Role::parse(text).ok_or_else(|| ServerError::Corrupt("unknown role".into()))
}

/// Parses a stored record kind.
pub(crate) fn parse_kind(text: &str) -> Result<kith_protocol::RecordKind, ServerError> {
    kith_protocol::RecordKind::parse(text)
        .ok_or_else(|| ServerError::Corrupt("unknown record kind".into()))
}
