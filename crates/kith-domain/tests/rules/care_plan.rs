//! Care plans: planned sessions 6-12 or a reason, lifecycle moves, suggested dates.

use chrono::{Datelike, Weekday};
use kith_domain::care_plan::*;
use kith_domain::{CarePlanId, DomainError, GoalId, PersonId};

use super::{date, today};
use CarePlanStatus::*;

#[test]
fn planned_sessions_outside_6_to_12_need_a_reason() {
    let reason = Some("Recently bereaved; agreed a longer plan with the GP");
    let cases: [(u8, Option<&str>, Option<DomainError>); 14] = [
        (13, None, Some(DomainError::PlannedSessionsWithoutReason { planned: 13 })),
        (13, reason, None),
        (5, None, Some(DomainError::PlannedSessionsWithoutReason { planned: 5 })),
        (5, reason, None),
        (13, Some("   "), Some(DomainError::PlannedSessionsWithoutReason { planned: 13 })),
        (5, Some(""), Some(DomainError::PlannedSessionsWithoutReason { planned: 5 })),
        (6, None, None),
        (9, None, None),
        (12, None, None),
        (12, reason, None),
        (1, None, Some(DomainError::PlannedSessionsWithoutReason { planned: 1 })),
        (40, reason, None),
        (0, None, Some(DomainError::NoPlannedSessions)),
        (0, reason, Some(DomainError::NoPlannedSessions)),
    ];
    for (planned, reason, expected) in cases {
        assert_eq!(
            validate_planned_sessions(planned, reason).err(),
            expected,
            "{planned} {reason:?}"
        );
    }
    assert_eq!(
        DomainError::PlannedSessionsWithoutReason { planned: 13 }.to_string(),
        "A care plan usually has 6 to 12 sessions; you planned 13. Record the reason for \
         planning 13, or change the number"
    );
}

fn plan(planned_sessions: u8, reason: Option<&str>) -> CarePlan {
    CarePlan {
        id: CarePlanId::new(),
        person_id: PersonId::new(),
        referral_id: None,
        status: Draft,
        goals: vec![Goal {
            id: GoalId::new(),
            in_own_words: "Get back to the allotment".into(),
            steps: vec![GoalStep {
                what: "Ring the allotment society".into(),
                who: "Me, with Sam".into(),
                by_when: Some(date(2025, 3, 28)),
                status: ProgressStatus::NotStarted,
            }],
            status: ProgressStatus::NotStarted,
        }],
        connections_to_try: vec![],
        planned_sessions,
        planned_sessions_reason: reason.map(str::to_owned),
        starts_on: date(2025, 3, 17),
        review_on: default_review_date(date(2025, 3, 17)),
        agreed_on: None,
    }
}

#[test]
fn agreeing_a_plan_with_13_sessions_needs_a_reason_and_nothing_changes_when_refused() {
    let mut without = plan(13, None);
    assert_eq!(
        without.move_to(Agreed, today()),
        Err(DomainError::PlannedSessionsWithoutReason { planned: 13 })
    );
    assert_eq!(without.status, Draft);
    assert_eq!(without.agreed_on, None);
    let mut with = plan(13, Some("Complex needs"));
    with.move_to(Agreed, today()).unwrap();
    assert_eq!(with.status, Agreed);
    assert_eq!(with.agreed_on, Some(today()));
}

#[test]
fn every_lifecycle_pair_is_allowed_or_refused() {
    let allowed = [
        (Draft, Agreed),
        (Draft, Closed),
        (Agreed, Active),
        (Agreed, Closed),
        (Active, Completed),
        (Active, Closed),
    ];
    for from in CarePlanStatus::ALL {
        for to in CarePlanStatus::ALL {
            let expected = if allowed.contains(&(from, to)) {
                Ok(to)
            } else {
                Err(DomainError::CarePlanStatusJump { from, to })
            };
            assert_eq!(from.transition(to), expected, "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn a_plan_goes_through_its_lifecycle_and_needs_goals_to_be_agreed() {
    let mut empty = plan(8, None);
    empty.goals.clear();
    assert_eq!(empty.move_to(Agreed, today()), Err(DomainError::CarePlanWithoutGoals));
    let mut full = plan(8, None);
    assert_eq!(
        full.move_to(Active, today()),
        Err(DomainError::CarePlanStatusJump { from: Draft, to: Active })
    );
    for step in [Agreed, Active, Completed] {
        full.move_to(step, today()).unwrap();
    }
    assert_eq!(full.move_to(Active, today()).unwrap_err().code(), "care_plan_status_jump");
}

#[test]
fn plan_content_is_checked() {
    let mut early_review = plan(8, None);
    early_review.review_on = date(2025, 3, 1);
    assert!(matches!(early_review.validate(), Err(DomainError::DateOrder { .. })));
    let mut blank_goal = plan(8, None);
    blank_goal.goals[0].in_own_words = " ".into();
    assert!(matches!(blank_goal.validate(), Err(DomainError::Required { .. })));
    let mut blank_who = plan(8, None);
    blank_who.goals[0].steps[0].who = String::new();
    assert_eq!(blank_who.validate(), Err(DomainError::Required { field: "step: who" }));
    assert_eq!(default_review_date(date(2025, 3, 17)), date(2025, 6, 9));
}

#[test]
fn suggested_dates_spread_over_12_weeks_on_weekdays() {
    for start in [date(2025, 3, 17), date(2025, 3, 15), date(2024, 12, 20)] {
        for count in 1..=16u8 {
            let dates = suggest_session_dates(start, count);
            assert_eq!(dates.len(), usize::from(count), "{start} {count}");
            assert!(dates[0] >= start && (dates[0] - start).num_days() <= 2);
            for pair in dates.windows(2) {
                assert!(pair[0] < pair[1], "{start} {count}: {dates:?}");
            }
            for day in &dates {
                assert!(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun), "{day}");
                assert!((*day - start).num_days() <= 84, "{start} {count}: {day}");
            }
        }
    }
    // 6 sessions from a Monday: every two weeks; 12: every week.
    let fortnightly = suggest_session_dates(date(2025, 3, 17), 6);
    assert_eq!(
        fortnightly,
        [
            date(2025, 3, 17),
            date(2025, 3, 31),
            date(2025, 4, 14),
            date(2025, 4, 28),
            date(2025, 5, 12),
            date(2025, 5, 26)
        ]
    );
    let weekly = suggest_session_dates(date(2025, 3, 17), 12);
    assert!(weekly.windows(2).all(|pair| (pair[1] - pair[0]).num_days() == 7));
    assert!(suggest_session_dates(date(2025, 3, 17), 0).is_empty());
}
