//! The work with a person: "what matters to you" conversations, care plans and their
//! sessions, visits, notes and amendments, outcome measures, discharge. The referral follows
//! the work (see `referrals`): a conversation or a held visit is the first contact, an
//! agreed plan the person's acceptance, a discharge closes it.

use chrono::{DateTime, Local, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use kith_domain::care_plan::{
    default_review_date, suggest_session_dates, CarePlan, CarePlanStatus, Goal, GoalStep,
    ProgressStatus, PLAN_WEEKS,
};
use kith_domain::conversation::{Barrier, Conversation, ConversationSetting, LifeAreaConcern};
use kith_domain::discharge::{Discharge, DischargeReason};
use kith_domain::measures::{Measure, MeasureAnswers, MeasureTiming};
use kith_domain::note::{NewNote, Note};
use kith_domain::session::{Session, SessionKind, SessionStatus};
use kith_domain::{
    CarePlanId, ConversationId, DischargeId, GoalId, MeasureId, NoteId, PersonId, ReferralId,
    ServiceId, SessionId,
};

use crate::referrals::{accepted_on, interaction_on, progress_episode_referral};
use crate::{CoreError, Kith};

/// `Debug` printing only the named fields (ids, dates, statuses): inputs hold personal data.
macro_rules! debug_without_personal_data {
    ($type:ident { $($field:ident),* $(,)? }) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

/// A "what matters to you" conversation as entered (the id and author are added).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewConversation {
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub held_on: NaiveDate,
    pub setting: ConversationSetting,
    pub duration_minutes: u16,
    /// In the person's own words.
    pub what_matters: String,
    pub strengths: Option<String>,
    pub wants_to_change: Option<String>,
    pub concerns: Vec<LifeAreaConcern>,
    pub barriers: Vec<Barrier>,
}

/// A goal as entered: the person's words and the steps.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NewGoal {
    pub in_own_words: String,
    pub steps: Vec<GoalStep>,
}

/// A care plan as entered (it starts as a draft).
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewCarePlan {
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub goals: Vec<NewGoal>,
    pub connections_to_try: Vec<ServiceId>,
    /// 6 to 12 unless `planned_sessions_reason` says why not.
    pub planned_sessions: u8,
    pub planned_sessions_reason: Option<String>,
    pub starts_on: NaiveDate,
    /// `None`: the usual review date, 12 weeks after the start.
    pub review_on: Option<NaiveDate>,
}

/// What the plan form suggests before anything is saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct PlanSuggestion {
    pub planned_sessions: u8,
    pub weeks: u8,
    pub session_dates: Vec<NaiveDate>,
    pub review_on: NaiveDate,
    /// True when the number is outside 6 to 12, so the form must ask for a reason.
    pub reason_needed: bool,
}

/// A session to schedule.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewSession {
    pub person_id: PersonId,
    pub care_plan_id: Option<CarePlanId>,
    pub date: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub kind: SessionKind,
    pub location: Option<String>,
}

/// What happened at a visit (visit mode), recorded at once with its note.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VisitRecord {
    pub session_id: SessionId,
    /// Held, did not attend or cancelled.
    pub status: SessionStatus,
    pub duration_minutes: Option<u16>,
    /// The visit's note; blank means no note.
    pub note: String,
}

/// What visit mode has typed so far for one session, saved as it is typed so a crash or a
/// flat battery loses at most the last second or two. Recording the visit removes it.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VisitDraft {
    pub session_id: SessionId,
    pub status: Option<SessionStatus>,
    pub duration_minutes: Option<u16>,
    pub note: String,
}

/// A draft as read back, with when it was last saved.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct SavedVisitDraft {
    pub draft: VisitDraft,
    pub saved_at: DateTime<Utc>,
}

/// An agreed plan with the sessions scheduled for it.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct AgreedPlan {
    pub plan: CarePlan,
    pub sessions: Vec<Session>,
}

/// A completed questionnaire as entered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct NewMeasure {
    pub person_id: PersonId,
    pub timing: MeasureTiming,
    pub taken_on: NaiveDate,
    pub answers: MeasureAnswers,
}

/// A discharge as entered.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NewDischarge {
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub care_plan_id: Option<CarePlanId>,
    pub discharged_on: NaiveDate,
    pub reason: DischargeReason,
    pub closing_summary: String,
}

/// Today's date on this computer.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

debug_without_personal_data!(NewConversation { person_id, held_on, setting });
debug_without_personal_data!(NewGoal {});
debug_without_personal_data!(NewCarePlan { person_id, planned_sessions, starts_on });
debug_without_personal_data!(NewSession { person_id, care_plan_id, date, kind });
debug_without_personal_data!(VisitRecord { session_id, status, duration_minutes });
debug_without_personal_data!(NewDischarge { person_id, discharged_on });
debug_without_personal_data!(VisitDraft { session_id, status, duration_minutes });
debug_without_personal_data!(SavedVisitDraft { saved_at });

