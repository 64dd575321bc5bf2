//! Bad input is refused with a specific error and nothing changes (every table's row count,
//! the audit log and the outbox included).

use chrono::Days;
use kith_domain::care_plan::{CarePlan, CarePlanStatus};
use kith_domain::measures::{Measure, MeasureAnswers, MeasureTiming, SwemwbsAnswers};
use kith_domain::note::NewNote;
use kith_domain::referral::ReferralStatus;
use kith_domain::{CarePlanId, DomainError, MeasureId, NoteId};
use kith_store::StoreError;

use crate::support::*;

fn assert_refused<T: std::fmt::Debug>(
    store: &kith_store::Store,
    attempt: impl FnOnce() -> Result<T, StoreError>,
    expected: impl Fn(&DomainError) -> bool,
) {
    let before = row_counts(store);
    let error = attempt().unwrap_err();
    match &error {
        StoreError::Invalid(domain) => assert!(expected(domain), "unexpected error: {domain:?}"),
        other => panic!("expected a domain error, got {other:?}"),
    }
    assert_eq!(row_counts(store), before, "a refused write changed something");
}

#[test]
fn an_invalid_nhs_number_is_refused() {
    let (_profile, store) = new_profile();
    let mut digits: Vec<u8> = random_nhs_number().into_bytes();
    digits[9] = b'0' + (digits[9] - b'0' + 1) % 10;
    let wrong_check = String::from_utf8(digits).unwrap();
    assert_refused(
        &store,
        || store.add_person(new_person("Fay", "Example", Some(wrong_check))),
        |error| matches!(error, DomainError::NhsNumberCheckDigitMismatch),
    );
    assert_refused(
        &store,
        || store.add_person(new_person("Fay", "Example", Some("12345".into()))),
        |error| matches!(error, DomainError::NhsNumberWrongLength { digits: 5 }),
    );
}

fn plan(person_id: kith_domain::PersonId, planned_sessions: u8) -> CarePlan {
    CarePlan {
        id: CarePlanId::new(),
        person_id,
        referral_id: None,
        status: CarePlanStatus::Draft,
        goals: Vec::new(),
        connections_to_try: Vec::new(),
        planned_sessions,
        planned_sessions_reason: None,
        starts_on: today(),
        review_on: today().checked_add_days(Days::new(84)).unwrap(),
        agreed_on: None,
    }
}

#[test]
fn thirteen_sessions_without_a_reason_are_refused_and_with_one_accepted() {
    let (_profile, store) = new_profile();
    let person = store.add_person(new_person("Gus", "Example", None)).unwrap();
    let thirteen = plan(person.id, 13);
    assert_refused(
        &store,
        || store.add_care_plan(&thirteen),
        |error| matches!(error, DomainError::PlannedSessionsWithoutReason { planned: 13 }),
    );
    let mut with_reason = thirteen.clone();
    with_reason.planned_sessions_reason = Some("Needs weekly support after bereavement".into());
    store.add_care_plan(&with_reason).unwrap();
    // Editing an existing plan is checked the same way.
    let mut edited = with_reason.clone();
    edited.planned_sessions_reason = None;
    assert_refused(
        &store,
        || store.update_care_plan(&edited),
        |error| matches!(error, DomainError::PlannedSessionsWithoutReason { planned: 13 }),
    );
}

#[test]
fn swemwbs_with_an_item_missing_is_refused() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Hal", "Example", None)).unwrap();
    let measure = Measure {
        id: MeasureId::new(),
        person_id: person.id,
        timing: MeasureTiming::Baseline,
        taken_on: today(),
        recorded_by: profile.user,
        answers: MeasureAnswers::Swemwbs(SwemwbsAnswers {
            items: [Some(3), Some(4), None, Some(2), Some(5), Some(3), Some(4)],
        }),
    };
    assert_refused(
        &store,
        || store.record_measure(&measure),
        |error| matches!(error, DomainError::IncompleteQuestionnaire { missing, .. } if missing == &[3]),
    );
    let mut complete = measure.clone();
    complete.answers = MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(3); 7] });
    store.record_measure(&complete).unwrap();
    assert_eq!(store.measures_for(person.id).unwrap(), vec![complete]);
}

#[test]
fn an_amendment_to_a_note_that_does_not_exist_is_refused() {
    let (_profile, store) = new_profile();
    let person = store.add_person(new_person("Ida", "Example", None)).unwrap();
    store.add_note(new_note(person.id, "First visit went well")).unwrap();
    let missing = NoteId::new();
    assert_refused(
        &store,
        || {
            store.add_note(NewNote {
                person_id: person.id,
                body: "Correction: it was Tuesday".into(),
                amends: Some(missing),
            })
        },
        |error| matches!(error, DomainError::AmendedNoteNotFound { note_id } if *note_id == missing),
    );
}

#[test]
fn an_amendment_for_another_persons_note_is_refused() {
    let (_profile, store) = new_profile();
    let first = store.add_person(new_person("Jo", "Example", None)).unwrap();
    let second = store.add_person(new_person("Kim", "Example", None)).unwrap();
    let note = store.add_note(new_note(first.id, "Visited at home")).unwrap();
    assert_refused(
        &store,
        || {
            store.add_note(NewNote {
                person_id: second.id,
                body: "Correction".into(),
                amends: Some(note.id),
            })
        },
        |error| matches!(error, DomainError::AmendmentForAnotherPerson),
    );
}

#[test]
fn a_referral_status_jump_is_refused() {
    let (_profile, store) = new_profile();
    let person = store.add_person(new_person("Lou", "Example", None)).unwrap();
    let referral = store.add_referral(person.id, gp_referral()).unwrap();
    assert_refused(
        &store,
        || store.move_referral(referral.id, ReferralStatus::Accepted),
        |error| {
            matches!(
                error,
                DomainError::ReferralStatusJump {
                    from: ReferralStatus::New,
                    to: ReferralStatus::Accepted
                }
            )
        },
    );
    assert_eq!(store.referral(referral.id).unwrap().status, ReferralStatus::New);
}

#[test]
fn a_referral_without_consent_or_an_empty_note_is_refused() {
    let (_profile, store) = new_profile();
    let person = store.add_person(new_person("Max", "Example", None)).unwrap();
    let mut no_consent = gp_referral();
    no_consent.consent_to_referral = false;
    assert_refused(
        &store,
        || store.add_referral(person.id, no_consent),
        |error| matches!(error, DomainError::ReferralWithoutConsent),
    );
    assert_refused(
        &store,
        || store.add_note(new_note(person.id, "   ")),
        |error| matches!(error, DomainError::EmptyNote),
    );
}

#[test]
fn records_for_a_person_who_does_not_exist_are_refused() {
    let (_profile, store) = new_profile();
    let before = row_counts(&store);
    let error = store.add_note(new_note(kith_domain::PersonId::new(), "Hello")).unwrap_err();
    assert!(matches!(error, StoreError::NotFound { kind: "person", .. }), "{error:?}");
    assert_eq!(row_counts(&store), before);
}
