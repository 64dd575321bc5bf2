//! How a domain record is stored: its full data as JSON plus the columns queries need, and
//! the generic insert / update / read / tombstone used by every repository.

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use kith_domain::PersonId;
use kith_protocol::RecordKind;

use crate::StoreError;

/// A domain type kept in one table of the store.
pub(crate) trait StoredRecord: Serialize + DeserializeOwned {
    /// The record kind, as named in the outbox and the audit log (`"note"`).
    const KIND: &'static str;
    /// The table (a constant; never user input).
    const TABLE: &'static str;
    /// Whether the table has `updated_at` / `deleted_at` (false for append-only tables).
    const EDITABLE: bool;
    /// How the record travels to other devices (several store kinds may share one; an
    /// insert-only body then names its store kind).
    const WIRE: RecordKind;
    fn record_id(&self) -> Uuid;
    fn person_id(&self) -> Option<PersonId>;
    /// Query columns other than id, person_id and data (names are constants).
    fn columns(&self) -> Vec<(&'static str, Value)>;
    /// Keeps full-text indexes in step after sync wrote the record ([`project`]).
    fn reindex_after_sync(
        &self,
        _connection: &Connection,
        _deleted: bool,
        _written: Projected,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

/// What [`project`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Projected {
    /// The record was new: a row was inserted.
    Inserted,
    /// An editable record's row was rewritten.
    Rewritten,
    /// An append-only record was already there and was left as it is.
    AlreadyThere,
}

/// A date as ISO text, so it sorts and compares correctly in SQL.
pub(crate) fn date_text(date: NaiveDate) -> Value {
    Value::Text(date.format("%Y-%m-%d").to_string())
}

/// A unit enum as its serde (snake_case) name.
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Value {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Value::Text(text),
        Ok(other) => Value::Text(other.to_string()),
        Err(_) => Value::Null,
    }
}

pub(crate) fn optional_id(id: Option<Uuid>) -> Value {
    id.map_or(Value::Null, |id| Value::Text(id.to_string()))
}

pub(crate) fn insert<R: StoredRecord>(
    connection: &Connection,
    record: &R,
    now: &str,
) -> Result<(), StoreError> {
    let mut names = vec!["id", "person_id", "data", "created_at"];
    let mut values = vec![
        Value::Text(record.record_id().to_string()),
        optional_id(record.person_id().map(|id| id.as_uuid())),
        Value::Text(serde_json::to_string(record)?),
        Value::Text(now.to_owned()),
    ];
    if R::EDITABLE {
        names.push("updated_at");
        values.push(Value::Text(now.to_owned()));
    }
    for (name, value) in record.columns() {
        names.push(name);
        values.push(value);
    }
    let placeholders = vec!["?"; names.len()].join(", ");
    let sql = format!("INSERT INTO {} ({}) VALUES ({placeholders})", R::TABLE, names.join(", "));
    connection.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(())
}

pub(crate) fn update<R: StoredRecord>(
    connection: &Connection,
    record: &R,
    now: &str,
) -> Result<(), StoreError> {
    let mut assignments = vec!["data = ?".to_owned(), "updated_at = ?".to_owned()];
    let mut values = vec![Value::Text(serde_json::to_string(record)?), Value::Text(now.to_owned())];
    for (name, value) in record.columns() {
        assignments.push(format!("{name} = ?"));
        values.push(value);
    }
    values.push(Value::Text(record.record_id().to_string()));
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ? AND deleted_at IS NULL",
        R::TABLE,
        assignments.join(", ")
    );
    let changed = connection.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    if changed == 0 {
        return Err(StoreError::NotFound { kind: R::KIND, id: record.record_id().to_string() });
    }
    Ok(())
}

