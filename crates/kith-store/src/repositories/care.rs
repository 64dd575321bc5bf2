//! Conversations, care plans (goals and steps inside the plan), sessions and discharges.

use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::care_plan::{CarePlan, CarePlanStatus};
use kith_domain::conversation::Conversation;
use kith_domain::discharge::Discharge;
use kith_domain::person::Person;
use kith_domain::referral::Referral;
use kith_domain::session::{session_number, Session, SessionNumber, SessionStatus};
use kith_domain::{CarePlanId, PersonId, SessionId};

use kith_protocol::RecordKind;

use crate::records::{self, date_text, enum_text, optional_id, StoredRecord};
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Conversation {
    const KIND: &'static str = "conversation";
    const TABLE: &'static str = "conversations";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Contact;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("held_on", date_text(self.held_on))]
    }
}

impl StoredRecord for CarePlan {
    const KIND: &'static str = "care_plan";
    const TABLE: &'static str = "care_plans";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Plan;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("status", enum_text(&self.status)), ("review_on", date_text(self.review_on))]
    }
}

impl StoredRecord for Session {
    const KIND: &'static str = "session";
    const TABLE: &'static str = "sessions";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Contact;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("care_plan_id", optional_id(self.care_plan_id.map(Uuid::from))),
            ("link_worker", Value::Text(self.link_worker.to_string())),
            ("date", date_text(self.date)),
            ("status", enum_text(&self.status)),
        ]
    }
}

impl StoredRecord for Discharge {
    const KIND: &'static str = "discharge";
    const TABLE: &'static str = "discharges";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Plan;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("discharged_on", date_text(self.discharged_on))]
    }
}

/// Refuses a record for a person who does not exist (or was deleted).
pub(crate) fn require_person(change: &Change<'_>, person_id: PersonId) -> Result<(), StoreError> {
    let _person: Person = change.require(person_id.as_uuid())?;
    Ok(())
}

/// Refuses a link to a plan that does not exist or belongs to someone else.
fn require_plan_of(
    change: &Change<'_>,
    plan_id: Option<CarePlanId>,
    person_id: PersonId,
) -> Result<(), StoreError> {
    if let Some(plan_id) = plan_id {
        let plan: CarePlan = change.require(plan_id.as_uuid())?;
        if plan.person_id != person_id {
            return Err(StoreError::NotFound { kind: "care plan", id: plan_id.to_string() });
        }
    }
    Ok(())
}

impl Store {
    /// Records a "what matters to you" conversation.
    pub fn add_conversation(&self, conversation: &Conversation) -> Result<(), StoreError> {
        self.write(|change| {
            conversation.validate(change.today())?;
            require_person(change, conversation.person_id)?;
            change.insert(conversation)
        })
    }

    /// A person's conversations (audited read).
    pub fn conversations_for(&self, person_id: PersonId) -> Result<Vec<Conversation>, StoreError> {
        self.list_audited(person_id)
    }

    /// Adds a care plan (6 to 12 planned sessions, or a recorded reason).
    pub fn add_care_plan(&self, plan: &CarePlan) -> Result<(), StoreError> {
        self.write(|change| {
            plan.validate()?;
            require_person(change, plan.person_id)?;
            change.insert(plan)
        })
    }

    /// Saves edits to a care plan. A status change must be an allowed transition.
    pub fn update_care_plan(&self, plan: &CarePlan) -> Result<(), StoreError> {
        self.write(|change| {
            let stored: CarePlan = change.require(plan.id.as_uuid())?;
            plan.validate()?;
            if stored.status != plan.status {
                let mut moved = plan.clone();
                moved.status = stored.status;
                moved.move_to(plan.status, change.today())?;
            }
            change.update(plan)
        })
    }

    /// Moves a plan through draft → agreed → active → completed/closed.
    pub fn move_care_plan(
        &self,
        id: CarePlanId,
        to: CarePlanStatus,
    ) -> Result<CarePlan, StoreError> {
        self.write(|change| {
            let mut plan: CarePlan = change.require(id.as_uuid())?;
            plan.move_to(to, change.today())?;
            change.update(&plan)?;
            Ok(plan)
        })
    }

    /// One care plan (audited read).
    pub fn care_plan(&self, id: CarePlanId) -> Result<CarePlan, StoreError> {
        self.read_audited(id.as_uuid())
    }

    /// A person's care plans (audited read).
    pub fn care_plans_for(&self, person_id: PersonId) -> Result<Vec<CarePlan>, StoreError> {
        self.list_audited(person_id)
    }

    /// Adds a session (usually planned).
    pub fn add_session(&self, session: &Session) -> Result<(), StoreError> {
        self.write(|change| {
            session.validate(change.today())?;
            require_person(change, session.person_id)?;
            require_plan_of(change, session.care_plan_id, session.person_id)?;
            change.insert(session)
        })
    }

    /// Records what happened to a planned session: held, did not attend or cancelled.
    pub fn record_session_outcome(
        &self,
        id: SessionId,
        status: SessionStatus,
        duration_minutes: Option<u16>,
    ) -> Result<Session, StoreError> {
        self.write(|change| {
            let mut session: Session = change.require(id.as_uuid())?;
            session.record_outcome(status, duration_minutes, change.today())?;
            change.update(&session)?;
            Ok(session)
        })
    }

    /// Tombstones a session entered by mistake.
    pub fn delete_session(&self, id: SessionId) -> Result<(), StoreError> {
        self.write(|change| {
            let session: Session = change.require(id.as_uuid())?;
            change.tombstone(&session)
        })
    }

    /// A person's sessions (audited read).
    pub fn sessions_for(&self, person_id: PersonId) -> Result<Vec<Session>, StoreError> {
        self.list_audited(person_id)
    }

    /// The session's number in its plan ("3 of 8"), if it belongs to a plan.
    pub fn session_number(&self, id: SessionId) -> Result<Option<SessionNumber>, StoreError> {
        let session: Session = records::require(&self.connection, id.as_uuid())?;
        let Some(plan_id) = session.care_plan_id else { return Ok(None) };
        let plan: CarePlan = records::require(&self.connection, plan_id.as_uuid())?;
        let sessions: Vec<Session> = records::decode_rows(
            &self.connection,
            "SELECT data FROM sessions WHERE care_plan_id = ?1 AND deleted_at IS NULL",
            [plan_id.to_string()],
        )?;
        Ok(session_number(&sessions, plan_id, plan.planned_sessions, id))
    }

    /// Records a discharge (checked against the referral's date when one is named).
    pub fn record_discharge(&self, discharge: &Discharge) -> Result<(), StoreError> {
        self.write(|change| {
            require_person(change, discharge.person_id)?;
            let received_on = match discharge.referral_id {
                Some(id) => Some(change.require::<Referral>(id.as_uuid())?.received_on),
                None => None,
            };
            discharge.validate(received_on, change.today())?;
            require_plan_of(change, discharge.care_plan_id, discharge.person_id)?;
            change.insert(discharge)
        })
    }

    /// A person's discharges (audited read).
    pub fn discharges_for(&self, person_id: PersonId) -> Result<Vec<Discharge>, StoreError> {
        self.list_audited(person_id)
    }
}
