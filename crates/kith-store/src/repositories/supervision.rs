//! Supervision: supervisors' comments, review marks and sign-offs (all append-only, synced as
//! insert-only operations), and the review queue: notes, plans, discharges and held sessions
//! written or changed on this device since a supervisor last marked them reviewed.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::care_plan::CarePlan;
use kith_domain::discharge::Discharge;
use kith_domain::note::Note;
use kith_domain::person::Person;
use kith_domain::session::Session;
use kith_domain::supervision::{
    Comment, CommentAbout, CommentId, ReviewMark, ReviewMarkId, ReviewedRecord, SignOff, SignOffId,
    SignedOffRecord,
};
use kith_domain::{PersonId, UserId};

use crate::records::{optional_id, StoredRecord};
use crate::repositories::audit::{self, AuditAction};
use crate::store::Change;
use crate::{Store, StoreError};

/// A time as the store keeps `created_at` / `updated_at`, so the two compare as text.
fn time_text(time: DateTime<Utc>) -> Value {
    Value::Text(time.to_rfc3339_opts(SecondsFormat::Micros, true))
}

impl StoredRecord for Comment {
    const KIND: &'static str = "comment";
    const TABLE: &'static str = "comments";
    const EDITABLE: bool = false;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("about_kind", Value::Text(self.about.kind().to_owned())),
            ("about_id", optional_id(self.about.record().map(ReviewedRecord::record_id))),
            ("written_by", Value::Text(self.written_by.to_string())),
            ("written_at", time_text(self.written_at)),
        ]
    }
}

impl StoredRecord for ReviewMark {
    const KIND: &'static str = "review_mark";
    const TABLE: &'static str = "review_marks";
    const EDITABLE: bool = false;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("record_kind", Value::Text(self.record.kind().to_owned())),
            ("record_id", Value::Text(self.record.record_id().to_string())),
            ("reviewed_by", Value::Text(self.reviewed_by.to_string())),
            ("reviewed_at", time_text(self.reviewed_at)),
        ]
    }
}

impl StoredRecord for SignOff {
    const KIND: &'static str = "sign_off";
    const TABLE: &'static str = "sign_offs";
    const EDITABLE: bool = false;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("record_kind", Value::Text(self.record.kind().to_owned())),
            ("record_id", Value::Text(self.record.record_id().to_string())),
            ("signed_by", Value::Text(self.signed_by.to_string())),
            ("signed_at", time_text(self.signed_at)),
        ]
    }
}

/// The person a reviewed record belongs to; `NotFound` if the record is not here (or was
/// deleted).
fn person_of(change: &Change<'_>, record: ReviewedRecord) -> Result<PersonId, StoreError> {
    let id = record.record_id();
    Ok(match record {
        ReviewedRecord::Person(person_id) => change.require::<Person>(id).map(|_| person_id)?,
        ReviewedRecord::Note(_) => change.require::<Note>(id)?.person_id,
        ReviewedRecord::CarePlan(_) => change.require::<CarePlan>(id)?.person_id,
        ReviewedRecord::Discharge(_) => change.require::<Discharge>(id)?.person_id,
        ReviewedRecord::Session(_) => change.require::<Session>(id)?.person_id,
    })
}

/// A record from the review queue, as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum QueuedRecord {
    Note(Note),
    CarePlan(CarePlan),
    Discharge(Discharge),
    /// A held session.
    Session(Session),
}

impl QueuedRecord {
    /// The record, as a supervisor marks it reviewed.
    pub fn reviewed(&self) -> ReviewedRecord {
        match self {
            QueuedRecord::Note(note) => ReviewedRecord::Note(note.id),
            QueuedRecord::CarePlan(plan) => ReviewedRecord::CarePlan(plan.id),
            QueuedRecord::Discharge(discharge) => ReviewedRecord::Discharge(discharge.id),
            QueuedRecord::Session(session) => ReviewedRecord::Session(session.id),
        }
    }
}

