//! Stories of a link worker's day, told through kith-core on a real encrypted profile in a
//! temporary folder: intake, "what matters", a plan, visits, notes, concerns, consent,
//! the directory, discharge, and what must be refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use kith_core::{
    today, CaseloadScope, CoreError, ErrorCode, Intake, IpcError, Kith, NewCarePlan,
    NewConversation, NewDischarge, NewGoal, NewMeasure, TimelineItem, VisitRecord,
};
use kith_domain::care_plan::{CarePlanStatus, GoalStep, ProgressStatus};
use kith_domain::consent::{ConsentKind, ConsentState};
use kith_domain::conversation::{Barrier, ConversationSetting};
use kith_domain::directory::{ConnectionKind, ConnectionStatus};
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{MeasureAnswers, MeasureScore, MeasureTiming, SwemwbsAnswers};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, ReferralStatus, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::{NoteId, PersonId};

const PASSPHRASE: &str = "kettle orchard lantern";

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile(PASSPHRASE).unwrap();
    (dir, kith)
}

fn doreen() -> NewPerson {
    NewPerson {
        nhs_number: Some("943 476 5919".to_owned()),
        given_name: "Doreen".to_owned(),
        family_name: "Abernathy".to_owned(),
        preferred_name: Some("Dot".to_owned()),
        pronouns: Some("she/her".to_owned()),
        date_of_birth: NaiveDate::from_ymd_opt(1941, 3, 9),
        preferred_language: Some("Welsh".to_owned()),
        interpreter_needed: true,
        accessibility_needs: kith_domain::person::AccessibilityNeeds {
            large_print: true,
            hearing: true,
            ..Default::default()
        },
        ..NewPerson::default()
    }
}

fn gp_referral() -> NewReferral {
    NewReferral {
        received_on: today(),
        source: ReferralSource::Gp,
        referrer: Some(Referrer {
            name: "Dr Priya Shah".to_owned(),
            organisation: Some("Ashbridge Medical Centre".to_owned()),
            contact: None,
        }),
        reason: "Lonely since her husband died; stopped going out.".to_owned(),
        needs: vec![Need::Loneliness, Need::Bereavement],
        background: None,
        consent_to_referral: true,
    }
}

fn intake(kith: &Kith, person: NewPerson) -> PersonId {
    kith.add_person_with_referral(Intake {
        person,
        referral: gp_referral(),
        duplicates_checked: false,
    })
    .unwrap()
    .person
    .id
}

fn plan_of(person_id: PersonId, sessions: u8, reason: Option<&str>) -> NewCarePlan {
    NewCarePlan {
        person_id,
        referral_id: None,
        goals: vec![NewGoal {
            in_own_words: "I'd like to sing again, in a choir like before.".to_owned(),
            steps: vec![GoalStep {
                what: "Go to the Tuesday community choir together".to_owned(),
                who: "Link worker and Dot".to_owned(),
                by_when: None,
                status: ProgressStatus::NotStarted,
            }],
        }],
        connections_to_try: Vec::new(),
        planned_sessions: sessions,
        planned_sessions_reason: reason.map(str::to_owned),
        starts_on: today(),
        review_on: None,
    }
}

fn code(error: CoreError) -> ErrorCode {
    IpcError::from(error).code
}

