//! Safeguarding concerns, with every step (raised, escalated, closed) kept in
//! `concern_events`.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::safeguarding::{Closure, Concern, Escalation};
use kith_domain::{ConcernId, PersonId, UserId};

use crate::records::{enum_text, StoredRecord};
use crate::repositories::care::require_person;
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Concern {
    const KIND: &'static str = "concern";
    const TABLE: &'static str = "concerns";
    const EDITABLE: bool = true;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("status", enum_text(&self.status))]
    }
}

/// One step in a concern's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernEvent {
    /// `raised`, `escalated` or `closed`.
    pub event: String,
    pub at: String,
    pub by: UserId,
}

fn append_event(change: &Change<'_>, concern: ConcernId, event: &str) -> Result<(), StoreError> {
    change.transaction.execute(
        "INSERT INTO concern_events (concern_id, event, at, by_user) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![concern.to_string(), event, change.now_text, change.user.to_string()],
    )?;
    Ok(())
}

impl Store {
    /// Records a newly raised concern (build it with `Concern::raise`).
    pub fn raise_concern(&self, concern: &Concern) -> Result<(), StoreError> {
        self.write(|change| {
            require_person(change, concern.person_id)?;
            let checked = Concern::raise(
                concern.id,
                concern.person_id,
                concern.kind,
                concern.description.clone(),
                concern.raised_by,
                concern.raised_at,
            )?;
            if checked != *concern {
                return Err(StoreError::Invalid(kith_domain::DomainError::ConcernStatusJump {
                    from: checked.status,
                    to: concern.status,
                }));
            }
            change.insert(concern)?;
            append_event(change, concern.id, "raised")
        })
    }

    /// Records who the concern was escalated to and when.
    pub fn escalate_concern(
        &self,
        id: ConcernId,
        escalation: Escalation,
    ) -> Result<Concern, StoreError> {
        self.write(|change| {
            let mut concern: Concern = change.require(id.as_uuid())?;
            concern.escalate(escalation)?;
            change.update(&concern)?;
            append_event(change, id, "escalated")?;
            Ok(concern)
        })
    }

    /// Closes a concern with its outcome.
    pub fn close_concern(&self, id: ConcernId, closure: Closure) -> Result<Concern, StoreError> {
        self.write(|change| {
            let mut concern: Concern = change.require(id.as_uuid())?;
            concern.close(closure)?;
            change.update(&concern)?;
            append_event(change, id, "closed")?;
            Ok(concern)
        })
    }

    /// A person's concerns (audited read).
    pub fn concerns_for(&self, person_id: PersonId) -> Result<Vec<Concern>, StoreError> {
        self.list_audited(person_id)
    }

    /// The history of one concern, oldest first.
    pub fn concern_events(&self, id: ConcernId) -> Result<Vec<ConcernEvent>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT event, at, by_user FROM concern_events WHERE concern_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([id.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (event, at, by) = row?;
            let by = by.parse().map_err(|_| StoreError::Decode("concern event user".into()))?;
            events.push(ConcernEvent { event, at, by });
        }
        Ok(events)
    }
}
