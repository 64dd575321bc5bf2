//! Supervision: the review queue (notes, plans, discharges and held sessions written or
//! changed since a supervisor last marked them reviewed, grouped by link worker and person,
//! open safeguarding concerns first), marking reviewed, comments, sign-off, and caseload
//! figures per link worker against the 200 to 250 a year guidance. Supervisor-only use cases
//! refuse a link worker with [`CoreError::NotPermitted`].

use std::collections::HashMap;

use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;

use kith_domain::supervision::{
    caseload_band, CaseloadBand, Comment, CommentAbout, ReviewMark, ReviewedRecord, SignOff,
    SignedOffRecord, GUIDANCE_PEOPLE_PER_YEAR_MAX, GUIDANCE_PEOPLE_PER_YEAR_MIN,
};
use kith_domain::{PersonId, UserId};
use kith_store::{QueuedItem, QueuedRecord, ReviewQueueEntry, ReviewQueueGroup};

use crate::people::PersonStatus;
use crate::practice::Membership;
use crate::{CoreError, Kith};

/// The most records listed per person in the review queue (newest first); the rest are
/// counted, and a mark of the whole person covers them.
pub const REVIEW_ITEMS_PER_PERSON: usize = 20;
/// People shown per link worker when the queue opens, and per "Show more". Five: the queue
/// opens on every link worker at once (ten in a full practice), each person's card lists up to
/// [`REVIEW_ITEMS_PER_PERSON`] records, and five cards already fill several screens at
/// 1024×768; people with open concerns come first, so they are always in the first five (or
/// counted in the group's header when there are more).
pub const REVIEW_PEOPLE_PER_PAGE: usize = 5;
/// The longest summary of a record in the review queue, in characters.
pub const REVIEW_SUMMARY_CHARS: usize = 280;

/// What this laptop's user is in the practice, known once it has set up or joined one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PracticeRole {
    LinkWorker,
    Supervisor,
    Admin,
}

/// One record waiting for review.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReviewItem {
    /// What it is (`kind`) and its id; give it back to [`Kith::mark_reviewed`].
    pub record: ReviewedRecord,
    /// The note's day, the plan's start, the discharge or session date.
    pub date: NaiveDate,
    /// When it was written or last changed, as this laptop received it.
    pub changed_at: DateTime<Utc>,
    /// The note's words, the plan's goals, the closing summary, or the session in words; cut
    /// to [`REVIEW_SUMMARY_CHARS`].
    pub summary: String,
    /// Who wrote it (notes), discharged (discharges) or held it (sessions); none for plans.
    pub author: Option<UserId>,
}

/// A person with records waiting for review.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReviewPerson {
    pub person_id: PersonId,
    pub display_name: String,
    /// Open safeguarding concerns: people with any come first.
    pub open_concerns: u32,
    /// How many records wait (more than `items` when over [`REVIEW_ITEMS_PER_PERSON`]).
    pub waiting: u32,
    /// Newest first.
    pub items: Vec<ReviewItem>,
}

/// The people of one link worker with records waiting for review: totals over all of them,
/// and one page of them.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReviewGroup {
    /// `None` for people assigned to no one.
    pub link_worker: Option<UserId>,
    /// All this worker's people with records waiting (not only those in `people`).
    pub people_waiting: u32,
    /// All the records waiting for this worker's people.
    pub records_waiting: u32,
    /// This worker's people waiting with open safeguarding concerns (they come first).
    pub people_with_concerns: u32,
    /// One page of [`REVIEW_PEOPLE_PER_PAGE`] at most: people with open safeguarding concerns
    /// first, then the most recently changed.
    pub people: Vec<ReviewPerson>,
}

/// The supervisor's review queue: every link worker with people waiting (those whose people
/// have open concerns first), each with the first page of their people.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReviewQueue {
    pub groups: Vec<ReviewGroup>,
    /// Records waiting in all.
    pub records_waiting: u32,
    /// People with records waiting in all.
    pub people_waiting: u32,
}

