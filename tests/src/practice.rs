//! A deterministic, realistic generated practice (link workers, people with referrals, notes,
//! care plans with sessions, concerns) loaded into a [`Store`] through its normal validated
//! writes, one transaction per link worker so a 150,000-note practice loads in seconds.
//!
//! The same seed and `today` always give the same people, notes and dates (record ids are
//! UUIDv7 and differ between runs).

use chrono::{Days, Duration, NaiveDate, Utc};
use rand::Rng;

use kith_domain::care_plan::{
    default_review_date, suggest_session_dates, CarePlan, CarePlanStatus, Goal, GoalStep,
    ProgressStatus,
};
use kith_domain::conversation::{Barrier, Conversation, ConversationSetting};
use kith_domain::note::NewNote;
use kith_domain::person::{Address, ContactMethod, NewPerson};
use kith_domain::referral::{Need, NewReferral, ReferralAnswerKind, ReferralSource, Referrer};
use kith_domain::safeguarding::{Closure, Concern, ConcernKind, Escalation};
use kith_domain::session::{Session, SessionKind, SessionStatus};
use kith_domain::{CarePlanId, ConcernId, ConversationId, GoalId, PersonId, SessionId, UserId};
use kith_store::{Store, StoreError};

use crate::practice_text::{GeneratedPerson, PracticeText};

/// How big a practice to generate.
#[derive(Debug, Clone, Copy)]
pub struct PracticeShape {
    pub seed: u64,
    pub link_workers: usize,
    pub people: usize,
    pub notes: usize,
    pub care_plans: usize,
}

impl PracticeShape {
    /// The benchmark's practice: 10 link workers, 15,000 people, 150,000 notes, 1,500 plans.
    pub fn full() -> Self {
        PracticeShape {
            seed: 2024,
            link_workers: 10,
            people: 15_000,
            notes: 150_000,
            care_plans: 1_500,
        }
    }

    /// A small practice with the same mix, for tests.
    pub fn small() -> Self {
        PracticeShape { seed: 7, link_workers: 2, people: 120, notes: 600, care_plans: 24 }
    }
}

/// What was generated: who the link workers are and the identifying details of every
/// person (so tests can look for them in the file's bytes).
#[derive(Debug, Clone, Default)]
pub struct GeneratedPractice {
    pub link_workers: Vec<UserId>,
    pub people: Vec<(PersonId, GeneratedPerson)>,
    pub notes: usize,
    pub care_plans: usize,
    pub sessions: usize,
    pub new_referrals: usize,
    pub open_concerns: usize,
}

/// In each worker's caseload, every 50th person's referral is still new and every 80th
/// person has had a concern raised.
const NEW_REFERRAL_EVERY: usize = 50;
const CONCERN_EVERY: usize = 80;

/// Generates the practice and writes it into `store` (one transaction per link worker).
/// `today` anchors every date: sessions today, overdue, this week.
pub fn load_practice(
    store: &mut Store,
    shape: PracticeShape,
    today: NaiveDate,
) -> Result<GeneratedPractice, StoreError> {
    let mut text = PracticeText::new(shape.seed);
    let mut practice = GeneratedPractice {
        link_workers: (0..shape.link_workers).map(|_| UserId::new()).collect(),
        ..GeneratedPractice::default()
    };
    let workers = shape.link_workers.max(1);
    let notes_per_person = shape.notes / shape.people.max(1);
    let extra_notes = shape.notes % shape.people.max(1);
    let plan_every = (shape.people / shape.care_plans.max(1)).max(1);
    for worker_index in 0..workers {
        let worker = practice.link_workers.get(worker_index).copied().unwrap_or_else(UserId::new);
        store.set_current_user(worker)?;
        let people: Vec<usize> =
            (0..shape.people).filter(|index| index % workers == worker_index).collect();
        store.in_one_transaction(|store| {
            for index in people {
                // The person's place in this worker's caseload: every worker gets the same mix.
                let position = index / workers;
                let person_id = add_person_with_referral(
                    store,
                    &mut text,
                    worker,
                    position,
                    today,
                    &mut practice,
                )?;
                let notes = notes_per_person + usize::from(index < extra_notes);
                let given =
                    practice.people.last().map(|(_, p)| p.given_name.clone()).unwrap_or_default();
                for _ in 0..notes {
                    store.add_note(NewNote { person_id, body: text.note(&given), amends: None })?;
                }
                practice.notes += notes;
                if position % plan_every == 0 && practice.care_plans < shape.care_plans {
                    add_plan_with_sessions(
                        store,
                        &mut text,
                        worker,
                        person_id,
                        position,
                        today,
                        &mut practice,
                    )?;
                }
                if position % CONCERN_EVERY == 7 {
                    add_concern(store, worker, person_id, position, &mut practice)?;
                }
            }
            Ok(())
        })?;
    }
    Ok(practice)
}

