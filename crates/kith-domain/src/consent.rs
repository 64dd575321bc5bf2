//! Consent: recorded and withdrawn with a date and who recorded it; the current state is
//! computed from the history, never stored on its own.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{ConsentId, PersonId, UserId};
use crate::person::ContactMethod;
use crate::text::require;

/// What the person consents to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ConsentKind {
    /// To receive social prescribing.
    SocialPrescribing,
    /// To share information with their GP.
    ShareWithGp,
    /// To share information with a named community organisation.
    ShareWithOrganisation { name: String },
    /// To be contacted this way.
    ContactBy { method: ContactMethod },
}

impl ConsentKind {
    /// True when both name the same consent (organisation names compared ignoring case and
    /// surrounding spaces).
    pub fn same_as(&self, other: &ConsentKind) -> bool {
        match (self, other) {
            (
                ConsentKind::ShareWithOrganisation { name: left },
                ConsentKind::ShareWithOrganisation { name: right },
            ) => left.trim().to_lowercase() == right.trim().to_lowercase(),
            _ => self == other,
        }
    }
}

/// Given or withdrawn.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentDecision {
    Given,
    Withdrawn,
}

/// One entry in a person's consent history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConsentRecord {
    pub id: ConsentId,
    pub person_id: PersonId,
    pub kind: ConsentKind,
    pub decision: ConsentDecision,
    /// The day the person gave or withdrew consent.
    pub decided_on: NaiveDate,
    pub recorded_by: UserId,
    pub recorded_at: DateTime<Utc>,
}

/// The current state of one kind of consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ConsentState {
    NotRecorded,
    Given { on: NaiveDate, recorded_by: UserId },
    Withdrawn { on: NaiveDate, recorded_by: UserId },
}

impl ConsentState {
    /// True only when consent is currently given.
    pub fn is_given(&self) -> bool {
        matches!(self, ConsentState::Given { .. })
    }
}

/// One kind of consent with its current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CurrentConsent {
    pub kind: ConsentKind,
    pub state: ConsentState,
}

fn latest_for<'a>(history: &'a [ConsentRecord], kind: &ConsentKind) -> Option<&'a ConsentRecord> {
    history
        .iter()
        .filter(|record| record.kind.same_as(kind))
        .max_by_key(|record| (record.decided_on, record.recorded_at, record.id))
}

/// The current state of `kind`: the latest decision (by the day decided, then when
/// recorded) wins, so a withdrawal stops what it covers.
pub fn current_consent(history: &[ConsentRecord], kind: &ConsentKind) -> ConsentState {
    match latest_for(history, kind) {
        None => ConsentState::NotRecorded,
        Some(record) => match record.decision {
            ConsentDecision::Given => {
                ConsentState::Given { on: record.decided_on, recorded_by: record.recorded_by }
            }
            ConsentDecision::Withdrawn => {
                ConsentState::Withdrawn { on: record.decided_on, recorded_by: record.recorded_by }
            }
        },
    }
}

/// Every kind of consent in the history with its current state, in the order first seen.
pub fn current_consents(history: &[ConsentRecord]) -> Vec<CurrentConsent> {
    let mut kinds: Vec<&ConsentKind> = Vec::new();
    for record in history {
        if !kinds.iter().any(|kind| kind.same_as(&record.kind)) {
            kinds.push(&record.kind);
        }
    }
    kinds
        .into_iter()
        .map(|kind| CurrentConsent { kind: kind.clone(), state: current_consent(history, kind) })
        .collect()
}

/// True when the person currently consents to sharing with their GP.
pub fn may_share_with_gp(history: &[ConsentRecord]) -> bool {
    current_consent(history, &ConsentKind::ShareWithGp).is_given()
}

/// True when the person currently consents to sharing with the named organisation.
pub fn may_share_with_organisation(history: &[ConsentRecord], name: &str) -> bool {
    current_consent(history, &ConsentKind::ShareWithOrganisation { name: name.to_owned() })
        .is_given()
}

/// Checks a new record against the history: the organisation is named, the date is not in
/// the future, and only consent that is currently given can be withdrawn.
pub fn validate_new_record(
    history: &[ConsentRecord],
    record: &ConsentRecord,
    today: NaiveDate,
) -> Result<(), DomainError> {
    if let ConsentKind::ShareWithOrganisation { name } = &record.kind {
        require("organisation's name", name)?;
    }
    if record.decided_on > today {
        return Err(DomainError::DateInFuture { field: "date of the consent decision" });
    }
    if record.decision == ConsentDecision::Withdrawn
        && !current_consent(history, &record.kind).is_given()
    {
        return Err(DomainError::WithdrawWithoutConsent);
    }
    Ok(())
}
