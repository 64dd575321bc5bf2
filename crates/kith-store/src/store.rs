//! [`Store`]: an unlocked profile database. Every write runs in one transaction together with
//! its outbox and audit rows ([`Store::write`]).

use std::cell::RefCell;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;
use zeroize::Zeroizing;

use kith_domain::{PersonId, UserId};

use crate::checkpoint::Checkpointer;
use crate::records::{self, StoredRecord};
use crate::repositories::audit::{self, AuditAction};
use crate::{database, sync, StoreError};

/// An unlocked profile: the open SQLCipher connection and the current user. Dropping it (or
/// [`Store::lock`]) closes the database; SQLCipher wipes its copy of the key on close.
pub struct Store {
    /// Only on a sync connection ([`Profile::open_for_sync`]); dropped (joined) before the
    /// connection closes.
    ///
    /// [`Profile::open_for_sync`]: crate::Profile::open_for_sync
    pub(crate) checkpointer: Option<Checkpointer>,
    pub(crate) connection: Connection,
    profile_dir: PathBuf,
    current_user: Option<UserId>,
    /// This device's hybrid logical clock (kith-sync), persisted with every write.
    pub(crate) clock: RefCell<kith_sync::Clock>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("current_user", &self.current_user).finish_non_exhaustive()
    }
}

/// One write in progress. On its own it is a whole transaction, begun `IMMEDIATE` so it takes
/// the write lock before its first read: another connection to the same database (background
/// sync) committing in between can then never make it fail half-way (`SQLITE_BUSY_SNAPSHOT`);
/// it waits for the lock instead (busy timeout). Inside [`Store::in_one_transaction`] it nests
/// as a savepoint. Dropped without [`WriteScope::release`], it rolls back everything it did.
pub(crate) struct WriteScope<'a> {
    connection: &'a Connection,
    outermost: bool,
    released: bool,
}

impl<'a> WriteScope<'a> {
    fn begin(connection: &'a Connection) -> Result<Self, StoreError> {
        let outermost = connection.is_autocommit();
        connection.execute_batch(if outermost {
            "BEGIN IMMEDIATE"
        } else {
            "SAVEPOINT kith_write"
        })?;
        Ok(WriteScope { connection, outermost, released: false })
    }

    /// Keeps what was done (commits, when this is the outermost transaction).
    fn release(mut self) -> Result<(), StoreError> {
        self.connection.execute_batch(if self.outermost {
            "COMMIT"
        } else {
            "RELEASE kith_write"
        })?;
        self.released = true;
        Ok(())
    }
}

impl Drop for WriteScope<'_> {
    fn drop(&mut self) {
        if !self.released {
            // Best effort: if even the rollback fails, the connection reports it next time.
            let _ = self.connection.execute_batch(if self.outermost {
                "ROLLBACK"
            } else {
                "ROLLBACK TO kith_write; RELEASE kith_write"
            });
        }
    }
}

impl Deref for WriteScope<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.connection
    }
}

/// One write in progress: the transaction plus who and when, for outbox and audit rows.
pub(crate) struct Change<'a> {
    pub(crate) transaction: WriteScope<'a>,
    pub(crate) user: UserId,
    pub(crate) now: DateTime<Utc>,
    pub(crate) now_text: String,
    store: &'a Store,
}

