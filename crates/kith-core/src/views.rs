//! What the screens show: Today (the caseload) and a person's record (banner, the current
//! referral with the answers that may be recorded, the codes for the GP record, timeline,
//! plans with numbered sessions).

use chrono::{DateTime, Local, NaiveDate, Utc};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use kith_domain::care_plan::CarePlan;
use kith_domain::consent::{ConsentRecord, CurrentConsent};
use kith_domain::conversation::Conversation;
use kith_domain::directory::Connection;
use kith_domain::discharge::Discharge;
use kith_domain::gp_record::{gp_codes, GpCode};
use kith_domain::measures::{Measure, MeasureScore};
use kith_domain::note::{amended_note_ids, Note};
use kith_domain::person::Person;
use kith_domain::referral::Referral;
use kith_domain::safeguarding::Concern;
use kith_domain::session::{session_number, Session, SessionNumber};
use kith_domain::supervision::{Comment, SignOff};
use kith_domain::PersonId;
use kith_store::{CaseloadEntry, CaseloadScope};

use crate::{CoreError, Kith, ReferralProgress, SupervisorComment};

/// How far back Today lists comments from a supervisor.
const SUPERVISOR_COMMENT_DAYS: u64 = 28;
/// The most supervisor comments Today lists.
const SUPERVISOR_COMMENT_LIMIT: usize = 20;

/// One line on Today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct CaseloadLine {
    pub person_id: PersonId,
    pub display_name: String,
    /// The session, plan, referral or concern the line is about.
    pub record_id: Uuid,
    pub date: NaiveDate,
}

/// The Today screen: everything that needs attention, each list oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct TodayView {
    pub date: NaiveDate,
    pub visits_today: Vec<CaseloadLine>,
    pub overdue_sessions: Vec<CaseloadLine>,
    pub overdue_reviews: Vec<CaseloadLine>,
    pub due_this_week: Vec<CaseloadLine>,
    pub new_referrals: Vec<CaseloadLine>,
    pub open_concerns: Vec<CaseloadLine>,
    /// Comments from a supervisor on these people in the last 4 weeks, newest first.
    pub supervisor_comments: Vec<SupervisorComment>,
}

fn lines(entries: Vec<CaseloadEntry>) -> Vec<CaseloadLine> {
    entries
        .into_iter()
        .map(|entry| CaseloadLine {
            person_id: entry.person_id,
            display_name: entry.display_name,
            record_id: entry.record_id,
            date: entry.date,
        })
        .collect()
}

/// The banner at the top of a person's record: how to speak with them, and what must not
/// be missed.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Banner {
    pub person_id: PersonId,
    pub display_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    /// In words: "large print", "hearing", ...
    pub accessibility_needs: Vec<String>,
    pub consents: Vec<CurrentConsent>,
    /// Open safeguarding concerns (raised or escalated): shown so they cannot be missed.
    pub open_concerns: Vec<Concern>,
    pub discharged: bool,
}

/// A session with its place in the plan ("3 of 8").
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct SessionView {
    pub session: Session,
    pub number: Option<SessionNumber>,
}

/// A plan with its sessions in date order.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PlanView {
    pub plan: CarePlan,
    pub sessions: Vec<SessionView>,
}

/// One thing on a person's timeline.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimelineItem {
    Referral {
        referral: Referral,
    },
    Conversation {
        conversation: Conversation,
    },
    Session {
        session: Session,
    },
    /// `amended`: a later note corrects this one (both are kept and shown).
    Note {
        note: Note,
        amended: bool,
    },
    /// `score` is `None` only if a stored questionnaire cannot be scored.
    Measure {
        measure: Measure,
        score: Option<MeasureScore>,
    },
    Connection {
        connection: Connection,
    },
    Concern {
        concern: Concern,
    },
    Consent {
        consent: ConsentRecord,
    },
    Discharge {
        discharge: Discharge,
    },
    /// A supervisor's comment on the person or one of their records.
    Comment {
        comment: Comment,
    },
    /// A supervisor signed off a plan or a discharge.
    SignOff {
        sign_off: SignOff,
    },
}