#[test]
fn a_link_worker_takes_a_referral_plans_visits_amends_a_note_and_sees_a_concern_on_today() {
    let (_dir, kith) = unlocked();

    let person_id = intake(&kith, doreen());
    assert_eq!(
        kith.today().unwrap().new_referrals.len(),
        1,
        "the referral waits for first contact"
    );

    kith.record_conversation(NewConversation {
        person_id,
        referral_id: None,
        held_on: today(),
        setting: ConversationSetting::Home,
        duration_minutes: 80,
        what_matters: "Having a reason to get dressed in the morning.".to_owned(),
        strengths: Some("Sang in a chapel choir for forty years".to_owned()),
        wants_to_change: None,
        concerns: Vec::new(),
        barriers: vec![Barrier::Confidence, Barrier::Transport],
    })
    .unwrap();

    let suggestion = kith.suggest_plan(today(), 8);
    assert_eq!(suggestion.session_dates.len(), 8);
    assert!(!suggestion.reason_needed);
    assert!(*suggestion.session_dates.last().unwrap() <= suggestion.review_on);

    let plan = kith.create_plan(plan_of(person_id, 8, None)).unwrap();
    assert_eq!(plan.status, CarePlanStatus::Draft);
    let agreed = kith.agree_plan(plan.id, None, SessionKind::HomeVisit).unwrap();
    assert_eq!(agreed.plan.status, CarePlanStatus::Active);
    assert_eq!(agreed.sessions.len(), 8);
    assert_eq!(agreed.sessions[0].date, today());
    assert_eq!(kith.today().unwrap().visits_today.len(), 1, "the first visit is today");

    let (session, note) = kith
        .record_visit(VisitRecord {
            session_id: agreed.sessions[0].id,
            status: SessionStatus::Held,
            duration_minutes: Some(70),
            note: "Dot showed me photographs of the chapel choir; keen to try the Tuesday group."
                .to_owned(),
        })
        .unwrap();
    assert_eq!(session.status, SessionStatus::Held);
    let original = note.expect("the visit's note was saved");
    assert!(kith.today().unwrap().visits_today.is_empty(), "the visit is recorded");

    let amendment = kith
        .amend_note(
            original.id,
            "Correction: the group meets on Wednesdays, not Tuesdays.".to_owned(),
        )
        .unwrap();
    assert_eq!(amendment.amends, Some(original.id));

    let record = kith.person_record(person_id).unwrap();
    let notes: Vec<(&str, bool, Option<NoteId>)> = record
        .timeline
        .iter()
        .filter_map(|entry| match &entry.item {
            TimelineItem::Note { note, amended } => {
                Some((note.body.as_str(), *amended, note.amends))
            }
            _ => None,
        })
        .collect();
    assert_eq!(notes.len(), 2, "the original is kept beside its amendment");
    assert!(notes.contains(&(original.body.as_str(), true, None)));
    assert!(notes.contains(&(amendment.body.as_str(), false, Some(original.id))));
    let numbers: Vec<String> = record.plans[0]
        .sessions
        .iter()
        .map(|view| view.number.map(|n| format!("{} of {}", n.number, n.of)).unwrap_or_default())
        .collect();
    assert_eq!(numbers.first().map(String::as_str), Some("1 of 8"));
    assert_eq!(numbers.last().map(String::as_str), Some("8 of 8"));

    let hits = kith.search("photographs").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].person_id, person_id);
    assert!(hits[0].matched_in_notes);
    assert_eq!(kith.search("Abernathy").unwrap()[0].person_id, person_id);

    let concern = kith
        .raise_concern(person_id, ConcernKind::Neglect, "House very cold; no food in.".to_owned())
        .unwrap();
    let today_view = kith.today().unwrap();
    assert_eq!(today_view.open_concerns.len(), 1);
    assert_eq!(today_view.open_concerns[0].person_id, person_id);
    let banner = kith.person_record(person_id).unwrap().banner;
    assert_eq!(banner.open_concerns.len(), 1, "an open concern shows on the record");
    assert_eq!(banner.display_name, "Dot Abernathy");
    assert_eq!(banner.pronouns.as_deref(), Some("she/her"));
    assert!(banner.interpreter_needed);
    assert_eq!(banner.accessibility_needs, vec!["large print", "hearing"]);

    kith.escalate_concern(concern.id, "Adult social care duty team".to_owned(), None).unwrap();
    assert_eq!(kith.today().unwrap().open_concerns.len(), 1, "escalated is still open");
    kith.close_concern(concern.id, "Heating fixed; daughter visiting daily.".to_owned()).unwrap();
    assert!(kith.today().unwrap().open_concerns.is_empty());
    assert!(kith.person_record(person_id).unwrap().banner.open_concerns.is_empty());
}

#[test]
fn duplicates_are_offered_before_a_second_record_is_made() {
    let (_dir, kith) = unlocked();
    let first = intake(&kith, doreen());

    let same_number =
        NewPerson { given_name: "Dorothy".to_owned(), date_of_birth: None, ..doreen() };
    let found = kith.find_possible_duplicates(&same_number).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].person_id, first);
    assert_eq!(found[0].reason, kith_core::DuplicateReason::SameNhsNumber);

    let same_name_and_birthday = NewPerson { nhs_number: None, ..doreen() };
    let found = kith.find_possible_duplicates(&same_name_and_birthday).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reason, kith_core::DuplicateReason::SameNameAndDateOfBirth);

    let refused = kith
        .add_person_with_referral(Intake {
            person: same_name_and_birthday.clone(),
            referral: gp_referral(),
            duplicates_checked: false,
        })
        .unwrap_err();
    assert_eq!(code(refused), ErrorCode::PossibleDuplicate);
    assert_eq!(kith.store().unwrap().count_rows("people").unwrap(), 1, "nothing was added");

    let someone_else = NewPerson {
        nhs_number: None,
        date_of_birth: NaiveDate::from_ymd_opt(1990, 1, 1),
        ..doreen()
    };
    assert!(kith.find_possible_duplicates(&someone_else).unwrap().is_empty());

    kith.add_person_with_referral(Intake {
        person: same_name_and_birthday,
        referral: gp_referral(),
        duplicates_checked: true,
    })
    .unwrap();
    assert_eq!(kith.store().unwrap().count_rows("people").unwrap(), 2);
}