pub(crate) fn get<R: StoredRecord>(
    connection: &Connection,
    id: Uuid,
) -> Result<Option<R>, StoreError> {
    let live = if R::EDITABLE { " AND deleted_at IS NULL" } else { "" };
    let sql = format!("SELECT data FROM {} WHERE id = ?{live}", R::TABLE);
    let data: Option<String> =
        connection.query_row(&sql, [id.to_string()], |row| row.get(0)).optional()?;
    data.map(|data| serde_json::from_str(&data).map_err(StoreError::from)).transpose()
}

pub(crate) fn require<R: StoredRecord>(connection: &Connection, id: Uuid) -> Result<R, StoreError> {
    get(connection, id)?.ok_or_else(|| StoreError::NotFound { kind: R::KIND, id: id.to_string() })
}

pub(crate) fn list_for_person<R: StoredRecord>(
    connection: &Connection,
    person_id: PersonId,
) -> Result<Vec<R>, StoreError> {
    let live = if R::EDITABLE { " AND deleted_at IS NULL" } else { "" };
    let sql = format!(
        "SELECT data FROM {} WHERE person_id = ?{live} ORDER BY created_at, rowid",
        R::TABLE
    );
    decode_rows(connection, &sql, [person_id.to_string()])
}

pub(crate) fn decode_rows<R: DeserializeOwned, P: rusqlite::Params>(
    connection: &Connection,
    sql: &str,
    params: P,
) -> Result<Vec<R>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| row.get::<_, String>(0))?;
    let mut records = Vec::new();
    for data in rows {
        records.push(serde_json::from_str(&data?)?);
    }
    Ok(records)
}

/// Marks a record deleted; it stays in the table (a tombstone).
pub(crate) fn tombstone<R: StoredRecord>(
    connection: &Connection,
    id: Uuid,
    now: &str,
) -> Result<(), StoreError> {
    let sql = format!(
        "UPDATE {} SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2 AND deleted_at IS NULL",
        R::TABLE
    );
    if connection.execute(&sql, rusqlite::params![now, id.to_string()])? == 0 {
        return Err(StoreError::NotFound { kind: R::KIND, id: id.to_string() });
    }
    Ok(())
}

/// Writes a record as sync merged it: inserts it if new; an editable record's row is
/// rewritten (data, query columns) and its tombstone set or cleared; an append-only record
/// already there is never touched.
pub(crate) fn project<R: StoredRecord>(
    connection: &Connection,
    record: &R,
    deleted: bool,
    now: &str,
) -> Result<Projected, StoreError> {
    let id = record.record_id().to_string();
    let exists: bool = connection
        .prepare_cached(&format!("SELECT EXISTS(SELECT 1 FROM {} WHERE id = ?1)", R::TABLE))?
        .query_row([&id], |row| row.get(0))?;
    if !exists {
        insert(connection, record, now)?;
        if deleted && R::EDITABLE {
            let sql = format!("UPDATE {} SET deleted_at = ?1 WHERE id = ?2", R::TABLE);
            connection.prepare_cached(&sql)?.execute(rusqlite::params![now, id])?;
        }
        return Ok(Projected::Inserted);
    }
    if !R::EDITABLE {
        return Ok(Projected::AlreadyThere);
    }
    let mut assignments = vec![
        "data = ?".to_owned(),
        "updated_at = ?".to_owned(),
        "deleted_at = CASE WHEN ? THEN coalesce(deleted_at, ?) ELSE NULL END".to_owned(),
    ];
    let mut values = vec![
        Value::Text(serde_json::to_string(record)?),
        Value::Text(now.to_owned()),
        Value::Integer(deleted.into()),
        Value::Text(now.to_owned()),
    ];
    for (name, value) in record.columns() {
        assignments.push(format!("{name} = ?"));
        values.push(value);
    }
    values.push(Value::Text(id));
    let sql = format!("UPDATE {} SET {} WHERE id = ?", R::TABLE, assignments.join(", "));
    connection.prepare_cached(&sql)?.execute(params_from_iter(values))?;
    Ok(Projected::Rewritten)
}
