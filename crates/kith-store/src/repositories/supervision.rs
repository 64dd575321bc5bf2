//! Supervision: supervisors' comments, review marks and sign-offs (all append-only, synced as
//! insert-only operations), and the review queue: notes, plans, discharges and held sessions
//! written or changed on this device since a supervisor last marked them reviewed.

use std::collections::{HashMap, HashSet};

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

use kith_protocol::RecordKind;

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
    const WIRE: RecordKind = RecordKind::Comment;
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
    const WIRE: RecordKind = RecordKind::Comment;
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
    const WIRE: RecordKind = RecordKind::Comment;
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

/// One record waiting for review.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedItem {
    /// When the record was written or last changed on this device.
    pub changed_at: DateTime<Utc>,
    pub record: QueuedRecord,
}

/// A person with records waiting for review, with the newest of them.
#[derive(Clone, PartialEq)]
pub struct ReviewQueueEntry {
    pub person_id: PersonId,
    pub display_name: String,
    /// The link worker the person is assigned to.
    pub link_worker: Option<UserId>,
    /// The person's open (raised or escalated) safeguarding concerns.
    pub open_concerns: u32,
    /// How many of the person's records wait for review (more than `items` when over the
    /// limit per person).
    pub waiting: u32,
    /// The newest change among the waiting records.
    pub newest_change: DateTime<Utc>,
    /// Newest first, at most the limit per person.
    pub items: Vec<QueuedItem>,
}

impl std::fmt::Debug for ReviewQueueEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReviewQueueEntry")
            .field("person_id", &self.person_id)
            .field("link_worker", &self.link_worker)
            .field("open_concerns", &self.open_concerns)
            .field("waiting", &self.waiting)
            .field("newest_change", &self.newest_change)
            .field("items", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// One link worker's share of the review queue: totals over all their people with records
/// waiting, and one page of those people in queue order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewQueueGroup {
    /// `None` for people assigned to no one.
    pub link_worker: Option<UserId>,
    pub people_waiting: u32,
    pub records_waiting: u32,
    pub people_with_concerns: u32,
    /// People with open safeguarding concerns first, then the most recently changed, then by
    /// id (so pages are stable).
    pub people: Vec<ReviewQueueEntry>,
}

/// The one definition of "waiting for review by `?1`": every note, plan, discharge and held
/// session of a live person written or changed here after the last mark that covers it (of
/// the record, or of its whole person), except the reviewer's own. It defines the CTE
/// `waiting(kind, id, person_id, changed_at[, data])`; `$data` is
/// `""` or `", data"` (the record's JSON), `$only` is `""` or a condition on `person_id`
/// added to every branch. Times compare as text: all are RFC 3339 UTC with microseconds.
macro_rules! waiting_for_review {
    ($data:literal, $only:literal) => {
        concat!(
            "WITH items AS (
                SELECT 'note' AS kind, id, person_id, created_at AS changed_at",
            $data,
            " FROM notes WHERE json_extract(data, '$.author') IS NOT ?1",
            $only,
            "
                UNION ALL
                SELECT 'care_plan', id, person_id, updated_at",
            $data,
            " FROM care_plans WHERE deleted_at IS NULL",
            $only,
            "
                UNION ALL
                SELECT 'discharge', id, person_id, updated_at",
            $data,
            " FROM discharges
                WHERE deleted_at IS NULL AND json_extract(data, '$.discharged_by') IS NOT ?1",
            $only,
            "
                UNION ALL
                SELECT 'session', id, person_id, updated_at",
            $data,
            " FROM sessions
                WHERE status = 'held' AND deleted_at IS NULL AND link_worker IS NOT ?1",
            $only,
            "
            ), waiting AS (
                SELECT i.* FROM items i
                WHERE i.person_id IN (SELECT id FROM people WHERE deleted_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM review_marks m
                                  WHERE m.record_id = i.id AND m.reviewed_at >= i.changed_at)
                  AND NOT EXISTS (SELECT 1 FROM review_marks m
                                  WHERE m.record_id = i.person_id AND m.record_kind = 'person'
                                    AND m.reviewed_at >= i.changed_at)
            ) "
        )
    };
}

