//! SQLite storage (the default): one writer connection and a few WAL readers, run on blocking
//! threads. Unencrypted on purpose: the server holds only ciphertext and routing metadata.

use std::collections::hash_map::Entry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kith_protocol::{
    Assignment, DeviceId, DeviceInfo, Envelope, Hlc, Operation, OperationId, PersonId, PracticeId,
    RecordId, Role, ScopeChecksum, StoredOperation, UserId, UserInfo,
};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};
use uuid::Uuid;

use super::{
    parse_kind, parse_role, to_i64, to_u64, Caller, ChecksumBuilder, DeviceSession, NewInvite,
    NewUser, Practice, PullPage, PushReport, Storage, StorageFuture, StoreCounts, UserCredentials,
};
use crate::scope::{plan_push, OperationLimits, PushFacts};
use crate::secrets::TokenHash;
use crate::ServerError;

/// Append-only: a shipped migration is never edited; add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE practices (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE practice_counters (
    practice_id BLOB PRIMARY KEY REFERENCES practices(id),
    seq INTEGER NOT NULL
);
CREATE TABLE users (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX users_by_practice ON users(practice_id);
CREATE TABLE devices (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    resync_required INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX devices_by_user ON devices(user_id);
CREATE TABLE assignments (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    person_id BLOB NOT NULL,
    link_worker_id BLOB NOT NULL REFERENCES users(id),
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (practice_id, person_id)
);
CREATE INDEX assignments_by_worker ON assignments(practice_id, link_worker_id);
CREATE TABLE records (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    record_id BLOB NOT NULL,
    kind TEXT NOT NULL,
    person_id BLOB,
    PRIMARY KEY (practice_id, record_id)
);
CREATE INDEX records_by_person ON records(practice_id, person_id);
CREATE TABLE operations (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    seq INTEGER NOT NULL,
    op_id BLOB NOT NULL UNIQUE,
    device_id BLOB NOT NULL REFERENCES devices(id),
    device_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    person_id BLOB,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (practice_id, seq),
    UNIQUE (device_id, device_seq)
);
CREATE INDEX operations_by_person ON operations(practice_id, person_id, seq);
CREATE TABLE invites (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    created_by BLOB NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL UNIQUE,
    wrapped_key BLOB NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    redeemed_at_ms INTEGER,
    redeemed_by_device BLOB
);
"#,
    // 2: op ids and invite code hashes are unique per practice, not across the server, so that a
    // push or an invite never learns what another practice stored. SQLite cannot drop a UNIQUE
    // constraint: both tables are rebuilt.
    r#"
CREATE TABLE operations_per_practice (
    practice_id BLOB NOT NULL REFERENCES practices(id),
    seq INTEGER NOT NULL,
    op_id BLOB NOT NULL,
    device_id BLOB NOT NULL REFERENCES devices(id),
    device_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    record_id BLOB NOT NULL,
    person_id BLOB,
    hlc_wall_ms INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (practice_id, seq),
    UNIQUE (practice_id, op_id),
    UNIQUE (device_id, device_seq)
);
INSERT INTO operations_per_practice (practice_id, seq, op_id, device_id, device_seq, kind,
    record_id, person_id, hlc_wall_ms, hlc_counter, envelope, received_at_ms)
    SELECT practice_id, seq, op_id, device_id, device_seq, kind, record_id, person_id,
        hlc_wall_ms, hlc_counter, envelope, received_at_ms
    FROM operations;
DROP TABLE operations;
ALTER TABLE operations_per_practice RENAME TO operations;
CREATE INDEX operations_by_person ON operations(practice_id, person_id, seq);
CREATE TABLE invites_per_practice (
    id BLOB PRIMARY KEY,
    practice_id BLOB NOT NULL REFERENCES practices(id),
    created_by BLOB NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    redeemed_at_ms INTEGER,
    redeemed_by_device BLOB,
    UNIQUE (practice_id, code_hash)
);
INSERT INTO invites_per_practice (id, practice_id, created_by, code_hash, wrapped_key,
    expires_at_ms, redeemed_at_ms, redeemed_by_device)
    SELECT id, practice_id, created_by, code_hash, wrapped_key, expires_at_ms, redeemed_at_ms,
        redeemed_by_device
    FROM invites;
DROP TABLE invites;
ALTER TABLE invites_per_practice RENAME TO invites;
"#,
];

const OPERATION_COLUMNS: &str = "seq, op_id, device_id, device_seq, kind, record_id, person_id, \
     hlc_wall_ms, hlc_counter, envelope";

const NUMBER_OF_READERS: usize = 4;

/// SQLite-backed [`Storage`].
pub struct SqliteStorage {
    inner: Arc<SqliteInner>,
}

struct SqliteInner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

fn now_ms() -> i64 {
    crate::now_ms() as i64
}

fn open_connection(path: &Path, read_only: bool) -> Result<Connection, ServerError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), ServerError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)",
    )?;
    let current: i64 =
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |row| {
            row.get(0)
        })?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(ServerError::NewerDatabase { found: current, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?1, ?2)",
            params![index as i64 + 1, now_ms()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

impl SqliteStorage {
    /// Opens or creates the database file, migrating it to the newest schema.
    pub async fn open(path: PathBuf) -> Result<Self, ServerError> {
        tokio::task::spawn_blocking(move || Self::open_blocking(path)).await?
    }

    fn open_blocking(path: PathBuf) -> Result<Self, ServerError> {
        if let Some(parent) = path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
        let mut writer = open_connection(&path, false)?;
        let _mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        migrate(&mut writer)?;
        let readers = (0..NUMBER_OF_READERS)
            .map(|_| open_connection(&path, true).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            inner: Arc::new(SqliteInner {
                path,
                writer: Mutex::new(writer),
                readers,
                next_reader: AtomicUsize::new(0),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn write<T, F>(&self, work: F) -> Result<T, ServerError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, ServerError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| ServerError::Task("writer lock poisoned".into()))?;
            work(&mut conn)
        })
        .await?
    }

    async fn read<T, F>(&self, work: F) -> Result<T, ServerError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ServerError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let start = inner.next_reader.fetch_add(1, Ordering::Relaxed);
            let count = inner.readers.len();
            for offset in 0..count {
                if let Ok(conn) = inner.readers[(start + offset) % count].try_lock() {
                    return work(&conn);
                }
            }
            let conn = inner.readers[start % count]
                .lock()
                .map_err(|_| ServerError::Task("reader lock poisoned".into()))?;
            work(&conn)
        })
        .await?
    }
}

