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
/// "unable to contact" follows it. A person found unable to contact may still be reached
/// (then they accept or decline), and one who declined may change their mind and accept.
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
            ReferralStatus::Accepted => &[ReferralStatus::Closed],
            ReferralStatus::Declined => &[ReferralStatus::Accepted, ReferralStatus::Closed],
            ReferralStatus::UnableToContact => {
                &[ReferralStatus::Accepted, ReferralStatus::Declined, ReferralStatus::Closed]
            }
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
    /// The first interaction of this episode (a conversation, a held visit, or the day the
    /// person answered); `None` until there is one. Records made before this field existed
    /// read as `None`.
    #[serde(default)]
    pub first_contact_on: Option<NaiveDate>,
    /// How the person answered the referral, and when: kept after the referral is closed.
    #[serde(default)]
    pub answer: Option<ReferralAnswer>,
    /// The day the referral was closed (at discharge).
    #[serde(default)]
    pub closed_on: Option<NaiveDate>,
    /// The codes for the GP record already sent to the practice, each with the day.
    #[serde(default)]
    pub gp_codes_sent: Vec<GpCodeSent>,
}
crate::debug_without_personal_data!(Referral {
    id,
    person_id,
    received_on,
    source,
    status,
    first_contact_on,
    answer,
    closed_on
});

/// The person's answer to a referral.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferralAnswerKind {
    Accepted,
    Declined,
    UnableToContact,
}

impl ReferralAnswerKind {
    /// Every answer, in the order the UI offers them.
    pub const ALL: [ReferralAnswerKind; 3] = [
        ReferralAnswerKind::Accepted,
        ReferralAnswerKind::Declined,
        ReferralAnswerKind::UnableToContact,
    ];

    /// The status the referral takes with this answer.
    pub fn status(self) -> ReferralStatus {
        match self {
            ReferralAnswerKind::Accepted => ReferralStatus::Accepted,
            ReferralAnswerKind::Declined => ReferralStatus::Declined,
            ReferralAnswerKind::UnableToContact => ReferralStatus::UnableToContact,
        }
    }
}

/// The answer with the day it was given (or, for "unable to contact", the day the worker
/// stopped trying).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct ReferralAnswer {
    pub kind: ReferralAnswerKind,
    pub on: NaiveDate,
}

/// A code for the GP record that was sent, and the day it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct GpCodeSent {
    /// The SNOMED CT concept id.
    pub code: String,
    pub sent_on: NaiveDate,
}

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
            first_contact_on: None,
            answer: None,
            closed_on: None,
            gp_codes_sent: Vec::new(),
        })
    }
}

/// The status moves a change made, in order, for the referral's history (empty: the status
/// stayed as it was).
pub type StatusMoves = Vec<ReferralStatus>;

impl Referral {
    /// Moves the referral to `to`, or refuses a jump and leaves it unchanged. Only the
    /// status: use the methods below, which also keep the dates.
    pub fn move_to(&mut self, to: ReferralStatus) -> Result<(), DomainError> {
        self.status = self.status.transition(to)?;
        Ok(())
    }

    /// Whether a conversation, visit or answer dated `on` belongs to this referral's episode:
    /// on or after the day it was received, and before it was closed.
    pub fn in_episode(&self, on: NaiveDate) -> bool {
        on >= self.received_on
            && self.status != ReferralStatus::Closed
            && self.closed_on.is_none_or(|closed| on <= closed)
    }

    /// A conversation was held, or a visit held, on `on`: the first contact of the episode is
    /// the earliest such day, and a `new` referral becomes `contacted`. An interaction outside
    /// the episode (before the referral, or after it closed) changes nothing.
    pub fn record_interaction(&mut self, on: NaiveDate) -> StatusMoves {
        if !self.in_episode(on) {
            return Vec::new();
        }
        self.first_contact_on = Some(self.first_contact_on.map_or(on, |first| first.min(on)));
        if self.status == ReferralStatus::New {
            self.status = ReferralStatus::Contacted;
            vec![ReferralStatus::Contacted]
        } else {
            Vec::new()
        }
    }

    /// The answers that may be recorded now (what the record offers): those the lifecycle
    /// allows, including the same declined or unable-to-contact answer to correct its day,
    /// but not accepting again.
    pub fn answers_allowed(&self) -> Vec<ReferralAnswerKind> {
        ReferralAnswerKind::ALL
            .into_iter()
            .filter(|kind| {
                !(self.status == ReferralStatus::Accepted && *kind == ReferralAnswerKind::Accepted)
            })
            .filter(|kind| {
                self.clone().record_answer(*kind, self.received_on, NaiveDate::MAX).is_ok()
            })
            .collect()
    }