impl Kith {
    /// Records a "what matters to you" conversation and, in the same transaction, the first
    /// contact of the referral it belongs to (a `new` referral becomes `contacted`).
    pub fn record_conversation(&self, input: NewConversation) -> Result<Conversation, CoreError> {
        let conversation = Conversation {
            id: ConversationId::new(),
            person_id: input.person_id,
            referral_id: input.referral_id,
            held_on: input.held_on,
            setting: input.setting,
            duration_minutes: input.duration_minutes,
            what_matters: input.what_matters,
            strengths: input.strengths,
            wants_to_change: input.wants_to_change,
            concerns: input.concerns,
            barriers: input.barriers,
            recorded_by: self.current_user()?,
        };
        Ok(self.store()?.in_one_transaction(|store| {
            store.add_conversation(&conversation)?;
            progress_episode_referral(
                store,
                conversation.person_id,
                conversation.referral_id,
                conversation.held_on,
                interaction_on(conversation.held_on),
            )?;
            Ok(conversation)
        })?)
    }

    /// The usual shape of a plan: `planned_sessions` dates spread over 12 weeks from
    /// `starts_on`, the review date, and whether a reason is needed.
    pub fn suggest_plan(&self, starts_on: NaiveDate, planned_sessions: u8) -> PlanSuggestion {
        PlanSuggestion {
            planned_sessions,
            weeks: PLAN_WEEKS as u8,
            session_dates: suggest_session_dates(starts_on, planned_sessions),
            review_on: default_review_date(starts_on),
            reason_needed: !(6..=12).contains(&planned_sessions),
        }
    }

    /// Saves a draft care plan (6 to 12 sessions, or a reason).
    pub fn create_plan(&self, input: NewCarePlan) -> Result<CarePlan, CoreError> {
        let plan = CarePlan {
            id: CarePlanId::new(),
            person_id: input.person_id,
            referral_id: input.referral_id,
            status: CarePlanStatus::Draft,
            goals: input
                .goals
                .into_iter()
                .map(|goal| Goal {
                    id: GoalId::new(),
                    in_own_words: goal.in_own_words,
                    steps: goal.steps,
                    status: ProgressStatus::NotStarted,
                })
                .collect(),
            connections_to_try: input.connections_to_try,
            planned_sessions: input.planned_sessions,
            planned_sessions_reason: input.planned_sessions_reason,
            starts_on: input.starts_on,
            review_on: input.review_on.unwrap_or_else(|| default_review_date(input.starts_on)),
            agreed_on: None,
        };
        self.store()?.add_care_plan(&plan)?;
        Ok(plan)
    }

    /// Agrees a draft plan with the person and makes it active, scheduling its sessions on
    /// `session_dates` (or the suggested dates when `None`), and records on the plan's referral
    /// (or the person's open one) that they accepted, on the day agreed: all in one
    /// transaction.
    pub fn agree_plan(
        &self,
        plan_id: CarePlanId,
        session_dates: Option<Vec<NaiveDate>>,
        kind: SessionKind,
    ) -> Result<AgreedPlan, CoreError> {
        let link_worker = self.current_user()?;
        Ok(self.store()?.in_one_transaction(|store| {
            store.move_care_plan(plan_id, CarePlanStatus::Agreed)?;
            let plan = store.move_care_plan(plan_id, CarePlanStatus::Active)?;
            let dates = session_dates
                .unwrap_or_else(|| suggest_session_dates(plan.starts_on, plan.planned_sessions));
            let mut sessions = Vec::with_capacity(dates.len());
            for date in dates {
                let session = Session {
                    id: SessionId::new(),
                    person_id: plan.person_id,
                    care_plan_id: Some(plan.id),
                    link_worker,
                    date,
                    start_time: None,
                    kind,
                    status: SessionStatus::Planned,
                    duration_minutes: None,
                    location: None,
                };
                store.add_session(&session)?;
                sessions.push(session);
            }
            let agreed_on = plan.agreed_on.unwrap_or_else(today);
            progress_episode_referral(
                store,
                plan.person_id,
                plan.referral_id,
                agreed_on,
                accepted_on(agreed_on),
            )?;
            Ok(AgreedPlan { plan, sessions })
        })?)
    }

    /// Saves edits to a plan (goals, steps, dates); a status change must be allowed.
    pub fn update_plan(&self, plan: &CarePlan) -> Result<(), CoreError> {
        Ok(self.store()?.update_care_plan(plan)?)
    }

    /// Moves a plan on (e.g. completed or closed).
    pub fn move_plan(
        &self,
        plan_id: CarePlanId,
        to: CarePlanStatus,
    ) -> Result<CarePlan, CoreError> {
        Ok(self.store()?.move_care_plan(plan_id, to)?)
    }

