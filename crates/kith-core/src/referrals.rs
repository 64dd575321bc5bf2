//! The referral follows the work, with the worker in charge: the first held conversation or
//! visit records the first contact (a `new` referral becomes `contacted`), agreeing a plan
//! records that the person accepted, and the worker records "declined" or "unable to
//! contact" with the day. The codes for the GP record come from the referral record alone
//! (kith-domain's `gp_record`), listed per person and for the practice, and are marked sent
//! when exported. All of it is kept in the referral's own fields, which sync, so every
//! device that holds the referral shows the same.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use kith_domain::gp_record::{gp_codes, mark_gp_code_sent, GpCode};
use kith_domain::person::Person;
use kith_domain::referral::{referral_for_interaction, Referral, ReferralAnswerKind, StatusMoves};
use kith_domain::{DomainError, PersonId, ReferralId};
use kith_store::{Store, StoreError};

use crate::{CoreError, Kith};

/// A referral with the answers the worker may record for it now.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct ReferralProgress {
    pub referral: Referral,
    /// Empty when no answer can be recorded (accepted already, or closed).
    pub answers_allowed: Vec<ReferralAnswerKind>,
}

impl ReferralProgress {
    pub(crate) fn of(referral: &Referral) -> Self {
        ReferralProgress { answers_allowed: referral.answers_allowed(), referral: referral.clone() }
    }
}

/// One code for the GP record with what the practice needs to file it in the right record.
#[derive(Clone, PartialEq, Serialize, TS)]
pub struct GpCodeLine {
    pub person_id: PersonId,
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
    /// 10 digits, no spaces.
    pub nhs_number: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gp_practice: Option<String>,
    pub code: GpCode,
}

impl std::fmt::Debug for GpCodeLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpCodeLine")
            .field("person_id", &self.person_id)
            .field("code", &self.code)
            .finish_non_exhaustive()
    }
}

/// The practice's list "for the GP record": every code this device holds, oldest referral
/// first.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct GpCodeList {
    pub lines: Vec<GpCodeLine>,
    /// How many of them are still to send.
    pub unsent: u32,
}

/// A code to mark as sent: which referral, which SNOMED CT concept id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GpCodeToMark {
    pub referral_id: ReferralId,
    pub code: String,
}

/// The header of the GP codes CSV.
pub const GP_CODES_CSV_HEADER: &str = "nhs_number,family_name,given_name,date_of_birth,\
gp_practice,snomed_code,term,date,sent_on";

impl GpCodeList {
    /// The codes still to send, as CSV (RFC 4180, CRLF line ends), one line a code.
    pub fn unsent_csv(&self) -> String {
        let mut csv = format!("{GP_CODES_CSV_HEADER}\r\n");
        for line in self.lines.iter().filter(|line| line.code.sent_on.is_none()) {
            let day = |date: Option<NaiveDate>| date.map(|d| d.to_string()).unwrap_or_default();
            let fields = [
                line.nhs_number.clone().unwrap_or_default(),
                line.family_name.clone(),
                line.given_name.clone(),
                day(line.date_of_birth),
                line.gp_practice.clone().unwrap_or_default(),
                line.code.concept.code.clone(),
                line.code.concept.term.clone(),
                line.code.date.to_string(),
                day(line.code.sent_on),
            ];
            let fields: Vec<String> =
                fields.iter().map(|field| crate::reports::csv_field(field)).collect();
            csv.push_str(&fields.join(","));
            csv.push_str("\r\n");
        }
        csv
    }

    /// The unsent codes of the list, to mark sent after exporting them.
    pub fn unsent(&self) -> Vec<GpCodeToMark> {
        self.lines
            .iter()
            .filter(|line| line.code.sent_on.is_none())
            .map(|line| GpCodeToMark {
                referral_id: line.code.referral_id,
                code: line.code.concept.code.clone(),
            })
            .collect()
    }
}

fn line_for(person: &Person, code: GpCode) -> GpCodeLine {
    GpCodeLine {
        person_id: person.id,
        display_name: person.display_name(),
        given_name: person.given_name.clone(),
        family_name: person.family_name.clone(),
        nhs_number: person.nhs_number.as_ref().map(|number| number.digits().to_owned()),
        date_of_birth: person.date_of_birth,
        gp_practice: person.gp_practice.clone(),
        code,
    }
}

