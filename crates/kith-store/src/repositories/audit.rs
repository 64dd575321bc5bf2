//! The audit log: who read or changed which person's record, when, and how. Append-only.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::{PersonId, UserId};

use crate::{Store, StoreError};

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

    fn parse(text: &str) -> Option<Self> {
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
}

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

impl Store {
    /// Everything recorded in the audit log about one person, oldest first.
    pub fn audit_log_for(&self, person_id: PersonId) -> Result<Vec<AuditEntry>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT at, user_id, person_id, action, record_kind, record_id FROM audit_log
             WHERE person_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([person_id.to_string()], |row| {
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
            });
        }
        Ok(entries)
    }
}