/// One link worker's caseload in figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct LinkWorkerCaseload {
    pub link_worker: UserId,
    /// People assigned to them, discharged or not.
    pub people: u32,
    /// Being worked with: contacted, accepted or with an open plan.
    pub active_people: u32,
    /// Referred and waiting for first contact.
    pub waiting_for_first_contact: u32,
    /// Planned or held sessions, Monday to Sunday of this week.
    pub sessions_this_week: u32,
    /// Planned sessions in the past never recorded, plus plans past their review date.
    pub overdue_follow_ups: u32,
    pub overdue_sessions: u32,
    pub overdue_reviews: u32,
    pub open_concerns: u32,
    /// People with a referral received in the last 12 months: the figure the guidance counts.
    pub people_started_in_last_year: u32,
    pub guidance: CaseloadBand,
    pub guidance_min_per_year: u32,
    pub guidance_max_per_year: u32,
}

/// A comment on one of the link worker's people, for Today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SupervisorComment {
    pub display_name: String,
    pub comment: Comment,
}

fn cut(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(REVIEW_SUMMARY_CHARS) {
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
        None => text.to_owned(),
    }
}

/// A unit enum's serde name in words (`home_visit` → "home visit").
fn words<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text.replace('_', " "),
        _ => String::new(),
    }
}

fn review_item(entry: &QueuedItem) -> ReviewItem {
    let local = |at: DateTime<Utc>| at.with_timezone(&Local).date_naive();
    let (date, summary, author) = match &entry.record {
        QueuedRecord::Note(note) => (local(note.written_at), cut(&note.body), Some(note.author)),
        QueuedRecord::CarePlan(plan) => {
            let goals: Vec<&str> = plan.goals.iter().map(|goal| goal.in_own_words.trim()).collect();
            let text = format!(
                "{} plan, {} sessions: {}",
                plan.status.label(),
                plan.planned_sessions,
                goals.join("; ")
            );
            (plan.starts_on, cut(&text), None)
        }
        QueuedRecord::Discharge(discharge) => {
            let reason = match &discharge.reason {
                kith_domain::discharge::DischargeReason::Other(text) => text.clone(),
                other => words(other),
            };
            let text = format!("Discharged ({reason}): {}", discharge.closing_summary);
            (discharge.discharged_on, cut(&text), Some(discharge.discharged_by))
        }
        QueuedRecord::Session(session) => {
            let mut text = format!("Held {}", words(&session.kind));
            if let Some(minutes) = session.duration_minutes {
                text.push_str(&format!(", {minutes} minutes"));
            }
            (session.date, cut(&text), Some(session.link_worker))
        }
    };
    ReviewItem {
        record: entry.record.reviewed(),
        date,
        changed_at: entry.changed_at,
        summary,
        author,
    }
}

fn review_person(entry: ReviewQueueEntry) -> ReviewPerson {
    ReviewPerson {
        person_id: entry.person_id,
        open_concerns: entry.open_concerns,
        waiting: entry.waiting,
        items: entry.items.iter().map(review_item).collect(),
        display_name: entry.display_name,
    }
}

fn review_group(group: ReviewQueueGroup) -> ReviewGroup {
    ReviewGroup {
        link_worker: group.link_worker,
        people_waiting: group.people_waiting,
        records_waiting: group.records_waiting,
        people_with_concerns: group.people_with_concerns,
        people: group.people.into_iter().map(review_person).collect(),
    }
}

impl Kith {
    /// This laptop's role in its practice; `None` before it has set up or joined one.
    pub fn role(&self) -> Result<Option<PracticeRole>, CoreError> {
        Ok(Membership::load(self.store()?)?.map(|membership| match membership.role {
            kith_protocol::Role::LinkWorker => PracticeRole::LinkWorker,
            kith_protocol::Role::Supervisor => PracticeRole::Supervisor,
            kith_protocol::Role::Admin => PracticeRole::Admin,
        }))
    }

    /// The current user, if they are a supervisor; otherwise [`CoreError::NotPermitted`]
    /// (or [`CoreError::NotJoined`] before joining a practice).
    fn supervisor(&self, what: &str) -> Result<UserId, CoreError> {
        match self.role()? {
            Some(PracticeRole::Supervisor) => self.current_user(),
            Some(_) => {
                Err(CoreError::NotPermitted { message: format!("Only supervisors can {what}.") })
            }
            None => Err(CoreError::NotJoined),
        }
    }

    /// The review queue (supervisors only): every link worker with people waiting, with
    /// their totals and their first [`REVIEW_PEOPLE_PER_PAGE`] people. Every person listed is
    /// an audited read; no one else's records are read.
    pub fn review_queue(&self) -> Result<ReviewQueue, CoreError> {
        let user = self.supervisor("review notes")?;
        let groups =
            self.store()?.review_queue(user, REVIEW_PEOPLE_PER_PAGE, REVIEW_ITEMS_PER_PERSON)?;
        let groups: Vec<ReviewGroup> = groups.into_iter().map(review_group).collect();
        Ok(ReviewQueue {
            records_waiting: groups.iter().map(|group| group.records_waiting).sum(),
            people_waiting: groups.iter().map(|group| group.people_waiting).sum(),
            groups,
        })
    }