/// One record waiting for review, with what the queue groups and orders by.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewQueueEntry {
    pub person_id: PersonId,
    pub display_name: String,
    /// The link worker the person is assigned to.
    pub link_worker: Option<UserId>,
    /// The person's open (raised or escalated) safeguarding concerns.
    pub open_concerns: u32,
    /// How many of the person's records wait for review (more than are listed when over the
    /// limit per person).
    pub waiting_for_person: u32,
    /// When the record was written or last changed on this device.
    pub changed_at: DateTime<Utc>,
    pub record: QueuedRecord,
}

/// Every record written or changed here since a mark that covers it (of the record, or of
/// its whole person), except the reviewer's own; held sessions only; live people only. `?1`
/// the reviewer, `?2` the most listed per person (newest first). Times compare as text: all
/// are RFC 3339 UTC with microseconds.
const REVIEW_QUEUE: &str = "WITH items AS (
        SELECT 'note' AS kind, n.id, n.person_id, n.created_at AS changed_at, n.data
        FROM notes n WHERE json_extract(n.data, '$.author') IS NOT ?1
        UNION ALL
        SELECT 'care_plan', c.id, c.person_id, c.updated_at, c.data
        FROM care_plans c WHERE c.deleted_at IS NULL
        UNION ALL
        SELECT 'discharge', d.id, d.person_id, d.updated_at, d.data
        FROM discharges d
        WHERE d.deleted_at IS NULL AND json_extract(d.data, '$.discharged_by') IS NOT ?1
        UNION ALL
        SELECT 'session', s.id, s.person_id, s.updated_at, s.data
        FROM sessions s
        WHERE s.status = 'held' AND s.deleted_at IS NULL AND s.link_worker IS NOT ?1
    ), waiting AS (
        SELECT i.*,
            row_number() OVER (PARTITION BY i.person_id ORDER BY i.changed_at DESC) AS place,
            count(*) OVER (PARTITION BY i.person_id) AS for_person
        FROM items i
        WHERE NOT EXISTS (SELECT 1 FROM review_marks m
                          WHERE m.record_id = i.id AND m.reviewed_at >= i.changed_at)
          AND NOT EXISTS (SELECT 1 FROM review_marks m
                          WHERE m.record_id = i.person_id AND m.record_kind = 'person'
                            AND m.reviewed_at >= i.changed_at)
    )
    SELECT w.kind, w.data, w.person_id, p.display_name, p.assigned_link_worker,
        (SELECT count(*) FROM concerns c WHERE c.person_id = w.person_id
            AND c.status <> 'closed' AND c.deleted_at IS NULL),
        w.for_person, w.changed_at
    FROM waiting w JOIN people p ON p.id = w.person_id AND p.deleted_at IS NULL
    WHERE w.place <= ?2
    ORDER BY p.assigned_link_worker, w.person_id, w.changed_at DESC";

type QueueRow = (String, String, String, String, Option<String>, i64, i64, String);

fn queue_entry(row: QueueRow) -> Result<ReviewQueueEntry, StoreError> {
    let (kind, data, person_id, display_name, link_worker, open_concerns, waiting, changed_at) =
        row;
    let bad = |what: &str| StoreError::Decode(format!("review queue {what}"));
    let record = match kind.as_str() {
        "note" => QueuedRecord::Note(serde_json::from_str(&data)?),
        "care_plan" => QueuedRecord::CarePlan(serde_json::from_str(&data)?),
        "discharge" => QueuedRecord::Discharge(serde_json::from_str(&data)?),
        "session" => QueuedRecord::Session(serde_json::from_str(&data)?),
        _ => return Err(bad("kind")),
    };
    Ok(ReviewQueueEntry {
        person_id: person_id.parse().map_err(|_| bad("person id"))?,
        display_name,
        link_worker: link_worker
            .map(|id| id.parse().map_err(|_| bad("link worker")))
            .transpose()?,
        open_concerns: u32::try_from(open_concerns).unwrap_or(0),
        waiting_for_person: u32::try_from(waiting).unwrap_or(0),
        changed_at: DateTime::parse_from_rfc3339(&changed_at)
            .map_err(|_| bad("time"))?
            .with_timezone(&Utc),
        record,
    })
}

