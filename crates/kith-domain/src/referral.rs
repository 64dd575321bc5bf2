//! Referrals in: where they came from, the needs behind them, consent, and their status.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{PersonId, ReferralId};
use crate::text::require;

/// Who referred the person (the list in domain.md, including self-referral).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReferralSource {
    Gp,
    PracticeNurse,
    Pharmacist,
    HealthcareAssistant,
    SocialCare,
    Police,
    HospitalDischargeTeam,
    AmbulanceService,
    /// DWP or a job centre.
    DwpJobCentre,
    Library,
    /// A voluntary, community or social enterprise organisation.
    Vcse,
    MultidisciplinaryTeam,
    SelfReferral,
    /// Any other source, in words.
    Other(String),
}

impl ReferralSource {
    /// Every named source, in the order the UI lists them (`Other` comes last, with text).
    pub const NAMED: [ReferralSource; 13] = [
        ReferralSource::Gp,
        ReferralSource::PracticeNurse,
        ReferralSource::Pharmacist,
        ReferralSource::HealthcareAssistant,
        ReferralSource::SocialCare,
        ReferralSource::Police,
        ReferralSource::HospitalDischargeTeam,
        ReferralSource::AmbulanceService,
        ReferralSource::DwpJobCentre,
        ReferralSource::Library,
        ReferralSource::Vcse,
        ReferralSource::MultidisciplinaryTeam,
        ReferralSource::SelfReferral,
    ];

    /// Words for people and reports.
    pub fn label(&self) -> &str {
        match self {
            ReferralSource::Gp => "GP",
            ReferralSource::PracticeNurse => "Practice nurse",
            ReferralSource::Pharmacist => "Pharmacist",
            ReferralSource::HealthcareAssistant => "Healthcare assistant",
            ReferralSource::SocialCare => "Social care",
            ReferralSource::Police => "Police",
            ReferralSource::HospitalDischargeTeam => "Hospital discharge team",
            ReferralSource::AmbulanceService => "Ambulance service",
            ReferralSource::DwpJobCentre => "DWP / job centre",
            ReferralSource::Library => "Library",
            ReferralSource::Vcse => "Voluntary or community organisation (VCSE)",
            ReferralSource::MultidisciplinaryTeam => "Multidisciplinary team",
            ReferralSource::SelfReferral => "Self-referral",
            ReferralSource::Other(text) => text,
        }
    }
}

/// A need or reason behind a referral.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    Loneliness,
    Housing,
    MoneyDebt,
    MentalWellbeing,
    PhysicalActivity,
    LongTermCondition,
    CarerStress,
    Bereavement,
    Employment,
    Confidence,
    /// Any other need, in words.
    Other(String),
}

impl Need {
    /// Every named need, in the order the UI lists them (`Other` comes last, with text).
    pub const NAMED: [Need; 10] = [
        Need::Loneliness,
        Need::Housing,
        Need::MoneyDebt,
        Need::MentalWellbeing,
        Need::PhysicalActivity,
        Need::LongTermCondition,
        Need::CarerStress,
        Need::Bereavement,
        Need::Employment,
        Need::Confidence,
    ];

    /// Words for people and reports.
    pub fn label(&self) -> &str {
        match self {
            Need::Loneliness => "Loneliness",
            Need::Housing => "Housing",
            Need::MoneyDebt => "Money and debt",
            Need::MentalWellbeing => "Mental wellbeing",
            Need::PhysicalActivity => "Physical activity",
            Need::LongTermCondition => "Long-term condition",
            Need::CarerStress => "Carer stress",
            Need::Bereavement => "Bereavement",
            Need::Employment => "Employment",
            Need::Confidence => "Confidence",
            Need::Other(text) => text,
        }
    }
}

/// Where a referral is. Allowed moves: new → contacted → accepted / declined / unable to
/// contact → closed. "Contacted" means the first contact was made or attempted, so
/// "unable to contact" follows it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    New,
    Contacted,
    Accepted,
    Declined,
    UnableToContact,
    Closed,
}