    /// Records the person's answer, given (or, for unable to contact, settled) on `on`:
    /// not before the referral was received and not after `today`.
    /// - accepted: the referral becomes `accepted`; the first contact is `on` if there was
    ///   none before. Accepting again keeps the first day.
    /// - declined: `declined`; declining is an interaction, so it is the first contact if
    ///   there was none.
    /// - unable to contact: `unable to contact`; no first contact is recorded.
    ///
    /// A `new` referral passes through `contacted` (contact was made or attempted). The same
    /// answer again (declined or unable to contact) corrects its day. Refused, with nothing
    /// changed, from a status that cannot take the answer (closed, or declined / unable to
    /// contact after an acceptance).
    pub fn record_answer(
        &mut self,
        kind: ReferralAnswerKind,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<StatusMoves, DomainError> {
        if on > today {
            return Err(DomainError::DateInFuture { field: answer_date_field(kind) });
        }
        if on < self.received_on {
            return Err(DomainError::DateOrder {
                later: answer_date_field(kind),
                earlier: "date the referral was received",
            });
        }
        let to = kind.status();
        let mut moves = Vec::new();
        if self.status == to {
            if kind == ReferralAnswerKind::Accepted {
                return Ok(moves);
            }
        } else {
            let mut status = self.status;
            if status == ReferralStatus::New {
                status = status.transition(ReferralStatus::Contacted)?;
                moves.push(status);
            }
            status = status
                .transition(to)
                .map_err(|_| DomainError::ReferralStatusJump { from: self.status, to })?;
            moves.push(status);
            self.status = status;
        }
        if kind != ReferralAnswerKind::UnableToContact {
            self.first_contact_on = Some(self.first_contact_on.map_or(on, |first| first.min(on)));
        }
        self.answer = Some(ReferralAnswer { kind, on });
        Ok(moves)
    }

    /// Closes the referral on `on` (at discharge), if its status allows: an answered
    /// referral closes; a `new` or `contacted` one is left open (empty moves).
    pub fn close(&mut self, on: NaiveDate) -> StatusMoves {
        if self.status.transition(ReferralStatus::Closed).is_err() {
            return Vec::new();
        }
        self.status = ReferralStatus::Closed;
        self.closed_on = Some(on);
        vec![ReferralStatus::Closed]
    }

    /// Moves to `to` as a worker asked, on `on`: `contacted` records an attempt (no date);
    /// an answer is recorded as [`Referral::record_answer`] does; `closed` as
    /// [`Referral::close`]. Refuses what the lifecycle does not allow.
    pub fn move_on(
        &mut self,
        to: ReferralStatus,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<StatusMoves, DomainError> {
        let jump = DomainError::ReferralStatusJump { from: self.status, to };
        match to {
            ReferralStatus::New => Err(jump),
            ReferralStatus::Contacted => {
                self.move_to(to)?;
                Ok(vec![to])
            }
            ReferralStatus::Accepted => self.record_answer(ReferralAnswerKind::Accepted, on, today),
            ReferralStatus::Declined => self.record_answer(ReferralAnswerKind::Declined, on, today),
            ReferralStatus::UnableToContact => {
                self.record_answer(ReferralAnswerKind::UnableToContact, on, today)
            }
            ReferralStatus::Closed => {
                let moves = self.close(on);
                if moves.is_empty() {
                    Err(jump)
                } else {
                    Ok(moves)
                }
            }
        }
    }

    /// The day a code was sent to the GP, if it was.
    pub fn gp_code_sent_on(&self, code: &str) -> Option<NaiveDate> {
        self.gp_codes_sent.iter().find(|sent| sent.code == code).map(|sent| sent.sent_on)
    }
}

fn answer_date_field(kind: ReferralAnswerKind) -> &'static str {
    match kind {
        ReferralAnswerKind::Accepted => "date the person accepted",
        ReferralAnswerKind::Declined => "date the person declined",
        ReferralAnswerKind::UnableToContact => "date the person could not be contacted",
    }
}

/// The referral a conversation, visit or plan dated `on` belongs to: the one it names, if
/// any; else the person's latest referral (by the day received) whose episode `on` falls
/// in. `None` when there is none.
pub fn referral_for_interaction(
    referrals: &[Referral],
    named: Option<ReferralId>,
    on: NaiveDate,
) -> Option<ReferralId> {
    if let Some(id) = named {
        return referrals.iter().any(|referral| referral.id == id).then_some(id);
    }
    referrals
        .iter()
        .filter(|referral| referral.in_episode(on))
        .max_by_key(|referral| (referral.received_on, referral.id))
        .map(|referral| referral.id)
}