impl Change<'_> {
    pub(crate) fn today(&self) -> NaiveDate {
        self.now.with_timezone(&Local).date_naive()
    }

    /// Appends the change to the audit log.
    fn audit(
        &self,
        kind: &'static str,
        action: AuditAction,
        record_id: Uuid,
        person_id: Option<PersonId>,
    ) -> Result<(), StoreError> {
        audit::append(
            &self.transaction,
            &self.now_text,
            self.user,
            person_id,
            action,
            kind,
            record_id,
        )
    }

    /// The sync side of a local write: the operation for the outbox, stamped by the clock.
    fn local_write<R: StoredRecord>(&self, record: &R, action: AuditAction) -> sync::LocalWrite {
        sync::LocalWrite {
            store_kind: R::KIND,
            action: action.as_str(),
            record_id: record.record_id(),
            person_id: record.person_id().map(|id| id.as_uuid()),
            now_ms: u64::try_from(self.now.timestamp_millis()).unwrap_or(0),
        }
    }

    /// Inserts a record; its fields (or, for insert-only kinds, its body) go to the outbox
    /// and its merge state in the same transaction.
    pub(crate) fn insert<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::insert(&self.transaction, record, &self.now_text)?;
        let write = self.local_write(record, AuditAction::Create);
        sync::record_local_insert(&self.transaction, &self.store.clock, &write, record)?;
        self.audit(R::KIND, AuditAction::Create, record.record_id(), record.person_id())
    }

    /// Inserts a record that is itself part of the record's history or audit trail (a status
    /// change, a concern's step, an audit batch): synced like any insert, not audited again.
    pub(crate) fn insert_unaudited<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::insert(&self.transaction, record, &self.now_text)?;
        let write = self.local_write(record, AuditAction::Create);
        sync::record_local_insert(&self.transaction, &self.store.clock, &write, record)
    }

    /// Saves an edited record; the fields that changed go to the outbox with their bases.
    pub(crate) fn update<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::update(&self.transaction, record, &self.now_text)?;
        let write = self.local_write(record, AuditAction::Update);
        sync::record_local_update(&self.transaction, &self.store.clock, &write, record)?;
        self.audit(R::KIND, AuditAction::Update, record.record_id(), record.person_id())
    }

    /// Tombstones a record; the tombstone is a field write merged like any other.
    pub(crate) fn tombstone<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::tombstone::<R>(&self.transaction, record.record_id(), &self.now_text)?;
        let write = self.local_write(record, AuditAction::Delete);
        sync::record_local_delete(&self.transaction, &self.store.clock, &write)?;
        self.audit(R::KIND, AuditAction::Delete, record.record_id(), record.person_id())
    }

    pub(crate) fn require<R: StoredRecord>(&self, id: Uuid) -> Result<R, StoreError> {
        records::require(&self.transaction, id)
    }
}

impl Store {
    pub(crate) fn new(connection: Connection, profile_dir: &Path) -> Result<Self, StoreError> {
        let mut store = Store {
            checkpointer: None,
            connection,
            profile_dir: profile_dir.to_owned(),
            current_user: None,
            clock: RefCell::new(kith_sync::Clock::new()),
        };
        let user: Option<String> = store
            .connection
            .query_row("SELECT value FROM settings WHERE name = 'current_user'", [], |row| {
                row.get(0)
            })
            .optional()?;
        store.current_user = user.and_then(|text| text.parse().ok());
        store.clock = RefCell::new(sync::stored_clock(&store.connection)?);
        crate::history_upgrade::publish_history_from_before_sync(&store)?;
        Ok(store)
    }

    /// Opens (or creates) `dir/plaintext-benchmark.db`, an **unencrypted** store, only so a
    /// benchmark can compare SQLCipher with plain SQLite. Exists only with the
    /// `plaintext-for-benchmarks` feature, which only the benchmark example enables: the app
    /// and normal builds cannot open or create a plaintext store.
    #[cfg(feature = "plaintext-for-benchmarks")]
    pub fn open_plaintext_for_benchmarks(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("plaintext-benchmark.db");
        Store::new(database::open_plaintext_for_benchmarks(&path)?, dir)
    }

