//! Subject access: everything Kith holds about one person (their record, referrals with
//! status history, conversations, plans, sessions, notes with amendments, measures with
//! scores, connections with service names, consent history, concerns with their events,
//! discharges, supervisors' comments, review marks and sign-offs, and the audit trail about
//! them from every device whose trail reached this one), deleted records included, as one
//! structure to print or save as JSON. Making the export is itself audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use kith_domain::care_plan::CarePlan;
use kith_domain::consent::ConsentRecord;
use kith_domain::conversation::Conversation;
use kith_domain::directory::{Connection, ServiceCategory};
use kith_domain::discharge::Discharge;
use kith_domain::measures::{Measure, MeasureScore};
use kith_domain::note::Note;
use kith_domain::person::Person;
use kith_domain::referral::{Referral, ReferralStatus};
use kith_domain::safeguarding::Concern;
use kith_domain::session::Session;
use kith_domain::supervision::{Comment, ReviewMark, SignOff};
use kith_domain::{NoteId, PersonId, UserId};
use kith_store::{AuditAction, Held};

use crate::{CoreError, Kith};

/// A record as held; `deleted_at` is set when it was deleted (it is still held).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct HeldRecord<T: TS> {
    pub record: T,
    pub deleted_at: Option<String>,
}

impl<T: TS> From<Held<T>> for HeldRecord<T> {
    fn from(held: Held<T>) -> Self {
        HeldRecord { record: held.record, deleted_at: held.deleted_at }
    }
}

/// One step of a referral's status history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct StatusChange {
    pub id: Uuid,
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub changed_at: String,
    pub changed_by: UserId,
}

/// A referral with its status history.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ReferralWithHistory {
    pub referral: Referral,
    pub deleted_at: Option<String>,
    pub history: Vec<StatusChange>,
}

/// A note, and the notes that amend it (both kept).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct NoteWithAmendments {
    pub note: Note,
    pub amended_by: Vec<NoteId>,
}

/// A questionnaire with its score (`None` only if a stored one cannot be scored).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct MeasureWithScore {
    pub measure: Measure,
    pub score: Option<MeasureScore>,
}

/// A connection with the service's name and category (removed services included).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ConnectionWithService {
    pub connection: Connection,
    pub deleted_at: Option<String>,
    pub service_name: Option<String>,
    pub service_category: Option<ServiceCategory>,
}

/// One step of a concern: raised, escalated (to whom, with their reference) or closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct ConcernStep {
    pub id: Uuid,
    pub event: String,
    pub at: String,
    pub by: UserId,
    pub to_whom: Option<String>,
    pub reference: Option<String>,
}

/// A safeguarding concern with its steps.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct ConcernWithEvents {
    pub concern: Concern,
    pub deleted_at: Option<String>,
    pub events: Vec<ConcernStep>,
}

/// One row of the audit trail: who read or changed which record, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AuditRow {
    pub at: String,
    pub user_id: UserId,
    /// `read`, `create`, `update` or `delete`.
    pub action: String,
    pub record_kind: String,
    pub record_id: Uuid,
    /// The device it happened on (none for a laptop that had not joined a practice yet).
    pub device_id: Option<Uuid>,
    /// The published batch the row came in, if it has been published.
    pub batch_id: Option<Uuid>,
}

/// Everything held about one person.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct SubjectAccessExport {
    pub exported_at: DateTime<Utc>,
    pub exported_by: UserId,
    pub person: HeldRecord<Person>,
    pub referrals: Vec<ReferralWithHistory>,
    pub conversations: Vec<HeldRecord<Conversation>>,
    pub care_plans: Vec<HeldRecord<CarePlan>>,
    pub sessions: Vec<HeldRecord<Session>>,
    /// Every note and amendment, oldest first.
    pub notes: Vec<NoteWithAmendments>,
    pub measures: Vec<MeasureWithScore>,
    pub connections: Vec<ConnectionWithService>,
    pub consent_history: Vec<ConsentRecord>,
    pub concerns: Vec<ConcernWithEvents>,
    pub discharges: Vec<HeldRecord<Discharge>>,
    /// Supervisors' comments about the person or their records.
    pub comments: Vec<Comment>,
    /// Supervisors' marks that records were reviewed.
    pub review_marks: Vec<ReviewMark>,
    pub sign_offs: Vec<SignOff>,
    /// Oldest first; the last row is this export's own.
    pub audit_trail: Vec<AuditRow>,
}

