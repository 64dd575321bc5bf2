//! SNOMED CT codes Kith writes to the GP record.

use serde::{Deserialize, Serialize};

/// A SNOMED CT concept: its id and its term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SnomedCode {
    pub code: &'static str,
    pub term: &'static str,
}

/// Referral to social prescribing service (procedure): the first contact of an episode
/// only; it is the code counted nationally.
pub const REFERRAL_TO_SOCIAL_PRESCRIBING: SnomedCode = SnomedCode {
    code: "871731000000106",
    term: "Referral to social prescribing service (procedure)",
};

/// Social prescribing declined (situation).
pub const SOCIAL_PRESCRIBING_DECLINED: SnomedCode =
    SnomedCode { code: "871711000000103", term: "Social prescribing declined (situation)" };

/// Social prescribing offered (code to confirm against the SNOMED CT browser).
pub const SOCIAL_PRESCRIBING_OFFERED: SnomedCode =
    SnomedCode { code: "871691000000100", term: "Social prescribing offered" };

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
