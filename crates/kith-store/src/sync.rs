//! The store as a kith-sync replica: all the SQL of sync. Local writes become operations with
//! per-field bases and clock stamps; pulled pages merge per field into each record's
//! `RecordState` and rewrite the record's row; the cursor, the clock, refusals, conflicts,
//! unreadable operations and scope purges live here too.
//!
//! # How records are kept
//! - An editable record's fields are the top-level keys of its JSON. Its merge state
//!   (`RecordState`, every field's winner, open losers and superseded stamps) is in
//!   `sync_records.state`; the record's own row (`data` + query columns, FTS) is a projection
//!   of the merged values, rewritten after every merge. A tombstone is the field
//!   [`DELETED_FIELD`]; the field [`STORE_KIND_FIELD`] (written once, at creation) names the
//!   store table, because several store kinds share a wire kind (`Contact`, `Plan`).
//! - Which kinds exist, their tables and wire kinds come from the [`registry`]: nothing here
//!   lists them.
//! - Insert-only kinds (notes, measures, supervisors' comments, marks and sign-offs, history
//!   steps, audit batches) are `Insert` bodies, applied by operation id (`sync_inserts`): the
//!   same operation twice is a no-op, and a second body for an existing record id is kept
//!   aside (`duplicate`), never written over the first. Where store kinds share a wire kind
//!   the body names its store kind ([`STORE_KIND_FIELD`]).
//! - Consent records are append-only in the store but `Fields` on the wire (kith-sync treats
//!   only notes, measures and comments as insert-only); they are written once and never
//!   edited, so their merge is trivial, and the row is only ever inserted.
//! - A merged record that cannot be written yet (its person or plan has not arrived, or its
//!   fields do not make a whole record) is kept with `projected = 0` and retried after every
//!   page.
//! - A pulled record's row is dated by the clock of the write that made or last changed it,
//!   not by when it arrived, so times that compare across devices (a review mark against the
//!   record it covers) compare the same everywhere.
//! - Remote changes are not written to the audit log (it records what this device's user read
//!   and changed); other devices' audit trails arrive as audit batches (supervisors only).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{SecondsFormat, Utc};
use kith_protocol::{
    DeviceId, OperationId, PersonId as WirePersonId, PushOutcome, PushResult, RecordId, RecordKind,
    RefusalReason, ScopeResponse,
};
use kith_sync::hlc::{decode_hlc, encode_hlc};
use kith_sync::merge::{FieldState, DELETED_FIELD};
use kith_sync::{
    Clock, FieldChange, FieldConflict, FieldValue, OperationBody, PlainOperation, PulledPage,
    RecordState, Replica, Stamp, SyncError,
};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::records::{self, Projected, StoredRecord};
use crate::registry;
use crate::repositories::outbox;
use crate::{Store, StoreError};

/// The field that names the store kind (table) of an editable record, written at creation.
pub const STORE_KIND_FIELD: &str = "_kind";

const DEVICE_SETTING: &str = "sync_device_id";
const PROVISIONAL_DEVICE_SETTING: &str = "sync_provisional_device_id";
const CLOCK_SETTING: &str = "sync_clock";
const CURSOR_SETTING: &str = "sync_cursor";

/// The wire kind of a store kind (`StoredRecord::KIND`), from the registry; device owner
/// records, which have no table, travel as practice settings.
pub fn wire_kind(store_kind: &str) -> Option<RecordKind> {
    if store_kind == crate::sync_conflicts::DEVICE_OWNER_KIND {
        return Some(RecordKind::PracticeSetting);
    }
    registry::by_store_kind(store_kind).map(|entry| entry.wire)
}

fn unknown_kind(store_kind: &str) -> StoreError {
    StoreError::Sync(format!("the record kind {store_kind} has no sync kind"))
}

// ---------------------------------------------------------------------------------------
// Settings: device, clock, cursor.

fn setting(connection: &Connection, name: &str) -> Result<Option<String>, StoreError> {
    Ok(connection
        .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?)
}

fn set_setting(connection: &Connection, name: &str, value: &str) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO settings(name, value) VALUES (?1, ?2)
             ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        )?
        .execute([name, value])?;
    Ok(())
}

fn parse_device(text: &str) -> Result<DeviceId, StoreError> {
    text.parse::<Uuid>()
        .map(DeviceId)
        .map_err(|_| StoreError::Decode("stored sync device id".into()))
}

/// The device id the practice server gave this store, if it has joined one.
pub(crate) fn enrolled_device(connection: &Connection) -> Result<Option<DeviceId>, StoreError> {
    setting(connection, DEVICE_SETTING)?.as_deref().map(parse_device).transpose()
}

/// The device that stamps local writes: the enrolled one, or (before joining a practice) a
/// provisional id that [`Store::enrol_sync_device`] replaces everywhere.
pub(crate) fn stamping_device(connection: &Connection) -> Result<DeviceId, StoreError> {
    if let Some(device) = enrolled_device(connection)? {
        return Ok(device);
    }
    if let Some(text) = setting(connection, PROVISIONAL_DEVICE_SETTING)? {
        return parse_device(&text);
    }
    let device = DeviceId::new_v7();
    set_setting(connection, PROVISIONAL_DEVICE_SETTING, &device.to_string())?;
    Ok(device)
}