fn add_person_with_referral(
    store: &Store,
    text: &mut PracticeText,
    worker: UserId,
    position: usize,
    today: NaiveDate,
    practice: &mut GeneratedPractice,
) -> Result<PersonId, StoreError> {
    let generated = text.person();
    let speaks_polish = position % 40 == 3;
    let new_person = NewPerson {
        nhs_number: Some(generated.nhs_number.clone()),
        given_name: generated.given_name.clone(),
        family_name: generated.family_name.clone(),
        preferred_name: None,
        pronouns: None,
        date_of_birth: Some(generated.date_of_birth),
        address: Some(Address {
            line_1: generated.address.clone(),
            line_2: None,
            town: None,
            postcode: Some(generated.postcode.clone()),
        }),
        phone: Some(generated.phone.clone()),
        email: None,
        contact_methods: vec![ContactMethod::Phone, ContactMethod::HomeVisit],
        contact_notes: None,
        preferred_language: speaks_polish.then(|| "Polish".to_owned()),
        interpreter_needed: speaks_polish,
        accessibility_needs: Default::default(),
        gp_practice: Some("Ashbridge Medical Centre".to_owned()),
        assigned_link_worker: Some(worker),
    };
    let person = store.add_person(new_person)?;
    let random = text.random();
    let days_ago = random.gen_range(0..700);
    let sources = [
        ReferralSource::Gp,
        ReferralSource::Gp,
        ReferralSource::PracticeNurse,
        ReferralSource::SocialCare,
        ReferralSource::Vcse,
        ReferralSource::SelfReferral,
    ];
    let source = sources[random.gen_range(0..sources.len())].clone();
    let needs = [
        Need::Loneliness,
        Need::MoneyDebt,
        Need::MentalWellbeing,
        Need::Housing,
        Need::CarerStress,
    ];
    let need = needs[random.gen_range(0..needs.len())].clone();
    let referrer = (source != ReferralSource::SelfReferral).then(|| Referrer {
        name: "Dr A. Okafor".to_owned(),
        organisation: None,
        contact: None,
    });
    let referral = store.add_referral(
        person.id,
        NewReferral {
            received_on: today.checked_sub_days(Days::new(days_ago)).unwrap_or(today),
            source,
            referrer,
            reason: "Feeling isolated since a change in circumstances; would like support."
                .to_owned(),
            needs: vec![need],
            background: None,
            consent_to_referral: true,
        },
    )?;
    if position % NEW_REFERRAL_EVERY == 0 {
        practice.new_referrals += 1;
    } else {
        // Accepted the day it was received (the first interaction); closed today if old.
        let received_on = referral.received_on;
        store.update_referral_progress(referral.id, |referral, today| {
            let mut moves =
                referral.record_answer(ReferralAnswerKind::Accepted, received_on, today)?;
            if days_ago > 120 {
                moves.extend(referral.close(today));
            }
            Ok(moves)
        })?;
    }
    practice.people.push((person.id, generated));
    Ok(person.id)
}