impl std::fmt::Debug for SubjectAccessExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubjectAccessExport")
            .field("person_id", &self.person.record.id)
            .field("exported_at", &self.exported_at)
            .finish_non_exhaustive()
    }
}

impl SubjectAccessExport {
    /// The export as JSON (pretty-printed).
    pub fn to_json(&self) -> Result<String, CoreError> {
        serde_json::to_string_pretty(self)
            .map_err(|error| CoreError::Storage { message: error.to_string() })
    }
}

fn action_word(action: AuditAction) -> &'static str {
    match action {
        AuditAction::Read => "read",
        AuditAction::Create => "create",
        AuditAction::Update => "update",
        AuditAction::Delete => "delete",
    }
}

impl Kith {
    /// Everything held about a person (a subject access request), deleted records
    /// included. The export is written to the audit log (kind `subject_access_export`) in
    /// the same transaction that reads it.
    pub fn subject_access_export(
        &self,
        person_id: PersonId,
    ) -> Result<SubjectAccessExport, CoreError> {
        let exported_by = self.current_user()?;
        let held = self.store()?.held_about(person_id)?;
        let exported_at = held
            .audit_trail
            .last()
            .and_then(|row| DateTime::parse_from_rfc3339(&row.at).ok())
            .map_or_else(Utc::now, |at| at.with_timezone(&Utc));
        let referrals = held
            .referrals
            .into_iter()
            .map(|kept| {
                let history = held
                    .referral_history
                    .iter()
                    .find(|(id, _)| *id == kept.record.id)
                    .map(|(_, history)| history.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|change| StatusChange {
                        id: change.id,
                        from: change.from,
                        to: change.to,
                        changed_at: change.changed_at,
                        changed_by: change.changed_by,
                    })
                    .collect();
                ReferralWithHistory { referral: kept.record, deleted_at: kept.deleted_at, history }
            })
            .collect();
        let notes = held
            .notes
            .iter()
            .map(|note| NoteWithAmendments {
                note: note.clone(),
                amended_by: held
                    .notes
                    .iter()
                    .filter(|later| later.amends == Some(note.id))
                    .map(|later| later.id)
                    .collect(),
            })
            .collect();
        let connections = held
            .connections
            .into_iter()
            .map(|kept| {
                let service =
                    held.services.iter().find(|service| service.id == kept.record.service_id);
                ConnectionWithService {
                    service_name: service.map(|service| service.name.clone()),
                    service_category: service.map(|service| service.category),
                    connection: kept.record,
                    deleted_at: kept.deleted_at,
                }
            })
            .collect();
        let concerns = held
            .concerns
            .into_iter()
            .map(|kept| {
                let events = held
                    .concern_events
                    .iter()
                    .find(|(id, _)| *id == kept.record.id)
                    .map(|(_, events)| events.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|event| ConcernStep {
                        id: event.id,
                        event: event.event,
                        at: event.at,
                        by: event.by,
                        to_whom: event.to_whom,
                        reference: event.reference,
                    })
                    .collect();
                ConcernWithEvents { concern: kept.record, deleted_at: kept.deleted_at, events }
            })
            .collect();
        Ok(SubjectAccessExport {
            exported_at,
            exported_by,
            person: held.person.into(),
            referrals,
            conversations: held.conversations.into_iter().map(HeldRecord::from).collect(),
            care_plans: held.care_plans.into_iter().map(HeldRecord::from).collect(),
            sessions: held.sessions.into_iter().map(HeldRecord::from).collect(),
            notes,
            measures: held
                .measures
                .into_iter()
                .map(|measure| MeasureWithScore { score: measure.score().ok(), measure })
                .collect(),
            connections,
            consent_history: held.consent_history,
            concerns,
            discharges: held.discharges.into_iter().map(HeldRecord::from).collect(),
            comments: held.comments,
            review_marks: held.review_marks,
            sign_offs: held.sign_offs,
            audit_trail: held
                .audit_trail
                .into_iter()
                .map(|row| AuditRow {
                    at: row.at,
                    user_id: row.user_id,
                    action: action_word(row.action).to_owned(),
                    record_kind: row.record_kind,
                    record_id: row.record_id,
                    device_id: row.device_id,
                    batch_id: row.batch_id,
                })
                .collect(),
        })
    }
}
