//! [`Store`]: an unlocked profile database. Every write runs in one transaction together with
//! its outbox and audit rows ([`Store::write`]).

use std::cell::Cell;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::Serialize;
use uuid::Uuid;

use kith_domain::{PersonId, UserId};

use crate::records::{self, StoredRecord};
use crate::repositories::audit::{self, AuditAction};
use crate::repositories::outbox;
use crate::{database, StoreError};

/// An unlocked profile: the open SQLCipher connection and the current user. Dropping it (or
/// [`Store::lock`]) closes the database; SQLCipher wipes its copy of the key on close.
pub struct Store {
    pub(crate) connection: Connection,
    profile_dir: PathBuf,
    current_user: Option<UserId>,
    /// Last hybrid-logical-clock value handed out: (milliseconds, counter).
    last_clock: Cell<(i64, u32)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("current_user", &self.current_user).finish_non_exhaustive()
    }
}

/// One write in progress: the transaction plus who and when, for outbox and audit rows.
pub(crate) struct Change<'a> {
    pub(crate) transaction: Transaction<'a>,
    pub(crate) user: UserId,
    pub(crate) now: DateTime<Utc>,
    pub(crate) now_text: String,
    store: &'a Store,
}

impl Change<'_> {
    pub(crate) fn today(&self) -> NaiveDate {
        self.now.with_timezone(&Local).date_naive()
    }

    /// Appends the change to the outbox and the audit log.
    pub(crate) fn record<T: Serialize>(
        &self,
        kind: &'static str,
        action: AuditAction,
        record_id: Uuid,
        person_id: Option<PersonId>,
        payload: &T,
    ) -> Result<(), StoreError> {
        outbox::append(
            &self.transaction,
            kind,
            action.as_str(),
            record_id,
            person_id,
            &self.store.next_clock(self.now),
            &serde_json::to_string(payload)?,
        )?;
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

    pub(crate) fn insert<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::insert(&self.transaction, record, &self.now_text)?;
        self.record(R::KIND, AuditAction::Create, record.record_id(), record.person_id(), record)
    }

    pub(crate) fn update<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::update(&self.transaction, record, &self.now_text)?;
        self.record(R::KIND, AuditAction::Update, record.record_id(), record.person_id(), record)
    }

    pub(crate) fn tombstone<R: StoredRecord>(&self, record: &R) -> Result<(), StoreError> {
        records::tombstone::<R>(&self.transaction, record.record_id(), &self.now_text)?;
        let payload = serde_json::json!({ "deleted_at": self.now_text });
        self.record(R::KIND, AuditAction::Delete, record.record_id(), record.person_id(), &payload)
    }

    pub(crate) fn require<R: StoredRecord>(&self, id: Uuid) -> Result<R, StoreError> {
        records::require(&self.transaction, id)
    }
}

impl Store {
    pub(crate) fn new(connection: Connection, profile_dir: &Path) -> Result<Self, StoreError> {
        let mut store = Store {
            connection,
            profile_dir: profile_dir.to_owned(),
            current_user: None,
            last_clock: Cell::new((0, 0)),
        };
        let user: Option<String> = store
            .connection
            .query_row("SELECT value FROM settings WHERE name = 'current_user'", [], |row| {
                row.get(0)
            })
            .optional()?;
        store.current_user = user.and_then(|text| text.parse().ok());
        Ok(store)
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
        let now = Utc::now();
        let change = Change {
            transaction: self.connection.unchecked_transaction()?,
            user,
            now,
            now_text: now.to_rfc3339_opts(SecondsFormat::Micros, true),
            store: self,
        };
        let value = body(&change)?;
        change.transaction.commit()?;
        Ok(value)
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

    /// The next hybrid-logical-clock value: `<unix ms, 13 digits>.<counter, 5 digits>`,
    /// strictly increasing within this store.
    fn next_clock(&self, now: DateTime<Utc>) -> String {
        let physical = now.timestamp_millis();
        let (last_physical, last_counter) = self.last_clock.get();
        let next = if physical > last_physical {
            (physical, 0)
        } else {
            (last_physical, last_counter + 1)
        };
        self.last_clock.set(next);
        format!("{:013}.{:05}", next.0, next.1)
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

    /// Rows in a table, for tests and diagnostics. Only the store's own table names are
    /// accepted.
    pub fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        const TABLES: &[&str] = &[
            "people",
            "referrals",
            "referral_status_history",
            "conversations",
            "care_plans",
            "sessions",
            "notes",
            "consent_records",
            "concerns",
            "concern_events",
            "community_services",
            "connections",
            "measures",
            "discharges",
            "audit_log",
            "outbox",
        ];
        let Some(table) = TABLES.iter().find(|name| **name == table) else {
            return Err(StoreError::NotFound { kind: "table", id: table.to_owned() });
        };
        Ok(self
            .connection
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))?)
    }
}
