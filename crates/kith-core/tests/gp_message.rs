//! The message back to the GP and the referrer at discharge: with consent to share it carries
//! the PRSB minimum data (demographics, needs, support offered, outcomes, closing summary)
//! and the SNOMED CT codes; without it (never given, or withdrawn by the discharge date)
//! only the codes go. The codes follow NHS England guidance: an accepted referral carries
//! 871731000000106 dated at the first interaction of the episode, a declined one only
//! 871711000000103 dated when the person declined; 871691000000100 ("offered") is never sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use kith_core::{
    today, GpMessage, Intake, Kith, NewConversation, NewDischarge, NewMeasure, NewSession,
    VisitRecord,
};
use kith_domain::consent::{ConsentDecision, ConsentKind};
use kith_domain::conversation::{ConversationSetting, LifeArea, LifeAreaConcern};
use kith_domain::directory::{ConnectionKind, ConnectionStatus};
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{MeasureAnswers, MeasureKind, MeasureTiming, SwemwbsAnswers};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralAnswerKind, ReferralSource, Referrer};
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::{DischargeId, PersonId, ReferralId};

const REFERRAL_CODE: &str = "871731000000106";
const DECLINED_CODE: &str = "871711000000103";

const CLOSING_SUMMARY: &str = "Sings with the Wednesday choir; sees her neighbour daily.";
const WHAT_MATTERS: &str = "Singing again, and not feeling invisible.";
const CONCERN_WORDS: &str = "Evenings alone since the funeral";
const REFERRAL_REASON: &str = "Lonely since her husband died; stopped going out.";
const REFERRER: &str = "Dr Priya Shah";
const NOTE: &str = "Visit note that never leaves Kith";

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile("gp message passphrase").unwrap();
    (dir, kith)
}

fn days_ago(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).unwrap()
}

fn swemwbs(item: u8) -> MeasureAnswers {
    MeasureAnswers::Swemwbs(SwemwbsAnswers { items: [Some(item); 7] })
}

/// A person referred 60 days ago, first seen 55 days ago (they accepted then), visited,
/// measured, connected; returns their ids.
fn episode(kith: &Kith) -> (PersonId, ReferralId) {
    kith.import_directory(
        &serde_json::json!([{
            "id": "3f1c2b7a-9d4e-4c1a-8b2f-5e6d7c8b9a01",
            "name": "Wednesday Community Choir",
            "description": "Singing for everyone.",
            "status": "active",
            "taxonomy_terms": [{ "name": "Singing" }]
        }])
        .to_string(),
    )
    .unwrap();
    let service = kith.directory().unwrap().remove(0);
    let intake = kith
        .add_person_with_referral(Intake {
            person: NewPerson {
                nhs_number: Some("943 476 5919".to_owned()),
                given_name: "Doreen".to_owned(),
                family_name: "Abernathy".to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1941, 3, 9),
                preferred_language: Some("Welsh".to_owned()),
                interpreter_needed: true,
                gp_practice: Some("Ashbridge Medical Centre".to_owned()),
                ..NewPerson::default()
            },
            referral: NewReferral {
                received_on: days_ago(60),
                source: ReferralSource::Gp,
                referrer: Some(Referrer {
                    name: REFERRER.to_owned(),
                    organisation: Some("Ashbridge Medical Centre".to_owned()),
                    contact: None,
                }),
                reason: REFERRAL_REASON.to_owned(),
                needs: vec![Need::Loneliness, Need::Bereavement],
                background: None,
                consent_to_referral: true,
            },
            duplicates_checked: true,
        })
        .unwrap();
    let person = intake.person.id;
    kith.record_conversation(NewConversation {
        person_id: person,
        referral_id: Some(intake.referral.id),
        held_on: days_ago(55),
        setting: ConversationSetting::Home,
        duration_minutes: 70,
        what_matters: WHAT_MATTERS.to_owned(),
        strengths: None,
        wants_to_change: None,
        concerns: vec![LifeAreaConcern {
            area: LifeArea::SocialConnection,
            in_own_words: CONCERN_WORDS.to_owned(),
        }],
        barriers: Vec::new(),
    })
    .unwrap();
    kith.record_referral_answer(intake.referral.id, ReferralAnswerKind::Accepted, days_ago(55))
        .unwrap();
    for (days, status) in [
        (50, SessionStatus::Held),
        (40, SessionStatus::DidNotAttend),
        (30, SessionStatus::Held),
        (20, SessionStatus::Held),
    ] {
        let session = kith
            .schedule_session(NewSession {
                person_id: person,
                care_plan_id: None,
                date: days_ago(days),
                start_time: None,
                kind: SessionKind::HomeVisit,
                location: None,
            })
            .unwrap();
        kith.record_visit(VisitRecord {
            session_id: session.id,
            status,
            duration_minutes: (status == SessionStatus::Held).then_some(60),
            note: NOTE.to_owned(),
        })
        .unwrap();
    }
    kith.record_measure(NewMeasure {
        person_id: person,
        timing: MeasureTiming::Baseline,
        taken_on: days_ago(55),
        answers: swemwbs(2),
    })
    .unwrap();
    kith.record_measure(NewMeasure {
        person_id: person,
        timing: MeasureTiming::FollowUp,
        taken_on: days_ago(5),
        answers: swemwbs(3),
    })
    .unwrap();
    let connection = kith
        .connect_to_service(person, service.id, None, ConnectionKind::Referred, days_ago(35))
        .unwrap();
    kith.move_connection(connection.id, ConnectionStatus::Attended, days_ago(28)).unwrap();
    (person, intake.referral.id)
}

