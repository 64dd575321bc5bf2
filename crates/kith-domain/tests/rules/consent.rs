//! Consent: the current state is the latest decision; withdrawal stops what it covers.

use kith_domain::consent::*;
use kith_domain::person::ContactMethod;
use kith_domain::{ConsentId, DomainError, PersonId, UserId};

use super::{at, date, today};

fn record(kind: ConsentKind, decision: ConsentDecision, day: u32, hour: u32) -> ConsentRecord {
    ConsentRecord {
        id: ConsentId::new(),
        person_id: PersonId::from_uuid(uuid::Uuid::nil()),
        kind,
        decision,
        decided_on: date(2025, 3, day),
        recorded_by: UserId::new(),
        recorded_at: at(2025, 3, day, hour),
    }
}

use ConsentDecision::*;

#[test]
fn current_state_is_the_latest_decision() {
    let gp = ConsentKind::ShareWithGp;
    let given = record(gp.clone(), Given, 1, 9);
    let withdrawn = record(gp.clone(), Withdrawn, 5, 9);
    let given_again = record(gp.clone(), Given, 9, 9);

    assert_eq!(current_consent(&[], &gp), ConsentState::NotRecorded);
    assert!(may_share_with_gp(std::slice::from_ref(&given)));
    // Order in the list does not matter: the dates do.
    assert!(!may_share_with_gp(&[withdrawn.clone(), given.clone()]));
    assert_eq!(
        current_consent(&[withdrawn.clone(), given.clone()], &gp),
        ConsentState::Withdrawn { on: date(2025, 3, 5), recorded_by: withdrawn.recorded_by }
    );
    assert!(may_share_with_gp(&[given_again.clone(), withdrawn.clone(), given.clone()]));
    // Same day: the later recording wins.
    let same_day_withdrawal = record(gp.clone(), Withdrawn, 9, 15);
    assert!(!may_share_with_gp(&[same_day_withdrawal, given_again]));
    // Other kinds are unaffected.
    assert_eq!(
        current_consent(&[withdrawn], &ConsentKind::SocialPrescribing),
        ConsentState::NotRecorded
    );
}

#[test]
fn organisations_are_matched_by_name_ignoring_case() {
    let history = [
        record(ConsentKind::ShareWithOrganisation { name: "Age UK Leeds".into() }, Given, 2, 9),
        record(ConsentKind::ShareWithOrganisation { name: "Men in Sheds".into() }, Given, 2, 9),
        record(
            ConsentKind::ShareWithOrganisation { name: " age uk leeds ".into() },
            Withdrawn,
            4,
            9,
        ),
        record(ConsentKind::ContactBy { method: ContactMethod::TextMessage }, Given, 2, 9),
    ];
    assert!(!may_share_with_organisation(&history, "Age UK Leeds"));
    assert!(may_share_with_organisation(&history, "men in sheds"));
    assert!(!may_share_with_organisation(&history, "Another group"));
    let current = current_consents(&history);
    assert_eq!(current.len(), 3);
    assert!(
        current[0].state
            == ConsentState::Withdrawn {
                on: date(2025, 3, 4),
                recorded_by: history[2].recorded_by
            }
    );
    assert!(current[2].state.is_given());
}

#[test]
fn new_records_are_checked() {
    let gp_given = record(ConsentKind::ShareWithGp, Given, 1, 9);
    let withdraw = record(ConsentKind::ShareWithGp, Withdrawn, 5, 9);
    let cases = [
        ("withdraw what was given", vec![gp_given.clone()], withdraw.clone(), None),
        (
            "withdraw what was never given",
            vec![],
            withdraw.clone(),
            Some(DomainError::WithdrawWithoutConsent),
        ),
        (
            "withdraw twice",
            vec![gp_given.clone(), withdraw.clone()],
            record(ConsentKind::ShareWithGp, Withdrawn, 6, 9),
            Some(DomainError::WithdrawWithoutConsent),
        ),
        (
            "unnamed organisation",
            vec![],
            record(ConsentKind::ShareWithOrganisation { name: " ".into() }, Given, 5, 9),
            Some(DomainError::Required { field: "organisation's name" }),
        ),
        (
            "in the future",
            vec![],
            record(ConsentKind::SocialPrescribing, Given, 20, 9),
            Some(DomainError::DateInFuture { field: "date of the consent decision" }),
        ),
    ];
    for (name, history, new_record, expected) in cases {
        assert_eq!(validate_new_record(&history, &new_record, today()).err(), expected, "{name}");
    }
}
