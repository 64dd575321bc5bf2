//! Clinical supervision: a supervisor's comments on a person or one of their records, marks
//! that records were reviewed, and the sign-off of a plan or a discharge. All three are
//! insert-only (never edited, never merged away). Also the caseload guidance: 200 to 250
//! people a year per full-time link worker.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;
use crate::ids::{CarePlanId, DischargeId, NoteId, PersonId, SessionId, UserId};
use crate::text::require;

define_id!(/// A supervisor's comment (insert-only).
    CommentId, "comment");
define_id!(/// A mark that a record was reviewed (insert-only).
    ReviewMarkId, "review mark");
define_id!(/// The sign-off of a plan or a discharge (insert-only).
    SignOffId, "sign-off");

/// A record a supervisor reviews. `Person` stands for everything of that person written or
/// changed up to the time of the mark.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReviewedRecord {
    Person(PersonId),
    Note(NoteId),
    CarePlan(CarePlanId),
    Discharge(DischargeId),
    /// A session that was held.
    Session(SessionId),
}

impl ReviewedRecord {
    /// The record's id.
    pub fn record_id(self) -> Uuid {
        match self {
            ReviewedRecord::Person(id) => id.as_uuid(),
            ReviewedRecord::Note(id) => id.as_uuid(),
            ReviewedRecord::CarePlan(id) => id.as_uuid(),
            ReviewedRecord::Discharge(id) => id.as_uuid(),
            ReviewedRecord::Session(id) => id.as_uuid(),
        }
    }

    /// The kind, in snake_case (as serialised): `note`, `care_plan`...
    pub fn kind(self) -> &'static str {
        match self {
            ReviewedRecord::Person(_) => "person",
            ReviewedRecord::Note(_) => "note",
            ReviewedRecord::CarePlan(_) => "care_plan",
            ReviewedRecord::Discharge(_) => "discharge",
            ReviewedRecord::Session(_) => "session",
        }
    }
}

/// What a comment is about: the person in general, or one of their records.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum CommentAbout {
    Person,
    Note(NoteId),
    CarePlan(CarePlanId),
    Discharge(DischargeId),
    Session(SessionId),
}

impl CommentAbout {
    /// The record the comment is about, if it is about one (not the person in general).
    pub fn record(self) -> Option<ReviewedRecord> {
        match self {
            CommentAbout::Person => None,
            CommentAbout::Note(id) => Some(ReviewedRecord::Note(id)),
            CommentAbout::CarePlan(id) => Some(ReviewedRecord::CarePlan(id)),
            CommentAbout::Discharge(id) => Some(ReviewedRecord::Discharge(id)),
            CommentAbout::Session(id) => Some(ReviewedRecord::Session(id)),
        }
    }

    /// The kind, in snake_case (as serialised): `person`, `note`, `care_plan`...
    pub fn kind(self) -> &'static str {
        self.record().map_or("person", ReviewedRecord::kind)
    }
}

/// A supervisor's comment. Never edited: a second thought is a second comment.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Comment {
    pub id: CommentId,
    pub person_id: PersonId,
    pub about: CommentAbout,
    pub body: String,
    pub written_by: UserId,
    pub written_at: DateTime<Utc>,
}
crate::debug_without_personal_data!(Comment { id, person_id, about, written_by, written_at });

impl Comment {
    /// A new comment; its text is required (surrounding whitespace is dropped).
    pub fn write(
        id: CommentId,
        person_id: PersonId,
        about: CommentAbout,
        body: &str,
        written_by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Comment, DomainError> {
        require("comment", body)?;
        Ok(Comment {
            id,
            person_id,
            about,
            body: body.trim().to_owned(),
            written_by,
            written_at: now,
        })
    }
}

/// A supervisor marked a record (or everything of a person) reviewed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReviewMark {
    pub id: ReviewMarkId,
    pub person_id: PersonId,
    pub record: ReviewedRecord,
    pub reviewed_by: UserId,
    pub reviewed_at: DateTime<Utc>,
}