/// A dated timeline entry.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    pub item: TimelineItem,
}

/// A person's record: banner, details, plans, and the timeline newest first.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct PersonRecord {
    pub banner: Banner,
    pub person: Person,
    pub referrals: Vec<Referral>,
    /// The latest referral (the episode in progress or last), with the answers the worker
    /// may record for it.
    pub current_referral: Option<ReferralProgress>,
    /// The codes for the GP record every referral calls for, oldest first, each with whether
    /// it was sent.
    pub gp_codes: Vec<GpCode>,
    pub plans: Vec<PlanView>,
    pub timeline: Vec<TimelineEntry>,
}

fn accessibility_words(person: &Person) -> Vec<String> {
    let needs = &person.accessibility_needs;
    let mut words: Vec<String> = [
        (needs.large_print, "large print"),
        (needs.easy_read, "easy read"),
        (needs.hearing, "hearing"),
        (needs.sight, "sight"),
        (needs.mobility, "mobility"),
    ]
    .into_iter()
    .filter(|(needed, _)| *needed)
    .map(|(_, word)| word.to_owned())
    .collect();
    if let Some(other) = needs.other.as_ref().filter(|other| !other.trim().is_empty()) {
        words.push(other.trim().to_owned());
    }
    words
}

impl Kith {
    /// Today for the current user (their sessions and the people assigned to them).
    pub fn today(&self) -> Result<TodayView, CoreError> {
        let user = self.current_user()?;
        self.today_for(CaseloadScope::LinkWorker(user), crate::care::today())
    }

    /// Today for a scope (a supervisor sees everyone) as of `date`.
    pub fn today_for(&self, scope: CaseloadScope, date: NaiveDate) -> Result<TodayView, CoreError> {
        let store = self.store()?;
        let caseload = store.caseload(scope, date)?;
        let worker = match scope {
            CaseloadScope::LinkWorker(user) => Some(user),
            CaseloadScope::Everyone => None,
        };
        let since = date
            .checked_sub_days(chrono::Days::new(SUPERVISOR_COMMENT_DAYS))
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .map_or(chrono::DateTime::<chrono::Utc>::MIN_UTC, |start| start.and_utc());
        let supervisor_comments = store
            .recent_comments(worker, since, SUPERVISOR_COMMENT_LIMIT)?
            .into_iter()
            .map(|(comment, display_name)| SupervisorComment { display_name, comment })
            .collect();
        Ok(TodayView {
            date,
            visits_today: lines(caseload.visits_today),
            overdue_sessions: lines(caseload.overdue_sessions),
            overdue_reviews: lines(caseload.overdue_reviews),
            due_this_week: lines(caseload.due_this_week),
            new_referrals: lines(caseload.new_referrals),
            open_concerns: lines(caseload.open_concerns),
            supervisor_comments,
        })
    }