/// Recent comments on people assigned to `?1` (everyone if NULL) written by someone else,
/// since `?2`, newest first, at most `?3`.
const RECENT_COMMENTS: &str = "SELECT c.data, p.display_name
    FROM comments c JOIN people p ON p.id = c.person_id AND p.deleted_at IS NULL
    WHERE c.written_at >= ?2
      AND (?1 IS NULL OR (p.assigned_link_worker = ?1 AND c.written_by <> ?1))
    ORDER BY c.written_at DESC LIMIT ?3";

impl Store {
    /// Writes a comment by the current user on a person, or on one of their records (which
    /// must be here and belong to that person).
    pub fn add_comment(
        &self,
        person_id: PersonId,
        about: CommentAbout,
        body: &str,
    ) -> Result<Comment, StoreError> {
        self.write(|change| {
            let _person: Person = change.require(person_id.as_uuid())?;
            if let Some(record) = about.record() {
                if person_of(change, record)? != person_id {
                    return Err(StoreError::NotFound {
                        kind: "record of this person",
                        id: record.record_id().to_string(),
                    });
                }
            }
            let comment =
                Comment::write(CommentId::new(), person_id, about, body, change.user, change.now)?;
            change.insert(&comment)?;
            Ok(comment)
        })
    }

    /// Marks records reviewed by the current user, all in one transaction (nothing is marked
    /// if one of them is not here).
    pub fn mark_reviewed(&self, records: &[ReviewedRecord]) -> Result<Vec<ReviewMark>, StoreError> {
        self.write(|change| {
            let mut marks = Vec::with_capacity(records.len());
            for record in records {
                let person_id = person_of(change, *record)?;
                let mark = ReviewMark::new(
                    ReviewMarkId::new(),
                    person_id,
                    *record,
                    change.user,
                    change.now,
                );
                change.insert(&mark)?;
                marks.push(mark);
            }
            Ok(marks)
        })
    }

    /// Signs off a plan or a discharge as the current user, with an optional remark.
    pub fn sign_off(
        &self,
        record: SignedOffRecord,
        remark: Option<&str>,
    ) -> Result<SignOff, StoreError> {
        self.write(|change| {
            let person_id = match record {
                SignedOffRecord::CarePlan(id) => {
                    change.require::<CarePlan>(id.as_uuid())?.person_id
                }
                SignedOffRecord::Discharge(id) => {
                    change.require::<Discharge>(id.as_uuid())?.person_id
                }
            };
            let sign_off =
                SignOff::sign(SignOffId::new(), person_id, record, change.user, change.now, remark);
            change.insert(&sign_off)?;
            Ok(sign_off)
        })
    }

    /// A person's comments, oldest first (audited read).
    pub fn comments_for(&self, person_id: PersonId) -> Result<Vec<Comment>, StoreError> {
        self.list_audited(person_id)
    }

    /// A person's sign-offs, oldest first (audited read).
    pub fn sign_offs_for(&self, person_id: PersonId) -> Result<Vec<SignOff>, StoreError> {
        self.list_audited(person_id)
    }

    /// A person's review marks, oldest first (audited read).
    pub fn review_marks_for(&self, person_id: PersonId) -> Result<Vec<ReviewMark>, StoreError> {
        self.list_audited(person_id)
    }

