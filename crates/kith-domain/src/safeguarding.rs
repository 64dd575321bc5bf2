//! Safeguarding concerns: raised, escalated (to whom, when), closed. Kith points to
//! escalation; it does not replace it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{ConcernId, PersonId, UserId};
use crate::text::require;

/// The kind of concern.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConcernKind {
    Abuse,
    Neglect,
    Exploitation,
    RiskToSelf,
    RiskToOthers,
    Other,
}

/// Where a concern is. Allowed: raised → escalated → closed, and raised → closed (with the
/// outcome saying why no escalation was needed). Closed is final.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConcernStatus {
    Raised,
    Escalated,
    Closed,
}

impl ConcernStatus {
    /// Every status.
    pub const ALL: [ConcernStatus; 3] =
        [ConcernStatus::Raised, ConcernStatus::Escalated, ConcernStatus::Closed];

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [ConcernStatus] {
        match self {
            ConcernStatus::Raised => &[ConcernStatus::Escalated, ConcernStatus::Closed],
            ConcernStatus::Escalated => &[ConcernStatus::Closed],
            ConcernStatus::Closed => &[],
        }
    }

    /// Moves to `to` if allowed, otherwise [`DomainError::ConcernStatusJump`].
    pub fn transition(self, to: ConcernStatus) -> Result<ConcernStatus, DomainError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::ConcernStatusJump { from: self, to })
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ConcernStatus::Raised => "raised",
            ConcernStatus::Escalated => "escalated",
            ConcernStatus::Closed => "closed",
        }
    }
}

/// Who a concern was escalated to, and when.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Escalation {
    /// The person or team, e.g. "practice safeguarding lead" or "adult social care".
    pub to_whom: String,
    pub escalated_at: DateTime<Utc>,
    pub escalated_by: UserId,
    /// A reference given by the team escalated to, if any.
    pub reference: Option<String>,
}
crate::debug_without_personal_data!(Escalation { escalated_at, escalated_by });

/// How a concern was closed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Closure {
    pub closed_at: DateTime<Utc>,
    pub closed_by: UserId,
    pub outcome: String,
}
crate::debug_without_personal_data!(Closure { closed_at, closed_by });

/// A safeguarding concern. While open, it shows on the person's record everywhere.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Concern {
    pub id: ConcernId,
    pub person_id: PersonId,
    pub kind: ConcernKind,
    pub description: String,
    pub raised_by: UserId,
    pub raised_at: DateTime<Utc>,
    pub status: ConcernStatus,
    pub escalation: Option<Escalation>,
    pub closure: Option<Closure>,
}
crate::debug_without_personal_data!(Concern { id, person_id, kind, status, raised_at });

impl Concern {
    /// A newly raised concern; the description is required.
    pub fn raise(
        id: ConcernId,
        person_id: PersonId,
        kind: ConcernKind,
        description: String,
        raised_by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Concern, DomainError> {
        require("what the concern is", &description)?;
        Ok(Concern {
            id,
            person_id,
            kind,
            description,
            raised_by,
            raised_at: now,
            status: ConcernStatus::Raised,
            escalation: None,
            closure: None,
        })
    }

    /// True until the concern is closed.
    pub fn is_open(&self) -> bool {
        self.status != ConcernStatus::Closed
    }

    /// Records the escalation. Refused (and nothing changed) if the concern is not raised,
    /// `to_whom` is blank or the time is before the concern was raised.
    pub fn escalate(&mut self, escalation: Escalation) -> Result<(), DomainError> {
        let next = self.status.transition(ConcernStatus::Escalated)?;
        require("who the concern was escalated to", &escalation.to_whom)?;
        if escalation.escalated_at < self.raised_at {
            return Err(DomainError::DateOrder {
                later: "time of escalation",
                earlier: "time the concern was raised",
            });
        }
        self.status = next;
        self.escalation = Some(escalation);
        Ok(())
    }

    /// Closes the concern with its outcome. Refused (and nothing changed) if already closed,
    /// the outcome is blank, or the time is before it was raised or escalated.
    pub fn close(&mut self, closure: Closure) -> Result<(), DomainError> {
        let next = self.status.transition(ConcernStatus::Closed)?;
        require("outcome of the concern", &closure.outcome)?;
        let earliest = match &self.escalation {
            Some(escalation) => escalation.escalated_at,
            None => self.raised_at,
        };
        if closure.closed_at < earliest {
            return Err(DomainError::DateOrder {
                later: "time the concern was closed",
                earlier: "time it was raised or escalated",
            });
        }
        self.status = next;
        self.closure = Some(closure);
        Ok(())
    }
}