struct UserRow {
    id: Uuid,
    practice_id: Uuid,
    username: String,
    role: String,
    disabled: bool,
}

impl UserRow {
    const COLUMNS: &'static str = "id, practice_id, username, role, disabled";

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            practice_id: row.get(1)?,
            username: row.get(2)?,
            role: row.get(3)?,
            disabled: row.get(4)?,
        })
    }

    fn into_info(self) -> Result<UserInfo, ServerError> {
        Ok(UserInfo {
            user_id: UserId(self.id),
            practice_id: PracticeId(self.practice_id),
            username: self.username,
            role: parse_role(&self.role)?,
            disabled: self.disabled,
        })
    }
}

fn device_from_row(row: &Row<'_>) -> rusqlite::Result<DeviceInfo> {
    Ok(DeviceInfo {
        device_id: DeviceId(row.get(0)?),
        user_id: UserId(row.get(1)?),
        name: row.get(2)?,
        created_at_ms: row.get(3)?,
        revoked: row.get(4)?,
    })
}

const DEVICE_COLUMNS: &str = "d.id, d.user_id, d.name, d.created_at_ms, d.revoked";

struct OperationRow {
    seq: i64,
    op_id: Uuid,
    device_id: Uuid,
    device_seq: i64,
    kind: String,
    record_id: Uuid,
    person_id: Option<Uuid>,
    hlc_wall_ms: i64,
    hlc_counter: i64,
    envelope: Vec<u8>,
}

