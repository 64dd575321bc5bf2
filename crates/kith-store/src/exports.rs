//! The store's side of exports about one person: everything held about them for a subject
//! access request (every kind the registry says is about a person, deleted records included,
//! audited), a discharge by id, and the ids of every row of every table that names them,
//! found from the schema itself (to check an export against, independently of the registry).

use rusqlite::Connection;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use kith_domain::care_plan::CarePlan;
use kith_domain::consent::ConsentRecord;
use kith_domain::conversation::Conversation;
use kith_domain::directory::{CommunityService, Connection as ServiceConnection};
use kith_domain::discharge::Discharge;
use kith_domain::measures::Measure;
use kith_domain::note::Note;
use kith_domain::person::Person;
use kith_domain::referral::Referral;
use kith_domain::safeguarding::Concern;
use kith_domain::session::Session;
use kith_domain::supervision::{Comment, ReviewMark, SignOff};
use kith_domain::{ConcernId, DischargeId, PersonId, ReferralId, ServiceId};

use crate::records::{self, StoredRecord};
use crate::repositories::audit::{self, AuditAction, AuditEntry};
use crate::{ConcernEvent, ReferralStatusChange, Store, StoreError};

/// The audit log's record kind for a subject access export.
pub const SUBJECT_ACCESS_EXPORT_KIND: &str = "subject_access_export";

/// A record as held, with when it was deleted if it was (deleted records are kept as
/// tombstones, so they are still held).
#[derive(Debug, Clone, PartialEq)]
pub struct Held<T> {
    pub record: T,
    pub deleted_at: Option<String>,
}

/// Everything the store holds about one person.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldAboutPerson {
    pub person: Held<Person>,
    pub referrals: Vec<Held<Referral>>,
    /// Each referral's status history, oldest first.
    pub referral_history: Vec<(ReferralId, Vec<ReferralStatusChange>)>,
    pub conversations: Vec<Held<Conversation>>,
    pub care_plans: Vec<Held<CarePlan>>,
    pub sessions: Vec<Held<Session>>,
    /// Notes and amendments (append-only, never deleted).
    pub notes: Vec<Note>,
    pub measures: Vec<Measure>,
    pub connections: Vec<Held<ServiceConnection>>,
    /// The services they are connected to, removed ones included.
    pub services: Vec<CommunityService>,
    pub consent_history: Vec<ConsentRecord>,
    pub concerns: Vec<Held<Concern>>,
    /// Each concern's events (raised, escalated, closed), oldest first.
    pub concern_events: Vec<(ConcernId, Vec<ConcernEvent>)>,
    pub discharges: Vec<Held<Discharge>>,
    /// Supervisors' comments about them or their records.
    pub comments: Vec<Comment>,
    /// Supervisors' marks that their records were reviewed.
    pub review_marks: Vec<ReviewMark>,
    pub sign_offs: Vec<SignOff>,
    /// The audit trail about them from every device whose trail reached this one (on a
    /// supervisor's laptop, every device's), this export's own row included.
    pub audit_trail: Vec<AuditEntry>,
}