#[test]
fn bad_input_gets_a_specific_error_and_changes_nothing() {
    let (_dir, kith) = unlocked();
    let store_counts = |kith: &Kith| {
        let store = kith.store().unwrap();
        ["people", "referrals", "care_plans", "notes", "measures", "outbox"]
            .map(|table| store.count_rows(table).unwrap())
    };

    let mistyped = NewPerson { nhs_number: Some("943 476 5918".to_owned()), ..doreen() };
    let before = store_counts(&kith);
    let error = kith
        .add_person_with_referral(Intake {
            person: mistyped,
            referral: gp_referral(),
            duplicates_checked: true,
        })
        .unwrap_err();
    assert!(
        matches!(error, CoreError::Invalid { rule: "nhs_number_check_digit_mismatch", .. }),
        "{error:?}"
    );
    assert_eq!(store_counts(&kith), before);

    let person_id = intake(&kith, doreen());
    let before = store_counts(&kith);
    let error = kith.create_plan(plan_of(person_id, 13, None)).unwrap_err();
    assert!(matches!(error, CoreError::Invalid { .. }), "{error:?}");
    assert!(error.to_string().contains("13"), "{error}");
    assert!(kith.suggest_plan(today(), 13).reason_needed);

    let mut incomplete = SwemwbsAnswers { items: [Some(3); 7] };
    incomplete.items[4] = None;
    let error = kith
        .record_measure(NewMeasure {
            person_id,
            timing: MeasureTiming::Baseline,
            taken_on: today(),
            answers: MeasureAnswers::Swemwbs(incomplete),
        })
        .unwrap_err();
    assert_eq!(code(error), ErrorCode::InvalidInput);

    let error = kith.amend_note(NoteId::new(), "no such note".to_owned()).unwrap_err();
    assert_eq!(code(error), ErrorCode::NotFound);

    let referral_id = kith.person_record(person_id).unwrap().referrals[0].id;
    // Not discharged and not answered: the referral cannot be closed yet.
    let error = kith.move_referral(referral_id, ReferralStatus::Closed).unwrap_err();
    assert!(matches!(error, CoreError::Invalid { rule: "referral_status_jump", .. }), "{error:?}");
    assert_eq!(store_counts(&kith), before);

    let reasoned = kith.create_plan(plan_of(person_id, 13, Some("Complex bereavement"))).unwrap();
    assert_eq!(reasoned.planned_sessions, 13, "outside 6-12 with a reason is accepted");
}

#[test]
fn locking_unlocking_the_recovery_key_and_a_passphrase_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    assert!(!kith.profile_exists());
    assert_eq!(code(kith.create_profile("short").unwrap_err()), ErrorCode::WeakPassphrase);
    let created = kith.create_profile(PASSPHRASE).unwrap();
    assert!(kith.profile_exists() && kith.is_unlocked());
    assert!(!format!("{created:?}").contains(&created.recovery_key), "Debug hides the key");
    let person_id = intake(&kith, doreen());

    kith.lock();
    assert!(!kith.is_unlocked());
    assert_eq!(code(kith.today().unwrap_err()), ErrorCode::Locked);
    assert_eq!(code(kith.person_record(person_id).unwrap_err()), ErrorCode::Locked);

    let database = dir.path().join("profile").join("kith.db");
    let bytes_before = std::fs::read(&database).unwrap();
    let wrong = kith.unlock("kettle orchard lanterns").unwrap_err();
    assert_eq!(code(wrong), ErrorCode::WrongPassphrase);
    assert_eq!(std::fs::read(&database).unwrap(), bytes_before, "a wrong guess changes nothing");

    kith.unlock_with_recovery_key(&created.recovery_key.to_lowercase()).unwrap();
    assert_eq!(kith.person_record(person_id).unwrap().person.family_name, "Abernathy");
    kith.lock();

    let mut typo = created.recovery_key.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(code(kith.unlock_with_recovery_key(&typo).unwrap_err()), ErrorCode::RecoveryKeyTypo);

    kith.change_passphrase(PASSPHRASE, "new and longer passphrase").unwrap();
    assert_eq!(code(kith.unlock(PASSPHRASE).unwrap_err()), ErrorCode::WrongPassphrase);
    kith.unlock("new and longer passphrase").unwrap();
    assert_eq!(kith.person_record(person_id).unwrap().banner.display_name, "Dot Abernathy");
    assert_eq!(kith.current_user().unwrap(), created.user_id, "changes are still attributed");
}