impl OperationRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            seq: row.get(0)?,
            op_id: row.get(1)?,
            device_id: row.get(2)?,
            device_seq: row.get(3)?,
            kind: row.get(4)?,
            record_id: row.get(5)?,
            person_id: row.get(6)?,
            hlc_wall_ms: row.get(7)?,
            hlc_counter: row.get(8)?,
            envelope: row.get(9)?,
        })
    }

    fn into_stored(self) -> Result<StoredOperation, ServerError> {
        Ok(StoredOperation {
            seq: to_u64(self.seq)?,
            operation: Operation {
                op_id: OperationId(self.op_id),
                device_id: DeviceId(self.device_id),
                device_seq: to_u64(self.device_seq)?,
                kind: parse_kind(&self.kind)?,
                record_id: RecordId(self.record_id),
                person_id: self.person_id.map(PersonId),
                hlc: Hlc {
                    wall_ms: to_u64(self.hlc_wall_ms)?,
                    counter: u32::try_from(self.hlc_counter)
                        .map_err(|_| ServerError::Corrupt("hlc counter".into()))?,
                },
                envelope: Envelope(self.envelope),
            },
        })
    }
}

fn push_blocking(
    conn: &mut Connection,
    caller: Caller,
    ops: &[Operation],
    now: u64,
    limits: OperationLimits,
) -> Result<PushReport, ServerError> {
    let practice = caller.practice_id.0;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let counter: i64 = tx
        .query_row("SELECT seq FROM practice_counters WHERE practice_id = ?1", [practice], |row| {
            row.get(0)
        })
        .optional()?
        .ok_or_else(|| ServerError::NotFound("practice".into()))?;
    let mut facts = PushFacts::default();
    {
        let mut by_device = tx.prepare_cached(
            "SELECT op_id, seq FROM operations WHERE device_id = ?1 AND device_seq = ?2",
        )?;
        let mut by_op_id =
            tx.prepare_cached("SELECT 1 FROM operations WHERE practice_id = ?1 AND op_id = ?2")?;
        let mut record = tx.prepare_cached(
            "SELECT kind, person_id FROM records WHERE practice_id = ?1 AND record_id = ?2",
        )?;
        let mut assignee = tx.prepare_cached(
            "SELECT link_worker_id FROM assignments WHERE practice_id = ?1 AND person_id = ?2",
        )?;
        let mut known_person = tx.prepare_cached(
            "SELECT 1 FROM records WHERE practice_id = ?1 AND person_id = ?2 LIMIT 1",
        )?;
        for op in ops {
            if let Ok(device_seq) = i64::try_from(op.device_seq) {
                let stored = by_device
                    .query_row(params![caller.device_id.0, device_seq], |row| {
                        Ok((row.get::<_, Uuid>(0)?, row.get::<_, i64>(1)?))
                    })
                    .optional()?;
                if let Some((op_id, seq)) = stored {
                    facts
                        .stored_by_device_seq
                        .insert(op.device_seq, (OperationId(op_id), to_u64(seq)?));
                }
            }
            if by_op_id.exists(params![practice, op.op_id.0])? {
                facts.stored_op_ids.insert(op.op_id);
            }
            if let Entry::Vacant(slot) = facts.records.entry(op.record_id) {
                let found = record
                    .query_row(params![practice, op.record_id.0], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, Option<Uuid>>(1)?))
                    })
                    .optional()?;
                if let Some((kind, person)) = found {
                    slot.insert((parse_kind(&kind)?, person.map(PersonId)));
                }
            }
            if let Some(person) = op.person_id {
                if let Entry::Vacant(slot) = facts.assignees.entry(person) {
                    let found = assignee
                        .query_row(params![practice, person.0], |row| row.get::<_, Uuid>(0))
                        .optional()?;
                    if let Some(worker) = found {
                        slot.insert(UserId(worker));
                    }
                }
                if !facts.known_people.contains(&person)
                    && known_person.exists(params![practice, person.0])?
                {
                    facts.known_people.insert(person);
                }
            }
        }
    }
    let plan = plan_push(&caller, ops, facts, to_u64(counter)?, now, limits);
    {
        let received = now_ms();
        let mut insert_op = tx.prepare_cached(
            "INSERT INTO operations (practice_id, seq, op_id, device_id, device_seq, kind, \
             record_id, person_id, hlc_wall_ms, hlc_counter, envelope, received_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for (seq, index) in &plan.inserts {
            let op = &ops[*index];
            insert_op.execute(params![
                practice,
                to_i64(*seq)?,
                op.op_id.0,
                op.device_id.0,
                to_i64(op.device_seq)?,
                op.kind.as_str(),
                op.record_id.0,
                op.person_id.map(|p| p.0),
                to_i64(op.hlc.wall_ms)?,
                i64::from(op.hlc.counter),
                op.envelope.0,
                received,
            ])?;
        }
        let mut insert_record = tx.prepare_cached(
            "INSERT INTO records (practice_id, record_id, kind, person_id) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (record_id, kind, person) in &plan.new_records {
            insert_record.execute(params![
                practice,
                record_id.0,
                kind.as_str(),
                person.map(|p| p.0)
            ])?;
        }
        let mut insert_assignment = tx.prepare_cached(
            "INSERT INTO assignments (practice_id, person_id, link_worker_id, updated_at_ms) \
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for person in &plan.new_assignments {
            insert_assignment.execute(params![practice, person.0, caller.user_id.0, received])?;
        }
    }
    if plan.last_seq != to_u64(counter)? {
        tx.execute(
            "UPDATE practice_counters SET seq = ?2 WHERE practice_id = ?1",
            params![practice, to_i64(plan.last_seq)?],
        )?;
    }
    tx.commit()?;
    Ok(PushReport { newly_stored: plan.inserts.len() as u64, outcomes: plan.outcomes })
}

