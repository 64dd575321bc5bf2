//! The audit log: who read or changed which person's record, when, how, and on which device.
//! Append-only. Each device writes its own rows in `audit_log`; before each push it publishes
//! the rows written since the last push as one [`AuditBatch`] per person (an insert-only
//! record, wire kind `audit`, which the server serves to supervisors only), so the whole
//! trail reaches every supervisor's laptop and survives a lost one. A row is shown once:
//! from `audit_log` until it is published, from its batch after.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::{PersonId, UserId};
use kith_protocol::RecordKind;

use crate::records::{self, StoredRecord};
use crate::store::Change;
use crate::{sync, Store, StoreError};

/// What a user did to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    Create,
    Update,
    Delete,
}

impl AuditAction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AuditAction::Read => "read",
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "read" => AuditAction::Read,
            "create" => AuditAction::Create,
            "update" => AuditAction::Update,
            "delete" => AuditAction::Delete,
            _ => return None,
        })
    }
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub user_id: UserId,
    pub person_id: Option<PersonId>,
    pub action: AuditAction,
    pub record_kind: String,
    pub record_id: Uuid,
    /// The device it happened on (`None` for this laptop before it joined a practice).
    pub device_id: Option<Uuid>,
    /// The batch it was published in, once this device published it or it came from another.
    pub batch_id: Option<Uuid>,
}

/// An audit row as it travels in a batch (the batch names the person and the device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchedAuditEntry {
    pub at: String,
    pub user_id: UserId,
    pub action: AuditAction,
    pub record_kind: String,
    pub record_id: Uuid,
}

/// One device's audit rows about one person, published together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBatch {
    pub id: Uuid,
    pub person_id: PersonId,
    pub device_id: Uuid,
    pub entries: Vec<BatchedAuditEntry>,
}

impl StoredRecord for AuditBatch {
    const KIND: &'static str = "audit_batch";
    const TABLE: &'static str = "audit_batches";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::Audit;
    fn record_id(&self) -> Uuid {
        self.id
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("device_id", Value::Text(self.device_id.to_string()))]
    }
}

/// The most rows one batch carries.
const BATCH_LIMIT: usize = 1_000;

/// The `settings` row holding the id of the last `audit_log` row published.
const PUBLISHED_SETTING: &str = "audit_published_upto";

pub(crate) fn append(
    connection: &Connection,
    at: &str,
    user: UserId,
    person_id: Option<PersonId>,
    action: AuditAction,
    record_kind: &str,
    record_id: Uuid,
) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO audit_log (at, user_id, person_id, action, record_kind, record_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![
            at,
            user.to_string(),
            person_id.map(|id| id.to_string()),
            action.as_str(),
            record_kind,
            record_id.to_string()
        ])?;
    Ok(())
}

fn published_upto(connection: &Connection) -> Result<i64, StoreError> {
    let text: Option<String> = connection
        .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
        .query_row([PUBLISHED_SETTING], |row| row.get(0))
        .optional()?;
    text.map_or(Ok(0), |text| {
        text.parse().map_err(|_| StoreError::Decode("audit publication mark".into()))
    })
}

