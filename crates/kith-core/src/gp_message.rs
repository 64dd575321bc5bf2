//! The message back to the GP and the referrer at discharge, along the PRSB Social
//! Prescribing Information Standard's minimum data (demographics; needs and concerns;
//! support offered; outcomes) with the closing summary and the SNOMED CT codes of
//! domain.md (the same codes as the "for the GP record" list, from the referral record, so
//! every device makes the same message); exportable as structured JSON. It honours consent: unless the person's consent
//! to share with their GP was given and not withdrawn on the discharge date, only the codes
//! go, with the identifiers the practice needs to file them (NHS number, name, date of
//! birth): no free text, no measures, no details, and nothing to the referrer.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use kith_domain::consent::{current_consent, ConsentKind, ConsentRecord};
use kith_domain::directory::{ConnectionKind, ConnectionStatus};
use kith_domain::discharge::DischargeReason;
use kith_domain::gp_record::gp_codes;
use kith_domain::measures::{
    baseline_and_follow_up, improvement, Improvement, Measure, MeasureKind, MeasureScore,
};
use kith_domain::person::{Address, Person};
use kith_domain::referral::{Referral, Referrer};
use kith_domain::session::SessionStatus;
use kith_domain::snomed::SnomedConcept;
use kith_domain::{DischargeId, PersonId};

use crate::{CoreError, Kith};

/// The standard the message follows.
pub const GP_MESSAGE_STANDARD: &str = "PRSB Social Prescribing Information Standard v1.1";

/// Who the message is for.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct GpMessageRecipients {
    /// The person's GP practice, as recorded.
    pub gp_practice: Option<String>,
    /// The referrer: only with consent to share (`None` otherwise, and for self-referrals).
    pub referrer: Option<Referrer>,
}

/// Who the message is about: what the practice needs to file the codes in the right record.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct PatientIdentity {
    /// 10 digits, no spaces.
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
}

/// A SNOMED CT code for the GP record, with the date it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct CodedEntry {
    pub concept: SnomedConcept,
    pub date: NaiveDate,
    /// Why this code is sent.
    pub meaning: String,
}

/// PRSB group 1: demographics (beyond the identity).
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct GpMessageDemographics {
    pub address: Option<Address>,
    pub phone: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    /// In words: "large print", "hearing", ...
    pub accessibility_needs: Vec<String>,
}

/// PRSB group 2: needs and concerns.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct NeedsAndConcerns {
    pub referral_received_on: Option<NaiveDate>,
    pub referral_source: Option<String>,
    pub referral_reason: Option<String>,
    /// The needs behind the referral, in words.
    pub needs: Vec<String>,
    /// What matters to the person, in their own words (each conversation of the episode).
    pub what_matters: Vec<String>,
    /// Concerns named in those conversations, in the person's words.
    pub concerns: Vec<String>,
}

/// A community service the person was connected to.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionOffered {
    pub service: String,
    pub category: String,
    /// Signposted (gave information) or referred (made the contact).
    pub kind: ConnectionKind,
    pub status: ConnectionStatus,
    pub made_on: NaiveDate,
}

/// PRSB group 3: support offered.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct SupportOffered {
    pub sessions_held: u32,
    pub sessions_did_not_attend: u32,
    pub sessions_cancelled: u32,
    /// The plan's goals, in the person's words.
    pub goals: Vec<String>,
    pub connections: Vec<ConnectionOffered>,
}

/// PRSB group 4: one measure at baseline and follow-up, with the change.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct MeasureOutcome {
    pub measure: MeasureKind,
    pub baseline_on: NaiveDate,
    pub baseline: MeasureScore,
    pub follow_up_on: NaiveDate,
    pub follow_up: MeasureScore,
    /// Positive means better (see kith-domain's `Improvement`).
    pub improvement: Improvement,
}

/// The discharge itself.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct DischargeDetails {
    pub reason: DischargeReason,
    pub reason_in_words: String,
    pub closing_summary: String,
}

/// What is shared only with consent.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct SharedDetails {
    pub demographics: GpMessageDemographics,
    pub needs_and_concerns: NeedsAndConcerns,
    pub support_offered: SupportOffered,
    pub outcomes: Vec<MeasureOutcome>,
    pub discharge: DischargeDetails,
}

/// The message back to the GP and the referrer.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct GpMessage {
    pub standard: String,
    pub discharge_id: DischargeId,
    pub person_id: PersonId,
    pub discharged_on: NaiveDate,
    pub to: GpMessageRecipients,
    /// Consent to share with the GP was given, and not withdrawn, on the discharge date.
    pub consent_to_share_with_gp: bool,
    pub patient: PatientIdentity,
    pub codes: Vec<CodedEntry>,
    /// `None` without consent: then only the codes go.
    pub shared: Option<SharedDetails>,
}