    /// A person's whole record. Every read is audited, in one transaction.
    pub fn person_record(&self, person_id: PersonId) -> Result<PersonRecord, CoreError> {
        Ok(self.store()?.in_one_transaction(|store| {
            let person = store.person(person_id)?;
            let referrals = store.referrals_for(person_id)?;
            let conversations = store.conversations_for(person_id)?;
            let plans = store.care_plans_for(person_id)?;
            let sessions = store.sessions_for(person_id)?;
            let notes = store.notes_for(person_id)?;
            let measures = store.measures_for(person_id)?;
            let connections = store.connections_for(person_id)?;
            let concerns = store.concerns_for(person_id)?;
            let consent_history = store.consent_history(person_id)?;
            let discharges = store.discharges_for(person_id)?;
            let comments = store.comments_for(person_id)?;
            let sign_offs = store.sign_offs_for(person_id)?;

            let banner = Banner {
                person_id,
                display_name: person.display_name(),
                preferred_name: person.preferred_name.clone(),
                pronouns: person.pronouns.clone(),
                preferred_language: person.preferred_language.clone(),
                interpreter_needed: person.interpreter_needed,
                accessibility_needs: accessibility_words(&person),
                consents: kith_domain::consent::current_consents(&consent_history),
                open_concerns: concerns
                    .iter()
                    .filter(|concern| concern.is_open())
                    .cloned()
                    .collect(),
                discharged: discharged_since_referral(&referrals, &discharges),
            };
            let plan_views = plans
                .iter()
                .map(|plan| {
                    let in_plan: Vec<Session> = sessions
                        .iter()
                        .filter(|session| session.care_plan_id == Some(plan.id))
                        .cloned()
                        .collect();
                    let mut views: Vec<SessionView> = in_plan
                        .iter()
                        .map(|session| SessionView {
                            number: session_number(
                                &in_plan,
                                plan.id,
                                plan.planned_sessions,
                                session.id,
                            ),
                            session: session.clone(),
                        })
                        .collect();
                    views.sort_by_key(|view| (view.session.date, view.session.start_time));
                    PlanView { plan: plan.clone(), sessions: views }
                })
                .collect();

            let current_referral = referrals
                .iter()
                .max_by_key(|referral| (referral.received_on, referral.id))
                .map(ReferralProgress::of);
            let mut codes: Vec<GpCode> = referrals.iter().flat_map(gp_codes).collect();
            codes.sort_by_key(|code| code.date);
            let amended = amended_note_ids(&notes);
            // Each entry with its day and a moment: when it happened where the record keeps
            // that (notes, concerns, comments, sign-offs), else when it was recorded (its id is
            // a UUIDv7, which starts with its creation time).
            let mut dated: Vec<Dated<TimelineItem>> = Vec::new();
            let mut push = |date: NaiveDate, id: Uuid, item: TimelineItem| {
                dated.push((date, recorded_at(id), item));
            };
            for referral in &referrals {
                let item = TimelineItem::Referral { referral: referral.clone() };
                push(referral.received_on, referral.id.as_uuid(), item);
            }
            for conversation in conversations {
                let (date, id) = (conversation.held_on, conversation.id.as_uuid());
                push(date, id, TimelineItem::Conversation { conversation });
            }
            for session in sessions {
                let (date, id) = (session.date, session.id.as_uuid());
                push(date, id, TimelineItem::Session { session });
            }
            for measure in measures {
                let (date, id) = (measure.taken_on, measure.id.as_uuid());
                let score = measure.score().ok();
                push(date, id, TimelineItem::Measure { measure, score });
            }
            for connection in connections {
                let (date, id) = (connection.made_on, connection.id.as_uuid());
                push(date, id, TimelineItem::Connection { connection });
            }
            for consent in consent_history {
                let (date, id) = (consent.decided_on, consent.id.as_uuid());
                push(date, id, TimelineItem::Consent { consent });
            }
            for discharge in discharges {
                let (date, id) = (discharge.discharged_on, discharge.id.as_uuid());
                push(date, id, TimelineItem::Discharge { discharge });
            }
            let mut push_at = |at: DateTime<Utc>, item: TimelineItem| {
                dated.push((at.with_timezone(&Local).date_naive(), Some(at), item));
            };
            for note in notes {
                let is_amended = amended.contains(&note.id);
                push_at(note.written_at, TimelineItem::Note { note, amended: is_amended });
            }
            for concern in concerns {
                push_at(concern.raised_at, TimelineItem::Concern { concern });
            }
            for comment in comments {
                push_at(comment.written_at, TimelineItem::Comment { comment });
            }
            for sign_off in sign_offs {
                push_at(sign_off.signed_at, TimelineItem::SignOff { sign_off });
            }
            let timeline = newest_first(dated)
                .into_iter()
                .map(|(date, item)| TimelineEntry { date, item })
                .collect();
            Ok(PersonRecord {
                banner,
                person,
                referrals,
                current_referral,
                gp_codes: codes,
                plans: plan_views,
                timeline,
            })
        })?)
    }
}