    /// Comments written since `since` by someone else on the people assigned to
    /// `link_worker` (`None`: on everyone), newest first, at most `limit`, each with the
    /// person's name. Audited: one read per person shown.
    pub fn recent_comments(
        &self,
        link_worker: Option<UserId>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(Comment, String)>, StoreError> {
        self.write(|change| {
            let mut statement = change.transaction.prepare_cached(RECENT_COMMENTS)?;
            let rows = statement.query_map(
                rusqlite::params![
                    link_worker.map(|id| id.to_string()),
                    since.to_rfc3339_opts(SecondsFormat::Micros, true),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
            )?;
            let mut comments = Vec::new();
            for row in rows {
                let (data, display_name) = row?;
                let comment: Comment = serde_json::from_str(&data)?;
                comments.push((comment, display_name));
            }
            drop(statement);
            for (comment, _) in &comments {
                audit::append(
                    &change.transaction,
                    &change.now_text,
                    change.user,
                    Some(comment.person_id),
                    AuditAction::Read,
                    Comment::KIND,
                    comment.id.as_uuid(),
                )?;
            }
            Ok(comments)
        })
    }

    /// The review queue for `reviewer`: every note, plan, discharge and held session of a
    /// live person written or changed on this device after the last mark that covers it,
    /// except the reviewer's own; at most `per_person` per person (newest first), each with
    /// the count waiting for that person. Ordered by link worker, person, newest first.
    /// Audited: one read per person listed.
    pub fn review_queue(
        &self,
        reviewer: UserId,
        per_person: usize,
    ) -> Result<Vec<ReviewQueueEntry>, StoreError> {
        self.write(|change| {
            let mut statement = change.transaction.prepare_cached(REVIEW_QUEUE)?;
            let rows = statement.query_map(
                rusqlite::params![
                    reviewer.to_string(),
                    i64::try_from(per_person).unwrap_or(i64::MAX)
                ],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                        row.get(7)?,
                    ))
                },
            )?;
            let mut entries = Vec::new();
            for row in rows {
                entries.push(queue_entry(row?)?);
            }
            drop(statement);
            let mut audited: Option<PersonId> = None;
            for entry in &entries {
                if audited != Some(entry.person_id) {
                    audit::append(
                        &change.transaction,
                        &change.now_text,
                        change.user,
                        Some(entry.person_id),
                        AuditAction::Read,
                        "review_queue",
                        entry.person_id.as_uuid(),
                    )?;
                    audited = Some(entry.person_id);
                }
            }
            Ok(entries)
        })
    }
}

#[cfg(test)]
mod tests {
    //! The store's side of supervision: append-only tables, records checked against their
    //! person, the queue and its marks, the sync body naming its store kind (and nothing but
    //! a supervision kind), and the scope purge.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use kith_domain::note::NewNote;
    use kith_domain::person::NewPerson;
    use kith_domain::supervision::{CommentAbout, ReviewedRecord};
    use kith_protocol::{
        DeviceId, Hlc, OperationId, PersonId as WirePersonId, RecordId, RecordKind, ScopeResponse,
    };
    use kith_sync::{OperationBody, PlainOperation, PulledPage, Replica};
    use serde_json::json;