/// Publishes the rows after the mark (see [`Store::publish_audit_trail`]).
fn publish(change: &Change<'_>) -> Result<usize, StoreError> {
    let connection: &Connection = &change.transaction;
    let upto = published_upto(connection)?;
    let newest: Option<i64> = connection
        .prepare_cached("SELECT max(id) FROM audit_log")?
        .query_row([], |row| row.get(0))?;
    let Some(newest) = newest.filter(|newest| *newest > upto) else { return Ok(0) };
    let rows: Vec<(String, String, String, String, String, String)> = {
        let mut statement = connection.prepare_cached(
            "SELECT a.person_id, a.at, a.user_id, a.action, a.record_kind, a.record_id
             FROM audit_log a JOIN people p ON p.id = a.person_id
             WHERE a.id > ?1 AND a.id <= ?2 ORDER BY a.person_id, a.id",
        )?;
        let rows = statement.query_map([upto, newest], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    let device = sync::stamping_device(connection)?.0;
    let bad = |what: &str| StoreError::Decode(format!("audit log {what}"));
    let mut batches: Vec<AuditBatch> = Vec::new();
    for (person, at, user_id, action, record_kind, record_id) in rows {
        let person_id: PersonId = person.parse().map_err(|_| bad("person id"))?;
        let entry = BatchedAuditEntry {
            at,
            user_id: user_id.parse().map_err(|_| bad("user id"))?,
            action: AuditAction::parse(&action).ok_or_else(|| bad("action"))?,
            record_kind,
            record_id: record_id.parse().map_err(|_| bad("record id"))?,
        };
        match batches.last_mut() {
            Some(batch) if batch.person_id == person_id && batch.entries.len() < BATCH_LIMIT => {
                batch.entries.push(entry);
            }
            _ => batches.push(AuditBatch {
                id: Uuid::now_v7(),
                person_id,
                device_id: device,
                entries: vec![entry],
            }),
        }
    }
    for batch in &batches {
        change.insert_unaudited(batch)?;
    }
    connection
        .prepare_cached(
            "INSERT INTO settings(name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        )?
        .execute([PUBLISHED_SETTING, &newest.to_string()])?;
    Ok(batches.len())
}

impl Store {
    /// Publishes this device's audit rows written since the last publication: one batch per
    /// person still held here (at most [`BATCH_LIMIT`] rows each), written to the outbox in
    /// one transaction with the new publication mark. Rows about people no longer held here
    /// stay in this device's log only (the server would refuse them). Returns the number of
    /// batches.
    pub fn publish_audit_trail(&self) -> Result<usize, StoreError> {
        self.write_unattributed(publish)
    }

    /// Everything recorded in the audit log about one person on any device whose trail
    /// reached this one, oldest first: this device's rows not yet published, and every batch.
    pub fn audit_log_for(&self, person_id: PersonId) -> Result<Vec<AuditEntry>, StoreError> {
        let device = sync::enrolled_device(&self.connection)?.map(|device| device.0);
        let mut entries = self.unpublished_audit_rows(person_id, device)?;
        let batches: Vec<AuditBatch> = records::decode_rows(
            &self.connection,
            "SELECT data FROM audit_batches WHERE person_id = ?1",
            [person_id.to_string()],
        )?;
        for batch in batches {
            entries.extend(batch.entries.into_iter().map(|entry| AuditEntry {
                at: entry.at,
                user_id: entry.user_id,
                person_id: Some(batch.person_id),
                action: entry.action,
                record_kind: entry.record_kind,
                record_id: entry.record_id,
                device_id: Some(batch.device_id),
                batch_id: Some(batch.id),
            }));
        }
        entries.sort_by(|a, b| a.at.cmp(&b.at));
        Ok(entries)
    }

    fn unpublished_audit_rows(
        &self,
        person_id: PersonId,
        device: Option<Uuid>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let upto = published_upto(&self.connection)?;
        let mut statement = self.connection.prepare_cached(
            "SELECT at, user_id, person_id, action, record_kind, record_id FROM audit_log
             WHERE person_id = ?1 AND id > ?2 ORDER BY id",
        )?;
        let rows = statement.query_map(rusqlite::params![person_id.to_string(), upto], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (at, user_id, person_id, action, record_kind, record_id) = row?;
            let bad = |what: &str| StoreError::Decode(format!("audit log {what}"));
            entries.push(AuditEntry {
                at,
                user_id: user_id.parse().map_err(|_| bad("user id"))?,
                person_id: person_id
                    .map(|id| id.parse().map_err(|_| bad("person id")))
                    .transpose()?,
                action: AuditAction::parse(&action).ok_or_else(|| bad("action"))?,
                record_kind,
                record_id: record_id.parse().map_err(|_| bad("record id"))?,
                device_id: device,
                batch_id: None,
            });
        }
        Ok(entries)
    }
}
