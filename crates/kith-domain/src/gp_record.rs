//! What goes to the GP record from a referral: the SNOMED CT codes its own fields call for
//! (NHS England guidance for link workers), each dated, and whether it was sent. Derived
//! only from the referral record, which syncs, so every device that holds it shows the same.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::DomainError;
use crate::ids::ReferralId;
use crate::referral::{GpCodeSent, Referral, ReferralAnswerKind};
use crate::snomed::{
    SnomedConcept, LINK_WORKER_CODES, REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED,
};

/// One code for the GP record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct GpCode {
    pub referral_id: ReferralId,
    pub concept: SnomedConcept,
    /// The day the code applies to.
    pub date: NaiveDate,
    /// Why this code is sent, in words.
    pub meaning: String,
    /// The day it was sent to the practice; `None`: still to send.
    pub sent_on: Option<NaiveDate>,
}

/// The codes a referral calls for:
/// - accepted: 871731000000106 Referral to social prescribing service, dated at the first
///   interaction of the episode (the day accepted if no earlier one is recorded); once, and
///   still after the referral is closed;
/// - declined: 871711000000103 Social prescribing declined, dated the day they declined;
/// - unable to contact, or no answer yet: none.
pub fn gp_codes(referral: &Referral) -> Vec<GpCode> {
    let Some(answer) = referral.answer else {
        return Vec::new();
    };
    let (concept, date, meaning) = match answer.kind {
        ReferralAnswerKind::Accepted => (
            REFERRAL_TO_SOCIAL_PRESCRIBING,
            referral.first_contact_on.map_or(answer.on, |first| first.min(answer.on)),
            "The person accepted the referral to the link worker: the first interaction of \
             this episode (sent once per episode)",
        ),
        ReferralAnswerKind::Declined => (
            SOCIAL_PRESCRIBING_DECLINED,
            answer.on,
            "The person declined the referral to the link worker",
        ),
        ReferralAnswerKind::UnableToContact => return Vec::new(),
    };
    vec![GpCode {
        referral_id: referral.id,
        sent_on: referral.gp_code_sent_on(concept.code),
        concept: concept.into(),
        date,
        meaning: meaning.to_owned(),
    }]
}

/// Marks `code` sent on `sent_on`: it must be one the referral calls for now, and the day
/// not in the future. A code already marked keeps its first day. Returns whether the
/// referral changed.
pub fn mark_gp_code_sent(
    referral: &mut Referral,
    code: &str,
    sent_on: NaiveDate,
    today: NaiveDate,
) -> Result<bool, DomainError> {
    if sent_on > today {
        return Err(DomainError::DateInFuture { field: "date the codes were sent" });
    }
    let called_for = gp_codes(referral).iter().any(|entry| entry.concept.code == code);
    if !called_for {
        let known = LINK_WORKER_CODES.iter().any(|known| known.code == code);
        return Err(DomainError::GpCodeNotDue { known });
    }
    if referral.gp_code_sent_on(code).is_some() {
        return Ok(false);
    }
    referral.gp_codes_sent.push(GpCodeSent { code: code.to_owned(), sent_on });
    Ok(true)
}
