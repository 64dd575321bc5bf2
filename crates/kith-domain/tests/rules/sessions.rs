//! Sessions: status moves, recording an outcome, and the number in the plan ("3 of 8").

use kith_domain::session::*;
use kith_domain::{CarePlanId, DomainError, PersonId, SessionId, UserId};

use super::{date, today};
use SessionStatus::*;

fn session(plan: Option<CarePlanId>, day: u32, status: SessionStatus) -> Session {
    Session {
        id: SessionId::new(),
        person_id: PersonId::new(),
        care_plan_id: plan,
        link_worker: UserId::new(),
        date: date(2025, 3, day),
        start_time: None,
        kind: SessionKind::HomeVisit,
        status,
        duration_minutes: None,
        location: None,
    }
}

#[test]
fn every_status_pair_is_allowed_or_refused() {
    let allowed = [(Planned, Held), (Planned, DidNotAttend), (Planned, Cancelled)];
    for from in SessionStatus::ALL {
        for to in SessionStatus::ALL {
            let expected = if allowed.contains(&(from, to)) {
                Ok(to)
            } else {
                Err(DomainError::SessionStatusChange { from, to })
            };
            assert_eq!(from.transition(to), expected, "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn recording_an_outcome() {
    let mut planned = session(None, 10, Planned);
    assert_eq!(
        planned.record_outcome(Held, None, today()),
        Err(DomainError::HeldSessionWithoutDuration)
    );
    assert_eq!(planned.status, Planned, "a refused change leaves the session as it was");
    assert_eq!(
        planned.record_outcome(Held, Some(0), today()),
        Err(DomainError::DurationOutOfRange { minutes: 0, max: 480 })
    );
    planned.record_outcome(Held, Some(75), today()).unwrap();
    assert_eq!((planned.status, planned.duration_minutes), (Held, Some(75)));
    assert!(planned.record_outcome(Cancelled, None, today()).is_err());

    let mut tomorrow = session(None, 15, Planned);
    assert!(matches!(
        tomorrow.record_outcome(Held, Some(30), today()),
        Err(DomainError::DateInFuture { .. })
    ));
    tomorrow.record_outcome(Cancelled, None, today()).unwrap();
    let mut missed = session(None, 12, Planned);
    missed.record_outcome(DidNotAttend, None, today()).unwrap();
    assert_eq!(missed.status, DidNotAttend);
}

#[test]
fn number_in_plan_counts_in_date_order_and_skips_cancelled() {
    let plan = CarePlanId::new();
    let other_plan = CarePlanId::new();
    let third = session(Some(plan), 20, Planned);
    let first = session(Some(plan), 3, Held);
    let cancelled = session(Some(plan), 5, Cancelled);
    let second = session(Some(plan), 10, DidNotAttend);
    let elsewhere = session(Some(other_plan), 1, Held);
    let all = [third.clone(), first.clone(), cancelled.clone(), second.clone(), elsewhere.clone()];
    let number = |id| session_number(&all, plan, 8, id);
    assert_eq!(number(first.id), Some(SessionNumber { number: 1, of: 8 }));
    assert_eq!(number(second.id), Some(SessionNumber { number: 2, of: 8 }));
    assert_eq!(number(third.id).unwrap().to_string(), "3 of 8");
    assert_eq!(number(cancelled.id), None);
    assert_eq!(number(elsewhere.id), None);
    assert_eq!(number(SessionId::new()), None);
}
