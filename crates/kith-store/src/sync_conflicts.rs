//! Same-field sync conflicts: listing them with what the app needs to show them, resolving one
//! with a local write that every replica merges to the same answer, and the device owner
//! records that let a conflict say which user wrote each value.
//!
//! # Resolving
//! A resolution is a local write of the chosen value whose bases are the field's current
//! stamp and every losing stamp ([`RecordState::resolution_bases`]): wherever it arrives, the
//! values it names are superseded, so the field has no conflict left (unless an edit nobody
//! had seen arrives later, which is a new conflict). Choosing the current value is a
//! resolution too: the same value is written again with those bases. The write is one
//! transaction: merge state, the record's row re-projected from it, the outbox and the audit
//! log.
//!
//! # Who wrote a value
//! A stamp names a device, not a user. Each device writes, once, a practice-wide record (wire
//! kind `practice_setting`, record id = its device id, store kind [`DEVICE_OWNER_KIND`])
//! holding its user id and role, sealed like every record. Every device pulls practice-wide
//! records, so each can tell whose device wrote a value. Such records have no table: they live
//! only in the merge state.

use std::collections::BTreeMap;

use kith_domain::{PersonId, UserId};
use kith_protocol::{DeviceId, RecordKind};
use kith_sync::merge::RecordState;
use kith_sync::{FieldChange, FieldValue, OperationBody, Stamp};
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::registry;
use crate::repositories::audit::{self, AuditAction};
use crate::sync::{self, LocalWrite, STORE_KIND_FIELD};
use crate::{Store, StoreError};

/// The store kind of a device owner record (outbox `kind`, and its `_kind` field).
pub(crate) const DEVICE_OWNER_KIND: &str = "device_owner";

/// Tables that are not record kinds but hold rows about a person: the audit log, the outbox
/// and the merge state. [`Store::count_person_rows`] counts these and every registry table
/// about a person.
const PERSON_BOOKKEEPING_TABLES: [&str; 4] =
    ["audit_log", "outbox", "sync_records", "sync_inserts"];

/// One unresolved same-field conflict: the value that won, one value that lost, and where they
/// belong. A field edited concurrently on three devices has two of these; resolving either
/// resolves the field.
#[derive(Clone, PartialEq)]
pub struct SyncConflict {
    /// The record.
    pub record_id: Uuid,
    /// The person the record belongs to (none for practice-wide records).
    pub person_id: Option<PersonId>,
    /// The person's display name, when their record is in this store (not an audited read:
    /// a name in a list, like the people list).
    pub person_name: Option<String>,
    /// The store kind (`"person"`, `"care_plan"`...), when the record's kind field has arrived.
    pub store_kind: Option<String>,
    /// The field (a top-level key of the record's JSON).
    pub field: String,
    /// The value that won (what the record shows now).
    pub current_value: Value,
    /// Who wrote it and when.
    pub current: Stamp,
    /// The value that lost.
    pub losing_value: Value,
    /// Who wrote it and when.
    pub losing: Stamp,
}

impl std::fmt::Debug for SyncConflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConflict")
            .field("record_id", &self.record_id)
            .field("person_id", &self.person_id)
            .field("store_kind", &self.store_kind)
            .field("field", &self.field)
            .field("current", &self.current)
            .field("losing", &self.losing)
            .finish_non_exhaustive()
    }
}

/// Whose device it is, as the device itself announced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceOwner {
    /// The user.
    pub user_id: UserId,
    /// Their role in the practice, as the server spells it (`"supervisor"`, `"link_worker"`).
    pub role: String,
}

/// A record's merge state row.
struct StateRow {
    state: RecordState,
    kind: RecordKind,
    person_id: Option<Uuid>,
    projected: bool,
}

