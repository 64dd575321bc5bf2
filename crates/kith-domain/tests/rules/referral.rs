//! Referrals: every status move allowed or refused as the lifecycle says, and validation.

use kith_domain::referral::*;
use kith_domain::{DomainError, PersonId, ReferralId};

use super::{date, today};
use ReferralStatus::*;

const ALLOWED: [(ReferralStatus, ReferralStatus); 7] = [
    (New, Contacted),
    (Contacted, Accepted),
    (Contacted, Declined),
    (Contacted, UnableToContact),
    (Accepted, Closed),
    (Declined, Closed),
    (UnableToContact, Closed),
];

#[test]
fn every_status_pair_is_allowed_or_refused() {
    for from in ReferralStatus::ALL {
        for to in ReferralStatus::ALL {
            let result = from.transition(to);
            if ALLOWED.contains(&(from, to)) {
                assert_eq!(result, Ok(to), "{from:?} -> {to:?}");
            } else {
                assert_eq!(
                    result,
                    Err(DomainError::ReferralStatusJump { from, to }),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }
}

#[test]
fn a_jump_is_refused_with_the_allowed_moves_and_nothing_changes() {
    let mut referral =
        new_referral().into_referral(ReferralId::new(), PersonId::new(), today()).unwrap();
    assert_eq!(referral.status, New);
    let error = referral.move_to(Accepted).unwrap_err();
    assert_eq!(error.code(), "referral_status_jump");
    assert_eq!(
        error.to_string(),
        "A referral cannot go from new to accepted; from new it can go to: contacted"
    );
    assert_eq!(referral.status, New);
    for step in [Contacted, UnableToContact, Closed] {
        referral.move_to(step).unwrap();
    }
    assert_eq!(referral.status, Closed);
    let final_error = referral.move_to(New).unwrap_err().to_string();
    assert!(final_error.contains("nothing (it is final)"), "{final_error}");
}

fn new_referral() -> NewReferral {
    NewReferral {
        received_on: date(2025, 3, 10),
        source: ReferralSource::Gp,
        referrer: Some(Referrer { name: "Dr Okafor".into(), organisation: None, contact: None }),
        reason: "Lives alone since her husband died".into(),
        needs: vec![Need::Loneliness, Need::Bereavement],
        background: None,
        consent_to_referral: true,
    }
}

#[test]
fn referral_validation_table() {
    type Change = fn(&mut NewReferral);
    let cases: [(&str, Change, Option<DomainError>); 10] = [
        ("valid", |_| {}, None),
        (
            "future date",
            |r| r.received_on = date(2025, 3, 15),
            Some(DomainError::DateInFuture { field: "date the referral was received" }),
        ),
        (
            "no consent",
            |r| r.consent_to_referral = false,
            Some(DomainError::ReferralWithoutConsent),
        ),
        (
            "no reason",
            |r| r.reason = "  ".into(),
            Some(DomainError::Required { field: "reason for referral" }),
        ),
        (
            "no needs",
            |r| r.needs.clear(),
            Some(DomainError::Required { field: "at least one need" }),
        ),
        (
            "blank other need",
            |r| r.needs.push(Need::Other(" ".into())),
            Some(DomainError::Required { field: "need (other)" }),
        ),
        (
            "no referrer from a GP",
            |r| r.referrer = None,
            Some(DomainError::Required { field: "referrer's name" }),
        ),
        (
            "self-referral needs no referrer",
            |r| {
                r.referrer = None;
                r.source = ReferralSource::SelfReferral;
            },
            None,
        ),
        (
            "blank other source",
            |r| r.source = ReferralSource::Other("".into()),
            Some(DomainError::Required { field: "referral source (other)" }),
        ),
        ("named other source", |r| r.source = ReferralSource::Other("Food bank".into()), None),
    ];
    for (name, change, expected) in cases {
        let mut referral = new_referral();
        change(&mut referral);
        assert_eq!(referral.validate(today()).err(), expected, "{name}");
    }
}

#[test]
fn every_source_and_need_in_domain_md_is_named() {
    let sources: Vec<&str> = ReferralSource::NAMED.iter().map(|source| source.label()).collect();
    for expected in [
        "GP",
        "Practice nurse",
        "Pharmacist",
        "Healthcare assistant",
        "Social care",
        "Police",
        "Hospital discharge team",
        "Ambulance service",
        "DWP / job centre",
        "Library",
        "Voluntary or community organisation (VCSE)",
        "Multidisciplinary team",
        "Self-referral",
    ] {
        assert!(sources.contains(&expected), "{expected}");
    }
    assert_eq!(Need::NAMED.len(), 10);
    assert_eq!(Need::Other("Food".into()).label(), "Food");
}