/// A plan of 6 to 12 sessions; its start is spread so that, across the practice, sessions
/// fall today, this week, and in the past (some never recorded: overdue).
fn add_plan_with_sessions(
    store: &Store,
    text: &mut PracticeText,
    worker: UserId,
    person_id: PersonId,
    position: usize,
    today: NaiveDate,
    practice: &mut GeneratedPractice,
) -> Result<(), StoreError> {
    let random = text.random();
    let planned_sessions: u8 = random.gen_range(6..=12);
    let starts_on = today.checked_sub_days(Days::new(random.gen_range(0..84))).unwrap_or(today);
    let held_on = starts_on.checked_sub_days(Days::new(7)).unwrap_or(starts_on);
    store.add_conversation(&Conversation {
        id: ConversationId::new(),
        person_id,
        referral_id: None,
        held_on,
        setting: ConversationSetting::Home,
        duration_minutes: 75,
        what_matters: "Getting out of the house and seeing people again; my garden.".to_owned(),
        strengths: Some("Good with their hands; close to a neighbour.".to_owned()),
        wants_to_change: Some("Go out at least twice a week.".to_owned()),
        concerns: Vec::new(),
        barriers: vec![Barrier::Confidence, Barrier::Transport],
        recorded_by: worker,
    })?;
    let plan = CarePlan {
        id: CarePlanId::new(),
        person_id,
        referral_id: None,
        status: CarePlanStatus::Draft,
        goals: vec![Goal {
            id: GoalId::new(),
            in_own_words: "I want to get back to the allotment and meet people there.".to_owned(),
            steps: vec![GoalStep {
                what: "Visit the community garden group together".to_owned(),
                who: "Link worker".to_owned(),
                by_when: None,
                status: ProgressStatus::InProgress,
            }],
            status: ProgressStatus::InProgress,
        }],
        connections_to_try: Vec::new(),
        planned_sessions,
        planned_sessions_reason: None,
        starts_on,
        review_on: default_review_date(starts_on),
        agreed_on: None,
    };
    store.add_care_plan(&plan)?;
    store.move_care_plan(plan.id, CarePlanStatus::Agreed)?;
    store.move_care_plan(plan.id, CarePlanStatus::Active)?;
    for date in suggest_session_dates(starts_on, planned_sessions) {
        let in_past = date < today;
        // Most past sessions were recorded; every seventh person's were not (overdue).
        let recorded = in_past && position % 7 != 0;
        let kind = if position % 3 == 0 { SessionKind::Phone } else { SessionKind::HomeVisit };
        store.add_session(&Session {
            id: SessionId::new(),
            person_id,
            care_plan_id: Some(plan.id),
            link_worker: worker,
            date,
            start_time: None,
            kind,
            status: if recorded { SessionStatus::Held } else { SessionStatus::Planned },
            duration_minutes: recorded.then_some(60),
            location: None,
        })?;
        practice.sessions += 1;
    }
    practice.care_plans += 1;
    Ok(())
}

