//! Discharge from social prescribing: the reason, a closing summary and the date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CarePlanId, DischargeId, PersonId, ReferralId, UserId};
use crate::text::require;

/// Why the person was discharged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DischargeReason {
    /// The plan was completed.
    PlanCompleted,
    /// The person chose to stop.
    PersonChoseToStop,
    UnableToContact,
    /// Needs are better met by another service (e.g. clinical or crisis care).
    ReferredElsewhere,
    MovedAway,
    Died,
    /// Any other reason, in words.
    Other(String),
}

/// A discharge.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Discharge {
    pub id: DischargeId,
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub care_plan_id: Option<CarePlanId>,
    pub discharged_on: NaiveDate,
    pub reason: DischargeReason,
    pub closing_summary: String,
    pub discharged_by: UserId,
}
crate::debug_without_personal_data!(Discharge { id, person_id, discharged_on });

impl Discharge {
    /// Checks the discharge: a closing summary, a named "other" reason, a date not in the
    /// future and not before the referral was received (if known).
    pub fn validate(
        &self,
        referral_received_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if let DischargeReason::Other(text) = &self.reason {
            require("reason for discharge", text)?;
        }
        require("closing summary", &self.closing_summary)?;
        if self.discharged_on > today {
            return Err(DomainError::DateInFuture { field: "date of discharge" });
        }
        if referral_received_on.is_some_and(|received| self.discharged_on < received) {
            return Err(DomainError::DateOrder {
                later: "date of discharge",
                earlier: "date the referral was received",
            });
        }
        Ok(())
    }
}
