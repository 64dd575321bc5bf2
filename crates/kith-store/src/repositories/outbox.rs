//! The sync outbox: every change appended in the same transaction as the change itself.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::PersonId;

use crate::{Store, StoreError};

/// One change waiting to be pushed to the practice server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxOperation {
    /// Local sequence number (increasing, never reused).
    pub seq: i64,
    /// UUIDv7 of the operation.
    pub op_id: Uuid,
    /// Record kind (`"person"`, `"note"`, ...).
    pub kind: String,
    /// `create`, `update` or `delete`.
    pub operation: String,
    pub record_id: Uuid,
    pub person_id: Option<PersonId>,
    /// Hybrid logical clock as kith-sync's `encode_hlc` text (sorts in clock order).
    pub hlc: String,
    /// The kith-sync `OperationBody` as JSON: the fields written with their bases, or the
    /// whole body of an insert-only record (sealed into an envelope before it leaves).
    pub payload: String,
}

/// Appends one operation; its `seq` is the device sequence it is pushed with. Returns the
/// new operation's id.
pub(crate) fn append(
    connection: &Connection,
    kind: &str,
    operation: &str,
    record_id: Uuid,
    person_id: Option<Uuid>,
    hlc: &str,
    payload: &str,
) -> Result<Uuid, StoreError> {
    let op_id = Uuid::now_v7();
    connection
        .prepare_cached(
            "INSERT INTO outbox (op_id, kind, operation, record_id, person_id, hlc, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![
            op_id.to_string(),
            kind,
            operation,
            record_id.to_string(),
            person_id.map(|id| id.to_string()),
            hlc,
            payload
        ])?;
    Ok(op_id)
}

impl Store {
    /// Up to `limit` operations waiting to be pushed, oldest first.
    pub fn outbox_waiting(&self, limit: usize) -> Result<Vec<OutboxOperation>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT seq, op_id, kind, operation, record_id, person_id, hlc, payload FROM outbox
             WHERE status = 'pending' ORDER BY seq LIMIT ?1",
        )?;
        let rows = statement.query_map([limit as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
            ))
        })?;
        let mut operations = Vec::new();
        for row in rows {
            let (seq, op_id, kind, operation, record_id, person_id, hlc, payload) = row?;
            let bad = |what: &str| StoreError::Decode(format!("outbox {what}"));
            operations.push(OutboxOperation {
                seq,
                op_id: op_id.parse().map_err(|_| bad("op id"))?,
                kind,
                operation,
                record_id: record_id.parse().map_err(|_| bad("record id"))?,
                person_id: person_id
                    .map(|id| id.parse().map_err(|_| bad("person id")))
                    .transpose()?,
                hlc,
                payload,
            });
        }
        Ok(operations)
    }

    /// Marks every waiting operation up to and including `seq` as accepted by the server.
    pub fn mark_pushed(&self, up_to_seq: i64) -> Result<(), StoreError> {
        self.connection.execute(
            "UPDATE outbox SET pushed_at = ?1, status = 'accepted'
             WHERE seq <= ?2 AND status = 'pending'",
            rusqlite::params![chrono::Utc::now().to_rfc3339(), up_to_seq],
        )?;
        Ok(())
    }
}
