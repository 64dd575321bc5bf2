//! Connections to community services, conversations and discharges.

use kith_domain::conversation::*;
use kith_domain::directory::*;
use kith_domain::discharge::*;
use kith_domain::{
    ConnectionId, ConversationId, DischargeId, DomainError, PersonId, ServiceId, UserId,
};

use super::{date, today};
use ConnectionStatus::*;

#[test]
fn every_connection_status_pair_is_allowed_or_refused() {
    let allowed = [
        (Signposted, Referred),
        (Signposted, Attended),
        (Signposted, Stopped),
        (Referred, Attended),
        (Referred, Stopped),
        (Attended, Stopped),
    ];
    for from in ConnectionStatus::ALL {
        for to in ConnectionStatus::ALL {
            let expected = if allowed.contains(&(from, to)) {
                Ok(to)
            } else {
                Err(DomainError::ConnectionStatusJump { from, to })
            };
            assert_eq!(from.transition(to), expected, "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn a_connection_starts_as_its_kind_and_moves_on() {
    let make = |kind, made_on| {
        Connection::make(
            ConnectionId::new(),
            PersonId::new(),
            ServiceId::new(),
            None,
            kind,
            made_on,
            UserId::new(),
            today(),
        )
    };
    let mut signposted = make(ConnectionKind::Signposted, date(2025, 3, 1)).unwrap();
    assert_eq!(signposted.status, Signposted);
    let referred = make(ConnectionKind::Referred, date(2025, 3, 1)).unwrap();
    assert_eq!(referred.status, Referred);
    assert!(matches!(
        make(ConnectionKind::Referred, date(2025, 3, 15)),
        Err(DomainError::DateInFuture { .. })
    ));
    assert!(matches!(
        signposted.move_to(Attended, date(2025, 2, 1)),
        Err(DomainError::DateOrder { .. })
    ));
    assert_eq!(signposted.status, Signposted);
    signposted.move_to(Attended, date(2025, 3, 8)).unwrap();
    assert_eq!((signposted.status, signposted.status_changed_on), (Attended, date(2025, 3, 8)));
    assert_eq!(
        signposted.move_to(Referred, date(2025, 3, 9)),
        Err(DomainError::ConnectionStatusJump { from: Attended, to: Referred })
    );
    assert_eq!(ServiceCategory::ALL.len(), 17);
    assert_eq!(ServiceCategory::CarersSupport.label(), "Carers' support");
}

fn conversation() -> Conversation {
    Conversation {
        id: ConversationId::new(),
        person_id: PersonId::new(),
        referral_id: None,
        held_on: date(2025, 3, 12),
        setting: ConversationSetting::Home,
        duration_minutes: 90,
        what_matters: "Seeing people again, getting out of the house".into(),
        strengths: Some("Good cook; knows the area".into()),
        wants_to_change: None,
        concerns: vec![LifeAreaConcern {
            area: LifeArea::SocialConnection,
            in_own_words: "I don't speak to anyone most days".into(),
        }],
        barriers: vec![Barrier::Mobility, Barrier::Confidence],
        recorded_by: UserId::new(),
    }
}

#[test]
fn conversation_rules() {
    type Change = fn(&mut Conversation);
    let cases: [(&str, Change, Option<DomainError>); 7] = [
        ("valid", |_| {}, None),
        (
            "future",
            |c| c.held_on = date(2025, 3, 15),
            Some(DomainError::DateInFuture { field: "date of the conversation" }),
        ),
        (
            "no duration",
            |c| c.duration_minutes = 0,
            Some(DomainError::DurationOutOfRange { minutes: 0, max: 480 }),
        ),
        (
            "too long",
            |c| c.duration_minutes = 481,
            Some(DomainError::DurationOutOfRange { minutes: 481, max: 480 }),
        ),
        (
            "no words",
            |c| c.what_matters = "".into(),
            Some(DomainError::Required { field: "what matters to the person" }),
        ),
        (
            "blank concern",
            |c| c.concerns[0].in_own_words = " ".into(),
            Some(DomainError::Required { field: "concern (in the person's words)" }),
        ),
        (
            "blank other barrier",
            |c| c.barriers.push(Barrier::Other("".into())),
            Some(DomainError::Required { field: "barrier (other)" }),
        ),
    ];
    for (name, change, expected) in cases {
        let mut record = conversation();
        change(&mut record);
        assert_eq!(record.validate(today()).err(), expected, "{name}");
    }
    let shown = format!("{:?}", conversation());
    assert!(!shown.contains("house") && !shown.contains("cook"), "{shown}");
}

#[test]
fn discharge_rules() {
    let discharge = Discharge {
        id: DischargeId::new(),
        person_id: PersonId::new(),
        referral_id: None,
        care_plan_id: None,
        discharged_on: date(2025, 3, 14),
        reason: DischargeReason::PlanCompleted,
        closing_summary: "Goes to the lunch club weekly; feels less alone.".into(),
        discharged_by: UserId::new(),
    };
    assert!(discharge.validate(Some(date(2024, 12, 1)), today()).is_ok());
    let mut blank = discharge.clone();
    blank.closing_summary = " ".into();
    assert_eq!(
        blank.validate(None, today()),
        Err(DomainError::Required { field: "closing summary" })
    );
    let mut future = discharge.clone();
    future.discharged_on = date(2025, 3, 15);
    assert!(matches!(future.validate(None, today()), Err(DomainError::DateInFuture { .. })));
    assert!(matches!(
        discharge.validate(Some(date(2025, 3, 20)), today()),
        Err(DomainError::DateOrder { .. })
    ));
    let mut other = discharge.clone();
    other.reason = DischargeReason::Other(String::new());
    assert_eq!(
        other.validate(None, today()),
        Err(DomainError::Required { field: "reason for discharge" })
    );
}