/// Per person with records waiting for `?1`: their link worker, how many wait, the newest
/// change and their open concerns. No record data is read beyond the author checks. Grouped
/// before joining people, so people are looked up once each, not once per record.
const WAITING_PEOPLE: &str = concat!(
    waiting_for_review!("", ""),
    "SELECT w.person_id, p.assigned_link_worker, w.waiting, w.newest,
        (SELECT count(*) FROM concerns c WHERE c.person_id = w.person_id
            AND c.status <> 'closed' AND c.deleted_at IS NULL)
    FROM (SELECT person_id, count(*) AS waiting, max(changed_at) AS newest
          FROM waiting GROUP BY person_id) w
    JOIN people p ON p.id = w.person_id"
);

/// The newest `?3` waiting records (with their data) of each person in the JSON array `?2`,
/// with the person's name.
const WAITING_ITEMS: &str = concat!(
    waiting_for_review!(", data", " AND person_id IN (SELECT value FROM json_each(?2))"),
    ", placed AS (
        SELECT w.*,
            row_number() OVER (PARTITION BY w.person_id ORDER BY w.changed_at DESC, w.id) AS place
        FROM waiting w
    )
    SELECT w.kind, w.data, w.person_id, p.display_name, w.changed_at
    FROM placed w JOIN people p ON p.id = w.person_id
    WHERE w.place <= ?3 ORDER BY w.person_id, w.place"
);

/// A person with records waiting, as [`WAITING_PEOPLE`] counts them.
#[derive(Debug, Clone, PartialEq)]
struct WaitingPerson {
    person_id: PersonId,
    link_worker: Option<UserId>,
    waiting: u32,
    newest_change: DateTime<Utc>,
    open_concerns: u32,
}

/// One link worker's people with records waiting, in queue order.
#[derive(Debug)]
struct WaitingGroup {
    link_worker: Option<UserId>,
    people: Vec<WaitingPerson>,
}

impl WaitingGroup {
    fn has_concerns(&self) -> bool {
        self.people.iter().any(|person| person.open_concerns > 0)
    }

    fn newest_change(&self) -> Option<DateTime<Utc>> {
        self.people.iter().map(|person| person.newest_change).max()
    }
}

/// Groups people by link worker, in queue order: within a group, people with open concerns
/// first, then the most recently changed, then by id; groups with concerns first, then the
/// one with the most recent change, then by link worker.
fn in_queue_order(people: Vec<WaitingPerson>) -> Vec<WaitingGroup> {
    let mut by_worker: HashMap<Option<UserId>, Vec<WaitingPerson>> = HashMap::new();
    for person in people {
        by_worker.entry(person.link_worker).or_default().push(person);
    }
    let mut groups: Vec<WaitingGroup> = by_worker
        .into_iter()
        .map(|(link_worker, mut people)| {
            people.sort_by(|a, b| {
                (b.open_concerns > 0)
                    .cmp(&(a.open_concerns > 0))
                    .then_with(|| b.newest_change.cmp(&a.newest_change))
                    .then_with(|| a.person_id.cmp(&b.person_id))
            });
            WaitingGroup { link_worker, people }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.has_concerns()
            .cmp(&a.has_concerns())
            .then_with(|| b.newest_change().cmp(&a.newest_change()))
            .then_with(|| a.link_worker.cmp(&b.link_worker))
    });
    groups
}

fn bad_row(what: &str) -> StoreError {
    StoreError::Decode(format!("review queue {what}"))
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    Ok(DateTime::parse_from_rfc3339(text).map_err(|_| bad_row("time"))?.with_timezone(&Utc))
}