fn state_row(connection: &Connection, record_id: Uuid) -> Result<Option<StateRow>, StoreError> {
    let row: Option<(String, String, Option<String>, bool)> = connection
        .prepare_cached(
            "SELECT state, kind, person_id, projected FROM sync_records WHERE record_id = ?1",
        )?
        .query_row([record_id.to_string()], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    let Some((state, kind, person_id, projected)) = row else { return Ok(None) };
    Ok(Some(StateRow {
        state: sync::decode_state(&state)?,
        kind: RecordKind::parse(&kind).ok_or_else(|| StoreError::Decode("sync kind".into()))?,
        person_id: person_id.as_deref().map(parse_uuid).transpose()?,
        projected,
    }))
}

fn parse_uuid(text: &str) -> Result<Uuid, StoreError> {
    text.parse().map_err(|_| StoreError::Decode("sync record id".into()))
}

fn no_conflict(record_id: Uuid, field: &str) -> StoreError {
    StoreError::NotFound { kind: "sync conflict", id: format!("{record_id}/{field}") }
}

impl Store {
    /// Every unresolved same-field conflict, with the winning value and the record's person,
    /// ordered by record then field then losing stamp.
    pub fn sync_conflict_details(&self) -> Result<Vec<SyncConflict>, StoreError> {
        let rows: Vec<(String, Option<String>, String, Option<String>)> = {
            let mut statement = self.connection.prepare_cached(
                "SELECT s.record_id, s.person_id, s.state, p.display_name
                 FROM sync_records s LEFT JOIN people p ON p.id = s.person_id
                 WHERE s.conflicts > 0 ORDER BY s.record_id",
            )?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut conflicts = Vec::new();
        for (record_id, person_id, state, person_name) in rows {
            let record_id = parse_uuid(&record_id)?;
            let person_id =
                person_id.as_deref().map(parse_uuid).transpose()?.map(PersonId::from_uuid);
            let state = sync::decode_state(&state)?;
            let store_kind = match state.value(STORE_KIND_FIELD) {
                Some(Value::String(kind)) => Some(kind.clone()),
                _ => None,
            };
            for (field, field_state) in &state.fields {
                for (losing, losing_value) in field_state.losers() {
                    conflicts.push(SyncConflict {
                        record_id,
                        person_id,
                        person_name: person_name.clone(),
                        store_kind: store_kind.clone(),
                        field: field.clone(),
                        current_value: field_state.value.clone(),
                        current: field_state.stamp,
                        losing_value: losing_value.clone(),
                        losing: *losing,
                    });
                }
            }
        }
        Ok(conflicts)
    }

    /// Resolves a field's conflicts by writing `chosen` (normally the current value or one of
    /// the losing values) with the current and every losing stamp as its bases: one
    /// transaction with the merge state, the record's row, the outbox and the audit log. Push
    /// it like any change; every replica that receives it shows `chosen` with no conflict.
    ///
    /// [`StoreError::NotFound`] when the field has no conflict (already resolved, perhaps by
    /// someone else); [`StoreError::Sync`] when `chosen` does not fit the record.
    pub fn resolve_sync_conflict(
        &self,
        record_id: Uuid,
        field: &str,
        chosen: Value,
    ) -> Result<(), StoreError> {
        self.write(|change| {
            let connection: &Connection = &change.transaction;
            let row =
                state_row(connection, record_id)?.ok_or_else(|| no_conflict(record_id, field))?;
            let mut state = row.state;
            let bases = state.resolution_bases(field);
            if bases.len() < 2 {
                return Err(no_conflict(record_id, field));
            }
            // Only an edited kind has conflicts to resolve (consent records are written once).
            let store_kind = match state.value(STORE_KIND_FIELD) {
                Some(Value::String(kind)) => registry::by_store_kind(kind),
                _ => None,
            }
            .filter(|entry| entry.editable)
            .map(|entry| entry.store_kind)
            .ok_or_else(|| StoreError::Sync("this record's kind is not known here".into()))?;
            let now_ms = u64::try_from(change.now.timestamp_millis()).unwrap_or(0);
            let hlc = {
                let mut clock = self.clock.borrow_mut();
                let hlc = clock.stamp_write(now_ms, bases.iter().map(|base| base.hlc));
                sync::save_clock(connection, &clock)?;
                hlc
            };
            let stamp = Stamp { hlc, device_id: sync::stamping_device(connection)? };
            let write = FieldValue { value: chosen.clone(), stamp, bases: bases.clone() };
            state.apply(field, &write);
            let projected = sync::project_state(connection, record_id, &state, &change.now_text)?;
            if row.projected && !projected {
                return Err(StoreError::Sync("the chosen value does not fit this record".into()));
            }
            sync::save_state(connection, record_id, row.kind, row.person_id, &state, projected)?;
            let local = LocalWrite {
                store_kind,
                action: AuditAction::Update.as_str(),
                record_id,
                person_id: row.person_id,
                now_ms,
            };
            let fields = BTreeMap::from([(field.to_owned(), FieldChange { value: chosen, bases })]);
            sync::append(connection, &local, hlc, &OperationBody::Fields { fields })?;
            audit::append(
                connection,
                &change.now_text,
                change.user,
                row.person_id.map(PersonId::from_uuid),
                AuditAction::Update,
                store_kind,
                record_id,
            )
        })
    }

    /// Announces (once; again only if something changed) that this enrolled device belongs
    /// to the current user with `role`: a practice-wide record every device pulls.
    pub fn record_device_owner(&self, role: &str) -> Result<(), StoreError> {
        let device = self
            .sync_device_id()?
            .ok_or_else(|| StoreError::Sync("this laptop has not joined a practice".into()))?;
        self.write(|change| {
            let values = Map::from_iter([
                (STORE_KIND_FIELD.to_owned(), Value::String(DEVICE_OWNER_KIND.to_owned())),
                ("user_id".to_owned(), Value::String(change.user.to_string())),
                ("role".to_owned(), Value::String(role.to_owned())),
            ]);
            let local = LocalWrite {
                store_kind: DEVICE_OWNER_KIND,
                action: AuditAction::Update.as_str(),
                record_id: device.0,
                person_id: None,
                now_ms: u64::try_from(change.now.timestamp_millis()).unwrap_or(0),
            };
            sync::record_local_fields(
                &change.transaction,
                &self.clock,
                &local,
                RecordKind::PracticeSetting,
                values,
                false,
            )
        })
    }

    /// Whose device `device` is, if it has announced it ([`Store::record_device_owner`]) and
    /// the announcement has arrived here.
    pub fn device_owner(&self, device: DeviceId) -> Result<Option<DeviceOwner>, StoreError> {
        let Some(state) = sync::load_state(&self.connection, device.0)? else { return Ok(None) };
        if state.value(STORE_KIND_FIELD) != Some(&Value::String(DEVICE_OWNER_KIND.to_owned())) {
            return Ok(None);
        }
        let (Some(Value::String(user)), Some(Value::String(role))) =
            (state.value("user_id"), state.value("role"))
        else {
            return Ok(None);
        };
        let user_id = user.parse().map_err(|_| StoreError::Decode("device owner".into()))?;
        Ok(Some(DeviceOwner { user_id, role: role.clone() }))
    }

    /// Rows in `table` that belong to `person`, for tests and diagnostics (e.g. that a person
    /// who left this device's scope left nothing behind). Only tables with a person column
    /// are accepted.
    pub fn count_person_rows(&self, table: &str, person: PersonId) -> Result<i64, StoreError> {
        let about_person = registry::KINDS.iter().filter(|kind| kind.about_person());
        let mut tables = about_person.map(|kind| kind.table).chain(PERSON_BOOKKEEPING_TABLES);
        let Some(table) = tables.find(|name| *name == table) else {
            return Err(StoreError::NotFound { kind: "table", id: table.to_owned() });
        };
        let sql = format!("SELECT count(*) FROM {table} WHERE person_id = ?1");
        Ok(self.connection.query_row(&sql, [person.to_string()], |row| row.get(0))?)
    }
}