/// Orders a person's timeline newest first: by day, then within a day by moment, latest
/// first (a re-referral recorded after a discharge the same day sits above it), then entries
/// without a moment, in the reverse of the order they were gathered.
fn newest_first<T>(dated: Vec<Dated<T>>) -> Vec<(NaiveDate, T)> {
    let mut numbered: Vec<(usize, Dated<T>)> = dated.into_iter().enumerate().collect();
    numbered.sort_by(|(a_index, (a_date, a_at, _)), (b_index, (b_date, b_at, _))| {
        b_date.cmp(a_date).then(b_at.cmp(a_at)).then(b_index.cmp(a_index))
    });
    numbered.into_iter().map(|(_, (date, _, item))| (date, item)).collect()
}

/// A timeline entry as gathered: its day, its moment if known, the entry.
type Dated<T> = (NaiveDate, Option<DateTime<Utc>>, T);

/// Whether the person's latest discharge came after their latest referral (a later day, or
/// the same day and recorded later): a re-referral brings them back.
fn discharged_since_referral(referrals: &[Referral], discharges: &[Discharge]) -> bool {
    // UUIDv7 ids sort in the order they were made (within a millisecond too).
    let latest_referral =
        referrals.iter().map(|referral| (referral.received_on, referral.id.as_uuid())).max();
    discharges
        .iter()
        .map(|discharge| (discharge.discharged_on, discharge.id.as_uuid()))
        .max()
        .is_some_and(|discharged| latest_referral.is_none_or(|referred| discharged > referred))
}

/// When a record was made, from its UUIDv7 id; `None` for an id of another version.
fn recorded_at(id: Uuid) -> Option<DateTime<Utc>> {
    let (seconds, nanos) = id.get_timestamp()?.to_unix();
    DateTime::from_timestamp(i64::try_from(seconds).ok()?, nanos)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::{newest_first, recorded_at};

    #[test]
    fn entries_of_one_day_are_ordered_by_when_they_happened_or_were_recorded() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let at = |hour| Some(Utc.with_ymd_and_hms(2026, 11, 23, hour, 0, 0).unwrap());
        let dated = vec![
            (day, at(9), "referral recorded at intake"),
            (day, at(16), "re-referral recorded after the discharge"),
            (day, at(14), "discharge"),
            (day, at(15), "note"),
        ];
        let order: Vec<&str> = newest_first(dated).into_iter().map(|(_, item)| item).collect();
        assert_eq!(
            order,
            [
                "re-referral recorded after the discharge",
                "note",
                "discharge",
                "referral recorded at intake"
            ]
        );
    }

    #[test]
    fn a_record_id_says_when_it_was_made() {
        let before = Utc::now();
        let id = uuid::Uuid::now_v7();
        let made = recorded_at(id).unwrap();
        assert!((made - before).num_milliseconds().abs() < 1_000, "{made} vs {before}");
        assert_eq!(recorded_at(uuid::Uuid::nil()), None);
    }

    #[test]
    fn a_day_reads_newest_first_timed_entries_above_those_with_only_a_day() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let sunday = monday.pred_opt().unwrap();
        let at = |hour| Some(Utc.with_ymd_and_hms(2026, 11, 23, hour, 0, 0).unwrap());
        // As gathered: each kind oldest first, kinds in the order of a person's path.
        let dated = vec![
            (sunday, None, "referral"),
            (monday, None, "conversation"),
            (monday, None, "first session"),
            (monday, None, "second session"),
            (monday, None, "discharge"),
            (monday, at(10), "morning note"),
            (monday, at(15), "afternoon note"),
            (sunday, at(20), "evening note"),
            (monday, at(12), "comment"),
        ];
        let order: Vec<&str> = newest_first(dated).into_iter().map(|(_, item)| item).collect();
        assert_eq!(
            order,
            [
                "afternoon note",
                "comment",
                "morning note",
                "discharge",
                "second session",
                "first session",
                "conversation",
                "evening note",
                "referral",
            ]
        );
    }
}