fn waiting_people(change: &Change<'_>, reviewer: UserId) -> Result<Vec<WaitingPerson>, StoreError> {
    let mut statement = change.transaction.prepare_cached(WAITING_PEOPLE)?;
    let rows = statement.query_map([reviewer.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    let mut people = Vec::new();
    for row in rows {
        let (person_id, link_worker, waiting, newest, open_concerns) = row?;
        people.push(WaitingPerson {
            person_id: person_id.parse().map_err(|_| bad_row("person id"))?,
            link_worker: link_worker
                .map(|id| id.parse().map_err(|_| bad_row("link worker")))
                .transpose()?,
            waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
            newest_change: parse_time(&newest)?,
            open_concerns: u32::try_from(open_concerns).unwrap_or(u32::MAX),
        });
    }
    Ok(people)
}

fn queued_record(kind: &str, data: &str) -> Result<QueuedRecord, StoreError> {
    Ok(match kind {
        "note" => QueuedRecord::Note(serde_json::from_str(data)?),
        "care_plan" => QueuedRecord::CarePlan(serde_json::from_str(data)?),
        "discharge" => QueuedRecord::Discharge(serde_json::from_str(data)?),
        "session" => QueuedRecord::Session(serde_json::from_str(data)?),
        _ => return Err(bad_row("kind")),
    })
}

/// A page of `group`: the first `page` of its people not in `shown`, each with their newest
/// `per_person` records (read only for them), each person returned an audited read.
fn fill_page(
    change: &Change<'_>,
    reviewer: UserId,
    group: WaitingGroup,
    shown: &HashSet<PersonId>,
    page: usize,
    per_person: usize,
) -> Result<ReviewQueueGroup, StoreError> {
    let mut filled = ReviewQueueGroup {
        link_worker: group.link_worker,
        people_waiting: u32::try_from(group.people.len()).unwrap_or(u32::MAX),
        records_waiting: group.people.iter().map(|person| person.waiting).sum(),
        people_with_concerns: u32::try_from(
            group.people.iter().filter(|person| person.open_concerns > 0).count(),
        )
        .unwrap_or(u32::MAX),
        people: Vec::new(),
    };
    let chosen: Vec<WaitingPerson> = group
        .people
        .into_iter()
        .filter(|person| !shown.contains(&person.person_id))
        .take(page)
        .collect();
    if chosen.is_empty() {
        return Ok(filled);
    }
    let ids = serde_json::to_string(
        &chosen.iter().map(|person| person.person_id.to_string()).collect::<Vec<_>>(),
    )?;
    let mut found: HashMap<PersonId, (String, Vec<QueuedItem>)> = HashMap::new();
    let mut statement = change.transaction.prepare_cached(WAITING_ITEMS)?;
    let rows = statement.query_map(
        rusqlite::params![reviewer.to_string(), ids, i64::try_from(per_person).unwrap_or(i64::MAX)],
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
            ))
        },
    )?;
    for row in rows {
        let (kind, data, person_id, display_name, changed_at) = row?;
        let person_id: PersonId = person_id.parse().map_err(|_| bad_row("person id"))?;
        let item = QueuedItem {
            changed_at: parse_time(&changed_at)?,
            record: queued_record(&kind, &data)?,
        };
        found.entry(person_id).or_insert_with(|| (display_name, Vec::new())).1.push(item);
    }
    drop(statement);
    for person in chosen {
        // Both queries run in one transaction, so every chosen person has their records.
        let Some((display_name, items)) = found.remove(&person.person_id) else { continue };
        audit::append(
            &change.transaction,
            &change.now_text,
            change.user,
            Some(person.person_id),
            AuditAction::Read,
            "review_queue",
            person.person_id.as_uuid(),
        )?;
        filled.people.push(ReviewQueueEntry {
            person_id: person.person_id,
            display_name,
            link_worker: person.link_worker,
            open_concerns: person.open_concerns,
            waiting: person.waiting,
            newest_change: person.newest_change,
            items,
        });
    }
    Ok(filled)
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

    /// The review queue for `reviewer`, one group per link worker (see [`ReviewQueueGroup`]
    /// for the order), each with its totals and its first `people_per_group` people, each of
    /// them with their newest `per_person` waiting records. Waiting: every note, plan,
    /// discharge and held session of a live person written or changed on this device after
    /// the last mark that covers it, except the reviewer's own. Records are read only for the
    /// people returned, and only they are audited reads.
    pub fn review_queue(
        &self,
        reviewer: UserId,
        people_per_group: usize,
        per_person: usize,
    ) -> Result<Vec<ReviewQueueGroup>, StoreError> {
        self.write(|change| {
            let shown = HashSet::new();
            in_queue_order(waiting_people(change, reviewer)?)
                .into_iter()
                .map(|group| {
                    fill_page(change, reviewer, group, &shown, people_per_group, per_person)
                })
                .collect()
        })
    }

    /// The next page of one link worker's group in the review queue (`None`: people assigned
    /// to no one): its totals as they are now and its first `people` people not in `shown`
    /// (those already on screen; people reviewed since then are simply no longer waiting).
    /// A group with nothing waiting any more comes back empty. Audited like
    /// [`Store::review_queue`].
    pub fn review_queue_more(
        &self,
        reviewer: UserId,
        link_worker: Option<UserId>,
        shown: &[PersonId],
        people: usize,
        per_person: usize,
    ) -> Result<ReviewQueueGroup, StoreError> {
        self.write(|change| {
            let shown: HashSet<PersonId> = shown.iter().copied().collect();
            let group = in_queue_order(waiting_people(change, reviewer)?)
                .into_iter()
                .find(|group| group.link_worker == link_worker)
                .unwrap_or(WaitingGroup { link_worker, people: Vec::new() });
            fill_page(change, reviewer, group, &shown, people, per_person)
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

    /// Every queued item, over every group's first page (big enough for these tests).
    fn queue(store: &Store, reviewer: kith_domain::UserId) -> Vec<super::QueuedItem> {
        let groups = store.review_queue(reviewer, 100, 100).unwrap();
        groups.into_iter().flat_map(|g| g.people).flat_map(|p| p.items).collect()
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
        assert!(queue(&store, reviewer).is_empty(), "one's own notes wait not");
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
        let items = queue(&store, reviewer);
        assert_eq!(items.len(), 1);
        let groups = store.review_queue(reviewer, 10, 20).unwrap();
        assert_eq!(groups[0].people[0].waiting, 1);
        store.mark_reviewed(&[items[0].record.reviewed()]).unwrap();
        assert!(queue(&store, reviewer).is_empty());
        let page = PulledPage {
            operations: vec![(2, op(note("Second")))],
            unreadable: vec![],
            next_cursor: 2,
        };
        Replica::apply_page(&mut store, &page).unwrap();
        let items = queue(&store, reviewer);
        assert_eq!(items.len(), 1, "only the new note");
        assert!(matches!(&items[0].record, QueuedRecordCheck::Note(n) if n.body == "Second"));
        // Marking a record that is not here marks nothing at all.
        let missing = ReviewedRecord::Note(kith_domain::NoteId::new());
        assert!(store.mark_reviewed(&[items[0].record.reviewed(), missing]).is_err());
        assert_eq!(queue(&store, reviewer).len(), 1);
    }

    use super::QueuedRecord as QueuedRecordCheck;

    /// A worker's people for the paging tests: the `n`-th (from 1) has `n` notes by the
    /// worker; returns them oldest first.
    fn workers_people(
        store: &mut Store,
        worker: kith_domain::UserId,
        names: &[&str],
    ) -> Vec<kith_domain::PersonId> {
        let reviewer = store.current_user().unwrap();
        store.set_current_user(worker).unwrap();
        let mut people = Vec::new();
        for (index, name) in names.iter().enumerate() {
            let new = NewPerson {
                given_name: (*name).into(),
                family_name: "Test".into(),
                assigned_link_worker: Some(worker),
                ..NewPerson::default()
            };
            let person = store.add_person(new).unwrap().id;
            for note in 0..=index {
                let body = format!("{name} note {note}");
                store.add_note(NewNote { person_id: person, body, amends: None }).unwrap();
            }
            people.push(person);
        }
        store.set_current_user(reviewer).unwrap();
        people
    }

    fn read_by_queue(store: &Store, person: kith_domain::PersonId) -> bool {
        let log = store.audit_log_for(person).unwrap();
        log.iter().any(|entry| entry.record_kind == "review_queue")
    }

    #[test]
    fn the_queue_pages_each_workers_people_concerns_first_and_reads_only_those_returned() {
        let (_dir, mut store) = store();
        let reviewer = store.current_user().unwrap();
        let (ann, raj) = (kith_domain::UserId::new(), kith_domain::UserId::new());
        let names = ["A1", "A2", "A3", "A4", "A5", "A6", "A7"];
        let anns = workers_people(&mut store, ann, &names);
        // Raj's people changed last, but Ann's group has an open concern: hers comes first.
        let rajs = workers_people(&mut store, raj, &["R1", "R2"]);
        let concern = kith_domain::safeguarding::Concern::raise(
            kith_domain::ConcernId::new(),
            anns[1],
            kith_domain::safeguarding::ConcernKind::Neglect,
            "Cold flat.".into(),
            ann,
            chrono::Utc::now(),
        )
        .unwrap();
        store.raise_concern(&concern).unwrap();

        let groups = store.review_queue(reviewer, 3, 2).unwrap();
        assert_eq!(
            groups.iter().map(|g| g.link_worker).collect::<Vec<_>>(),
            [Some(ann), Some(raj)]
        );
        let first = &groups[0];
        assert_eq!(first.people_waiting, 7);
        assert_eq!(first.records_waiting, (1..=7).sum::<u32>());
        assert_eq!(first.people_with_concerns, 1);
        let ids = |people: &[super::ReviewQueueEntry]| -> Vec<kith_domain::PersonId> {
            people.iter().map(|p| p.person_id).collect()
        };
        // The concern first, then the most recently changed.
        assert_eq!(ids(&first.people), [anns[1], anns[6], anns[5]]);
        assert_eq!(first.people[0].open_concerns, 1);
        let a7 = &first.people[1];
        assert_eq!(a7.waiting, 7);
        let bodies: Vec<&str> = a7
            .items
            .iter()
            .map(|item| match &item.record {
                QueuedRecordCheck::Note(note) => note.body.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(bodies, ["A7 note 6", "A7 note 5"], "the newest two, newest first");
        assert_eq!((groups[1].people_waiting, groups[1].records_waiting), (2, 3));
        assert_eq!(ids(&groups[1].people), [rajs[1], rajs[0]]);
        assert_eq!(groups[1].people_with_concerns, 0);
        // Only the people returned were read.
        for person in [anns[1], anns[6], anns[5], rajs[0], rajs[1]] {
            assert!(read_by_queue(&store, person), "a shown person is an audited read");
        }
        for person in [anns[0], anns[2], anns[3], anns[4]] {
            assert!(!read_by_queue(&store, person), "a person not shown was read");
        }

        // The next page leaves out those shown; the last page is short; then nothing.
        let mut shown = ids(&first.people);
        let second = store.review_queue_more(reviewer, Some(ann), &shown, 3, 2).unwrap();
        assert_eq!(ids(&second.people), [anns[4], anns[3], anns[2]]);
        assert_eq!((second.people_waiting, second.records_waiting), (7, 28));
        assert!(read_by_queue(&store, anns[3]) && !read_by_queue(&store, anns[0]));
        shown.extend(ids(&second.people));
        let last = store.review_queue_more(reviewer, Some(ann), &shown, 3, 2).unwrap();
        assert_eq!(ids(&last.people), [anns[0]]);
        shown.extend(ids(&last.people));
        let none = store.review_queue_more(reviewer, Some(ann), &shown, 3, 2).unwrap();
        assert!(none.people.is_empty());
        assert_eq!(none.people_waiting, 7);

        // People reviewed after their page was shown simply stop counting.
        store.mark_reviewed(&[ReviewedRecord::Person(anns[1])]).unwrap();
        let after = store.review_queue_more(reviewer, Some(ann), &shown[..3], 3, 2).unwrap();
        assert_eq!(ids(&after.people), [anns[4], anns[3], anns[2]]);
        assert_eq!(
            (after.people_waiting, after.records_waiting, after.people_with_concerns),
            (6, 26, 0)
        );
        // A worker with nothing waiting (any more) gives an empty group.
        let gone = store.review_queue_more(reviewer, Some(kith_domain::UserId::new()), &[], 3, 2);
        let gone = gone.unwrap();
        assert!(gone.people.is_empty() && gone.people_waiting == 0 && gone.records_waiting == 0);
    }

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
        // A visit being typed up for each: only the purged person's draft goes.
        let mut drafted = Vec::new();
        for who in [ada, kept] {
            let session = kith_domain::session::Session {
                id: kith_domain::SessionId::new(),
                person_id: who,
                care_plan_id: None,
                link_worker: writer,
                date: chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap(),
                start_time: None,
                kind: kith_domain::session::SessionKind::HomeVisit,
                status: kith_domain::session::SessionStatus::Planned,
                duration_minutes: None,
                location: None,
            };
            store.add_session(&session).unwrap();
            store
                .save_visit_draft(session.id, r#"{"notes":"Talked about the rent arrears"}"#)
                .unwrap();
            drafted.push(session.id);
        }
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
        assert_eq!(store.visit_draft(drafted[0]).unwrap(), None, "the purged person's draft");
        assert!(store.visit_draft(drafted[1]).unwrap().is_some(), "the kept person's draft");
        assert_eq!(count(&store, "SELECT count(*) FROM drafts"), 1);
    }
}
