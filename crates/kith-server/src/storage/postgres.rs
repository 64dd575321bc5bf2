//! PostgreSQL storage, for practices and PCNs that outgrow one machine. The server stays
//! stateless, so several can share one database.

use std::collections::HashSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use kith_protocol::{
    Assignment, DeviceId, DeviceInfo, Envelope, Hlc, Operation, OperationId, PersonId, PracticeId,
    RecordId, Role, ScopeChecksum, StoredOperation, UserId, UserInfo,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};
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
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE TABLE practice_counters (
    practice_id UUID PRIMARY KEY REFERENCES practices(id),
    seq BIGINT NOT NULL
);
CREATE TABLE users (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX users_by_practice ON users(practice_id);
CREATE TABLE devices (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash BYTEA NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    resync_required BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX devices_by_user ON devices(user_id);
CREATE TABLE assignments (
    practice_id UUID NOT NULL REFERENCES practices(id),
    person_id UUID NOT NULL,
    link_worker_id UUID NOT NULL REFERENCES users(id),
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (practice_id, person_id)
);
CREATE INDEX assignments_by_worker ON assignments(practice_id, link_worker_id);
CREATE TABLE records (
    practice_id UUID NOT NULL REFERENCES practices(id),
    record_id UUID NOT NULL,
    kind TEXT NOT NULL,
    person_id UUID,
    PRIMARY KEY (practice_id, record_id)
);
CREATE INDEX records_by_person ON records(practice_id, person_id);
CREATE TABLE operations (
    practice_id UUID NOT NULL REFERENCES practices(id),
    seq BIGINT NOT NULL,
    op_id UUID NOT NULL UNIQUE,
    device_id UUID NOT NULL REFERENCES devices(id),
    device_seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    record_id UUID NOT NULL,
    person_id UUID,
    hlc_wall_ms BIGINT NOT NULL,
    hlc_counter BIGINT NOT NULL,
    envelope BYTEA NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (practice_id, seq),
    UNIQUE (device_id, device_seq)
);
CREATE INDEX operations_by_person ON operations(practice_id, person_id, seq);
CREATE TABLE invites (
    id UUID PRIMARY KEY,
    practice_id UUID NOT NULL REFERENCES practices(id),
    created_by UUID NOT NULL REFERENCES users(id),
    code_hash BYTEA NOT NULL UNIQUE,
    wrapped_key BYTEA NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    redeemed_at_ms BIGINT,
    redeemed_by_device UUID
);
"#,
    // 2: op ids and invite code hashes are unique per practice, not across the server, so that a
    // push or an invite never learns what another practice stored.
    r#"
ALTER TABLE operations DROP CONSTRAINT operations_op_id_key;
ALTER TABLE operations ADD CONSTRAINT operations_practice_op_id_key UNIQUE (practice_id, op_id);
ALTER TABLE invites DROP CONSTRAINT invites_code_hash_key;
ALTER TABLE invites ADD CONSTRAINT invites_practice_code_hash_key UNIQUE (practice_id, code_hash);
"#,
];

/// Arbitrary constant for the advisory lock that serialises migrations across servers.
const MIGRATION_LOCK: i64 = 0x6b69_7468;

const OPERATION_COLUMNS: &str = "seq, op_id, device_id, device_seq, kind, record_id, person_id, \
     hlc_wall_ms, hlc_counter, envelope";

/// PostgreSQL-backed [`Storage`].
pub struct PostgresStorage {
    pool: Pool,
}

fn now_ms() -> i64 {
    crate::now_ms() as i64
}

fn user_from_row(row: &Row) -> Result<UserInfo, ServerError> {
    Ok(UserInfo {
        user_id: UserId(row.try_get(0)?),
        practice_id: PracticeId(row.try_get(1)?),
        username: row.try_get(2)?,
        role: parse_role(row.try_get::<_, &str>(3)?)?,
        disabled: row.try_get(4)?,
    })
}

const USER_COLUMNS: &str = "id, practice_id, username, role, disabled";
const DEVICE_COLUMNS: &str = "d.id, d.user_id, d.name, d.created_at_ms, d.revoked";

fn device_from_row(row: &Row) -> Result<DeviceInfo, ServerError> {
    Ok(DeviceInfo {
        device_id: DeviceId(row.try_get(0)?),
        user_id: UserId(row.try_get(1)?),
        name: row.try_get(2)?,
        created_at_ms: row.try_get(3)?,
        revoked: row.try_get(4)?,
    })
}

fn operation_from_row(row: &Row) -> Result<StoredOperation, ServerError> {
    Ok(StoredOperation {
        seq: to_u64(row.try_get(0)?)?,
        operation: Operation {
            op_id: OperationId(row.try_get(1)?),
            device_id: DeviceId(row.try_get(2)?),
            device_seq: to_u64(row.try_get(3)?)?,
            kind: parse_kind(row.try_get::<_, &str>(4)?)?,
            record_id: RecordId(row.try_get(5)?),
            person_id: row.try_get::<_, Option<Uuid>>(6)?.map(PersonId),
            hlc: Hlc {
                wall_ms: to_u64(row.try_get(7)?)?,
                counter: u32::try_from(row.try_get::<_, i64>(8)?)
                    .map_err(|_| ServerError::Corrupt("hlc counter".into()))?,
            },
            envelope: Envelope(row.try_get(9)?),
        },
    })
}

/// The visible-operations filter, appended after `practice_id = $1`; `$4` (or `$3` for the
/// checksum) is the link worker's user id. Link workers never receive the audit trail.
fn scope_filter(role: Role, user_param: &str) -> String {
    match role {
        Role::Supervisor => String::new(),
        Role::LinkWorker => format!(
            " AND kind <> 'audit' AND (person_id IS NULL OR person_id IN \
             (SELECT person_id FROM assignments WHERE practice_id = $1 \
             AND link_worker_id = {user_param}))"
        ),
        Role::Admin => " AND FALSE".to_owned(),
    }
}

impl PostgresStorage {
    /// Connects with a `postgres://` URL and migrates the schema.
    pub async fn connect(url: &str) -> Result<Self, ServerError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|_| ServerError::Invalid("the PostgreSQL URL is not valid".into()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|error| ServerError::Pool(error.to_string()))?;
        let storage = Self { pool };
        storage.migrate().await?;
        Ok(storage)
    }

    async fn migrate(&self) -> Result<(), ServerError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
        )
        .await?;
        let current: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations", &[])
            .await?
            .try_get(0)?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(ServerError::NewerDatabase { found: current, known });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at_ms) VALUES ($1, $2)",
                &[&(index as i64 + 1), &now_ms()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn push_async(
        &self,
        caller: Caller,
        ops: &[Operation],
        now: u64,
        limits: OperationLimits,
    ) -> Result<PushReport, ServerError> {
        let practice = caller.practice_id.0;
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The row lock on the practice counter is held until commit: pushes to one practice
        // commit one after another, in sequence order.
        let counter: i64 = tx
            .query_opt(
                "SELECT seq FROM practice_counters WHERE practice_id = $1 FOR UPDATE",
                &[&practice],
            )
            .await?
            .ok_or_else(|| ServerError::NotFound("practice".into()))?
            .try_get(0)?;

        let device_seqs: Vec<i64> =
            ops.iter().filter_map(|op| i64::try_from(op.device_seq).ok()).collect();
        let op_ids: Vec<Uuid> = ops.iter().map(|op| op.op_id.0).collect();
        let record_ids: Vec<Uuid> = ops.iter().map(|op| op.record_id.0).collect();
        let people: Vec<Uuid> = ops
            .iter()
            .filter_map(|op| op.person_id.map(|p| p.0))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();

        let mut facts = PushFacts::default();
        let statement = tx
            .prepare_cached(
                "SELECT device_seq, op_id, seq FROM operations \
                 WHERE device_id = $1 AND device_seq = ANY($2)",
            )
            .await?;
        for row in tx.query(&statement, &[&caller.device_id.0, &device_seqs]).await? {
            facts.stored_by_device_seq.insert(
                to_u64(row.try_get(0)?)?,
                (OperationId(row.try_get(1)?), to_u64(row.try_get(2)?)?),
            );
        }
        let statement = tx
            .prepare_cached(
                "SELECT op_id FROM operations WHERE practice_id = $1 AND op_id = ANY($2)",
            )
            .await?;
        for row in tx.query(&statement, &[&practice, &op_ids]).await? {
            facts.stored_op_ids.insert(OperationId(row.try_get(0)?));
        }
        let statement = tx
            .prepare_cached(
                "SELECT record_id, kind, person_id FROM records \
                 WHERE practice_id = $1 AND record_id = ANY($2)",
            )
            .await?;
        for row in tx.query(&statement, &[&practice, &record_ids]).await? {
            facts.records.insert(
                RecordId(row.try_get(0)?),
                (
                    parse_kind(row.try_get::<_, &str>(1)?)?,
                    row.try_get::<_, Option<Uuid>>(2)?.map(PersonId),
                ),
            );
        }
        let statement = tx
            .prepare_cached(
                "SELECT person_id, link_worker_id FROM assignments \
                 WHERE practice_id = $1 AND person_id = ANY($2)",
            )
            .await?;
        for row in tx.query(&statement, &[&practice, &people]).await? {
            facts.assignees.insert(PersonId(row.try_get(0)?), UserId(row.try_get(1)?));
        }
        let statement = tx
            .prepare_cached(
                "SELECT DISTINCT person_id FROM records \
                 WHERE practice_id = $1 AND person_id = ANY($2)",
            )
            .await?;
        for row in tx.query(&statement, &[&practice, &people]).await? {
            facts.known_people.insert(PersonId(row.try_get(0)?));
        }

        let plan = plan_push(&caller, ops, facts, to_u64(counter)?, now, limits);
        let received = now_ms();

        if !plan.inserts.is_empty() {
            let mut seqs = Vec::with_capacity(plan.inserts.len());
            let mut ids = Vec::with_capacity(plan.inserts.len());
            let mut devices = Vec::with_capacity(plan.inserts.len());
            let mut device_seqs = Vec::with_capacity(plan.inserts.len());
            let mut kinds = Vec::with_capacity(plan.inserts.len());
            let mut records = Vec::with_capacity(plan.inserts.len());
            let mut persons = Vec::with_capacity(plan.inserts.len());
            let mut walls = Vec::with_capacity(plan.inserts.len());
            let mut counters = Vec::with_capacity(plan.inserts.len());
            let mut envelopes: Vec<&[u8]> = Vec::with_capacity(plan.inserts.len());
            for (seq, index) in &plan.inserts {
                let op = &ops[*index];
                seqs.push(to_i64(*seq)?);
                ids.push(op.op_id.0);
                devices.push(op.device_id.0);
                device_seqs.push(to_i64(op.device_seq)?);
                kinds.push(op.kind.as_str());
                records.push(op.record_id.0);
                persons.push(op.person_id.map(|p| p.0));
                walls.push(to_i64(op.hlc.wall_ms)?);
                counters.push(i64::from(op.hlc.counter));
                envelopes.push(op.envelope.0.as_slice());
            }
            let statement = tx
                .prepare_cached(
                    "INSERT INTO operations (practice_id, seq, op_id, device_id, device_seq, \
                     kind, record_id, person_id, hlc_wall_ms, hlc_counter, envelope, \
                     received_at_ms) \
                     SELECT $1::uuid, u.seq, u.op_id, u.device_id, u.device_seq, u.kind, \
                     u.record_id, u.person_id, u.wall, u.counter, u.envelope, $12::bigint \
                     FROM UNNEST($2::bigint[], $3::uuid[], $4::uuid[], $5::bigint[], \
                     $6::text[], $7::uuid[], $8::uuid[], $9::bigint[], $10::bigint[], \
                     $11::bytea[]) AS u(seq, op_id, device_id, device_seq, kind, record_id, \
                     person_id, wall, counter, envelope)",
                )
                .await?;
            let params: [&(dyn ToSql + Sync); 12] = [
                &practice,
                &seqs,
                &ids,
                &devices,
                &device_seqs,
                &kinds,
                &records,
                &persons,
                &walls,
                &counters,
                &envelopes,
                &received,
            ];
            tx.execute(&statement, &params).await?;
        }
        if !plan.new_records.is_empty() {
            let ids: Vec<Uuid> = plan.new_records.iter().map(|(id, _, _)| id.0).collect();
            let kinds: Vec<&str> = plan.new_records.iter().map(|(_, k, _)| k.as_str()).collect();
            let persons: Vec<Option<Uuid>> =
                plan.new_records.iter().map(|(_, _, p)| p.map(|p| p.0)).collect();
            let statement = tx
                .prepare_cached(
                    "INSERT INTO records (practice_id, record_id, kind, person_id) \
                     SELECT $1::uuid, u.record_id, u.kind, u.person_id \
                     FROM UNNEST($2::uuid[], $3::text[], $4::uuid[]) AS u(record_id, kind, person_id)",
                )
                .await?;
            tx.execute(&statement, &[&practice, &ids, &kinds, &persons]).await?;
        }
        if !plan.new_assignments.is_empty() {
            let persons: Vec<Uuid> = plan.new_assignments.iter().map(|p| p.0).collect();
            let statement = tx
                .prepare_cached(
                    "INSERT INTO assignments (practice_id, person_id, link_worker_id, updated_at_ms) \
                     SELECT $1::uuid, u.person_id, $3::uuid, $4::bigint \
                     FROM UNNEST($2::uuid[]) AS u(person_id)",
                )
                .await?;
            tx.execute(&statement, &[&practice, &persons, &caller.user_id.0, &received]).await?;
        }
        if plan.last_seq != to_u64(counter)? {
            tx.execute(
                "UPDATE practice_counters SET seq = $2 WHERE practice_id = $1",
                &[&practice, &to_i64(plan.last_seq)?],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(PushReport { newly_stored: plan.inserts.len() as u64, outcomes: plan.outcomes })
    }
}

impl Storage for PostgresStorage {
    fn ping(&self) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client.query_one("SELECT 1", &[]).await?;
            Ok(())
        })
    }

    fn create_practice(&self, name: String) -> StorageFuture<'_, Practice> {
        Box::pin(async move {
            let id = PracticeId::new_v7();
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            tx.execute(
                "INSERT INTO practices (id, name, created_at_ms) VALUES ($1, $2, $3)",
                &[&id.0, &name, &now_ms()],
            )
            .await?;
            tx.execute("INSERT INTO practice_counters (practice_id, seq) VALUES ($1, 0)", &[&id.0])
                .await?;
            tx.commit().await?;
            Ok(Practice { id, name })
        })
    }

    fn list_practices(&self) -> StorageFuture<'_, Vec<Practice>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query("SELECT id, name FROM practices ORDER BY id", &[])
                .await?
                .iter()
                .map(|row| Ok(Practice { id: PracticeId(row.try_get(0)?), name: row.try_get(1)? }))
                .collect()
        })
    }

    fn create_user(&self, user: NewUser) -> StorageFuture<'_, UserInfo> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            if tx
                .query_opt("SELECT 1 FROM practices WHERE id = $1", &[&user.practice_id.0])
                .await?
                .is_none()
            {
                return Err(ServerError::NotFound("practice".into()));
            }
            let id = UserId::new_v7();
            let inserted = tx
                .execute(
                    "INSERT INTO users (id, practice_id, username, role, password_hash, disabled, \
                     created_at_ms) VALUES ($1, $2, $3, $4, $5, FALSE, $6) \
                     ON CONFLICT (username) DO NOTHING",
                    &[
                        &id.0,
                        &user.practice_id.0,
                        &user.username,
                        &user.role.as_str(),
                        &user.password_hash,
                        &now_ms(),
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(ServerError::Conflict("username".into()));
            }
            tx.commit().await?;
            Ok(UserInfo {
                user_id: id,
                practice_id: user.practice_id,
                username: user.username,
                role: user.role,
                disabled: false,
            })
        })
    }

    fn user_credentials(&self, username: String) -> StorageFuture<'_, Option<UserCredentials>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql =
                format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
            let statement = client.prepare_cached(&sql).await?;
            client
                .query_opt(&statement, &[&username])
                .await?
                .map(|row| {
                    Ok(UserCredentials {
                        user: user_from_row(&row)?,
                        password_hash: row.try_get(5)?,
                    })
                })
                .transpose()
        })
    }

    fn user(&self, user_id: UserId) -> StorageFuture<'_, Option<UserInfo>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            client.query_opt(&sql, &[&user_id.0]).await?.map(|row| user_from_row(&row)).transpose()
        })
    }

    fn list_users(&self, practice_id: Option<PracticeId>) -> StorageFuture<'_, Vec<UserInfo>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM users WHERE ($1::uuid IS NULL OR practice_id = $1) \
                 ORDER BY username"
            );
            client
                .query(&sql, &[&practice_id.map(|p| p.0)])
                .await?
                .iter()
                .map(user_from_row)
                .collect()
        })
    }

    fn set_user_disabled(&self, user_id: UserId, disabled: bool) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let changed = client
                .execute("UPDATE users SET disabled = $2 WHERE id = $1", &[&user_id.0, &disabled])
                .await?;
            if changed == 0 {
                return Err(ServerError::NotFound("user".into()));
            }
            Ok(())
        })
    }

    fn create_device(
        &self,
        user_id: UserId,
        name: String,
        token_hash: TokenHash,
        now_ms: i64,
    ) -> StorageFuture<'_, DeviceInfo> {
        Box::pin(async move {
            let id = DeviceId::new_v7();
            let client = self.pool.get().await?;
            client
                .execute(
                    "INSERT INTO devices (id, user_id, name, token_hash, created_at_ms, revoked, \
                     resync_required) VALUES ($1, $2, $3, $4, $5, FALSE, FALSE)",
                    &[&id.0, &user_id.0, &name, &token_hash.as_slice(), &now_ms],
                )
                .await?;
            Ok(DeviceInfo { device_id: id, user_id, name, created_at_ms: now_ms, revoked: false })
        })
    }

    fn device_session(&self, token_hash: TokenHash) -> StorageFuture<'_, Option<DeviceSession>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let statement = client
                .prepare_cached(
                    "SELECT u.id, u.practice_id, u.username, u.role, u.disabled, d.id, \
                     d.revoked, d.resync_required FROM devices d JOIN users u ON u.id = d.user_id \
                     WHERE d.token_hash = $1",
                )
                .await?;
            client
                .query_opt(&statement, &[&token_hash.as_slice()])
                .await?
                .map(|row| {
                    Ok(DeviceSession {
                        user: user_from_row(&row)?,
                        device_id: DeviceId(row.try_get(5)?),
                        device_revoked: row.try_get(6)?,
                        resync_required: row.try_get(7)?,
                    })
                })
                .transpose()
        })
    }

    fn device(&self, device_id: DeviceId) -> StorageFuture<'_, Option<(DeviceInfo, PracticeId)>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {DEVICE_COLUMNS}, u.practice_id FROM devices d \
                 JOIN users u ON u.id = d.user_id WHERE d.id = $1"
            );
            client
                .query_opt(&sql, &[&device_id.0])
                .await?
                .map(|row| Ok((device_from_row(&row)?, PracticeId(row.try_get(5)?))))
                .transpose()
        })
    }

    fn list_devices(
        &self,
        practice_id: Option<PracticeId>,
        user_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<DeviceInfo>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT {DEVICE_COLUMNS} FROM devices d JOIN users u ON u.id = d.user_id \
                 WHERE ($1::uuid IS NULL OR u.practice_id = $1) \
                 AND ($2::uuid IS NULL OR d.user_id = $2) ORDER BY d.id"
            );
            client
                .query(&sql, &[&practice_id.map(|p| p.0), &user_id.map(|u| u.0)])
                .await?
                .iter()
                .map(device_from_row)
                .collect()
        })
    }

    fn revoke_device(&self, device_id: DeviceId) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let changed = client
                .execute("UPDATE devices SET revoked = TRUE WHERE id = $1", &[&device_id.0])
                .await?;
            if changed == 0 {
                return Err(ServerError::NotFound("device".into()));
            }
            Ok(())
        })
    }

    fn assign_person(
        &self,
        practice_id: PracticeId,
        person_id: PersonId,
        link_worker_id: UserId,
        now_ms: i64,
    ) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            // Take the practice counter lock so an assignment never interleaves with a push
            // deciding scope for the same practice.
            tx.execute(
                "SELECT seq FROM practice_counters WHERE practice_id = $1 FOR UPDATE",
                &[&practice_id.0],
            )
            .await?;
            let previous: Option<Uuid> = tx
                .query_opt(
                    "SELECT link_worker_id FROM assignments WHERE practice_id = $1 AND person_id = $2",
                    &[&practice_id.0, &person_id.0],
                )
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
            if previous == Some(link_worker_id.0) {
                return Ok(());
            }
            tx.execute(
                "INSERT INTO assignments (practice_id, person_id, link_worker_id, updated_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (practice_id, person_id) DO UPDATE SET \
                 link_worker_id = EXCLUDED.link_worker_id, updated_at_ms = EXCLUDED.updated_at_ms",
                &[&practice_id.0, &person_id.0, &link_worker_id.0, &now_ms],
            )
            .await?;
            tx.execute(
                "UPDATE devices SET resync_required = TRUE WHERE revoked = FALSE \
                 AND (user_id = $1 OR user_id = $2)",
                &[&link_worker_id.0, &previous],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn list_assignments(
        &self,
        practice_id: PracticeId,
        link_worker_id: Option<UserId>,
    ) -> StorageFuture<'_, Vec<Assignment>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query(
                    "SELECT person_id, link_worker_id FROM assignments WHERE practice_id = $1 \
                     AND ($2::uuid IS NULL OR link_worker_id = $2) ORDER BY person_id",
                    &[&practice_id.0, &link_worker_id.map(|u| u.0)],
                )
                .await?
                .iter()
                .map(|row| {
                    Ok(Assignment {
                        person_id: PersonId(row.try_get(0)?),
                        link_worker_id: UserId(row.try_get(1)?),
                    })
                })
                .collect()
        })
    }

    fn create_invite(&self, invite: NewInvite) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let inserted = client
                .execute(
                    "INSERT INTO invites (id, practice_id, created_by, code_hash, wrapped_key, \
                     expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                    &[
                        &invite.invite_id.0,
                        &invite.practice_id.0,
                        &invite.created_by.0,
                        &invite.code_hash.as_slice(),
                        &invite.wrapped_key,
                        &invite.expires_at_ms,
                    ],
                )
                .await?;
            if inserted == 0 {
                return Err(ServerError::Conflict("invite code".into()));
            }
            Ok(())
        })
    }

    fn redeem_invite(
        &self,
        practice_id: PracticeId,
        code_hash: [u8; 32],
        device_id: DeviceId,
        now_ms: i64,
    ) -> StorageFuture<'_, Option<Vec<u8>>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .query_opt(
                    "UPDATE invites SET redeemed_at_ms = $3, redeemed_by_device = $4 \
                     WHERE practice_id = $1 AND code_hash = $2 AND redeemed_at_ms IS NULL \
                     AND expires_at_ms > $3 RETURNING wrapped_key",
                    &[&practice_id.0, &code_hash.as_slice(), &now_ms, &device_id.0],
                )
                .await?
                .map(|row| Ok(row.try_get(0)?))
                .transpose()
        })
    }

    fn push(
        &self,
        caller: Caller,
        operations: Arc<Vec<Operation>>,
        now_ms: u64,
        limits: OperationLimits,
    ) -> StorageFuture<'_, PushReport> {
        Box::pin(async move { self.push_async(caller, &operations, now_ms, limits).await })
    }

    fn pull(&self, caller: Caller, since: u64, limit: u32) -> StorageFuture<'_, PullPage> {
        Box::pin(async move {
            let mut client = self.pool.get().await?;
            // One snapshot for the page and the head, so they agree.
            let tx = client
                .build_transaction()
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let sql = format!(
                "SELECT {OPERATION_COLUMNS} FROM operations WHERE practice_id = $1 AND seq > $2{} \
                 ORDER BY seq LIMIT $3",
                scope_filter(caller.role, "$4")
            );
            let statement = tx.prepare_cached(&sql).await?;
            let fetch = i64::from(limit) + 1;
            let since = to_i64(since)?;
            let rows = if caller.role == Role::LinkWorker {
                tx.query(&statement, &[&caller.practice_id.0, &since, &fetch, &caller.user_id.0])
                    .await?
            } else {
                tx.query(&statement, &[&caller.practice_id.0, &since, &fetch]).await?
            };
            let has_more = rows.len() > limit as usize;
            let operations = rows
                .iter()
                .take(limit as usize)
                .map(operation_from_row)
                .collect::<Result<Vec<_>, _>>()?;
            // The highest visible sequence. For a link worker: the newest practice-wide
            // operation and the newest of each person they carry, each one lookup on
            // `operations_by_person`, so O(people carried × log n).
            let head: Option<i64> = match caller.role {
                Role::Supervisor => {
                    let statement = tx
                        .prepare_cached("SELECT MAX(seq) FROM operations WHERE practice_id = $1")
                        .await?;
                    tx.query_one(&statement, &[&caller.practice_id.0]).await?.try_get(0)?
                }
                Role::LinkWorker => {
                    let statement = tx
                        .prepare_cached(
                            "SELECT MAX(head) FROM ( \
                             SELECT (SELECT MAX(seq) FROM operations \
                                     WHERE practice_id = $1 AND person_id IS NULL) AS head \
                             UNION ALL \
                             SELECT (SELECT MAX(o.seq) FROM operations o \
                                     WHERE o.practice_id = $1 AND o.person_id = a.person_id \
                                       AND o.kind <> 'audit') \
                             FROM assignments a \
                             WHERE a.practice_id = $1 AND a.link_worker_id = $2) AS heads",
                        )
                        .await?;
                    tx.query_one(&statement, &[&caller.practice_id.0, &caller.user_id.0])
                        .await?
                        .try_get(0)?
                }
                Role::Admin => None,
            };
            tx.commit().await?;
            Ok(PullPage { operations, has_more, head_seq: head.map_or(Ok(0), to_u64)? })
        })
    }

    fn clear_resync(&self, device_id: DeviceId) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            client
                .execute(
                    "UPDATE devices SET resync_required = FALSE WHERE id = $1",
                    &[&device_id.0],
                )
                .await?;
            Ok(())
        })
    }

    fn scope_checksum(&self, caller: Caller, upto: u64) -> StorageFuture<'_, ScopeChecksum> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let sql = format!(
                "SELECT seq, op_id FROM operations WHERE practice_id = $1 AND seq <= $2{} \
                 ORDER BY seq",
                scope_filter(caller.role, "$3")
            );
            let upto_i = to_i64(upto)?;
            let rows = if caller.role == Role::LinkWorker {
                client.query(&sql, &[&caller.practice_id.0, &upto_i, &caller.user_id.0]).await?
            } else {
                client.query(&sql, &[&caller.practice_id.0, &upto_i]).await?
            };
            let mut builder = ChecksumBuilder::new();
            for row in &rows {
                let seq: i64 = row.try_get(0)?;
                let op_id: Uuid = row.try_get(1)?;
                builder.add(to_u64(seq)?, &op_id);
            }
            Ok(builder.finish(upto))
        })
    }

    fn counts(&self) -> StorageFuture<'_, StoreCounts> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let row = client
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM practices), (SELECT COUNT(*) FROM users), \
                     (SELECT COUNT(*) FROM devices), (SELECT COUNT(*) FROM operations)",
                    &[],
                )
                .await?;
            Ok(StoreCounts {
                practices: to_u64(row.try_get(0)?)?,
                users: to_u64(row.try_get(1)?)?,
                devices: to_u64(row.try_get(2)?)?,
                operations: to_u64(row.try_get(3)?)?,
            })
        })
    }

    fn check(&self) -> StorageFuture<'_, Vec<String>> {
        Box::pin(async move {
            let client = self.pool.get().await?;
            let behind: i64 = client
                .query_one(
                    "SELECT COUNT(*) FROM practice_counters c WHERE c.seq < \
                     (SELECT COALESCE(MAX(seq), 0) FROM operations o WHERE o.practice_id = c.practice_id)",
                    &[],
                )
                .await?
                .try_get(0)?;
            let mut problems = Vec::new();
            if behind > 0 {
                problems.push(format!("{behind} practice counters are behind their operations"));
            }
            Ok(problems)
        })
    }

    fn backup(&self, _destination: PathBuf) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            Err(ServerError::Invalid(
                "back up a PostgreSQL database with pg_dump (the server holds no other state)"
                    .into(),
            ))
        })
    }
}