impl ReferralStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ReferralStatus; 6] = [
        ReferralStatus::New,
        ReferralStatus::Contacted,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::UnableToContact,
        ReferralStatus::Closed,
    ];

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [ReferralStatus] {
        match self {
            ReferralStatus::New => &[ReferralStatus::Contacted],
            ReferralStatus::Contacted => &[
                ReferralStatus::Accepted,
                ReferralStatus::Declined,
                ReferralStatus::UnableToContact,
            ],
            ReferralStatus::Accepted
            | ReferralStatus::Declined
            | ReferralStatus::UnableToContact => &[ReferralStatus::Closed],
            ReferralStatus::Closed => &[],
        }
    }

    /// Moves to `to` if allowed; otherwise a [`DomainError::ReferralStatusJump`] naming the
    /// moves that are allowed.
    pub fn transition(self, to: ReferralStatus) -> Result<ReferralStatus, DomainError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::ReferralStatusJump { from: self, to })
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ReferralStatus::New => "new",
            ReferralStatus::Contacted => "contacted",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Declined => "declined",
            ReferralStatus::UnableToContact => "unable to contact",
            ReferralStatus::Closed => "closed",
        }
    }
}

/// The person or team who made the referral.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Referrer {
    pub name: String,
    pub organisation: Option<String>,
    /// Phone or email, to send the message back.
    pub contact: Option<String>,
}
crate::debug_without_personal_data!(Referrer {});

/// A referral to social prescribing, as stored.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Referral {
    pub id: ReferralId,
    pub person_id: PersonId,
    pub received_on: NaiveDate,
    pub source: ReferralSource,
    /// Blank for a self-referral.
    pub referrer: Option<Referrer>,
    /// The reason for the referral, in words.
    pub reason: String,
    pub needs: Vec<Need>,
    /// Relevant background and health issues.
    pub background: Option<String>,
    /// The person agreed to be referred.
    pub consent_to_referral: bool,
    pub status: ReferralStatus,
}
crate::debug_without_personal_data!(Referral { id, person_id, received_on, source, status });

/// A referral as entered in a form, before it has an id; it starts as [`ReferralStatus::New`].
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct NewReferral {
    pub received_on: NaiveDate,
    pub source: ReferralSource,
    pub referrer: Option<Referrer>,
    pub reason: String,
    pub needs: Vec<Need>,
    pub background: Option<String>,
    pub consent_to_referral: bool,
}
crate::debug_without_personal_data!(NewReferral { received_on, source });

impl NewReferral {
    /// Checks the referral: received date not in the future, a reason, at least one need,
    /// named "other" texts, a referrer unless self-referred, and the person's consent.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        if self.received_on > today {
            return Err(DomainError::DateInFuture { field: "date the referral was received" });
        }
        if let ReferralSource::Other(text) = &self.source {
            require("referral source (other)", text)?;
        }
        match &self.referrer {
            Some(referrer) => require("referrer's name", &referrer.name)?,
            None if self.source != ReferralSource::SelfReferral => {
                return Err(DomainError::Required { field: "referrer's name" })
            }
            None => {}
        }
        require("reason for referral", &self.reason)?;
        if self.needs.is_empty() {
            return Err(DomainError::Required { field: "at least one need" });
        }
        for need in &self.needs {
            if let Need::Other(text) = need {
                require("need (other)", text)?;
            }
        }
        if !self.consent_to_referral {
            return Err(DomainError::ReferralWithoutConsent);
        }
        Ok(())
    }

    /// Validates and makes the stored referral, status [`ReferralStatus::New`].
    pub fn into_referral(
        self,
        id: ReferralId,
        person_id: PersonId,
        today: NaiveDate,
    ) -> Result<Referral, DomainError> {
        self.validate(today)?;
        Ok(Referral {
            id,
            person_id,
            received_on: self.received_on,
            source: self.source,
            referrer: self.referrer,
            reason: self.reason,
            needs: self.needs,
            background: self.background,
            consent_to_referral: self.consent_to_referral,
            status: ReferralStatus::New,
        })
    }
}

impl Referral {
    /// Moves the referral to `to`, or refuses a jump and leaves it unchanged.
    pub fn move_to(&mut self, to: ReferralStatus) -> Result<(), DomainError> {
        self.status = self.status.transition(to)?;
        Ok(())
    }
}