    /// Schedules one session (in a plan or not), for the current user.
    pub fn schedule_session(&self, input: NewSession) -> Result<Session, CoreError> {
        let session = Session {
            id: SessionId::new(),
            person_id: input.person_id,
            care_plan_id: input.care_plan_id,
            link_worker: self.current_user()?,
            date: input.date,
            start_time: input.start_time,
            kind: input.kind,
            status: SessionStatus::Planned,
            duration_minutes: None,
            location: input.location,
        };
        self.store()?.add_session(&session)?;
        Ok(session)
    }

    /// Saves what visit mode has typed so far (replacing the previous save).
    pub fn save_visit_draft(&self, draft: &VisitDraft) -> Result<DateTime<Utc>, CoreError> {
        let body = serde_json::to_string(draft)
            .map_err(|error| CoreError::Storage { message: error.to_string() })?;
        Ok(self.store()?.save_visit_draft(draft.session_id, &body)?)
    }

    /// The visit draft of a session, if one was saved and the visit not yet recorded.
    pub fn visit_draft(&self, session_id: SessionId) -> Result<Option<SavedVisitDraft>, CoreError> {
        let Some(saved) = self.store()?.visit_draft(session_id)? else {
            return Ok(None);
        };
        let draft = serde_json::from_str(&saved.body)
            .map_err(|error| CoreError::Storage { message: format!("a visit draft: {error}") })?;
        Ok(Some(SavedVisitDraft { draft, saved_at: saved.saved_at }))
    }

    /// Throws away a session's visit draft.
    pub fn discard_visit_draft(&self, session_id: SessionId) -> Result<(), CoreError> {
        Ok(self.store()?.discard_visit_draft(session_id)?)
    }

    /// Records what happened at a session and its note, together: both are kept or neither.
    /// The session's visit draft goes in the same transaction, and a held visit is a contact
    /// on the referral it belongs to (its plan's, else the person's open one).
    pub fn record_visit(&self, visit: VisitRecord) -> Result<(Session, Option<Note>), CoreError> {
        Ok(self.store()?.in_one_transaction(|store| {
            store.discard_visit_draft(visit.session_id)?;
            let session = store.record_session_outcome(
                visit.session_id,
                visit.status,
                visit.duration_minutes,
            )?;
            if session.status == SessionStatus::Held {
                let named = match session.care_plan_id {
                    Some(plan_id) => store.care_plan(plan_id)?.referral_id,
                    None => None,
                };
                progress_episode_referral(
                    store,
                    session.person_id,
                    named,
                    session.date,
                    interaction_on(session.date),
                )?;
            }
            let note = if visit.note.trim().is_empty() {
                None
            } else {
                Some(store.add_note(NewNote {
                    person_id: session.person_id,
                    body: visit.note,
                    amends: None,
                })?)
            };
            Ok((session, note))
        })?)
    }

    /// Writes a note about a person.
    pub fn write_note(&self, person_id: PersonId, body: String) -> Result<Note, CoreError> {
        Ok(self.store()?.add_note(NewNote { person_id, body, amends: None })?)
    }

    /// Corrects a note: a new note pointing at the one it corrects, which is kept unchanged.
    pub fn amend_note(&self, note_id: NoteId, body: String) -> Result<Note, CoreError> {
        let store = self.store()?;
        let original = store.note(note_id)?;
        Ok(store.add_note(NewNote {
            person_id: original.person_id,
            body,
            amends: Some(note_id),
        })?)
    }

    /// Records a completed questionnaire (an incomplete one has no score and is refused).
    pub fn record_measure(&self, input: NewMeasure) -> Result<Measure, CoreError> {
        let measure = Measure {
            id: MeasureId::new(),
            person_id: input.person_id,
            timing: input.timing,
            taken_on: input.taken_on,
            recorded_by: self.current_user()?,
            answers: input.answers,
        };
        self.store()?.record_measure(&measure)?;
        Ok(measure)
    }

    /// Discharges a person: records the discharge and, in the same transaction, completes
    /// the active plan named and closes the referral named on the discharge day, when their
    /// status allows it.
    pub fn discharge(&self, input: NewDischarge) -> Result<Discharge, CoreError> {
        let discharge = Discharge {
            id: DischargeId::new(),
            person_id: input.person_id,
            referral_id: input.referral_id,
            care_plan_id: input.care_plan_id,
            discharged_on: input.discharged_on,
            reason: input.reason,
            closing_summary: input.closing_summary,
            discharged_by: self.current_user()?,
        };
        Ok(self.store()?.in_one_transaction(|store| {
            store.record_discharge(&discharge)?;
            if let Some(plan_id) = discharge.care_plan_id {
                let plan = store.care_plan(plan_id)?;
                if plan.status.allowed_next().contains(&CarePlanStatus::Completed) {
                    store.move_care_plan(plan_id, CarePlanStatus::Completed)?;
                }
            }
            if let Some(referral_id) = discharge.referral_id {
                let on = discharge.discharged_on;
                store
                    .update_referral_progress(referral_id, |referral, _| Ok(referral.close(on)))?;
            }
            Ok(discharge)
        })?)
    }
}
