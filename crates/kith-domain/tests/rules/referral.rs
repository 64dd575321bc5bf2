//! Referrals: every status move allowed or refused as the lifecycle says, validation, the
//! first contact and the person's answer as the work records them, the referral an
//! interaction belongs to, and the codes for the GP record each referral calls for.

use chrono::NaiveDate;
use kith_domain::gp_record::{gp_codes, mark_gp_code_sent};
use kith_domain::referral::*;
use kith_domain::{DomainError, PersonId, ReferralId};

use super::{date, today};
use ReferralStatus::*;

const ALLOWED: [(ReferralStatus, ReferralStatus); 10] = [
    (New, Contacted),
    (Contacted, Accepted),
    (Contacted, Declined),
    (Contacted, UnableToContact),
    (Accepted, Closed),
    (Declined, Accepted),
    (Declined, Closed),
    (UnableToContact, Accepted),
    (UnableToContact, Declined),
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

/// A referral received on 10 March 2025 with `status`, first contact and answer as given.
fn referral_in(
    status: ReferralStatus,
    first_contact_on: Option<NaiveDate>,
    answer: Option<(ReferralAnswerKind, NaiveDate)>,
) -> Referral {
    let mut referral =
        new_referral().into_referral(ReferralId::new(), PersonId::new(), today()).unwrap();
    referral.status = status;
    referral.first_contact_on = first_contact_on;
    referral.answer = answer.map(|(kind, on)| ReferralAnswer { kind, on });
    if status == Closed {
        referral.closed_on = Some(date(2025, 3, 13));
    }
    referral
}

#[test]
fn an_interaction_records_the_first_contact_and_moves_a_new_referral_to_contacted() {
    let (d11, d12, d13) = (date(2025, 3, 11), date(2025, 3, 12), date(2025, 3, 13));
    // (case, status, first contact before, interaction on, status after, first contact after,
    // moves)
    type Case = (
        &'static str,
        ReferralStatus,
        Option<NaiveDate>,
        NaiveDate,
        ReferralStatus,
        Option<NaiveDate>,
        Vec<ReferralStatus>,
    );
    let cases: Vec<Case> = vec![
        ("first conversation", New, None, d12, Contacted, Some(d12), vec![Contacted]),
        (
            "a later visit keeps the first day",
            Contacted,
            Some(d12),
            d13,
            Contacted,
            Some(d12),
            vec![],
        ),
        ("an earlier one recorded late", Contacted, Some(d12), d11, Contacted, Some(d11), vec![]),
        ("after acceptance, status stays", Accepted, Some(d12), d13, Accepted, Some(d12), vec![]),
        (
            "reached after unable to contact",
            UnableToContact,
            None,
            d13,
            UnableToContact,
            Some(d13),
            vec![],
        ),
        ("before the referral was received", New, None, date(2025, 3, 9), New, None, vec![]),
        ("after it closed", Closed, Some(d11), d13, Closed, Some(d11), vec![]),
    ];
    for (name, status, first, on, status_after, first_after, moves) in cases {
        let mut referral = referral_in(status, first, None);
        assert_eq!(referral.record_interaction(on), moves, "{name}");
        assert_eq!(
            (referral.status, referral.first_contact_on),
            (status_after, first_after),
            "{name}"
        );
    }
}

#[test]
fn the_answer_is_recorded_with_its_day_as_the_lifecycle_allows() {
    use ReferralAnswerKind as A;
    let (d11, d12, d13) = (date(2025, 3, 11), date(2025, 3, 12), date(2025, 3, 13));
    // (case, status, first contact, earlier answer, answer, on,
    //  Ok((status, first contact, moves)) or the error)
    type Expected = Result<(ReferralStatus, Option<NaiveDate>, Vec<ReferralStatus>), DomainError>;
    type Case = (
        &'static str,
        ReferralStatus,
        Option<NaiveDate>,
        Option<(A, NaiveDate)>,
        A,
        NaiveDate,
        Expected,
    );
    let cases: Vec<Case> = vec![
        (
            "plan agreed after a conversation",
            Contacted,
            Some(d11),
            None,
            A::Accepted,
            d13,
            Ok((Accepted, Some(d11), vec![Accepted])),
        ),
        (
            "plan agreed with no contact recorded",
            New,
            None,
            None,
            A::Accepted,
            d12,
            Ok((Accepted, Some(d12), vec![Contacted, Accepted])),
        ),
        (
            "accepted again keeps the first day",
            Accepted,
            Some(d11),
            Some((A::Accepted, d12)),
            A::Accepted,
            d13,
            Ok((Accepted, Some(d11), vec![])),
        ),
        (
            "declined on the first call",
            New,
            None,
            None,
            A::Declined,
            d12,
            Ok((Declined, Some(d12), vec![Contacted, Declined])),
        ),
        (
            "declined after a conversation",
            Contacted,
            Some(d11),
            None,
            A::Declined,
            d13,
            Ok((Declined, Some(d11), vec![Declined])),
        ),
        (
            "declined day corrected",
            Declined,
            Some(d12),
            Some((A::Declined, d12)),
            A::Declined,
            d11,
            Ok((Declined, Some(d11), vec![])),
        ),
        (
            "unable to contact, never reached",
            New,
            None,
            None,
            A::UnableToContact,
            d13,
            Ok((UnableToContact, None, vec![Contacted, UnableToContact])),
        ),
        (
            "reached after all and accepted",
            UnableToContact,
            None,
            Some((A::UnableToContact, d11)),
            A::Accepted,
            d13,
            Ok((Accepted, Some(d13), vec![Accepted])),
        ),
        (
            "reached after all and declined",
            UnableToContact,
            None,
            Some((A::UnableToContact, d11)),
            A::Declined,
            d12,
            Ok((Declined, Some(d12), vec![Declined])),
        ),
        (
            "changed their mind",
            Declined,
            Some(d11),
            Some((A::Declined, d11)),
            A::Accepted,
            d13,
            Ok((Accepted, Some(d11), vec![Accepted])),
        ),
        (
            "declined after accepting is a discharge, not an answer",
            Accepted,
            Some(d11),
            Some((A::Accepted, d11)),
            A::Declined,
            d13,
            Err(DomainError::ReferralStatusJump { from: Accepted, to: Declined }),
        ),
        (
            "unable to contact after accepting",
            Accepted,
            Some(d11),
            Some((A::Accepted, d11)),
            A::UnableToContact,
            d13,
            Err(DomainError::ReferralStatusJump { from: Accepted, to: UnableToContact }),
        ),
        (
            "a closed referral",
            Closed,
            Some(d11),
            Some((A::Accepted, d11)),
            A::Declined,
            d13,
            Err(DomainError::ReferralStatusJump { from: Closed, to: Declined }),
        ),
        (
            "in the future",
            Contacted,
            None,
            None,
            A::Declined,
            date(2025, 3, 15),
            Err(DomainError::DateInFuture { field: "date the person declined" }),
        ),
        (
            "before the referral",
            Contacted,
            None,
            None,
            A::UnableToContact,
            date(2025, 3, 9),
            Err(DomainError::DateOrder {
                later: "date the person could not be contacted",
                earlier: "date the referral was received",
            }),
        ),
    ];
    for (name, status, first, earlier, kind, on, expected) in cases {
        let mut referral = referral_in(status, first, earlier);
        let before = referral.clone();
        let result = referral.record_answer(kind, on, today());
        match expected {
            Ok((status_after, first_after, moves)) => {
                assert_eq!(result, Ok(moves), "{name}");
                assert_eq!(
                    (referral.status, referral.first_contact_on),
                    (status_after, first_after),
                    "{name}"
                );
                let kept =
                    if earlier.is_some_and(|(was, _)| was == A::Accepted) && kind == A::Accepted {
                        earlier.unwrap().1
                    } else {
                        on
                    };
                assert_eq!(referral.answer, Some(ReferralAnswer { kind, on: kept }), "{name}");
            }
            Err(error) => {
                assert_eq!(result, Err(error), "{name}");
                assert!(referral == before, "{name}: nothing changes");
            }
        }
    }
}

#[test]
fn the_record_offers_the_answers_its_status_allows() {
    use ReferralAnswerKind as A;
    let cases = [
        (New, vec![A::Accepted, A::Declined, A::UnableToContact]),
        (Contacted, vec![A::Accepted, A::Declined, A::UnableToContact]),
        (Accepted, vec![]),
        (Declined, vec![A::Accepted, A::Declined]),
        (UnableToContact, vec![A::Accepted, A::Declined, A::UnableToContact]),
        (Closed, vec![]),
    ];
    for (status, allowed) in cases {
        assert_eq!(referral_in(status, None, None).answers_allowed(), allowed, "{status:?}");
    }
}

#[test]
fn closing_keeps_the_answer_and_a_referral_still_open_stays_open() {
    let mut accepted = referral_in(
        Accepted,
        Some(date(2025, 3, 11)),
        Some((ReferralAnswerKind::Accepted, date(2025, 3, 11))),
    );
    assert_eq!(accepted.close(date(2025, 3, 14)), vec![Closed]);
    assert_eq!((accepted.status, accepted.closed_on), (Closed, Some(date(2025, 3, 14))));
    assert!(accepted.answer.is_some(), "the answer is kept for the GP codes");
    let mut contacted = referral_in(Contacted, None, None);
    assert_eq!(contacted.close(date(2025, 3, 14)), Vec::<ReferralStatus>::new());
    assert_eq!((contacted.status, contacted.closed_on), (Contacted, None));
    let mut moved = referral_in(Contacted, None, None);
    assert_eq!(
        moved.move_on(Closed, date(2025, 3, 14), today()),
        Err(DomainError::ReferralStatusJump { from: Contacted, to: Closed })
    );
    assert_eq!(moved.move_on(Declined, date(2025, 3, 12), today()), Ok(vec![Declined]));
    assert_eq!(
        moved.answer,
        Some(ReferralAnswer { kind: ReferralAnswerKind::Declined, on: date(2025, 3, 12) })
    );
}

#[test]
fn an_interaction_belongs_to_the_named_referral_or_the_latest_open_one() {
    let mut first = referral_in(Closed, None, None);
    first.received_on = date(2025, 1, 6);
    let mut second = referral_in(New, None, None);
    second.received_on = date(2025, 3, 10);
    let referrals = [first.clone(), second.clone()];
    let cases = [
        ("after the re-referral", None, date(2025, 3, 12), Some(second.id)),
        ("before the re-referral: the first is closed", None, date(2025, 2, 1), None),
        ("named", Some(first.id), date(2025, 3, 12), Some(first.id)),
        ("named but unknown", Some(ReferralId::new()), date(2025, 3, 12), None),
    ];
    for (name, named, on, expected) in cases {
        assert_eq!(referral_for_interaction(&referrals, named, on), expected, "{name}");
    }
    assert_eq!(referral_for_interaction(&[], None, today()), None);
}

#[test]
fn the_gp_codes_follow_the_answer_as_nhs_england_guidance_says() {
    use ReferralAnswerKind as A;
    let (d11, d12, d13) = (date(2025, 3, 11), date(2025, 3, 12), date(2025, 3, 13));
    // (case, status, first contact, answer, the codes with their dates)
    type Case = (
        &'static str,
        ReferralStatus,
        Option<NaiveDate>,
        Option<(A, NaiveDate)>,
        Vec<(&'static str, NaiveDate)>,
    );
    let cases: Vec<Case> = vec![
        ("new: nothing yet", New, None, None, vec![]),
        ("contacted only (made or attempted): nothing", Contacted, Some(d11), None, vec![]),
        (
            "accepted: dated at the first interaction",
            Accepted,
            Some(d11),
            Some((A::Accepted, d13)),
            vec![("871731000000106", d11)],
        ),
        (
            "accepted with no earlier interaction",
            Accepted,
            None,
            Some((A::Accepted, d12)),
            vec![("871731000000106", d12)],
        ),
        (
            "accepted, then closed: still coded",
            Closed,
            Some(d11),
            Some((A::Accepted, d12)),
            vec![("871731000000106", d11)],
        ),
        (
            "declined: dated when declined",
            Declined,
            Some(d11),
            Some((A::Declined, d13)),
            vec![("871711000000103", d13)],
        ),
        (
            "declined, then closed",
            Closed,
            Some(d12),
            Some((A::Declined, d12)),
            vec![("871711000000103", d12)],
        ),
        (
            "unable to contact: no national code",
            UnableToContact,
            None,
            Some((A::UnableToContact, d13)),
            vec![],
        ),
        ("unable to contact, then closed", Closed, None, Some((A::UnableToContact, d13)), vec![]),
    ];
    for (name, status, first, answer, expected) in cases {
        let referral = referral_in(status, first, answer);
        let codes: Vec<(String, NaiveDate)> =
            gp_codes(&referral).into_iter().map(|code| (code.concept.code, code.date)).collect();
        let expected: Vec<(String, NaiveDate)> =
            expected.into_iter().map(|(code, date)| (code.to_owned(), date)).collect();
        assert_eq!(codes, expected, "{name}");
        assert!(gp_codes(&referral)
            .iter()
            .all(|code| code.sent_on.is_none() && code.referral_id == referral.id));
    }
}

#[test]
fn a_code_is_marked_sent_once_and_only_when_due() {
    use ReferralAnswerKind as A;
    let mut referral =
        referral_in(Accepted, Some(date(2025, 3, 11)), Some((A::Accepted, date(2025, 3, 11))));
    let cases: [(&str, &str, NaiveDate, Result<bool, DomainError>); 5] = [
        (
            "in the future",
            "871731000000106",
            date(2025, 3, 15),
            Err(DomainError::DateInFuture { field: "date the codes were sent" }),
        ),
        (
            "not due: declined",
            "871711000000103",
            today(),
            Err(DomainError::GpCodeNotDue { known: true }),
        ),
        (
            "not ours: offered",
            "871691000000100",
            today(),
            Err(DomainError::GpCodeNotDue { known: false }),
        ),
        ("due", "871731000000106", date(2025, 3, 13), Ok(true)),
        ("again keeps the first day", "871731000000106", today(), Ok(false)),
    ];
    for (name, code, on, expected) in cases {
        assert_eq!(mark_gp_code_sent(&mut referral, code, on, today()), expected, "{name}");
    }
    assert_eq!(gp_codes(&referral)[0].sent_on, Some(date(2025, 3, 13)));
    assert_eq!(referral.gp_codes_sent.len(), 1);
}

#[test]
fn a_referral_stored_before_the_answer_fields_still_reads() {
    let referral = referral_in(Declined, None, None);
    let mut json = serde_json::to_value(&referral).unwrap();
    for field in ["first_contact_on", "answer", "closed_on", "gp_codes_sent"] {
        json.as_object_mut().unwrap().remove(field);
    }
    let read: Referral = serde_json::from_value(json).unwrap();
    assert_eq!(read.status, Declined);
    assert_eq!((read.first_contact_on, read.answer, read.closed_on), (None, None, None));
    assert!(read.gp_codes_sent.is_empty() && gp_codes(&read).is_empty());
}
