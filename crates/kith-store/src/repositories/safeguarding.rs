//! Safeguarding concerns, with every step (raised, escalated, closed) kept in
//! `concern_events`.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::safeguarding::{Closure, Concern, Escalation};
use kith_domain::{ConcernId, PersonId, UserId};

use kith_protocol::RecordKind;

use crate::records::{self, enum_text, StoredRecord};
use crate::repositories::care::require_person;
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Concern {
    const KIND: &'static str = "concern";
    const TABLE: &'static str = "concerns";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Safeguarding;
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

/// One step in a concern's history: an insert-only record of its own, synced to every device
/// that holds the person (wire kind `history`). An escalation keeps to whom and the
/// reference as they were then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcernEvent {
    pub id: Uuid,
    pub concern_id: ConcernId,
    pub person_id: PersonId,
    /// `raised`, `escalated` or `closed`.
    pub event: String,
    pub at: String,
    pub by: UserId,
    /// For an escalation: who it was escalated to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_whom: Option<String>,
    /// For an escalation: their reference, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl StoredRecord for ConcernEvent {
    const KIND: &'static str = "concern_event";
    const TABLE: &'static str = "concern_events";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::History;
    fn record_id(&self) -> Uuid {
        self.id
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("concern_id", Value::Text(self.concern_id.to_string())),
            ("at", Value::Text(self.at.clone())),
        ]
    }
}

fn append_event(change: &Change<'_>, concern: &Concern, event: &str) -> Result<(), StoreError> {
    let escalation = concern.escalation.as_ref().filter(|_| event == "escalated");
    change.insert_unaudited(&ConcernEvent {
        id: Uuid::now_v7(),
        concern_id: concern.id,
        person_id: concern.person_id,
        event: event.to_owned(),
        at: change.now_text.clone(),
        by: change.user,
        to_whom: escalation.map(|escalation| escalation.to_whom.clone()),
        reference: escalation.and_then(|escalation| escalation.reference.clone()),
    })
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
            append_event(change, concern, "raised")
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
            append_event(change, &concern, "escalated")?;
            Ok(concern)
        })
    }

    /// Closes a concern with its outcome.
    pub fn close_concern(&self, id: ConcernId, closure: Closure) -> Result<Concern, StoreError> {
        self.write(|change| {
            let mut concern: Concern = change.require(id.as_uuid())?;
            concern.close(closure)?;
            change.update(&concern)?;
            append_event(change, &concern, "closed")?;
            Ok(concern)
        })
    }

    /// A person's concerns (audited read).
    pub fn concerns_for(&self, person_id: PersonId) -> Result<Vec<Concern>, StoreError> {
        self.list_audited(person_id)
    }

    /// The history of one concern, oldest first (as written, on whichever device).
    pub fn concern_events(&self, id: ConcernId) -> Result<Vec<ConcernEvent>, StoreError> {
        records::decode_rows(
            &self.connection,
            "SELECT data FROM concern_events WHERE concern_id = ?1 ORDER BY at, id",
            [id.to_string()],
        )
    }
}
