//! The JSON shapes the UI sees (snake_case, transparent ids, tagged enums) and their
//! TypeScript declarations from ts-rs.

use kith_domain::consent::ConsentKind;
use kith_domain::measures::{MeasureAnswers, Ucla3Answers};
use kith_domain::person::{ContactMethod, Person};
use kith_domain::referral::{Need, ReferralSource, ReferralStatus};
use kith_domain::PersonId;
use serde_json::json;
use ts_rs::{Config, TS};

#[test]
fn json_shapes() {
    let id = PersonId::new();
    assert_eq!(serde_json::to_value(id).unwrap(), json!(id.to_string()));
    assert_eq!(id.to_string().parse::<PersonId>().unwrap(), id);
    assert!("not-an-id".parse::<PersonId>().is_err());
    assert_eq!(id.as_uuid().get_version_num(), 7);

    assert_eq!(
        serde_json::to_value(ReferralStatus::UnableToContact).unwrap(),
        json!("unable_to_contact")
    );
    assert_eq!(serde_json::to_value(ReferralSource::SelfReferral).unwrap(), json!("self_referral"));
    assert_eq!(serde_json::to_value(Need::Other("Food".into())).unwrap(), json!({"other": "Food"}));
    assert_eq!(
        serde_json::to_value(ConsentKind::ShareWithOrganisation { name: "Age UK".into() }).unwrap(),
        json!({"kind": "share_with_organisation", "name": "Age UK"})
    );
    assert_eq!(
        serde_json::to_value(ConsentKind::ContactBy { method: ContactMethod::TextMessage })
            .unwrap(),
        json!({"kind": "contact_by", "method": "text_message"})
    );
    let answers = MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(1), None, Some(3)] });
    let value = serde_json::to_value(&answers).unwrap();
    assert_eq!(value, json!({"measure": "ucla3", "items": [1, null, 3]}));
    assert_eq!(serde_json::from_value::<MeasureAnswers>(value).unwrap(), answers);
}

#[test]
fn typescript_declarations_use_the_same_names() {
    let cfg = Config::new();
    let person = Person::decl(&cfg);
    for field in [
        "given_name: string",
        "nhs_number: NhsNumber | null",
        "contact_methods: Array<ContactMethod>",
        "interpreter_needed: boolean",
    ] {
        assert!(person.contains(field), "{field} missing from {person}");
    }
    assert_eq!(PersonId::inline(&cfg), "string");
    assert_eq!(kith_domain::NhsNumber::inline(&cfg), "string");
    let status = ReferralStatus::decl(&cfg);
    assert!(status.contains("\"unable_to_contact\""), "{status}");
    let kind = ConsentKind::decl(&cfg);
    assert!(kind.contains("\"kind\": \"share_with_organisation\""), "{kind}");
}

/// Every type the UI exchanges has a TypeScript declaration named like the Rust type.
#[test]
fn every_exchanged_type_declares_in_typescript() {
    use kith_domain::*;
    let cfg = Config::new();
    macro_rules! declares {
        ($($path:ty),* $(,)?) => {{
            let mut count = 0;
            $(
                let declaration = <$path as TS>::decl(&cfg);
                let name = <$path as TS>::name(&cfg);
                assert!(declaration.starts_with(&format!("type {name}")), "{declaration}");
                count += 1;
            )*
            count
        }};
    }
    let count = declares!(
        PersonId,
        ReferralId,
        ConversationId,
        CarePlanId,
        GoalId,
        SessionId,
        NoteId,
        ConsentId,
        ConcernId,
        ServiceId,
        ConnectionId,
        MeasureId,
        UserId,
        DischargeId,
        NhsNumber,
        person::Person,
        person::NewPerson,
        person::Address,
        person::AccessibilityNeeds,
        person::ContactMethod,
        referral::Referral,
        referral::NewReferral,
        referral::Referrer,
        referral::ReferralSource,
        referral::Need,
        referral::ReferralStatus,
        conversation::Conversation,
        conversation::ConversationSetting,
        conversation::LifeArea,
        conversation::LifeAreaConcern,
        conversation::Barrier,
        care_plan::CarePlan,
        care_plan::CarePlanStatus,
        care_plan::Goal,
        care_plan::GoalStep,
        care_plan::ProgressStatus,
        session::Session,
        session::SessionStatus,
        session::SessionKind,
        session::SessionNumber,
        note::Note,
        note::NewNote,
        consent::ConsentKind,
        consent::ConsentDecision,
        consent::ConsentRecord,
        consent::ConsentState,
        consent::CurrentConsent,
        safeguarding::Concern,
        safeguarding::ConcernKind,
        safeguarding::ConcernStatus,
        safeguarding::Escalation,
        safeguarding::Closure,
        directory::CommunityService,
        directory::ServiceCategory,
        directory::Connection,
        directory::ConnectionKind,
        directory::ConnectionStatus,
        discharge::Discharge,
        discharge::DischargeReason,
        measures::MeasureKind,
        measures::MeasureTiming,
        measures::Measure,
        measures::MeasureAnswers,
        measures::MeasureScore,
        measures::Ons4Answers,
        measures::Ons4Score,
        measures::WellbeingBand,
        measures::AnxietyBand,
        measures::WellbeingItemScore,
        measures::AnxietyItemScore,
        measures::SwemwbsAnswers,
        measures::SwemwbsScore,
        measures::Ucla3Answers,
        measures::Ucla3Score,
        measures::MycawAnswers,
        measures::MycawConcern,
        measures::MycawScore,
        measures::MycawChange,
        measures::Improvement,
        snomed::SnomedConcept,
    );
    assert_eq!(count, 80);
    let answers = measures::SwemwbsAnswers::decl(&cfg);
    assert!(answers.contains("items:"), "{answers}");
}
