//! Sessions (contacts) with a person: kind, status, duration, and their number in the plan.

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::conversation::validate_duration;
use crate::error::DomainError;
use crate::ids::{CarePlanId, PersonId, SessionId, UserId};

/// What happened to a planned session. Only a planned session can become held, did not
/// attend or cancelled; those three are final.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Planned,
    Held,
    DidNotAttend,
    Cancelled,
}

impl SessionStatus {
    /// Every status.
    pub const ALL: [SessionStatus; 4] = [
        SessionStatus::Planned,
        SessionStatus::Held,
        SessionStatus::DidNotAttend,
        SessionStatus::Cancelled,
    ];

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [SessionStatus] {
        match self {
            SessionStatus::Planned => {
                &[SessionStatus::Held, SessionStatus::DidNotAttend, SessionStatus::Cancelled]
            }
            SessionStatus::Held | SessionStatus::DidNotAttend | SessionStatus::Cancelled => &[],
        }
    }

    /// Moves to `to` if allowed, otherwise [`DomainError::SessionStatusChange`].
    pub fn transition(self, to: SessionStatus) -> Result<SessionStatus, DomainError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::SessionStatusChange { from: self, to })
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            SessionStatus::Planned => "planned",
            SessionStatus::Held => "held",
            SessionStatus::DidNotAttend => "did not attend",
            SessionStatus::Cancelled => "cancelled",
        }
    }
}

/// The kind of contact.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    HomeVisit,
    Phone,
    Video,
    Meeting,
    /// Going with the person, e.g. to a group's first meeting.
    Accompanied,
}

impl SessionKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [SessionKind; 5] = [
        SessionKind::HomeVisit,
        SessionKind::Phone,
        SessionKind::Video,
        SessionKind::Meeting,
        SessionKind::Accompanied,
    ];
}

/// A session (contact) with a person.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Session {
    pub id: SessionId,
    pub person_id: PersonId,
    pub care_plan_id: Option<CarePlanId>,
    pub link_worker: UserId,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub kind: SessionKind,
    pub status: SessionStatus,
    /// Required once the session is held.
    pub duration_minutes: Option<u16>,
    /// Where, for a visit or meeting.
    pub location: Option<String>,
}
crate::debug_without_personal_data!(Session {
    id,
    person_id,
    care_plan_id,
    date,
    kind,
    status,
    duration_minutes
});

impl Session {
    /// Checks the session: a held session happened (not after `today`) and has a duration.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        if let Some(minutes) = self.duration_minutes {
            validate_duration(minutes)?;
        }
        if self.status == SessionStatus::Held {
            if self.date > today {
                return Err(DomainError::DateInFuture { field: "date of a held session" });
            }
            if self.duration_minutes.is_none() {
                return Err(DomainError::HeldSessionWithoutDuration);
            }
        }
        Ok(())
    }

    /// Records what happened. A held session needs its duration. Refused changes leave the
    /// session unchanged.
    pub fn record_outcome(
        &mut self,
        status: SessionStatus,
        duration_minutes: Option<u16>,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        let next = self.status.transition(status)?;
        let mut updated = self.clone();
        updated.status = next;
        if duration_minutes.is_some() {
            updated.duration_minutes = duration_minutes;
        }
        updated.validate(today)?;
        *self = updated;
        Ok(())
    }
}

/// A session's place in its plan, shown as "3 of 8".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SessionNumber {
    pub number: u16,
    pub of: u16,
}

impl fmt::Display for SessionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {}", self.number, self.of)
    }
}

/// The number of `session_id` among the plan's sessions, out of the plan's `planned`
/// sessions. Sessions count in date then time order (then by id); cancelled sessions do
/// not count and have no number. `None` when the session is not in the list, belongs to
/// another plan, or is cancelled.
pub fn session_number(
    plan_sessions: &[Session],
    plan_id: CarePlanId,
    planned: u8,
    session_id: SessionId,
) -> Option<SessionNumber> {
    let mut counted: Vec<&Session> = plan_sessions
        .iter()
        .filter(|session| session.care_plan_id == Some(plan_id))
        .filter(|session| session.status != SessionStatus::Cancelled)
        .collect();
    counted.sort_by_key(|session| (session.date, session.start_time, session.id));
    let index = counted.iter().position(|session| session.id == session_id)?;
    let number = u16::try_from(index + 1).ok()?;
    Some(SessionNumber { number, of: u16::from(planned) })
}