#[test]
fn consent_is_recorded_and_withdrawn_and_discharge_closes_the_episode() {
    let (_dir, kith) = unlocked();
    let result = kith
        .add_person_with_referral(Intake {
            person: doreen(),
            referral: gp_referral(),
            duplicates_checked: false,
        })
        .unwrap();
    let person_id = result.person.id;
    let yesterday = today().checked_sub_days(Days::new(1)).unwrap();

    kith.record_consent(
        person_id,
        ConsentKind::ShareWithGp,
        kith_domain::consent::ConsentDecision::Given,
        yesterday,
    )
    .unwrap();
    let gp_consent = |kith: &Kith| {
        kith.person_record(person_id)
            .unwrap()
            .banner
            .consents
            .into_iter()
            .find(|consent| consent.kind == ConsentKind::ShareWithGp)
            .map(|consent| consent.state)
    };
    assert!(matches!(gp_consent(&kith), Some(ConsentState::Given { .. })));
    kith.withdraw_consent(person_id, ConsentKind::ShareWithGp, today()).unwrap();
    assert!(matches!(gp_consent(&kith), Some(ConsentState::Withdrawn { .. })));
    assert_eq!(
        code(kith.withdraw_consent(person_id, ConsentKind::ShareWithGp, today()).unwrap_err()),
        ErrorCode::InvalidInput,
        "consent not given cannot be withdrawn"
    );

    kith.move_referral(result.referral.id, ReferralStatus::Contacted).unwrap();
    kith.move_referral(result.referral.id, ReferralStatus::Accepted).unwrap();
    let plan = kith.create_plan(plan_of(person_id, 6, None)).unwrap();
    kith.agree_plan(plan.id, None, SessionKind::Phone).unwrap();
    kith.record_measure(NewMeasure {
        person_id,
        timing: MeasureTiming::Baseline,
        taken_on: today(),
        answers: MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(3); 7] }),
    })
    .unwrap();

    kith.discharge(NewDischarge {
        person_id,
        referral_id: Some(result.referral.id),
        care_plan_id: Some(plan.id),
        discharged_on: today(),
        reason: DischargeReason::PlanCompleted,
        closing_summary: "Singing weekly; feels part of things again.".to_owned(),
    })
    .unwrap();
    let record = kith.person_record(person_id).unwrap();
    assert!(record.banner.discharged);
    assert_eq!(record.plans[0].plan.status, CarePlanStatus::Completed);
    assert_eq!(record.referrals[0].status, ReferralStatus::Closed);
    let score = record.timeline.iter().find_map(|entry| match &entry.item {
        TimelineItem::Measure { score: Some(MeasureScore::Swemwbs(score)), .. } => Some(*score),
        _ => None,
    });
    assert_eq!(score.map(|score| score.metric_hundredths), Some(1925), "raw 21 is 19.25");
}

#[test]
fn the_sample_directory_imports_once_and_a_person_is_connected_to_a_service() {
    let (_dir, kith) = unlocked();
    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/directory/oruk-sample.json"),
    )
    .unwrap();
    let first = kith.import_directory(&sample).unwrap();
    assert!(first.added >= 40, "{first:?}");
    assert_eq!(first.updated, 0);
    let again = kith.import_directory(&sample).unwrap();
    assert_eq!((again.added, again.updated), (0, first.added), "a re-import updates in place");
    assert_eq!(kith.directory().unwrap().len(), first.added);

    let person_id = intake(&kith, doreen());
    let service = kith.directory().unwrap().remove(0);
    let connection = kith
        .connect_to_service(person_id, service.id, None, ConnectionKind::Referred, today())
        .unwrap();
    assert_eq!(connection.status, ConnectionStatus::Referred);
    kith.move_connection(connection.id, ConnectionStatus::Attended, today()).unwrap();
    let attended = kith.person_record(person_id).unwrap().timeline.iter().any(|entry| {
        matches!(&entry.item, TimelineItem::Connection { connection } if connection.status == ConnectionStatus::Attended)
    });
    assert!(attended);
    assert_eq!(
        code(kith.move_connection(connection.id, ConnectionStatus::Referred, today()).unwrap_err()),
        ErrorCode::InvalidInput
    );
}

#[test]
fn a_supervisor_sees_everyone_and_a_link_worker_only_their_own() {
    let (_dir, mut kith) = unlocked();
    intake(&kith, doreen());
    let colleague = kith_domain::UserId::new();
    kith.set_current_user(colleague).unwrap();
    assert!(kith.today().unwrap().new_referrals.is_empty(), "not assigned to the colleague");
    let everyone = kith.today_for(CaseloadScope::Everyone, today()).unwrap();
    assert_eq!(everyone.new_referrals.len(), 1);
}