fn discharge(kith: &Kith, person: PersonId, referral: ReferralId, on: NaiveDate) -> DischargeId {
    kith.discharge(NewDischarge {
        person_id: person,
        referral_id: Some(referral),
        care_plan_id: None,
        discharged_on: on,
        reason: DischargeReason::PlanCompleted,
        closing_summary: CLOSING_SUMMARY.to_owned(),
    })
    .unwrap()
    .id
}

fn codes(message: &GpMessage) -> Vec<&str> {
    message.codes.iter().map(|entry| entry.concept.code.as_str()).collect()
}

/// Only the codes and the identifiers needed to file them: nothing else, anywhere.
fn assert_codes_only(message: &GpMessage) {
    assert!(!message.consent_to_share_with_gp);
    assert!(message.shared.is_none());
    assert!(message.to.referrer.is_none(), "nothing goes to the referrer");
    let json = message.to_json().unwrap();
    for private in [
        CLOSING_SUMMARY,
        WHAT_MATTERS,
        CONCERN_WORDS,
        REFERRAL_REASON,
        REFERRER,
        NOTE,
        "Wednesday Community Choir",
        "Welsh",
        "Loneliness",
        "swemwbs",
        "metric",
        "plan_completed",
    ] {
        assert!(!json.contains(private), "{private:?} went without consent");
    }
    assert!(json.contains(REFERRAL_CODE), "the codes still go");
    assert!(json.contains("9434765919"), "with the NHS number to file them under");
}

#[test]
fn with_consent_the_message_carries_the_prsb_groups_and_the_codes() {
    let (_dir, kith) = unlocked();
    let (person, referral) = episode(&kith);
    kith.record_consent(person, ConsentKind::ShareWithGp, ConsentDecision::Given, days_ago(60))
        .unwrap();
    let discharge_id = discharge(&kith, person, referral, days_ago(1));

    let message = kith.discharge_message(discharge_id).unwrap();
    assert!(message.consent_to_share_with_gp);
    assert_eq!(message.discharged_on, days_ago(1));
    assert_eq!(message.to.gp_practice.as_deref(), Some("Ashbridge Medical Centre"));
    assert_eq!(message.to.referrer.as_ref().unwrap().name, REFERRER);
    assert_eq!(message.patient.nhs_number.as_deref(), Some("9434765919"));
    assert_eq!(message.patient.family_name, "Abernathy");

    // The codes: the referral code once for the episode (the person accepted), dated at the
    // first interaction; not declined, and never "offered".
    assert_eq!(codes(&message), [REFERRAL_CODE]);
    let referral_code = &message.codes[0];
    assert_eq!(referral_code.concept.term, "Referral to social prescribing service (procedure)");
    assert_eq!(referral_code.date, days_ago(55), "the first interaction");

    let shared = message.shared.as_ref().expect("shared with consent");
    assert_eq!(shared.demographics.preferred_language.as_deref(), Some("Welsh"));
    assert!(shared.demographics.interpreter_needed);
    let needs = &shared.needs_and_concerns;
    assert_eq!(needs.needs, ["Loneliness", "Bereavement"]);
    assert_eq!(needs.referral_reason.as_deref(), Some(REFERRAL_REASON));
    assert_eq!(needs.referral_received_on, Some(days_ago(60)));
    assert_eq!(needs.what_matters, [WHAT_MATTERS]);
    assert_eq!(needs.concerns, [CONCERN_WORDS]);
    let support = &shared.support_offered;
    assert_eq!((support.sessions_held, support.sessions_did_not_attend), (3, 1));
    assert_eq!(support.connections.len(), 1);
    assert_eq!(support.connections[0].service, "Wednesday Community Choir");
    assert_eq!(support.connections[0].status, ConnectionStatus::Attended);
    assert_eq!(shared.outcomes.len(), 1);
    let outcome = &shared.outcomes[0];
    assert_eq!(outcome.measure, MeasureKind::Swemwbs);
    assert_eq!((outcome.baseline_on, outcome.follow_up_on), (days_ago(55), days_ago(5)));
    // raw 14 (15.32) to raw 21 (19.25)
    assert_eq!(
        serde_json::to_value(outcome.improvement).unwrap()["metric_hundredths"],
        serde_json::json!(393)
    );
    assert_eq!(shared.discharge.closing_summary, CLOSING_SUMMARY);
    assert_eq!(shared.discharge.reason, DischargeReason::PlanCompleted);

    // Structured JSON with the four PRSB groups and the discharge.
    let json: serde_json::Value = serde_json::from_str(&message.to_json().unwrap()).unwrap();
    for group in ["demographics", "needs_and_concerns", "support_offered", "outcomes", "discharge"]
    {
        assert!(!json["shared"][group].is_null(), "{group} missing");
    }
    assert_eq!(json["codes"][0]["concept"]["code"], REFERRAL_CODE);
    assert!(!json.to_string().contains(NOTE), "notes are never part of the message");
    assert!(!format!("{message:?}").contains("Abernathy"), "Debug shows no personal data");
}

