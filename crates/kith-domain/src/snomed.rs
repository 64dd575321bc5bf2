//! SNOMED CT codes Kith writes to the GP record.

use serde::{Deserialize, Serialize};

/// A SNOMED CT concept: its id and its term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SnomedCode {
    pub code: &'static str,
    pub term: &'static str,
}

/// Referral to social prescribing service (procedure): when the person accepts the referral
/// to the link worker, dated at the first interaction of the episode, once per episode; it
/// is the code counted nationally (NHS England guidance).
pub const REFERRAL_TO_SOCIAL_PRESCRIBING: SnomedCode = SnomedCode {
    code: "871731000000106",
    term: "Referral to social prescribing service (procedure)",
};

/// Social prescribing declined (situation): when the person declines the referral to the
/// link worker, dated when they declined.
pub const SOCIAL_PRESCRIBING_DECLINED: SnomedCode =
    SnomedCode { code: "871711000000103", term: "Social prescribing declined (situation)" };

/// The codes link workers send, and the only ones Kith writes. There is no national code
/// for "unable to contact".
pub const LINK_WORKER_CODES: [SnomedCode; 2] =
    [REFERRAL_TO_SOCIAL_PRESCRIBING, SOCIAL_PRESCRIBING_DECLINED];

/// An owned copy of a code, for records read back from JSON.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct SnomedConcept {
    pub code: String,
    pub term: String,
}

impl From<SnomedCode> for SnomedConcept {
    fn from(code: SnomedCode) -> Self {
        SnomedConcept { code: code.code.to_owned(), term: code.term.to_owned() }
    }
}