impl std::fmt::Debug for GpMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpMessage")
            .field("discharge_id", &self.discharge_id)
            .field("person_id", &self.person_id)
            .field("discharged_on", &self.discharged_on)
            .field("consent_to_share_with_gp", &self.consent_to_share_with_gp)
            .field("codes", &self.codes)
            .finish_non_exhaustive()
    }
}

impl GpMessage {
    /// The message as structured JSON (pretty-printed).
    pub fn to_json(&self) -> Result<String, CoreError> {
        serde_json::to_string_pretty(self)
            .map_err(|error| CoreError::Storage { message: error.to_string() })
    }
}

/// Words for a discharge reason.
pub fn discharge_reason_words(reason: &DischargeReason) -> String {
    match reason {
        DischargeReason::PlanCompleted => "The plan was completed".into(),
        DischargeReason::PersonChoseToStop => "The person chose to stop".into(),
        DischargeReason::UnableToContact => "Unable to contact".into(),
        DischargeReason::ReferredElsewhere => "Needs better met by another service".into(),
        DischargeReason::MovedAway => "Moved away".into(),
        DischargeReason::Died => "Died".into(),
        DischargeReason::Other(words) => words.clone(),
    }
}

/// True when consent to share with the GP stood on `on`: the latest decision made on or
/// before that day was to give it.
pub fn may_share_with_gp_on(history: &[ConsentRecord], on: NaiveDate) -> bool {
    let until: Vec<ConsentRecord> =
        history.iter().filter(|record| record.decided_on <= on).cloned().collect();
    current_consent(&until, &ConsentKind::ShareWithGp).is_given()
}

fn accessibility_words(person: &Person) -> Vec<String> {
    let needs = &person.accessibility_needs;
    let mut words: Vec<String> = [
        (needs.large_print, "large print"),
        (needs.easy_read, "easy read"),
        (needs.hearing, "hearing"),
        (needs.sight, "sight"),
        (needs.mobility, "mobility"),
    ]
    .into_iter()
    .filter(|(needed, _)| *needed)
    .map(|(_, word)| word.to_owned())
    .collect();
    if let Some(other) = needs.other.as_ref().filter(|other| !other.trim().is_empty()) {
        words.push(other.trim().to_owned());
    }
    words
}

/// Each measure's pair (earliest baseline, latest follow-up) among `measures`.
fn measure_outcomes(measures: &[Measure]) -> Vec<MeasureOutcome> {
    MeasureKind::ALL
        .iter()
        .filter_map(|kind| {
            let (baseline, follow_up) = baseline_and_follow_up(measures, *kind)?;
            Some(MeasureOutcome {
                measure: *kind,
                baseline_on: baseline.taken_on,
                baseline: baseline.score().ok()?,
                follow_up_on: follow_up.taken_on,
                follow_up: follow_up.score().ok()?,
                improvement: improvement(&baseline.answers, &follow_up.answers).ok()?,
            })
        })
        .collect()
}

fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