    /// The profile directory this store was opened from.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Sets (and remembers in the database) the user every change and read is attributed to.
    pub fn set_current_user(&mut self, user: UserId) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO settings(name, value) VALUES ('current_user', ?1)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [user.to_string()],
        )?;
        self.current_user = Some(user);
        Ok(())
    }

    /// The user changes are attributed to, if set.
    pub fn current_user(&self) -> Option<UserId> {
        self.current_user
    }

    /// Closes the database; the key is wiped by SQLCipher, and the store's own key copy was
    /// zeroized right after keying.
    pub fn lock(self) {
        drop(self);
    }

    /// Runs `body` in one transaction; commits if it returns `Ok`, otherwise nothing changes.
    pub(crate) fn write<T>(
        &self,
        body: impl FnOnce(&Change<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let user = self.current_user.ok_or(StoreError::NoCurrentUser)?;
        self.write_as(user, body)
    }

    /// A write that is nobody's own action and audits nothing (publishing this device's audit
    /// trail): it runs on the sync connection too, which may have opened before a user was
    /// set, so it is attributed to the current user if there is one and to no one otherwise.
    pub(crate) fn write_unattributed<T>(
        &self,
        body: impl FnOnce(&Change<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write_as(self.current_user.unwrap_or(UserId::from_uuid(Uuid::nil())), body)
    }

    fn write_as<T>(
        &self,
        user: UserId,
        body: impl FnOnce(&Change<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let now = Utc::now();
        let transaction = WriteScope::begin(&self.connection)?;
        self.catch_up_clock()?;
        let change = Change {
            transaction,
            user,
            now,
            now_text: now.to_rfc3339_opts(SecondsFormat::Micros, true),
            store: self,
        };
        let value = body(&change)?;
        change.transaction.release()?;
        Ok(value)
    }

    /// Runs many writes as one transaction (a bulk load, e.g. an import or a generated
    /// practice): every write inside `body` is validated, audited and put in the outbox as
    /// usual, but there is one commit (one fsync) at the end. All or nothing: if `body`
    /// fails, nothing it wrote is kept.
    pub fn in_one_transaction<T>(
        &self,
        body: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let transaction = rusqlite::Transaction::new_unchecked(
            &self.connection,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let value = body(self)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Moves this connection's clock up to the one stored in the database, if that is later.
    /// Another connection to the same profile (background sync) may have observed later
    /// clocks; a write made after that must be stamped after them.
    pub fn catch_up_clock(&self) -> Result<(), StoreError> {
        let stored = sync::stored_clock(&self.connection)?;
        let mut clock = self.clock.borrow_mut();
        if stored.last() > clock.last() {
            *clock = stored;
        }
        Ok(())
    }

    /// A setting of the app (not of the store or sync), kept inside the encrypted database,
    /// e.g. the practice membership. Names are kept apart from the store's own settings. The
    /// value is zeroized when dropped.
    pub fn app_setting(&self, name: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let value: Option<String> = self
            .connection
            .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
            .query_row([app_setting_name(name)], |row| row.get(0))
            .optional()?;
        Ok(value.map(Zeroizing::new))
    }

    /// Sets an app setting (see [`Store::app_setting`]) in its own transaction.
    pub fn set_app_setting(&self, name: &str, value: &str) -> Result<(), StoreError> {
        self.connection
            .prepare_cached(
                "INSERT INTO settings(name, value) VALUES (?1, ?2)
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            )?
            .execute([app_setting_name(name).as_str(), value])?;
        Ok(())
    }

    /// Reads one record of a person and writes a `read` row to the audit log.
    pub(crate) fn read_audited<R: StoredRecord>(&self, id: Uuid) -> Result<R, StoreError> {
        self.write(|change| {
            let record: R = change.require(id)?;
            audit::append(
                &change.transaction,
                &change.now_text,
                change.user,
                record.person_id(),
                AuditAction::Read,
                R::KIND,
                id,
            )?;
            Ok(record)
        })
    }

    /// Reads all records of one kind for a person, auditing the read.
    pub(crate) fn list_audited<R: StoredRecord>(
        &self,
        person_id: PersonId,
    ) -> Result<Vec<R>, StoreError> {
        self.write(|change| {
            let records = records::list_for_person(&change.transaction, person_id)?;
            audit::append(
                &change.transaction,
                &change.now_text,
                change.user,
                Some(person_id),
                AuditAction::Read,
                R::KIND,
                person_id.as_uuid(),
            )?;
            Ok(records)
        })
    }

    /// Checks every page's HMAC (SQLCipher) and the database structure (SQLite).
    pub fn verify_integrity(&self) -> Result<(), StoreError> {
        database::check_cipher_integrity(&self.connection)?;
        database::check_structure(&self.connection)
    }

    /// Copies the WAL into the database file (a full checkpoint).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self.connection.pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    /// The tables that hold a profile's records (every kind in the registry), its audit log
    /// and its outbox.
    pub fn tables() -> Vec<&'static str> {
        let records = crate::registry::KINDS.iter().map(|kind| kind.table);
        records.chain(["audit_log", "outbox"]).collect()
    }

    /// Rows in a table, for tests and diagnostics. Only the store's own table names are
    /// accepted.
    pub fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        let Some(table) = Self::tables().into_iter().find(|name| *name == table) else {
            return Err(StoreError::NotFound { kind: "table", id: table.to_owned() });
        };
        Ok(self
            .connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?)
    }
}

/// App settings live in the `settings` table under an `app.` prefix, apart from the store's.
fn app_setting_name(name: &str) -> String {
    format!("app.{name}")
}
