//! The personalised care and support plan: goals in the person's words, steps, planned
//! sessions (6 to 12 over about 12 weeks) and the plan's lifecycle.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CarePlanId, GoalId, PersonId, ReferralId, ServiceId};
use crate::text::require;

/// Fewest sessions a plan usually has.
pub const MIN_PLANNED_SESSIONS: u8 = 6;
/// Most sessions a plan usually has.
pub const MAX_PLANNED_SESSIONS: u8 = 12;
/// A plan runs for about this many weeks.
pub const PLAN_WEEKS: u64 = 12;

/// Where a plan is. Allowed moves: draft → agreed → active → completed; a plan that ends
/// early is closed (from draft, agreed or active). Completed and closed are final.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum CarePlanStatus {
    Draft,
    Agreed,
    Active,
    Completed,
    Closed,
}

impl CarePlanStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [CarePlanStatus; 5] = [
        CarePlanStatus::Draft,
        CarePlanStatus::Agreed,
        CarePlanStatus::Active,
        CarePlanStatus::Completed,
        CarePlanStatus::Closed,
    ];

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [CarePlanStatus] {
        match self {
            CarePlanStatus::Draft => &[CarePlanStatus::Agreed, CarePlanStatus::Closed],
            CarePlanStatus::Agreed => &[CarePlanStatus::Active, CarePlanStatus::Closed],
            CarePlanStatus::Active => &[CarePlanStatus::Completed, CarePlanStatus::Closed],
            CarePlanStatus::Completed | CarePlanStatus::Closed => &[],
        }
    }

    /// Moves to `to` if allowed, otherwise [`DomainError::CarePlanStatusJump`].
    pub fn transition(self, to: CarePlanStatus) -> Result<CarePlanStatus, DomainError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::CarePlanStatusJump { from: self, to })
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            CarePlanStatus::Draft => "draft",
            CarePlanStatus::Agreed => "agreed",
            CarePlanStatus::Active => "active",
            CarePlanStatus::Completed => "completed",
            CarePlanStatus::Closed => "closed",
        }
    }
}

/// How far a goal or a step has got.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    NotStarted,
    InProgress,
    Done,
    /// Stopped or no longer wanted.
    Stopped,
}

/// One step towards a goal: what, who does it, by when.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct GoalStep {
    pub what: String,
    /// Who does it: the person, the link worker, a named organisation...
    pub who: String,
    pub by_when: Option<NaiveDate>,
    pub status: ProgressStatus,
}
crate::debug_without_personal_data!(GoalStep { by_when, status });

/// A goal in the person's own words.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Goal {
    pub id: GoalId,
    pub in_own_words: String,
    pub steps: Vec<GoalStep>,
    pub status: ProgressStatus,
}
crate::debug_without_personal_data!(Goal { id, status });

/// A personalised care and support plan.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CarePlan {
    pub id: CarePlanId,
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub status: CarePlanStatus,
    pub goals: Vec<Goal>,
    /// Community connections to try.
    pub connections_to_try: Vec<ServiceId>,
    pub planned_sessions: u8,
    /// Why the plan has fewer than 6 or more than 12 sessions; required in that case.
    pub planned_sessions_reason: Option<String>,
    pub starts_on: NaiveDate,
    pub review_on: NaiveDate,
    /// The day the person agreed the plan.
    pub agreed_on: Option<NaiveDate>,
}
crate::debug_without_personal_data!(CarePlan {
    id,
    person_id,
    status,
    planned_sessions,
    starts_on,
    review_on
});

impl CarePlan {
    /// Checks the plan's content: goals and steps have words, the number of sessions is 6 to
    /// 12 or has a reason, the review is not before the start.
    pub fn validate(&self) -> Result<(), DomainError> {
        for goal in &self.goals {
            require("goal (in the person's words)", &goal.in_own_words)?;
            for step in &goal.steps {
                require("step: what", &step.what)?;
                require("step: who", &step.who)?;
            }
        }
        validate_planned_sessions(self.planned_sessions, self.planned_sessions_reason.as_deref())?;
        if self.review_on < self.starts_on {
            return Err(DomainError::DateOrder {
                later: "review date",
                earlier: "start of the plan",
            });
        }
        Ok(())
    }

    /// Moves the plan to `to`. Agreeing needs at least one goal and a valid plan, and
    /// records `today` as the day it was agreed. Refused moves leave the plan unchanged.
    pub fn move_to(&mut self, to: CarePlanStatus, today: NaiveDate) -> Result<(), DomainError> {
        let next = self.status.transition(to)?;
        if next == CarePlanStatus::Agreed {
            if self.goals.is_empty() {
                return Err(DomainError::CarePlanWithoutGoals);
            }
            self.validate()?;
            self.agreed_on = Some(today);
        }
        self.status = next;
        Ok(())
    }
}

/// The number of planned sessions must be 6 to 12, unless a reason is recorded; at least 1.
pub fn validate_planned_sessions(planned: u8, reason: Option<&str>) -> Result<(), DomainError> {
    if planned == 0 {
        return Err(DomainError::NoPlannedSessions);
    }
    let usual = (MIN_PLANNED_SESSIONS..=MAX_PLANNED_SESSIONS).contains(&planned);
    let has_reason = reason.is_some_and(|reason| !reason.trim().is_empty());
    if usual || has_reason {
        Ok(())
    } else {
        Err(DomainError::PlannedSessionsWithoutReason { planned })
    }
}

/// The usual review date: [`PLAN_WEEKS`] weeks after the start.
pub fn default_review_date(starts_on: NaiveDate) -> NaiveDate {
    starts_on.checked_add_days(Days::new(PLAN_WEEKS * 7)).unwrap_or(starts_on)
}

/// Suggested dates for `count` sessions spread evenly over [`PLAN_WEEKS`] weeks from
/// `starts_on` (6 sessions: every two weeks; 12: weekly). Weekend dates move to the next
/// Monday; dates are strictly increasing.
pub fn suggest_session_dates(starts_on: NaiveDate, count: u8) -> Vec<NaiveDate> {
    let span_days = PLAN_WEEKS * 7;
    let mut dates: Vec<NaiveDate> = Vec::with_capacity(usize::from(count));
    for index in 0..u64::from(count) {
        let offset = index * span_days / u64::from(count);
        let mut date = starts_on.checked_add_days(Days::new(offset)).unwrap_or(starts_on);
        if let Some(previous) = dates.last() {
            if date <= *previous {
                date = previous.succ_opt().unwrap_or(*previous);
            }
        }
        dates.push(next_weekday(date));
    }
    dates
}

fn next_weekday(date: NaiveDate) -> NaiveDate {
    let skip = match date.weekday() {
        Weekday::Sat => 2,
        Weekday::Sun => 1,
        _ => 0,
    };
    date.checked_add_days(Days::new(skip)).unwrap_or(date)
}