/// The persisted clock (a fresh one if this store never wrote or pulled anything).
pub(crate) fn stored_clock(connection: &Connection) -> Result<Clock, StoreError> {
    match setting(connection, CLOCK_SETTING)? {
        Some(text) => decode_hlc(&text)
            .map(Clock::resume)
            .ok_or_else(|| StoreError::Decode("stored sync clock".into())),
        None => Ok(Clock::new()),
    }
}

pub(crate) fn save_clock(connection: &Connection, clock: &Clock) -> Result<(), StoreError> {
    set_setting(connection, CLOCK_SETTING, &encode_hlc(clock.last()))
}

fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap_or(0)
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

// ---------------------------------------------------------------------------------------
// Merge state as stored: `RecordState` with its stamp-keyed maps as lists (JSON object keys
// must be strings).

#[derive(Serialize, Deserialize)]
struct StoredField {
    stamp: Stamp,
    value: Value,
    /// Whether the winner is among the open writes (it always is unless someone superseded it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    winner_open: bool,
    /// Open writes other than the winner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    open: Vec<(Stamp, Value)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    superseded: Vec<Stamp>,
}

fn encode_state(state: &RecordState) -> Result<String, StoreError> {
    let fields: BTreeMap<&str, StoredField> = state
        .fields
        .iter()
        .map(|(name, field)| {
            let winner_open = field.open.get(&field.stamp) == Some(&field.value);
            let open = field
                .open
                .iter()
                .filter(|(stamp, _)| !(winner_open && **stamp == field.stamp))
                .map(|(stamp, value)| (*stamp, value.clone()))
                .collect();
            let stored = StoredField {
                stamp: field.stamp,
                value: field.value.clone(),
                winner_open,
                open,
                superseded: field.superseded.iter().copied().collect(),
            };
            (name.as_str(), stored)
        })
        .collect();
    Ok(serde_json::to_string(&fields)?)
}

pub(crate) fn decode_state(text: &str) -> Result<RecordState, StoreError> {
    let fields: BTreeMap<String, StoredField> = serde_json::from_str(text)?;
    let mut state = RecordState::default();
    for (name, stored) in fields {
        let mut open: BTreeMap<Stamp, Value> = stored.open.into_iter().collect();
        if stored.winner_open {
            open.insert(stored.stamp, stored.value.clone());
        }
        let field = FieldState {
            stamp: stored.stamp,
            value: stored.value,
            open,
            superseded: stored.superseded.into_iter().collect(),
        };
        state.fields.insert(name, field);
    }
    Ok(state)
}

pub(crate) fn load_state(
    connection: &Connection,
    record_id: Uuid,
) -> Result<Option<RecordState>, StoreError> {
    let text: Option<String> = connection
        .prepare_cached("SELECT state FROM sync_records WHERE record_id = ?1")?
        .query_row([record_id.to_string()], |row| row.get(0))
        .optional()?;
    text.as_deref().map(decode_state).transpose()
}