/// Applies `progress` to the referral that a conversation, visit or plan of `person_id`
/// dated `on` belongs to (the one it names, else the person's latest referral open on that
/// day), if there is one.
pub(crate) fn progress_episode_referral(
    store: &Store,
    person_id: PersonId,
    named: Option<ReferralId>,
    on: NaiveDate,
    progress: impl FnOnce(&mut Referral, NaiveDate) -> Result<StatusMoves, DomainError>,
) -> Result<(), StoreError> {
    let referrals = store.referrals_for(person_id)?;
    if let Some(id) = referral_for_interaction(&referrals, named, on) {
        store.update_referral_progress(id, progress)?;
    }
    Ok(())
}

/// The first contact of the episode on `on` (a conversation, or a held visit).
pub(crate) fn interaction_on(
    on: NaiveDate,
) -> impl FnOnce(&mut Referral, NaiveDate) -> Result<StatusMoves, DomainError> {
    move |referral, _today| Ok(referral.record_interaction(on))
}

/// The person accepted on `on` (a plan was agreed), when the referral can take that answer
/// (not when it was accepted already, or closed).
pub(crate) fn accepted_on(
    on: NaiveDate,
) -> impl FnOnce(&mut Referral, NaiveDate) -> Result<StatusMoves, DomainError> {
    move |referral, today| {
        if referral.in_episode(on)
            && referral.answers_allowed().contains(&ReferralAnswerKind::Accepted)
        {
            referral.record_answer(ReferralAnswerKind::Accepted, on, today)
        } else {
            Ok(Vec::new())
        }
    }
}

impl Kith {
    /// Records the person's answer to a referral (accepted, declined, unable to contact) on
    /// the day the worker chose; the same declined or unable-to-contact answer again
    /// corrects the day. Refused as kith-domain's rules say.
    pub fn record_referral_answer(
        &self,
        referral_id: ReferralId,
        answer: ReferralAnswerKind,
        on: NaiveDate,
    ) -> Result<Referral, CoreError> {
        Ok(self.store()?.update_referral_progress(referral_id, |referral, today| {
            referral.record_answer(answer, on, today)
        })?)
    }

    /// The practice's list "for the GP record": every code the referrals on this device call
    /// for, with the person's identifiers and whether each was sent. Each person listed is
    /// read through the audited store.
    pub fn practice_gp_codes(&self) -> Result<GpCodeList, CoreError> {
        Ok(self.store()?.in_one_transaction(|store| {
            let mut lines = Vec::new();
            for referral in store.referrals_with_gp_codes()? {
                let person = store.person(referral.person_id)?;
                lines.extend(gp_codes(&referral).into_iter().map(|code| line_for(&person, code)));
            }
            let unsent = lines.iter().filter(|line| line.code.sent_on.is_none()).count();
            Ok(GpCodeList { lines, unsent: u32::try_from(unsent).unwrap_or(u32::MAX) })
        })?)
    }

    /// The codes still to send, as CSV, for the practice to file.
    pub fn unsent_gp_codes_csv(&self) -> Result<String, CoreError> {
        Ok(self.practice_gp_codes()?.unsent_csv())
    }

    /// Marks codes as sent to the practice on `sent_on` (after exporting them), all in one
    /// transaction: each must be due on its referral now. A code already marked keeps its
    /// first day. Returns how many were newly marked.
    pub fn mark_gp_codes_sent(
        &self,
        codes: Vec<GpCodeToMark>,
        sent_on: NaiveDate,
    ) -> Result<u32, CoreError> {
        let mut marked = 0u32;
        self.store()?.in_one_transaction(|store| {
            for code in &codes {
                store.update_referral_progress(code.referral_id, |referral, today| {
                    if mark_gp_code_sent(referral, &code.code, sent_on, today)? {
                        marked += 1;
                    }
                    Ok(Vec::new())
                })?;
            }
            Ok(())
        })?;
        Ok(marked)
    }
}