    /// The next page of `link_worker`'s people in the review queue (supervisors only): the
    /// group's totals as they are now and its next [`REVIEW_PEOPLE_PER_PAGE`] people, leaving
    /// out those in `shown` (already on screen). People reviewed or newly synced since are
    /// counted as they are now; a group with nothing left comes back empty.
    pub fn review_queue_more(
        &self,
        link_worker: Option<UserId>,
        shown: &[PersonId],
    ) -> Result<ReviewGroup, CoreError> {
        let user = self.supervisor("review notes")?;
        let group = self.store()?.review_queue_more(
            user,
            link_worker,
            shown,
            REVIEW_PEOPLE_PER_PAGE,
            REVIEW_ITEMS_PER_PERSON,
        )?;
        Ok(review_group(group))
    }

    /// Marks records reviewed (supervisors only); `ReviewedRecord::Person` marks everything
    /// of that person written or changed so far. All or nothing. Synced.
    pub fn mark_reviewed(&self, records: &[ReviewedRecord]) -> Result<Vec<ReviewMark>, CoreError> {
        self.supervisor("mark records reviewed")?;
        let marks = self.store()?.mark_reviewed(records)?;
        self.changed();
        Ok(marks)
    }

    /// Comments on a person or one of their records (supervisors only). Synced to the link
    /// worker, shown on the person's record and on the link worker's Today.
    pub fn comment(
        &self,
        person_id: PersonId,
        about: CommentAbout,
        body: &str,
    ) -> Result<Comment, CoreError> {
        self.supervisor("comment on records")?;
        let comment = self.store()?.add_comment(person_id, about, body)?;
        self.changed();
        Ok(comment)
    }

    /// Signs off a plan or a discharge, with an optional remark (supervisors only). Synced.
    pub fn sign_off(
        &self,
        record: SignedOffRecord,
        remark: Option<&str>,
    ) -> Result<SignOff, CoreError> {
        self.supervisor("sign off plans and discharges")?;
        let sign_off = self.store()?.sign_off(record, remark)?;
        self.changed();
        Ok(sign_off)
    }

    /// Caseload figures for every link worker, as of today (supervisors only).
    pub fn caseloads(&self) -> Result<Vec<LinkWorkerCaseload>, CoreError> {
        self.caseloads_on(crate::care::today())
    }

    /// Caseload figures for every link worker as of `today` (supervisors only).
    pub fn caseloads_on(&self, today: NaiveDate) -> Result<Vec<LinkWorkerCaseload>, CoreError> {
        self.supervisor("see every link worker's caseload")?;
        let store = self.store()?;
        let statuses: HashMap<PersonId, PersonStatus> = store
            .person_overviews(None)?
            .iter()
            .map(|overview| (overview.person_id, PersonStatus::of(overview)))
            .collect();
        let figures = store.link_worker_figures(today)?;
        Ok(figures
            .into_iter()
            .map(|figures| {
                let count = |wanted: PersonStatus| {
                    let of = |person: &PersonId| statuses.get(person) == Some(&wanted);
                    figures.people.iter().filter(|person| of(person)).count() as u32
                };
                LinkWorkerCaseload {
                    link_worker: figures.link_worker,
                    people: figures.people.len() as u32,
                    active_people: count(PersonStatus::Active),
                    waiting_for_first_contact: count(PersonStatus::Referred),
                    sessions_this_week: figures.sessions_this_week,
                    overdue_follow_ups: figures.overdue_sessions + figures.overdue_reviews,
                    overdue_sessions: figures.overdue_sessions,
                    overdue_reviews: figures.overdue_reviews,
                    open_concerns: figures.open_concerns,
                    people_started_in_last_year: figures.people_referred_in_last_year,
                    guidance: caseload_band(figures.people_referred_in_last_year),
                    guidance_min_per_year: GUIDANCE_PEOPLE_PER_YEAR_MIN,
                    guidance_max_per_year: GUIDANCE_PEOPLE_PER_YEAR_MAX,
                }
            })
            .collect())
    }
}