/// The visible-operations filter for a caller, as SQL appended after `practice_id = ?1`.
/// `?4` is the caller's user id for link workers, who never receive the audit trail
/// (`RecordKind::supervisors_only`).
fn scope_filter(role: Role) -> &'static str {
    match role {
        Role::Supervisor => "",
        Role::LinkWorker => {
            " AND kind <> 'audit' AND (person_id IS NULL OR person_id IN \
             (SELECT person_id FROM assignments WHERE practice_id = ?1 AND link_worker_id = ?4))"
        }
        // Admins see no records.
        Role::Admin => " AND 0",
    }
}

fn pull_blocking(
    conn: &Connection,
    caller: Caller,
    since: u64,
    limit: u32,
) -> Result<PullPage, ServerError> {
    // One read transaction, so the head is from the same snapshot as the page.
    let snapshot = conn.unchecked_transaction()?;
    let conn: &Connection = &snapshot;
    let sql = format!(
        "SELECT {OPERATION_COLUMNS} FROM operations WHERE practice_id = ?1 AND seq > ?2{} \
         ORDER BY seq LIMIT ?3",
        scope_filter(caller.role)
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let fetch = i64::from(limit) + 1;
    let rows: Vec<OperationRow> = if caller.role == Role::LinkWorker {
        statement
            .query_map(
                params![caller.practice_id.0, to_i64(since)?, fetch, caller.user_id.0],
                OperationRow::from_row,
            )?
            .collect::<Result<_, _>>()?
    } else {
        statement
            .query_map(
                params![caller.practice_id.0, to_i64(since)?, fetch],
                OperationRow::from_row,
            )?
            .collect::<Result<_, _>>()?
    };
    let has_more = rows.len() > limit as usize;
    let operations = rows
        .into_iter()
        .take(limit as usize)
        .map(OperationRow::into_stored)
        .collect::<Result<Vec<_>, _>>()?;
    drop(statement);
    let head_seq = head_seq_blocking(conn, caller)?;
    snapshot.finish()?;
    Ok(PullPage { operations, has_more, head_seq })
}

/// The highest sequence the caller may see. For a link worker this is the larger of the
/// newest practice-wide operation and the newest operation of each person assigned to them,
/// each one index lookup on `operations_by_person`, so it costs O(people carried × log n).
fn head_seq_blocking(conn: &Connection, caller: Caller) -> Result<u64, ServerError> {
    let head: Option<i64> = match caller.role {
        Role::Supervisor => conn
            .prepare_cached("SELECT MAX(seq) FROM operations WHERE practice_id = ?1")?
            .query_row([caller.practice_id.0], |row| row.get(0))?,
        Role::LinkWorker => conn
            .prepare_cached(
                "SELECT MAX(head) FROM ( \
                 SELECT (SELECT MAX(seq) FROM operations \
                         WHERE practice_id = ?1 AND person_id IS NULL) AS head \
                 UNION ALL \
                 SELECT (SELECT MAX(o.seq) FROM operations o \
                         WHERE o.practice_id = ?1 AND o.person_id = a.person_id \
                           AND o.kind <> 'audit') \
                 FROM assignments a WHERE a.practice_id = ?1 AND a.link_worker_id = ?2)",
            )?
            .query_row(params![caller.practice_id.0, caller.user_id.0], |row| row.get(0))?,
        Role::Admin => None,
    };
    head.map_or(Ok(0), to_u64)
}

fn checksum_blocking(
    conn: &Connection,
    caller: Caller,
    upto: u64,
) -> Result<ScopeChecksum, ServerError> {
    let sql = format!(
        "SELECT seq, op_id FROM operations WHERE practice_id = ?1 AND seq <= ?2{} ORDER BY seq",
        scope_filter(caller.role).replace("?4", "?3")
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut builder = ChecksumBuilder::new();
    let mut add = |row: &Row<'_>| -> rusqlite::Result<()> {
        let seq: i64 = row.get(0)?;
        let op_id: Uuid = row.get(1)?;
        builder.add(seq as u64, &op_id);
        Ok(())
    };
    if caller.role == Role::LinkWorker {
        let mut rows =
            statement.query(params![caller.practice_id.0, to_i64(upto)?, caller.user_id.0])?;
        while let Some(row) = rows.next()? {
            add(row)?;
        }
    } else {
        let mut rows = statement.query(params![caller.practice_id.0, to_i64(upto)?])?;
        while let Some(row) = rows.next()? {
            add(row)?;
        }
    }
    Ok(builder.finish(upto))
}

impl Storage for SqliteStorage {
    fn ping(&self) -> StorageFuture<'_, ()> {
        Box::pin(self.read(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        }))
    }

    fn create_practice(&self, name: String) -> StorageFuture<'_, Practice> {
        Box::pin(self.write(move |conn| {
            let id = PracticeId::new_v7();
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO practices (id, name, created_at_ms) VALUES (?1, ?2, ?3)",
                params![id.0, name, now_ms()],
            )?;
            tx.execute(
                "INSERT INTO practice_counters (practice_id, seq) VALUES (?1, 0)",
                params![id.0],
            )?;
            tx.commit()?;
            Ok(Practice { id, name })
        }))
    }

    fn list_practices(&self) -> StorageFuture<'_, Vec<Practice>> {
        Box::pin(self.read(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT id, name FROM practices ORDER BY id")?;
            let rows = statement
                .query_map([], |row| {
                    Ok(Practice { id: PracticeId(row.get(0)?), name: row.get(1)? })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        }))
    }

    fn create_user(&self, user: NewUser) -> StorageFuture<'_, UserInfo> {
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction()?;
            let practice_exists = tx
                .prepare_cached("SELECT 1 FROM practices WHERE id = ?1")?
                .exists([user.practice_id.0])?;
            if !practice_exists {
                return Err(ServerError::NotFound("practice".into()));
            }
            let taken = tx
                .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
                .exists([&user.username])?;
            if taken {
                return Err(ServerError::Conflict("username".into()));
            }
            let id = UserId::new_v7();
            tx.execute(
                "INSERT INTO users (id, practice_id, username, role, password_hash, disabled, \
                 created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)",
                params![
                    id.0,
                    user.practice_id.0,
                    user.username,
                    user.role.as_str(),
                    user.password_hash,
                    now_ms()
                ],
            )?;
            tx.commit()?;
            Ok(UserInfo {
                user_id: id,
                practice_id: user.practice_id,
                username: user.username,
                role: user.role,
                disabled: false,
            })
        }))
    }

    fn user_credentials(&self, username: String) -> StorageFuture<'_, Option<UserCredentials>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {}, password_hash FROM users WHERE username = ?1",
                UserRow::COLUMNS
            );
            let found = conn
                .prepare_cached(&sql)?
                .query_row([&username], |row| {
                    Ok((UserRow::from_row(row)?, row.get::<_, String>(5)?))
                })
                .optional()?;
            found
                .map(|(user, password_hash)| {
                    Ok(UserCredentials { user: user.into_info()?, password_hash })
                })
                .transpose()
        }))
    }

    fn user(&self, user_id: UserId) -> StorageFuture<'_, Option<UserInfo>> {
        Box::pin(self.read(move |conn| {
            let sql = format!("SELECT {} FROM users WHERE id = ?1", UserRow::COLUMNS);
            conn.prepare_cached(&sql)?
                .query_row([user_id.0], UserRow::from_row)
                .optional()?
                .map(UserRow::into_info)
                .transpose()
        }))
    }

    fn list_users(&self, practice_id: Option<PracticeId>) -> StorageFuture<'_, Vec<UserInfo>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {} FROM users WHERE (?1 IS NULL OR practice_id = ?1) ORDER BY username",
                UserRow::COLUMNS
            );
            let rows = conn
                .prepare_cached(&sql)?
                .query_map([practice_id.map(|p| p.0)], UserRow::from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(UserRow::into_info).collect()
        }))
    }

    fn set_user_disabled(&self, user_id: UserId, disabled: bool) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            let changed = conn.execute(
                "UPDATE users SET disabled = ?2 WHERE id = ?1",
                params![user_id.0, disabled],
            )?;
            if changed == 0 {
                return Err(ServerError::NotFound("user".into()));
            }
            Ok(())
        }))
    }

    fn create_device(
        &self,
        user_id: UserId,
        name: String,
        token_hash: TokenHash,
        now_ms: i64,
    ) -> StorageFuture<'_, DeviceInfo> {
        Box::pin(self.write(move |conn| {
            let id = DeviceId::new_v7();
            conn.execute(
                "INSERT INTO devices (id, user_id, name, token_hash, created_at_ms, revoked, \
                 resync_required) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
                params![id.0, user_id.0, name, token_hash.as_slice(), now_ms],
            )?;
            Ok(DeviceInfo { device_id: id, user_id, name, created_at_ms: now_ms, revoked: false })
        }))
    }

    fn device_session(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<DeviceSession>> {
        Box::pin(self.read(move |conn| {
            let found = conn
                .prepare_cached(
                    "SELECT u.id, u.practice_id, u.username, u.role, u.disabled, d.id, \
                     d.revoked, d.resync_required FROM devices d JOIN users u ON u.id = d.user_id \
                     WHERE d.token_hash = ?1",
                )?
                .query_row([token_hash.as_slice()], |row| {
                    Ok((
                        UserRow::from_row(row)?,
                        row.get::<_, Uuid>(5)?,
                        row.get::<_, bool>(6)?,
                        row.get::<_, bool>(7)?,
                    ))
                })
                .optional()?;
            found
                .map(|(user, device, revoked, resync)| {
                    Ok(DeviceSession {
                        user: user.into_info()?,
                        device_id: DeviceId(device),
                        device_revoked: revoked,
                        resync_required: resync,
                    })
                })
                .transpose()
        }))
    }

    fn device(&self, device_id: DeviceId) -> StorageFuture<'_, Option<(DeviceInfo, PracticeId)>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {DEVICE_COLUMNS}, u.practice_id FROM devices d \
                 JOIN users u ON u.id = d.user_id WHERE d.id = ?1"
            );
            Ok(conn
                .prepare_cached(&sql)?
                .query_row([device_id.0], |row| {
                    Ok((device_from_row(row)?, PracticeId(row.get(5)?)))
                })
                .optional()?)
        }))
    }

    fn list_devices(
        &self,
        practice_id: Option<PracticeId>,
        user_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<DeviceInfo>> {
        Box::pin(self.read(move |conn| {
            let sql = format!(
                "SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id \
                 WHERE (?1 IS NULL OR u.practice_id = ?1) AND (?2 IS NULL OR d.user_id = ?2) \
                 ORDER BY d.id"
            );
            Ok(conn
                .prepare_cached(&sql)?
                .query_map(
                    params![practice_id.map(|p| p.0), user_id.map(|u| u.0)],
                    device_from_row,
                )?
                .collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn revoke_device(&self, device_id: DeviceId) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            let changed =
                conn.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [device_id.0])?;
            if changed == 0 {
                return Err(ServerError::NotFound("device".into()));
            }
            Ok(())
        }))
    }

    fn assign_person(
        &self,
        practice_id: PracticeId,
        person_id: PersonId,
        link_worker_id: UserId,
        now_ms: i64,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let previous: Option<Uuid> = tx
                .query_row(
                    "SELECT link_worker_id FROM assignments WHERE practice_id = ?1 AND person_id = ?2",
                    params![practice_id.0, person_id.0],
                    |row| row.get(0),
                )
                .optional()?;
            if previous == Some(link_worker_id.0) {
                return Ok(());
            }
            tx.execute(
                "INSERT INTO assignments (practice_id, person_id, link_worker_id, updated_at_ms) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (practice_id, person_id) DO UPDATE SET \
                 link_worker_id = excluded.link_worker_id, updated_at_ms = excluded.updated_at_ms",
                params![practice_id.0, person_id.0, link_worker_id.0, now_ms],
            )?;
            tx.execute(
                "UPDATE devices SET resync_required = 1 WHERE revoked = 0 AND (user_id = ?1 OR user_id = ?2)",
                params![link_worker_id.0, previous],
            )?;
            tx.commit()?;
            Ok(())
        }))
    }

    fn list_assignments(
        &self,
        practice_id: PracticeId,
        link_worker_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<Assignment>> {
        Box::pin(self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT person_id, link_worker_id FROM assignments WHERE practice_id = ?1 \
                     AND (?2 IS NULL OR link_worker_id = ?2) ORDER BY person_id",
                )?
                .query_map(params![practice_id.0, link_worker_id.map(|u| u.0)], |row| {
                    Ok(Assignment {
                        person_id: PersonId(row.get(0)?),
                        link_worker_id: UserId(row.get(1)?),
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn create_invite(&self, invite: NewInvite) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            let result = conn.execute(
                "INSERT INTO invites (id, practice_id, created_by, code_hash, wrapped_key, \
                 expires_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    invite.invite_id.0,
                    invite.practice_id.0,
                    invite.created_by.0,
                    invite.code_hash.as_slice(),
                    invite.wrapped_key,
                    invite.expires_at_ms
                ],
            );
            match result {
                Ok(_) => Ok(()),
                Err(rusqlite::Error::SqliteFailure(error, _))
                    if error.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    Err(ServerError::Conflict("invite code".into()))
                }
                Err(error) => Err(error.into()),
            }
        }))
    }

    fn redeem_invite(
        &self,
        practice_id: PracticeId,
        code_hash: [u8; 32],
        device_id: DeviceId,
        now_ms: i64,
    ) -> StorageFuture<'_, Option<Vec<u8>>> {
        Box::pin(self.write(move |conn| {
            Ok(conn
                .query_row(
                    "UPDATE invites SET redeemed_at_ms = ?3, redeemed_by_device = ?4 \
                     WHERE practice_id = ?1 AND code_hash = ?2 AND redeemed_at_ms IS NULL \
                     AND expires_at_ms > ?3 RETURNING wrapped_key",
                    params![practice_id.0, code_hash.as_slice(), now_ms, device_id.0],
                    |row| row.get(0),
                )
                .optional()?)
        }))
    }

    fn push(
        &self,
        caller: Caller,
        operations: Arc<Vec<Operation>>,
        now_ms: u64,
        limits: OperationLimits,
    ) -> StorageFuture<'_, PushReport> {
        Box::pin(self.write(move |conn| push_blocking(conn, caller, &operations, now_ms, limits)))
    }

    fn pull(&self, caller: Caller, since: u64, limit: u32) -> StorageFuture<'_, PullPage> {
        Box::pin(self.read(move |conn| pull_blocking(conn, caller, since, limit)))
    }

    fn clear_resync(&self, device_id: DeviceId) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            conn.execute("UPDATE devices SET resync_required = 0 WHERE id = ?1", [device_id.0])?;
            Ok(())
        }))
    }

    fn scope_checksum(&self, caller: Caller, upto: u64) -> StorageFuture<'_, ScopeChecksum> {
        Box::pin(self.read(move |conn| checksum_blocking(conn, caller, upto)))
    }

    fn counts(&self) -> StorageFuture<'_, StoreCounts> {
        Box::pin(self.read(|conn| {
            let count = |table: &str| -> Result<u64, ServerError> {
                // Table names come from the fixed list below, never from input.
                let n: i64 =
                    conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
                to_u64(n)
            };
            Ok(StoreCounts {
                practices: count("practices")?,
                users: count("users")?,
                devices: count("devices")?,
                operations: count("operations")?,
            })
        }))
    }

    fn check(&self) -> StorageFuture<'_, Vec<String>> {
        Box::pin(self.read(|conn| {
            let mut problems = Vec::new();
            let mut statement = conn.prepare("PRAGMA integrity_check")?;
            for line in statement.query_map([], |row| row.get::<_, String>(0))? {
                let line = line?;
                if line != "ok" {
                    problems.push(format!("integrity: {line}"));
                }
            }
            let mut statement = conn.prepare("PRAGMA foreign_key_check")?;
            let broken = statement.query_map([], |row| row.get::<_, String>(0))?.count();
            if broken > 0 {
                problems.push(format!("{broken} rows break a foreign key"));
            }
            let behind: i64 = conn.query_row(
                "SELECT COUNT(*) FROM practice_counters c WHERE c.seq < \
                 (SELECT COALESCE(MAX(seq), 0) FROM operations o WHERE o.practice_id = c.practice_id)",
                [],
                |row| row.get(0),
            )?;
            if behind > 0 {
                problems.push(format!("{behind} practice counters are behind their operations"));
            }
            Ok(problems)
        }))
    }

    fn backup(&self, destination: PathBuf) -> StorageFuture<'_, ()> {
        Box::pin(self.write(move |conn| {
            if destination.exists() {
                return Err(ServerError::Conflict("backup destination exists".into()));
            }
            let target = destination
                .to_str()
                .ok_or_else(|| ServerError::Invalid("backup path is not UTF-8".into()))?
                .to_owned();
            conn.execute("VACUUM INTO ?1", [target])?;
            Ok(())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(byte: u8) -> Vec<u8> {
        vec![byte; 16]
    }

    /// A database at schema 1 (op ids and invite codes unique across the server) with one
    /// practice's operation and invite in it.
    fn database_at_version_one(path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 0);",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute("INSERT INTO practices VALUES (?1, 'A', 0)", [blob(1)]).unwrap();
        conn.execute("INSERT INTO practice_counters VALUES (?1, 1)", [blob(1)]).unwrap();
        conn.execute(
            "INSERT INTO users VALUES (?1, ?2, 'sam', 'supervisor', 'hash', 0, 0)",
            [blob(2), blob(1)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO devices VALUES (?1, ?2, 'laptop', ?3, 0, 0, 0)",
            [blob(3), blob(2), blob(4)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO operations VALUES (?1, 1, ?2, ?3, 1, 'note', ?4, ?5, 1, 0, x'01', 0)",
            [blob(1), blob(5), blob(3), blob(6), blob(7)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO invites VALUES (?1, ?2, ?3, ?4, x'02', 99, NULL, NULL)",
            [blob(8), blob(1), blob(2), blob(9)],
        )
        .unwrap();
    }

    #[tokio::test]
    async fn migration_two_keeps_every_row_and_makes_op_ids_unique_per_practice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.sqlite3");
        database_at_version_one(&path);
        let storage = SqliteStorage::open(path.clone()).await.unwrap();
        assert!(storage.check().await.unwrap().is_empty());
        drop(storage);
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let kept: (Vec<u8>, i64, Vec<u8>) = conn
            .query_row("SELECT op_id, seq, envelope FROM operations", [], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, (blob(5), 1, vec![1]));
        let invite: Vec<u8> =
            conn.query_row("SELECT code_hash FROM invites", [], |row| row.get(0)).unwrap();
        assert_eq!(invite, blob(9));
        let indexed: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'operations_by_person'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 1);
        // Another practice may now hold the same op id and invite code; the same practice may not.
        conn.execute("INSERT INTO practices VALUES (?1, 'B', 0)", [blob(11)]).unwrap();
        conn.execute(
            "INSERT INTO operations VALUES (?1, 1, ?2, ?3, 2, 'note', ?4, ?5, 1, 0, x'01', 0)",
            [blob(11), blob(5), blob(3), blob(6), blob(7)],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO invites VALUES (?1, ?2, ?3, ?4, x'02', 99, NULL, NULL)",
            [blob(12), blob(11), blob(2), blob(9)],
        )
        .unwrap();
        let again = conn.execute(
            "INSERT INTO operations VALUES (?1, 2, ?2, ?3, 3, 'note', ?4, ?5, 1, 0, x'01', 0)",
            [blob(1), blob(5), blob(3), blob(6), blob(7)],
        );
        assert!(again.is_err(), "an op id twice in one practice must be refused");
    }
}