impl Kith {
    /// The message back to the GP and the referrer for a discharge. The episode runs from
    /// its referral (the one the discharge names, else the person's latest received on or
    /// before the discharge) to the discharge date; sessions, connections and measures in
    /// it are summarised. The codes are kith-domain's `gp_codes` of the episode's referral
    /// (NHS England guidance, domain.md):
    /// - 871731000000106 Referral to social prescribing service: when the person accepted,
    ///   once for the episode, dated at its first interaction;
    /// - 871711000000103 Social prescribing declined: when they declined, dated then;
    /// - none for unable to contact.
    ///
    /// Reading the records for the message is audited like any other read.
    pub fn discharge_message(&self, discharge_id: DischargeId) -> Result<GpMessage, CoreError> {
        let store = self.store()?;
        store
            .in_one_transaction(|store| {
                let discharge = store.discharge(discharge_id)?;
                let person_id = discharge.person_id;
                let person = store.person(person_id)?;
                let referrals = store.referrals_for(person_id)?;
                let referral: Option<Referral> = match discharge.referral_id {
                    Some(id) => referrals.iter().find(|referral| referral.id == id).cloned(),
                    None => referrals
                        .iter()
                        .filter(|referral| referral.received_on <= discharge.discharged_on)
                        .max_by_key(|referral| (referral.received_on, referral.id))
                        .cloned(),
                };
                let starts_on = referral.as_ref().map(|referral| referral.received_on);
                let in_episode = |date: NaiveDate| {
                    starts_on.is_none_or(|start| date >= start) && date <= discharge.discharged_on
                };
                let conversations: Vec<_> = store
                    .conversations_for(person_id)?
                    .into_iter()
                    .filter(|conversation| in_episode(conversation.held_on))
                    .collect();
                let sessions: Vec<_> = store
                    .sessions_for(person_id)?
                    .into_iter()
                    .filter(|session| in_episode(session.date))
                    .collect();
                let consent_history = store.consent_history(person_id)?;
                let consent = may_share_with_gp_on(&consent_history, discharge.discharged_on);

                let codes = referral
                    .iter()
                    .flat_map(gp_codes)
                    .map(|code| CodedEntry {
                        concept: code.concept,
                        date: code.date,
                        meaning: code.meaning,
                    })
                    .collect();

                let patient = PatientIdentity {
                    nhs_number: person.nhs_number.as_ref().map(|number| number.digits().to_owned()),
                    given_name: person.given_name.clone(),
                    family_name: person.family_name.clone(),
                    date_of_birth: person.date_of_birth,
                };
                let mut message = GpMessage {
                    standard: GP_MESSAGE_STANDARD.to_owned(),
                    discharge_id,
                    person_id,
                    discharged_on: discharge.discharged_on,
                    to: GpMessageRecipients {
                        gp_practice: person.gp_practice.clone(),
                        referrer: None,
                    },
                    consent_to_share_with_gp: consent,
                    patient,
                    codes,
                    shared: None,
                };
                if !consent {
                    return Ok(message);
                }

                let plans = store.care_plans_for(person_id)?;
                let goals = plans
                    .iter()
                    .filter(|plan| match discharge.care_plan_id {
                        Some(id) => plan.id == id,
                        None => in_episode(plan.starts_on),
                    })
                    .flat_map(|plan| plan.goals.iter().map(|goal| goal.in_own_words.clone()))
                    .collect();
                let mut connections = Vec::new();
                for connection in store.connections_for(person_id)? {
                    if !in_episode(connection.made_on) {
                        continue;
                    }
                    let service = store.service_even_if_removed(connection.service_id)?;
                    connections.push(ConnectionOffered {
                        service: service.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
                        category: service
                            .map(|s| s.category.label().to_owned())
                            .unwrap_or_default(),
                        kind: connection.kind,
                        status: connection.status,
                        made_on: connection.made_on,
                    });
                }
                let measures: Vec<Measure> = store
                    .measures_for(person_id)?
                    .into_iter()
                    .filter(|measure| in_episode(measure.taken_on))
                    .collect();
                let sessions_with = |status: SessionStatus| {
                    count_u32(sessions.iter().filter(|session| session.status == status).count())
                };
                message.to.referrer =
                    referral.as_ref().and_then(|referral| referral.referrer.clone());
                message.shared = Some(SharedDetails {
                    demographics: GpMessageDemographics {
                        address: person.address.clone(),
                        phone: person.phone.clone(),
                        preferred_language: person.preferred_language.clone(),
                        interpreter_needed: person.interpreter_needed,
                        accessibility_needs: accessibility_words(&person),
                    },
                    needs_and_concerns: NeedsAndConcerns {
                        referral_received_on: starts_on,
                        referral_source: referral
                            .as_ref()
                            .map(|referral| referral.source.label().to_owned()),
                        referral_reason: referral.as_ref().map(|referral| referral.reason.clone()),
                        needs: referral
                            .iter()
                            .flat_map(|referral| referral.needs.iter())
                            .map(|need| need.label().to_owned())
                            .collect(),
                        what_matters: conversations
                            .iter()
                            .map(|conversation| conversation.what_matters.clone())
                            .collect(),
                        concerns: conversations
                            .iter()
                            .flat_map(|conversation| conversation.concerns.iter())
                            .map(|concern| concern.in_own_words.clone())
                            .collect(),
                    },
                    support_offered: SupportOffered {
                        sessions_held: sessions_with(SessionStatus::Held),
                        sessions_did_not_attend: sessions_with(SessionStatus::DidNotAttend),
                        sessions_cancelled: sessions_with(SessionStatus::Cancelled),
                        goals,
                        connections,
                    },
                    outcomes: measure_outcomes(&measures),
                    discharge: DischargeDetails {
                        reason_in_words: discharge_reason_words(&discharge.reason),
                        reason: discharge.reason.clone(),
                        closing_summary: discharge.closing_summary.clone(),
                    },
                });
                Ok(message)
            })
            .map_err(CoreError::from)
    }
}