pub(crate) fn save_state(
    connection: &Connection,
    record_id: Uuid,
    kind: RecordKind,
    person_id: Option<Uuid>,
    state: &RecordState,
    projected: bool,
) -> Result<(), StoreError> {
    let conflicts = state.conflicts(RecordId(record_id)).len() as i64;
    connection
        .prepare_cached(
            "INSERT INTO sync_records (record_id, kind, person_id, state, conflicts, projected)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(record_id) DO UPDATE SET state = excluded.state,
                 conflicts = excluded.conflicts, projected = excluded.projected",
        )?
        .execute(rusqlite::params![
            record_id.to_string(),
            kind.as_str(),
            person_id.map(|id| id.to_string()),
            encode_state(state)?,
            conflicts,
            projected
        ])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Local writes.

/// A local change about to be recorded for sync.
pub(crate) struct LocalWrite {
    pub(crate) store_kind: &'static str,
    /// `create`, `update` or `delete` (kept in the outbox row).
    pub(crate) action: &'static str,
    pub(crate) record_id: Uuid,
    pub(crate) person_id: Option<Uuid>,
    pub(crate) now_ms: u64,
}

fn record_object<R: Serialize>(record: &R) -> Result<Map<String, Value>, StoreError> {
    match serde_json::to_value(record)? {
        Value::Object(map) => Ok(map),
        _ => Err(StoreError::Sync("a record is not a JSON object".into())),
    }
}

/// A new record: insert-only kinds become an `Insert` body, others a write of every field.
pub(crate) fn record_local_insert<R: StoredRecord>(
    connection: &Connection,
    clock: &RefCell<Clock>,
    write: &LocalWrite,
    record: &R,
) -> Result<(), StoreError> {
    let kind = wire_kind(write.store_kind).ok_or_else(|| unknown_kind(write.store_kind))?;
    if kith_sync::merge::is_insert_only(kind) {
        let mut body = serde_json::to_value(record)?;
        if let (true, Value::Object(fields)) = (registry::wire_kind_is_shared(kind), &mut body) {
            fields.insert(STORE_KIND_FIELD.to_owned(), Value::String(write.store_kind.to_owned()));
        }
        let body = OperationBody::Insert { body };
        let hlc = {
            let mut clock = clock.borrow_mut();
            let hlc = clock.stamp_write(write.now_ms, []);
            save_clock(connection, &clock)?;
            hlc
        };
        let op_id = append(connection, write, hlc, &body)?;
        connection
            .prepare_cached(
                "INSERT INTO sync_inserts (op_id, record_id, kind, person_id, body, status)
                 VALUES (?1, ?2, ?3, ?4, NULL, 'in_table')",
            )?
            .execute(rusqlite::params![
                op_id.to_string(),
                write.record_id.to_string(),
                kind.as_str(),
                write.person_id.map(|id| id.to_string())
            ])?;
        return Ok(());
    }
    let mut values = record_object(record)?;
    values.insert(STORE_KIND_FIELD.to_owned(), Value::String(write.store_kind.to_owned()));
    record_local_fields(connection, clock, write, kind, values, false)
}

/// An edited record: the fields whose value changed (a field that disappeared is written
/// `null`), each with the stamp of the value it replaces as its base.
pub(crate) fn record_local_update<R: StoredRecord>(
    connection: &Connection,
    clock: &RefCell<Clock>,
    write: &LocalWrite,
    record: &R,
) -> Result<(), StoreError> {
    let kind = wire_kind(write.store_kind).ok_or_else(|| unknown_kind(write.store_kind))?;
    record_local_fields(connection, clock, write, kind, record_object(record)?, true)
}

/// A tombstone: the field [`DELETED_FIELD`] set to `true`.
pub(crate) fn record_local_delete(
    connection: &Connection,
    clock: &RefCell<Clock>,
    write: &LocalWrite,
) -> Result<(), StoreError> {
    let kind = wire_kind(write.store_kind).ok_or_else(|| unknown_kind(write.store_kind))?;
    let values = Map::from_iter([(DELETED_FIELD.to_owned(), Value::Bool(true))]);
    record_local_fields(connection, clock, write, kind, values, false)
}

pub(crate) fn record_local_fields(
    connection: &Connection,
    clock: &RefCell<Clock>,
    write: &LocalWrite,
    kind: RecordKind,
    values: Map<String, Value>,
    whole_record: bool,
) -> Result<(), StoreError> {
    let mut state = load_state(connection, write.record_id)?.unwrap_or_default();
    let mut changes: BTreeMap<String, FieldChange> = BTreeMap::new();
    if whole_record {
        for (field, current) in state.values() {
            let synced_only = field.starts_with('_') || field == DELETED_FIELD;
            if !synced_only && !current.is_null() && !values.contains_key(&field) {
                let bases = state.base(&field).into_iter().collect();
                changes.insert(field, FieldChange { value: Value::Null, bases });
            }
        }
    }
    for (field, value) in values {
        if state.value(&field) != Some(&value) {
            let bases = state.base(&field).into_iter().collect();
            changes.insert(field, FieldChange { value, bases });
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    let hlc = {
        let mut clock = clock.borrow_mut();
        let bases = changes.values().flat_map(|change| change.bases.iter().map(|s| s.hlc));
        let hlc = clock.stamp_write(write.now_ms, bases.collect::<Vec<_>>());
        save_clock(connection, &clock)?;
        hlc
    };
    let stamp = Stamp { hlc, device_id: stamping_device(connection)? };
    for (field, change) in &changes {
        let value = FieldValue { value: change.value.clone(), stamp, bases: change.bases.clone() };
        state.apply(field, &value);
    }
    save_state(connection, write.record_id, kind, write.person_id, &state, true)?;
    append(connection, write, hlc, &OperationBody::Fields { fields: changes })?;
    Ok(())
}

pub(crate) fn append(
    connection: &Connection,
    write: &LocalWrite,
    hlc: kith_sync::Hlc,
    body: &OperationBody,
) -> Result<Uuid, StoreError> {
    outbox::append(
        connection,
        write.store_kind,
        write.action,
        write.record_id,
        write.person_id,
        &encode_hlc(hlc),
        &serde_json::to_string(body)?,
    )
}

// ---------------------------------------------------------------------------------------
// Remote writes: projecting merged records into their tables.

/// Writes `object` as a record of type `R`; `false` when it cannot be written yet (not a
/// whole record, or a record it points at is missing).
pub(crate) fn project_as<R: StoredRecord>(
    connection: &Connection,
    record_id: Uuid,
    object: Value,
    deleted: bool,
    now: &str,
) -> Result<Option<Projected>, StoreError> {
    let Ok(record) = serde_json::from_value::<R>(object) else { return Ok(None) };
    if record.record_id() != record_id {
        return Ok(None); // a body naming another record never writes over it
    }
    // No SAVEPOINT around this: opening one makes FTS5 flush its pending index data, which
    // turned every pulled note into its own index segment to merge (a third of a 100k pull).
    // A constraint can only stop the row's own INSERT or UPDATE, the first write here, and
    // SQLite undoes a failed statement by itself; so when the failure left the change count
    // as it was, nothing was written and the record can wait. Anything else fails the page,
    // whose transaction then rolls back whole.
    let changes_before = connection.total_changes();
    let outcome = records::project(connection, &record, deleted, now).and_then(|written| {
        record.reindex_after_sync(connection, deleted, written)?;
        Ok(written)
    });
    match outcome {
        Ok(written) => Ok(Some(written)),
        Err(StoreError::Database(rusqlite::Error::SqliteFailure(failure, _)))
            if failure.code == rusqlite::ErrorCode::ConstraintViolation
                && connection.total_changes() == changes_before =>
        {
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Rewrites an editable record's row from its merged state; `false` if it cannot be yet.
pub(crate) fn project_state(
    connection: &Connection,
    record_id: Uuid,
    state: &RecordState,
    now: &str,
) -> Result<bool, StoreError> {
    let Some(Value::String(store_kind)) = state.value(STORE_KIND_FIELD) else { return Ok(false) };
    let Some(entry) = registry::by_store_kind(store_kind) else { return Ok(false) };
    let object: Map<String, Value> = state
        .values()
        .into_iter()
        .filter(|(field, _)| !field.starts_with('_') && field != DELETED_FIELD)
        .collect();
    let project = entry.project;
    Ok(project(connection, record_id, Value::Object(object), state.is_deleted(), now)?.is_some())
}

/// Where an insert-only body went: `in_table`, `waiting` (retried), `duplicate` (another body
/// already holds the record id) or `kept` (a kind the store has no table for).
fn project_insert(
    connection: &Connection,
    kind: RecordKind,
    record_id: Uuid,
    body: &Value,
    now: &str,
) -> Result<&'static str, StoreError> {
    // Only an insert-only kind of that wire kind: a body naming any other table is kept,
    // never written.
    let Some(entry) = registry::for_insert(kind, body).filter(|entry| entry.insert_only_on_wire())
    else {
        return Ok("kept");
    };
    let project = entry.project;
    Ok(match project(connection, record_id, body.clone(), false, now)? {
        Some(Projected::AlreadyThere) => "duplicate",
        Some(_) => "in_table",
        None => "waiting",
    })
}

fn is_own_operation(connection: &Connection, op_id: OperationId) -> Result<bool, StoreError> {
    Ok(connection
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM outbox WHERE op_id = ?1)")?
        .query_row([op_id.to_string()], |row| row.get(0))?)
}

/// When a record was made or last changed, as every device dates it: the clock of the write
/// (RFC 3339 UTC with microseconds, like the rows' own times), not when it arrived here.
fn hlc_time(hlc: kith_sync::Hlc) -> String {
    let millis = i64::try_from(hlc.wall_ms).unwrap_or(i64::MAX);
    chrono::DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The clock of a merged record's latest write.
fn last_change(state: &RecordState) -> Option<kith_sync::Hlc> {
    state.fields.values().map(|field| field.stamp.hlc).max()
}

fn apply_remote(connection: &Connection, op: &PlainOperation) -> Result<(), StoreError> {
    let record_id = op.record_id.0;
    let person_id = op.person_id.map(|id| id.0);
    match &op.body {
        OperationBody::Insert { body } => {
            let seen: bool = connection
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM sync_inserts WHERE op_id = ?1)")?
                .query_row([op.op_id.to_string()], |row| row.get(0))?;
            if seen {
                return Ok(());
            }
            let status = project_insert(connection, op.kind, record_id, body, &hlc_time(op.hlc))?;
            let kept_body =
                if status == "in_table" { None } else { Some(serde_json::to_string(body)?) };
            connection
                .prepare_cached(
                    "INSERT INTO sync_inserts (op_id, record_id, kind, person_id, body, status, hlc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(rusqlite::params![
                    op.op_id.to_string(),
                    record_id.to_string(),
                    op.kind.as_str(),
                    person_id.map(|id| id.to_string()),
                    kept_body,
                    status,
                    encode_hlc(op.hlc)
                ])?;
        }
        OperationBody::Fields { .. } => {
            let mut state = load_state(connection, record_id)?.unwrap_or_default();
            for (field, write) in op.field_writes() {
                state.apply(field, &write);
            }
            let changed = hlc_time(last_change(&state).unwrap_or(op.hlc));
            let projected = project_state(connection, record_id, &state, &changed)?;
            save_state(connection, record_id, op.kind, person_id, &state, projected)?;
        }
    }
    Ok(())
}

/// Retries records that could not be written yet, until a pass writes nothing more.
fn retry_waiting(connection: &Connection, now: &str) -> Result<(), StoreError> {
    let dated = |hlc: Option<String>| hlc.as_deref().and_then(decode_hlc).map(hlc_time);
    loop {
        let mut progress = false;
        let waiting: Vec<(String, String)> = {
            let mut statement = connection
                .prepare_cached("SELECT record_id, state FROM sync_records WHERE projected = 0")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (record_id, state) in waiting {
            let id: Uuid =
                record_id.parse().map_err(|_| StoreError::Decode("sync record id".into()))?;
            let state = decode_state(&state)?;
            let changed = last_change(&state).map_or_else(|| now.to_owned(), hlc_time);
            if project_state(connection, id, &state, &changed)? {
                connection
                    .prepare_cached("UPDATE sync_records SET projected = 1 WHERE record_id = ?1")?
                    .execute([record_id])?;
                progress = true;
            }
        }
        let waiting: Vec<(String, String, String, String, Option<String>)> = {
            let mut statement = connection.prepare_cached(
                "SELECT op_id, record_id, kind, body, hlc FROM sync_inserts
                 WHERE status = 'waiting'",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        for (op_id, record_id, kind, body, hlc) in waiting {
            let id: Uuid =
                record_id.parse().map_err(|_| StoreError::Decode("sync record id".into()))?;
            let kind = RecordKind::parse(&kind)
                .ok_or_else(|| StoreError::Decode("sync insert kind".into()))?;
            let made = dated(hlc).unwrap_or_else(|| now.to_owned());
            let status =
                project_insert(connection, kind, id, &serde_json::from_str(&body)?, &made)?;
            if status != "waiting" {
                let body = if status == "in_table" { None } else { Some(body) };
                connection
                    .prepare_cached(
                        "UPDATE sync_inserts SET status = ?1, body = ?2 WHERE op_id = ?3",
                    )?
                    .execute(rusqlite::params![status, body, op_id])?;
                progress = true;
            }
        }
        if !progress {
            return Ok(());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Purge of people who left the scope.

fn purge_person(connection: &Connection, person: &str) -> Result<(), StoreError> {
    // Visit drafts are local only, but hold what was typed about the person.
    connection.execute(
        "DELETE FROM drafts WHERE key IN (SELECT ?2 || id FROM sessions WHERE person_id = ?1)",
        rusqlite::params![person, crate::repositories::VISIT_DRAFT_PREFIX],
    )?;
    // Notes' full-text rows can only be removed with their text (a contentless index).
    connection.execute(
        "INSERT INTO notes_search (notes_search, rowid, body)
         SELECT 'delete', rowid, json_extract(data, '$.body') FROM notes WHERE person_id = ?1",
        [person],
    )?;
    // Amendments point at the notes they amend: remove amendments first.
    connection
        .execute("DELETE FROM notes WHERE person_id = ?1 AND amends IS NOT NULL", [person])?;
    connection.execute(
        "DELETE FROM people_search WHERE rowid = (SELECT rowid FROM people WHERE id = ?1)",
        [person],
    )?;
    // Every kind about a person, children first (the registry lists parents first).
    for kind in registry::KINDS.iter().rev().filter(|kind| kind.about_person()) {
        connection
            .execute(&format!("DELETE FROM {} WHERE person_id = ?1", kind.table), [person])?;
    }
    connection.execute("DELETE FROM sync_records WHERE person_id = ?1", [person])?;
    connection.execute("DELETE FROM sync_inserts WHERE person_id = ?1", [person])?;
    // Their accepted changes too: the payloads hold their data, and were they ever assigned
    // back, a resync must apply those operations again rather than skip them as our own.
    connection
        .execute("DELETE FROM outbox WHERE person_id = ?1 AND status <> 'pending'", [person])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The public face: enrolment, conflicts, and the `Replica` implementation.

/// An operation this store could not open, kept aside as it came.
#[derive(Clone, Debug, PartialEq)]
pub struct KeptAsideOperation {
    /// Its server sequence.
    pub seq: u64,
    /// Why, in words (no contents).
    pub reason: String,
}

impl Store {
    /// Records the device id the practice server gave this laptop. Changes written before
    /// joining were stamped with a provisional id; they are re-stamped with the real one (they
    /// were never pushed, so nobody else has seen the provisional id). A store enrolled once
    /// keeps its device id: enrolling it again with another id is refused.
    pub fn enrol_sync_device(&self, device_id: DeviceId) -> Result<(), StoreError> {
        let transaction = self.connection.unchecked_transaction()?;
        if let Some(existing) = enrolled_device(&transaction)? {
            if existing == device_id {
                return Ok(());
            }
            return Err(StoreError::Sync("this store already belongs to another device".into()));
        }
        if let Some(text) = setting(&transaction, PROVISIONAL_DEVICE_SETTING)? {
            restamp(&transaction, parse_device(&text)?, device_id)?;
            transaction
                .execute("DELETE FROM settings WHERE name = ?1", [PROVISIONAL_DEVICE_SETTING])?;
        }
        set_setting(&transaction, DEVICE_SETTING, &device_id.to_string())?;
        transaction.commit()?;
        Ok(())
    }

    /// The device id this store syncs as, once enrolled.
    pub fn sync_device_id(&self) -> Result<Option<DeviceId>, StoreError> {
        enrolled_device(&self.connection)
    }

    /// Every unresolved field conflict: the losing values of concurrent edits.
    pub fn sync_conflicts(&self) -> Result<Vec<FieldConflict>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT record_id, state FROM sync_records WHERE conflicts > 0")?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
        let mut conflicts = Vec::new();
        for row in rows {
            let (record_id, state): (String, String) = row?;
            let id: Uuid =
                record_id.parse().map_err(|_| StoreError::Decode("sync record id".into()))?;
            conflicts.extend(decode_state(&state)?.conflicts(RecordId(id)));
        }
        Ok(conflicts)
    }

    /// The pulled operations that could not be opened, kept aside.
    pub fn sync_kept_aside(&self) -> Result<Vec<KeptAsideOperation>, StoreError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT seq, reason FROM sync_unreadable ORDER BY seq")?;
        let rows = statement.query_map([], |row| {
            Ok(KeptAsideOperation { seq: row.get::<_, i64>(0)? as u64, reason: row.get(1)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Local operations the server refused for good, with its reason (`out_of_scope`...).
    pub fn sync_refused(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT seq, coalesce(refusal, '') FROM outbox WHERE status = 'refused' ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn pending_operations_in_store(
        &self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, StoreError> {
        let device_id = enrolled_device(&self.connection)?
            .ok_or_else(|| StoreError::Sync("this laptop has not joined a practice".into()))?;
        let mut statement = self.connection.prepare_cached(
            "SELECT seq, op_id, kind, record_id, person_id, hlc, payload FROM outbox
             WHERE status = 'pending' AND seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let after = i64::try_from(after_device_seq).unwrap_or(i64::MAX);
        let rows = statement.query_map(rusqlite::params![after, limit as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
            ))
        })?;
        let mut operations = Vec::new();
        for row in rows {
            let (seq, op_id, kind, record_id, person_id, hlc, payload) = row?;
            let bad = |what: &str| StoreError::Decode(format!("outbox {what}"));
            let uuid = |text: &str, what: &str| text.parse::<Uuid>().map_err(|_| bad(what));
            operations.push(PlainOperation {
                op_id: OperationId(uuid(&op_id, "op id")?),
                device_id,
                device_seq: u64::try_from(seq).map_err(|_| bad("seq"))?,
                kind: wire_kind(&kind).ok_or_else(|| unknown_kind(&kind))?,
                record_id: RecordId(uuid(&record_id, "record id")?),
                person_id: person_id
                    .map(|id| uuid(&id, "person id").map(WirePersonId))
                    .transpose()?,
                hlc: decode_hlc(&hlc).ok_or_else(|| bad("clock"))?,
                body: serde_json::from_str(&payload)?,
            });
        }
        Ok(operations)
    }

    /// Records the server's answer to a push, committed without an fsync (as a pulled page,
    /// below): a mark lost to a power cut only means the operations are pushed again, and the
    /// server keeps each operation once.
    fn mark_pushed_in_store(&self, results: &[PushResult]) -> Result<(), StoreError> {
        self.without_fsync(|| self.mark_pushed_transaction(results))
    }

    fn mark_pushed_transaction(&self, results: &[PushResult]) -> Result<(), StoreError> {
        let transaction = self.connection.unchecked_transaction()?;
        let now = now_text();
        for result in results {
            let seq = i64::try_from(result.device_seq).unwrap_or(i64::MAX);
            match &result.outcome {
                PushOutcome::Accepted { .. } => {
                    transaction
                        .prepare_cached(
                            "UPDATE outbox SET status = 'accepted', pushed_at = ?1
                             WHERE seq = ?2 AND status = 'pending'",
                        )?
                        .execute(rusqlite::params![now, seq])?;
                }
                PushOutcome::Refused { reason: RefusalReason::ClockAhead, .. } => {}
                PushOutcome::Refused { reason, .. } => {
                    let reason = match serde_json::to_value(reason)? {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    transaction
                        .prepare_cached(
                            "UPDATE outbox SET status = 'refused', refusal = ?1
                             WHERE seq = ?2 AND status = 'pending'",
                        )?
                        .execute(rusqlite::params![reason, seq])?;
                }
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// Applies a pulled page and its cursor in one transaction, committed without an fsync
    /// (`synchronous = NORMAL` for this commit only). That is safe: WAL keeps each commit
    /// atomic, the page's cursor commits with it, so a page lost to a power cut is simply
    /// pulled again, and the local writes committed before it were already synced (FULL).
    fn apply_page_in_store(&self, page: &PulledPage) -> Result<(), StoreError> {
        self.without_fsync(|| self.apply_page_transaction(page))
    }

    /// Runs `commit` with `synchronous = NORMAL`, then puts FULL back for local saves, and
    /// nudges the background checkpointer (a sync connection has one).
    fn without_fsync<T>(
        &self,
        commit: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.connection.pragma_update(None, "synchronous", "NORMAL")?;
        let committed = commit();
        self.connection.pragma_update(None, "synchronous", "FULL")?;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.after_commit(&self.connection);
        }
        committed
    }

    fn apply_page_transaction(&self, page: &PulledPage) -> Result<(), StoreError> {
        let transaction = self.connection.unchecked_transaction()?;
        let now = now_text();
        let physical = now_ms();
        let mut clock = self.clock.borrow().clone();
        let mut applied = false;
        for (_, op) in &page.operations {
            clock.observe(op.hlc, physical);
            if is_own_operation(&transaction, op.op_id)? {
                continue; // applied when it was written here
            }
            apply_remote(&transaction, op)?;
            applied = true;
        }
        for unreadable in &page.unreadable {
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO sync_unreadable (seq, operation, reason, kept_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(rusqlite::params![
                    i64::try_from(unreadable.seq).unwrap_or(i64::MAX),
                    serde_json::to_string(&unreadable.operation)?,
                    unreadable.reason,
                    now
                ])?;
        }
        if applied {
            retry_waiting(&transaction, &now)?;
        }
        save_clock(&transaction, &clock)?;
        set_setting(&transaction, CURSOR_SETTING, &page.next_cursor.to_string())?;
        transaction.commit()?;
        *self.clock.borrow_mut() = clock;
        Ok(())
    }

    fn resync_in_store(&self, scope: &ScopeResponse) -> Result<(), StoreError> {
        let transaction = self.connection.unchecked_transaction()?;
        if !scope.whole_practice {
            let in_scope: BTreeSet<String> =
                scope.people.iter().map(|person| person.to_string()).collect();
            let known: Vec<String> = {
                let mut statement = transaction.prepare(
                    "SELECT id FROM people
                     UNION SELECT person_id FROM sync_records WHERE person_id IS NOT NULL
                     UNION SELECT person_id FROM sync_inserts WHERE person_id IS NOT NULL",
                )?;
                let rows = statement.query_map([], |row| row.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            transaction.execute("INSERT INTO sync_purging (active) VALUES (1)", [])?;
            for person in known.iter().filter(|person| !in_scope.contains(*person)) {
                let waiting: bool = transaction.query_row(
                    "SELECT EXISTS(SELECT 1 FROM outbox WHERE status = 'pending' AND person_id = ?1)",
                    [person],
                    |row| row.get(0),
                )?;
                if !waiting {
                    purge_person(&transaction, person)?;
                }
            }
            transaction.execute("DELETE FROM sync_purging", [])?;
        }
        set_setting(&transaction, CURSOR_SETTING, "0")?;
        transaction.commit()?;
        Ok(())
    }

    fn count(&self, sql: &str) -> Result<u64, StoreError> {
        let count: i64 = self.connection.prepare_cached(sql)?.query_row([], |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

/// Replaces a provisional device id in every stamp of every merge state and pending body.
fn restamp(connection: &Connection, from: DeviceId, to: DeviceId) -> Result<(), StoreError> {
    let swap = |stamp: &mut Stamp| {
        if stamp.device_id == from {
            stamp.device_id = to;
        }
    };
    let states: Vec<(String, String)> = {
        let mut statement = connection.prepare("SELECT record_id, state FROM sync_records")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (record_id, text) in states {
        let mut fields: BTreeMap<String, StoredField> = serde_json::from_str(&text)?;
        for field in fields.values_mut() {
            swap(&mut field.stamp);
            field.open.iter_mut().for_each(|(stamp, _)| swap(stamp));
            field.superseded.iter_mut().for_each(swap);
        }
        connection.execute(
            "UPDATE sync_records SET state = ?1 WHERE record_id = ?2",
            rusqlite::params![serde_json::to_string(&fields)?, record_id],
        )?;
    }
    let bodies: Vec<(i64, String)> = {
        let mut statement =
            connection.prepare("SELECT seq, payload FROM outbox WHERE status = 'pending'")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (seq, payload) in bodies {
        let mut body: OperationBody = serde_json::from_str(&payload)?;
        if let OperationBody::Fields { fields } = &mut body {
            fields.values_mut().for_each(|change| change.bases.iter_mut().for_each(swap));
        }
        connection.execute(
            "UPDATE outbox SET payload = ?1 WHERE seq = ?2",
            rusqlite::params![serde_json::to_string(&body)?, seq],
        )?;
    }
    Ok(())
}

fn local(error: StoreError) -> SyncError {
    SyncError::Local(error.to_string())
}

impl Replica for Store {
    fn prepare_push(&mut self) -> Result<(), SyncError> {
        self.publish_audit_trail().map(|_| ()).map_err(local)
    }

    fn pending_count(&mut self) -> Result<u64, SyncError> {
        self.count("SELECT count(*) FROM outbox WHERE status = 'pending'").map_err(local)
    }

    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, SyncError> {
        self.pending_operations_in_store(after_device_seq, limit).map_err(local)
    }

    fn mark_pushed(&mut self, results: &[PushResult]) -> Result<(), SyncError> {
        self.mark_pushed_in_store(results).map_err(local)
    }

    fn cursor(&mut self) -> Result<u64, SyncError> {
        let cursor = setting(&self.connection, CURSOR_SETTING).map_err(local)?;
        match cursor {
            Some(text) => {
                text.parse().map_err(|_| local(StoreError::Decode("stored sync cursor".into())))
            }
            None => Ok(0),
        }
    }

    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError> {
        self.apply_page_in_store(page).map_err(local)
    }

    fn resync(&mut self, scope: &ScopeResponse) -> Result<(), SyncError> {
        self.resync_in_store(scope).map_err(local)
    }

    // Both counts run after every round: each is written to read a partial index rather than
    // scan a table that holds every record or every change ever made (a refused change keeps
    // `pushed_at` NULL; only an accepted one gets it).
    fn conflict_count(&mut self) -> Result<u64, SyncError> {
        self.count("SELECT coalesce(sum(conflicts), 0) FROM sync_records WHERE conflicts > 0")
            .map_err(local)
    }

    fn refused_count(&mut self) -> Result<u64, SyncError> {
        self.count("SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND status = 'refused'")
            .map_err(local)
    }
}

#[cfg(test)]
mod tests {
    use kith_crypto::KdfParams;
    use kith_domain::note::NewNote;
    use kith_domain::person::NewPerson;
    use kith_domain::UserId;

    use super::*;
    use crate::Profile;

    fn enrolled_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let kdf = KdfParams::insecure_for_tests().unwrap();
        let (mut store, _) =
            Profile::create_with_kdf(dir.path(), "a test passphrase", kdf).unwrap();
        store.set_current_user(UserId::new()).unwrap();
        store.enrol_sync_device(DeviceId::new_v7()).unwrap();
        (dir, store)
    }

    fn page(seq: u64, operation: &PlainOperation) -> PulledPage {
        PulledPage {
            operations: vec![(seq, operation.clone())],
            unreadable: vec![],
            next_cursor: seq,
        }
    }

    /// Projection runs without a savepoint (for speed): a note whose person has not arrived
    /// must leave nothing behind (no row, no index entry) and be written whole once it has.
    #[test]
    fn a_note_pulled_before_its_person_waits_then_is_written_whole() {
        let (_source_dir, mut source) = enrolled_store();
        let person = source
            .add_person(NewPerson {
                given_name: "Ada".into(),
                family_name: "Example".into(),
                ..Default::default()
            })
            .unwrap();
        let body = "Walked to the Quorvelline allotment".to_owned();
        let note = source.add_note(NewNote { person_id: person.id, body, amends: None }).unwrap();
        let operations = Replica::pending_operations(&mut source, 0, 10).unwrap();
        assert_eq!(operations.len(), 2, "the person, then the note");

        let (_target_dir, mut target) = enrolled_store();
        Replica::apply_page(&mut target, &page(1, &operations[1])).unwrap();
        assert_eq!(target.count_rows("notes").unwrap(), 0);
        assert_eq!(target.search_notes("Quorvelline", 10).unwrap().len(), 0);
        let waiting: i64 = target
            .connection
            .query_row("SELECT count(*) FROM sync_inserts WHERE status = 'waiting'", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(waiting, 1);
        assert_eq!(Replica::cursor(&mut target).unwrap(), 1, "the page is applied all the same");

        Replica::apply_page(&mut target, &page(2, &operations[0])).unwrap();
        assert_eq!(target.person(person.id).unwrap(), person);
        assert_eq!(target.notes_for(person.id).unwrap(), vec![note.clone()]);
        let hits = target.search_notes("Quorvelline", 10).unwrap();
        assert_eq!(hits.iter().map(|hit| hit.note_id).collect::<Vec<_>>(), vec![note.id]);
        target.verify_integrity().unwrap();
    }

    /// A sync connection never checkpoints by itself: its thread does, as pages arrive (the
    /// database file grows while the store is open), and dropping the store stops the thread
    /// and leaves no write-ahead log behind, every page written.
    #[test]
    fn a_sync_connection_checkpoints_on_its_own_thread_and_closes_cleanly() {
        let (_source_dir, mut source) = enrolled_store();
        for n in 0..40 {
            let new = NewPerson {
                given_name: format!("Person{n}"),
                family_name: "x".repeat(2_000),
                ..Default::default()
            };
            source.add_person(new).unwrap();
        }
        let operations = Replica::pending_operations(&mut source, 0, 100).unwrap();
        assert_eq!(operations.len(), 40);

        let dir = tempfile::tempdir().unwrap();
        let kdf = KdfParams::insecure_for_tests().unwrap();
        let (store, _, key) =
            Profile::create_keeping_key(dir.path(), "a test passphrase", kdf).unwrap();
        drop(store);
        let database = Profile::database_path(dir.path());
        let wal = database.with_extension("db-wal");
        let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |meta| meta.len());
        let mut target = Profile::open_for_sync(dir.path(), &key).unwrap();
        target.set_current_user(UserId::new()).unwrap();
        target.enrol_sync_device(DeviceId::new_v7()).unwrap();
        let before = size(&database);
        for (seq, operation) in operations.iter().enumerate() {
            Replica::apply_page(&mut target, &page(seq as u64 + 1, operation)).unwrap();
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while size(&database) < before + 40 * 2_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            size(&database) >= before + 40 * 2_000,
            "the checkpointer copied the pages into the database file ({} -> {} bytes)",
            before,
            size(&database)
        );
        drop(target);
        assert!(!wal.exists(), "no write-ahead log is left once the store is dropped");
        let reopened = Profile::open_with_key(dir.path(), &key).unwrap();
        assert_eq!(reopened.count_rows("people").unwrap(), 40);
        reopened.verify_integrity().unwrap();
    }
}