/// Every row of `R`'s table about the person, deleted ones included, oldest first.
fn held<R: StoredRecord>(
    connection: &Connection,
    person_id: PersonId,
) -> Result<Vec<Held<R>>, StoreError> {
    let deleted = if R::EDITABLE { "deleted_at" } else { "NULL" };
    let sql = format!(
        "SELECT data, {deleted} FROM {} WHERE person_id = ?1 ORDER BY created_at, rowid",
        R::TABLE
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([person_id.to_string()], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (data, deleted_at) = row?;
        found.push(Held { record: decode(&data)?, deleted_at });
    }
    Ok(found)
}

fn decode<R: DeserializeOwned>(data: &str) -> Result<R, StoreError> {
    Ok(serde_json::from_str(data)?)
}

fn records_only<R>(held: Vec<Held<R>>) -> Vec<R> {
    held.into_iter().map(|held| held.record).collect()
}

/// Tables that name a person but are sync's bookkeeping (copies of the records in transit or
/// their merge state) or the audit log, whose rows an export shows by content.
const NOT_RECORD_TABLES: [&str; 4] = ["outbox", "sync_records", "sync_inserts", "audit_log"];

impl Store {
    /// Everything held about a person, deleted records included, for a subject access
    /// request. The export is audited: one `read` row of kind
    /// [`SUBJECT_ACCESS_EXPORT_KIND`], written in the same transaction and included in the
    /// audit trail returned.
    pub fn held_about(&self, person_id: PersonId) -> Result<HeldAboutPerson, StoreError> {
        self.write(|change| {
            let connection: &Connection = &change.transaction;
            let mut people = held::<Person>(connection, person_id)?;
            if people.is_empty() {
                return Err(StoreError::NotFound { kind: "person", id: person_id.to_string() });
            }
            let person = people.remove(0);
            audit::append(
                connection,
                &change.now_text,
                change.user,
                Some(person_id),
                AuditAction::Read,
                SUBJECT_ACCESS_EXPORT_KIND,
                person_id.as_uuid(),
            )?;
            let referrals = held::<Referral>(connection, person_id)?;
            let referral_history = referrals
                .iter()
                .map(|held| Ok((held.record.id, self.referral_history(held.record.id)?)))
                .collect::<Result<_, StoreError>>()?;
            let concerns = held::<Concern>(connection, person_id)?;
            let concern_events = concerns
                .iter()
                .map(|held| Ok((held.record.id, self.concern_events(held.record.id)?)))
                .collect::<Result<_, StoreError>>()?;
            let connections = held::<ServiceConnection>(connection, person_id)?;
            let mut service_ids: Vec<ServiceId> =
                connections.iter().map(|held| held.record.service_id).collect();
            service_ids.sort();
            service_ids.dedup();
            let services = service_ids
                .into_iter()
                .filter_map(|id| self.service_even_if_removed(id).transpose())
                .collect::<Result<_, _>>()?;
            Ok(HeldAboutPerson {
                person,
                referrals,
                referral_history,
                conversations: held(connection, person_id)?,
                care_plans: held(connection, person_id)?,
                sessions: held(connection, person_id)?,
                notes: records_only(held(connection, person_id)?),
                measures: records_only(held(connection, person_id)?),
                connections,
                services,
                consent_history: records_only(held(connection, person_id)?),
                concerns,
                concern_events,
                discharges: held(connection, person_id)?,
                comments: records_only(held(connection, person_id)?),
                review_marks: records_only(held(connection, person_id)?),
                sign_offs: records_only(held(connection, person_id)?),
                audit_trail: self.audit_log_for(person_id)?,
            })
        })
    }

    /// One discharge (audited read).
    pub fn discharge(&self, id: DischargeId) -> Result<Discharge, StoreError> {
        self.read_audited(id.as_uuid())
    }

    /// A service of the directory by id, even if it was removed since (a connection to it
    /// still names it). `None` if there never was one.
    pub fn service_even_if_removed(
        &self,
        id: ServiceId,
    ) -> Result<Option<CommunityService>, StoreError> {
        let found: Vec<CommunityService> = records::decode_rows(
            &self.connection,
            "SELECT data FROM community_services WHERE id = ?1",
            [id.to_string()],
        )?;
        Ok(found.into_iter().next())
    }

    /// The id of every row that names a person (its `person_id`), in every table of the
    /// schema that has such a column, except sync's bookkeeping and the audit log, as
    /// `(table, id)`. Found from the schema, not from the registry: for checking that an
    /// export leaves nothing out.
    pub fn record_ids_about(&self, person_id: PersonId) -> Result<Vec<(String, Uuid)>, StoreError> {
        let tables: Vec<String> = {
            let mut statement = self.connection.prepare(
                "SELECT m.name FROM sqlite_master m
                 WHERE m.type = 'table'
                   AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c
                               WHERE c.name = 'person_id')
                 ORDER BY m.name",
            )?;
            let rows = statement.query_map([], |row| row.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        let mut ids = Vec::new();
        for table in tables.iter().filter(|table| !NOT_RECORD_TABLES.contains(&table.as_str())) {
            // A name read from this database's own schema, quoted: never user input.
            let sql = format!("SELECT id FROM \"{table}\" WHERE person_id = ?1 ORDER BY rowid");
            let mut statement = self.connection.prepare(&sql)?;
            let rows =
                statement.query_map([person_id.to_string()], |row| row.get::<_, String>(0))?;
            for id in rows {
                let id = id?;
                let uuid =
                    id.parse().map_err(|_| StoreError::Decode(format!("an id in {table}")))?;
                ids.push((table.clone(), uuid));
            }
        }
        Ok(ids)
    }
}