#[test]
fn without_consent_only_the_codes_go() {
    let (_dir, kith) = unlocked();
    let (person, referral) = episode(&kith);
    let discharge_id = discharge(&kith, person, referral, days_ago(1));
    let message = kith.discharge_message(discharge_id).unwrap();
    assert_codes_only(&message);
    assert_eq!(codes(&message), [REFERRAL_CODE]);
}

#[test]
fn consent_withdrawn_before_the_discharge_stops_the_sharing_and_later_withdrawal_does_not() {
    let (_dir, kith) = unlocked();
    let (person, referral) = episode(&kith);
    kith.record_consent(person, ConsentKind::ShareWithGp, ConsentDecision::Given, days_ago(60))
        .unwrap();
    let before = discharge(&kith, person, referral, days_ago(10));
    kith.withdraw_consent(person, ConsentKind::ShareWithGp, days_ago(5)).unwrap();
    let after = discharge(&kith, person, referral, days_ago(2));

    // Withdrawn on day -5: at a discharge on day -2 only the codes go ...
    assert_codes_only(&kith.discharge_message(after).unwrap());
    // ... while consent stood at the discharge on day -10.
    let earlier = kith.discharge_message(before).unwrap();
    assert!(earlier.consent_to_share_with_gp && earlier.shared.is_some());
    // Consent to share with someone else is not consent to share with the GP.
    let (_dir2, other) = unlocked();
    let (person, referral) = episode(&other);
    other
        .record_consent(
            person,
            ConsentKind::ShareWithOrganisation { name: "Wednesday Community Choir".into() },
            ConsentDecision::Given,
            days_ago(60),
        )
        .unwrap();
    let discharged = discharge(&other, person, referral, days_ago(1));
    assert_codes_only(&other.discharge_message(discharged).unwrap());
}

#[test]
fn a_declined_referral_carries_the_declined_code() {
    let (_dir, kith) = unlocked();
    let intake = kith
        .add_person_with_referral(Intake {
            person: NewPerson {
                given_name: "Stan".to_owned(),
                family_name: "Whitlow".to_owned(),
                ..NewPerson::default()
            },
            referral: NewReferral {
                received_on: days_ago(20),
                source: ReferralSource::SelfReferral,
                referrer: None,
                reason: "Wants to get fitter".to_owned(),
                needs: vec![Need::PhysicalActivity],
                background: None,
                consent_to_referral: true,
            },
            duplicates_checked: true,
        })
        .unwrap();
    // Declined on the first call, 5 days ago: contact was made, but they did not accept.
    kith.record_referral_answer(intake.referral.id, ReferralAnswerKind::Declined, days_ago(5))
        .unwrap();
    let discharged = kith
        .discharge(NewDischarge {
            person_id: intake.person.id,
            referral_id: Some(intake.referral.id),
            care_plan_id: None,
            discharged_on: today(),
            reason: DischargeReason::PersonChoseToStop,
            closing_summary: "Declined after the first call.".to_owned(),
        })
        .unwrap();
    let message = kith.discharge_message(discharged.id).unwrap();
    assert_eq!(codes(&message), [DECLINED_CODE], "no nationally counted code for a decline");
    assert_eq!(message.codes[0].date, days_ago(5), "dated when they declined");
    assert!(message.shared.is_none(), "no consent recorded");
    assert!(kith.discharge_message(DischargeId::new()).is_err());
}