fn add_concern(
    store: &Store,
    worker: UserId,
    person_id: PersonId,
    position: usize,
    practice: &mut GeneratedPractice,
) -> Result<(), StoreError> {
    let raised_at = Utc::now() - Duration::days((position % 30) as i64);
    let concern = Concern::raise(
        ConcernId::new(),
        person_id,
        ConcernKind::Neglect,
        "Home very cold and little food in the house; person seemed confused.".to_owned(),
        worker,
        raised_at,
    )?;
    store.raise_concern(&concern)?;
    // Escalated, closed, just raised, in turn.
    match (position / CONCERN_EVERY) % 3 {
        0 => {
            store.escalate_concern(
                concern.id,
                Escalation {
                    to_whom: "Adult social care duty team".to_owned(),
                    escalated_at: raised_at,
                    escalated_by: worker,
                    reference: None,
                },
            )?;
            practice.open_concerns += 1;
        }
        1 => {
            store.close_concern(
                concern.id,
                Closure {
                    closed_at: raised_at,
                    closed_by: worker,
                    outcome: "Heating repaired; family now visiting daily.".to_owned(),
                },
            )?;
        }
        _ => practice.open_concerns += 1,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_crypto::KdfParams;
    use kith_store::{CaseloadScope, Profile};

    use crate::practice_text::COMMON_SEARCH_WORD;

    fn today() -> NaiveDate {
        chrono::Local::now().date_naive()
    }

    fn generated_practice() -> (tempfile::TempDir, Store, GeneratedPractice) {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _recovery) = Profile::create_with_kdf(
            dir.path(),
            "practice pass",
            KdfParams::insecure_for_tests().unwrap(),
        )
        .unwrap();
        let practice = load_practice(&mut store, PracticeShape::small(), today()).unwrap();
        (dir, store, practice)
    }

    #[test]
    fn a_small_practice_loads_with_every_kind_of_work_on_the_caseload() {
        let (_dir, store, practice) = generated_practice();
        let shape = PracticeShape::small();
        assert_eq!(store.count_rows("people").unwrap(), shape.people as i64);
        assert_eq!(store.count_rows("referrals").unwrap(), shape.people as i64);
        assert_eq!(store.count_rows("notes").unwrap(), shape.notes as i64);
        assert_eq!(store.count_rows("care_plans").unwrap(), shape.care_plans as i64);
        assert_eq!(practice.care_plans, shape.care_plans);
        assert_eq!(store.count_rows("sessions").unwrap(), practice.sessions as i64);
        let everyone = store.caseload(CaseloadScope::Everyone, today()).unwrap();
        assert_eq!(everyone.new_referrals.len(), practice.new_referrals);
        assert_eq!(everyone.open_concerns.len(), practice.open_concerns);
        assert!(!everyone.overdue_sessions.is_empty());
        assert!(practice.new_referrals > 0 && practice.open_concerns > 0);
        let first_worker = practice.link_workers[0];
        let mine = store.caseload(CaseloadScope::LinkWorker(first_worker), today()).unwrap();
        assert!(mine.new_referrals.len() < everyone.new_referrals.len());
    }

    #[test]
    fn the_database_and_its_wal_hold_no_generated_name_nhs_number_or_note_word() {
        let (dir, store, practice) = generated_practice();
        let mut bytes = Vec::new();
        for file in ["kith.db", "kith.db-wal"] {
            bytes.extend(std::fs::read(dir.path().join(file)).unwrap_or_default());
        }
        assert!(bytes.len() > 100_000, "the practice was written: {} bytes", bytes.len());
        let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        // A 3-letter name ("Lee") turns up by chance in megabytes of ciphertext about one time
        // in three; from 6 letters on, a chance match is below one in ten million.
        let mut names_checked = 0;
        for (_, person) in &practice.people {
            assert!(!contains(&person.nhs_number), "an NHS number is in the clear");
            assert!(!contains(&person.phone), "a phone number is in the clear");
            if person.family_name.len() >= 6 {
                assert!(!contains(&person.family_name), "a family name is in the clear");
                names_checked += 1;
            }
        }
        assert!(names_checked >= 20, "only {names_checked} family names were long enough to check");
        for word in [COMMON_SEARCH_WORD, "Thursday", "walking", "Ashbridge"] {
            assert!(!contains(word), "a note word is in the clear");
        }
        assert!(!store.search_people(COMMON_SEARCH_WORD, 5).unwrap().is_empty(), "yet it is there");
    }

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let (_first_dir, _first, first) = generated_practice();
        let (_second_dir, _second, second) = generated_practice();
        let names = |practice: &GeneratedPractice| -> Vec<String> {
            practice
                .people
                .iter()
                .map(|(_, p)| format!("{} {}", p.nhs_number, p.family_name))
                .collect()
        };
        assert_eq!(names(&first), names(&second));
    }

    #[test]
    fn a_failure_in_the_middle_of_a_bulk_load_keeps_nothing() {
        let (_dir, store, _practice) = generated_practice();
        let before = store.count_rows("notes").unwrap();
        let result = store.in_one_transaction(|store| {
            let person = store.people(None)?.remove(0).id;
            store.add_note(NewNote {
                person_id: person,
                body: "kept?".to_owned(),
                amends: None,
            })?;
            store.add_note(NewNote {
                person_id: PersonId::new(),
                body: "no such person".to_owned(),
                amends: None,
            })
        });
        assert!(matches!(result, Err(StoreError::NotFound { .. })), "{result:?}");
        assert_eq!(store.count_rows("notes").unwrap(), before);
    }
}