    use crate::{Profile, Store};

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let kdf = kith_crypto::KdfParams::insecure_for_tests().unwrap();
        let (mut store, _) =
            Profile::create_with_kdf(dir.path(), "a passphrase here", kdf).unwrap();
        store.set_current_user(kith_domain::UserId::new()).unwrap();
        (dir, store)
    }

    fn person(store: &Store, name: &str) -> kith_domain::PersonId {
        let new = NewPerson {
            given_name: name.into(),
            family_name: "Test".into(),
            ..NewPerson::default()
        };
        store.add_person(new).unwrap().id
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.connection.query_row(sql, [], |row| row.get(0)).unwrap()
    }

    fn remote_insert(store: &mut Store, person: kith_domain::PersonId, body: serde_json::Value) {
        let record_id = body["id"].as_str().unwrap().parse().unwrap();
        let op = PlainOperation {
            op_id: OperationId(uuid::Uuid::now_v7()),
            device_id: DeviceId::new_v7(),
            device_seq: 1,
            kind: RecordKind::Comment,
            record_id: RecordId(record_id),
            person_id: Some(WirePersonId(person.as_uuid())),
            hlc: Hlc { wall_ms: 1, counter: 0 },
            body: OperationBody::Insert { body },
        };
        let page = PulledPage { operations: vec![(1, op)], unreadable: Vec::new(), next_cursor: 1 };
        Replica::apply_page(store, &page).unwrap();
    }

    #[test]
    fn comments_are_append_only_and_checked_against_their_person() {
        let (_dir, store) = store();
        let ada = person(&store, "Ada");
        let bob = person(&store, "Bob");
        let bobs_note =
            store.add_note(NewNote { person_id: bob, body: "Seen.".into(), amends: None }).unwrap();
        let refused =
            store.add_comment(ada, CommentAbout::Note(bobs_note.id), "About Bob").unwrap_err();
        assert!(matches!(refused, crate::StoreError::NotFound { .. }), "{refused}");
        let blank = store.add_comment(ada, CommentAbout::Person, " ").unwrap_err();
        assert!(matches!(blank, crate::StoreError::Invalid(_)), "{blank}");
        let comment =
            store.add_comment(bob, CommentAbout::Note(bobs_note.id), "Well noted").unwrap();
        assert_eq!(store.comments_for(bob).unwrap(), std::slice::from_ref(&comment));
        assert!(store.comments_for(ada).unwrap().is_empty());
        for sql in ["UPDATE comments SET data = '{}'", "DELETE FROM comments"] {
            let error = store.connection.execute(sql, []).unwrap_err();
            assert!(error.to_string().contains("append-only"), "{error}");
        }
        store.mark_reviewed(&[ReviewedRecord::Person(bob)]).unwrap();
        for sql in ["UPDATE review_marks SET data = '{}'", "DELETE FROM review_marks"] {
            let error = store.connection.execute(sql, []).unwrap_err();
            assert!(error.to_string().contains("append-only"), "{error}");
        }
        // The outbox body names the store kind, so the shared wire kind can be told apart.
        let payload: String = store
            .connection
            .query_row("SELECT payload FROM outbox WHERE kind = 'comment'", [], |row| row.get(0))
            .unwrap();
        assert!(payload.contains(r#""_kind":"comment""#), "{payload}");
    }

    #[test]
    fn the_queue_lists_others_records_until_marked_and_a_new_one_brings_the_person_back() {
        let (_dir, mut store) = store();
        let ada = person(&store, "Ada");
        let own = store.add_note(NewNote { person_id: ada, body: "Mine".into(), amends: None });
        own.unwrap();
        let reviewer = store.current_user().unwrap();
        assert!(store.review_queue(reviewer, 20).unwrap().is_empty(), "one's own notes wait not");
        // A link worker's note, as sync brings it.
        let someone = kith_domain::UserId::new();
        let note = |text: &str| {
            json!({"id": kith_domain::NoteId::new(), "person_id": ada, "author": someone,
                   "written_at": "2025-03-14T09:00:00Z", "body": text, "amends": null})
        };
        let first = note("First");
        let op = |body: serde_json::Value| PlainOperation {
            op_id: OperationId(uuid::Uuid::now_v7()),
            device_id: DeviceId::new_v7(),
            device_seq: 1,
            kind: RecordKind::Note,
            record_id: RecordId(body["id"].as_str().unwrap().parse().unwrap()),
            person_id: Some(WirePersonId(ada.as_uuid())),
            hlc: Hlc { wall_ms: 1, counter: 0 },
            body: OperationBody::Insert { body },
        };
        let page =
            PulledPage { operations: vec![(1, op(first))], unreadable: vec![], next_cursor: 1 };
        Replica::apply_page(&mut store, &page).unwrap();
        let queue = store.review_queue(reviewer, 20).unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].waiting_for_person, 1);
        store.mark_reviewed(&[queue[0].record.reviewed()]).unwrap();
        assert!(store.review_queue(reviewer, 20).unwrap().is_empty());
        let page = PulledPage {
            operations: vec![(2, op(note("Second")))],
            unreadable: vec![],
            next_cursor: 2,
        };
        Replica::apply_page(&mut store, &page).unwrap();
        let queue = store.review_queue(reviewer, 20).unwrap();
        assert_eq!(queue.len(), 1, "only the new note");
        assert!(matches!(&queue[0].record, QueuedRecordCheck::Note(n) if n.body == "Second"));
        // Marking a record that is not here marks nothing at all.
        let missing = ReviewedRecord::Note(kith_domain::NoteId::new());
        assert!(store.mark_reviewed(&[queue[0].record.reviewed(), missing]).is_err());
        assert_eq!(store.review_queue(reviewer, 20).unwrap().len(), 1);
    }

    use super::QueuedRecord as QueuedRecordCheck;

    #[test]
    fn a_comment_kind_body_is_written_only_to_a_supervision_table() {
        let (_dir, mut store) = store();
        let ada = person(&store, "Ada");
        let writer = kith_domain::UserId::new();
        let comment = json!({"_kind": "comment", "id": kith_domain::supervision::CommentId::new(),
            "person_id": ada, "about": {"kind": "person"}, "body": "Well done",
            "written_by": writer, "written_at": "2025-03-14T09:00:00Z"});
        remote_insert(&mut store, ada, comment);
        assert_eq!(store.comments_for(ada).unwrap().len(), 1);
        // A body claiming to be a person (or naming no kind) under the comment kind is kept
        // aside, never written into that table.
        let intruder = kith_domain::PersonId::new();
        let forged = json!({"_kind": "person", "id": intruder, "given_name": "Mallory"});
        remote_insert(&mut store, ada, forged);
        let unnamed = json!({"id": kith_domain::supervision::CommentId::new(), "body": "x"});
        remote_insert(&mut store, ada, unnamed);
        assert!(store.person(intruder).is_err());
        assert_eq!(count(&store, "SELECT count(*) FROM sync_inserts WHERE status = 'kept'"), 2);
        assert_eq!(count(&store, "SELECT count(*) FROM comments"), 1);
    }

    #[test]
    fn a_scope_purge_removes_comments_marks_and_sign_offs() {
        let (_dir, mut store) = store();
        let ada = person(&store, "Ada");
        let kept = person(&store, "Kept");
        let writer = kith_domain::UserId::new();
        let comment = json!({"_kind": "comment", "id": kith_domain::supervision::CommentId::new(),
            "person_id": ada, "about": {"kind": "person"}, "body": "Remote",
            "written_by": writer, "written_at": "2025-03-14T09:00:00Z"});
        remote_insert(&mut store, ada, comment);
        let mark = json!({"_kind": "review_mark", "id": kith_domain::supervision::ReviewMarkId::new(),
            "person_id": ada, "record": {"kind": "person", "id": ada},
            "reviewed_by": writer, "reviewed_at": "2025-03-14T09:00:00Z"});
        remote_insert(&mut store, ada, mark);
        // Local rows are only purged once sent: pretend they were.
        store.connection.execute("UPDATE outbox SET status = 'accepted'", []).unwrap();
        let scope =
            ScopeResponse { whole_practice: false, people: vec![WirePersonId(kept.as_uuid())] };
        Replica::resync(&mut store, &scope).unwrap();
        for table in ["comments", "review_marks", "sign_offs"] {
            assert_eq!(count(&store, &format!("SELECT count(*) FROM {table}")), 0, "{table}");
        }
        assert!(store.person(ada).is_err());
        assert!(store.person(kept).is_ok());
    }
}
