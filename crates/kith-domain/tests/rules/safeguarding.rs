//! Safeguarding: raised → escalated → closed (or raised → closed), nothing changed when
//! refused.

use kith_domain::safeguarding::*;
use kith_domain::{ConcernId, DomainError, PersonId, UserId};

use super::at;
use ConcernStatus::*;

fn raised() -> Concern {
    Concern::raise(
        ConcernId::new(),
        PersonId::new(),
        ConcernKind::Neglect,
        "Home very cold, no food in the house".into(),
        UserId::new(),
        at(2025, 3, 14, 10),
    )
    .unwrap()
}

fn escalation(to_whom: &str, hour: u32) -> Escalation {
    Escalation {
        to_whom: to_whom.into(),
        escalated_at: at(2025, 3, 14, hour),
        escalated_by: UserId::new(),
        reference: None,
    }
}

fn closure(outcome: &str, hour: u32) -> Closure {
    Closure { closed_at: at(2025, 3, 14, hour), closed_by: UserId::new(), outcome: outcome.into() }
}

#[test]
fn every_status_pair_is_allowed_or_refused() {
    let allowed = [(Raised, Escalated), (Raised, Closed), (Escalated, Closed)];
    for from in ConcernStatus::ALL {
        for to in ConcernStatus::ALL {
            let expected = if allowed.contains(&(from, to)) {
                Ok(to)
            } else {
                Err(DomainError::ConcernStatusJump { from, to })
            };
            assert_eq!(from.transition(to), expected, "{from:?} -> {to:?}");
        }
    }
}

#[test]
fn raise_escalate_close() {
    let mut concern = raised();
    assert!(concern.is_open());
    concern.escalate(escalation("Adult social care duty team", 11)).unwrap();
    assert_eq!(concern.status, Escalated);
    assert!(concern.is_open());
    concern.close(closure("Social care visited; heating fixed", 16)).unwrap();
    assert_eq!(concern.status, Closed);
    assert!(!concern.is_open());
    let before = concern.clone();
    assert_eq!(
        concern.escalate(escalation("GP", 17)),
        Err(DomainError::ConcernStatusJump { from: Closed, to: Escalated })
    );
    assert_eq!(
        concern.close(closure("again", 17)),
        Err(DomainError::ConcernStatusJump { from: Closed, to: Closed })
    );
    assert_eq!(concern, before, "refused changes leave the concern as it was");
}

#[test]
fn bad_escalations_and_closures_change_nothing() {
    let mut concern = raised();
    let before = concern.clone();
    assert_eq!(
        concern.escalate(escalation("  ", 11)),
        Err(DomainError::Required { field: "who the concern was escalated to" })
    );
    assert!(matches!(concern.escalate(escalation("GP", 9)), Err(DomainError::DateOrder { .. })));
    assert!(matches!(concern.close(closure("", 11)), Err(DomainError::Required { .. })));
    assert!(matches!(
        concern.close(closure("No further action", 8)),
        Err(DomainError::DateOrder { .. })
    ));
    assert_eq!(concern, before);
    // Closing without escalation is allowed with an outcome.
    concern.close(closure("Discussed in supervision: no risk found", 12)).unwrap();
    assert_eq!(concern.status, Closed);
    // Closing before the escalation time is refused.
    let mut escalated = raised();
    escalated.escalate(escalation("Police", 13)).unwrap();
    assert!(matches!(escalated.close(closure("Done", 12)), Err(DomainError::DateOrder { .. })));
    assert!(matches!(
        Concern::raise(
            ConcernId::new(),
            PersonId::new(),
            ConcernKind::Other,
            " ".into(),
            UserId::new(),
            at(2025, 3, 14, 9)
        ),
        Err(DomainError::Required { .. })
    ));
    let shown = format!("{concern:?}");
    assert!(!shown.contains("cold") && !shown.contains("supervision"), "{shown}");
}