impl ReviewMark {
    /// A mark for `record` of `person_id`, made now.
    pub fn new(
        id: ReviewMarkId,
        person_id: PersonId,
        record: ReviewedRecord,
        reviewed_by: UserId,
        now: DateTime<Utc>,
    ) -> ReviewMark {
        ReviewMark { id, person_id, record, reviewed_by, reviewed_at: now }
    }

    /// Whether this mark covers `record` as it was when last changed at `changed_at`: a mark
    /// of the record itself, or of its whole person, made at or after the change.
    pub fn covers(
        &self,
        person_id: PersonId,
        record: ReviewedRecord,
        changed_at: DateTime<Utc>,
    ) -> bool {
        let same = self.record == record || self.record == ReviewedRecord::Person(person_id);
        same && self.person_id == person_id && self.reviewed_at >= changed_at
    }
}

/// Whether a record changed at `changed_at` still needs review, given the marks made.
pub fn needs_review(
    person_id: PersonId,
    record: ReviewedRecord,
    changed_at: DateTime<Utc>,
    marks: &[ReviewMark],
) -> bool {
    !marks.iter().any(|mark| mark.covers(person_id, record, changed_at))
}

/// What a supervisor signs off.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum SignedOffRecord {
    CarePlan(CarePlanId),
    Discharge(DischargeId),
}

impl SignedOffRecord {
    /// The record's id.
    pub fn record_id(self) -> Uuid {
        match self {
            SignedOffRecord::CarePlan(id) => id.as_uuid(),
            SignedOffRecord::Discharge(id) => id.as_uuid(),
        }
    }

    /// The kind, in snake_case (as serialised): `care_plan` or `discharge`.
    pub fn kind(self) -> &'static str {
        match self {
            SignedOffRecord::CarePlan(_) => "care_plan",
            SignedOffRecord::Discharge(_) => "discharge",
        }
    }
}

/// A plan or a discharge signed off by a supervisor, with an optional remark.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SignOff {
    pub id: SignOffId,
    pub person_id: PersonId,
    pub record: SignedOffRecord,
    pub signed_by: UserId,
    pub signed_at: DateTime<Utc>,
    pub remark: Option<String>,
}
crate::debug_without_personal_data!(SignOff { id, person_id, record, signed_by, signed_at });

impl SignOff {
    /// A sign-off; a blank remark is no remark.
    pub fn sign(
        id: SignOffId,
        person_id: PersonId,
        record: SignedOffRecord,
        signed_by: UserId,
        now: DateTime<Utc>,
        remark: Option<&str>,
    ) -> SignOff {
        let remark = remark.map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned);
        SignOff { id, person_id, record, signed_by, signed_at: now, remark }
    }
}

/// Fewest people a full-time link worker is recommended to start with in a year.
pub const GUIDANCE_PEOPLE_PER_YEAR_MIN: u32 = 200;
/// Most people a full-time link worker is recommended to start with in a year.
pub const GUIDANCE_PEOPLE_PER_YEAR_MAX: u32 = 250;
/// Above this, a caseload is among the heaviest (about one link worker in five carries it).
pub const HEAVY_CASELOAD_PER_YEAR: u32 = 300;

/// Where a year's caseload stands against the 200 to 250 a year guidance.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum CaseloadBand {
    /// Fewer than 200 (part-time, new in post, or room for more).
    BelowGuidance,
    /// 200 to 250.
    WithinGuidance,
    /// 251 to 300.
    AboveGuidance,
    /// Over 300.
    WellAboveGuidance,
}

/// The band of `people_in_year` people started in the last 12 months.
pub fn caseload_band(people_in_year: u32) -> CaseloadBand {
    match people_in_year {
        count if count < GUIDANCE_PEOPLE_PER_YEAR_MIN => CaseloadBand::BelowGuidance,
        count if count <= GUIDANCE_PEOPLE_PER_YEAR_MAX => CaseloadBand::WithinGuidance,
        count if count <= HEAVY_CASELOAD_PER_YEAR => CaseloadBand::AboveGuidance,
        _ => CaseloadBand::WellAboveGuidance,
    }
}
