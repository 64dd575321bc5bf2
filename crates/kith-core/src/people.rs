//! Referral intake (a new person with their referral, after a duplicate check) and search.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use kith_domain::person::{NewPerson, Person};
use kith_domain::referral::{NewReferral, Referral, ReferralStatus};
use kith_domain::{NhsNumber, PersonId, ReferralId};
use kith_store::MatchedIn;

use crate::{CoreError, Kith};

/// How many people a search or duplicate check looks at.
const SEARCH_LIMIT: usize = 50;
const DUPLICATE_CANDIDATES: usize = 200;

/// Why a recorded person may be the same as the one being added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    SameNhsNumber,
    SameNameAndDateOfBirth,
}

/// A person already recorded who may be the one being added.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PossibleDuplicate {
    pub person_id: PersonId,
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub reason: DuplicateReason,
}

impl std::fmt::Debug for PossibleDuplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PossibleDuplicate")
            .field("person_id", &self.person_id)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// A new person and their referral, as entered on the intake form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Intake {
    pub person: NewPerson,
    pub referral: NewReferral,
    /// Set once the worker has seen the possible duplicates and still wants a new record.
    pub duplicates_checked: bool,
}

/// What intake created.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct IntakeResult {
    pub person: Person,
    pub referral: Referral,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub person_id: PersonId,
    pub display_name: String,
    /// True when the words were found in the person's notes rather than their name.
    pub matched_in_notes: bool,
}

fn same_text(left: &str, right: &str) -> bool {
    left.trim().to_lowercase() == right.trim().to_lowercase()
}

impl Kith {
    /// People already recorded with the same NHS number, or the same name and date of birth,
    /// to offer before a second record is made. Reading each candidate is audited.
    pub fn find_possible_duplicates(
        &self,
        new_person: &NewPerson,
    ) -> Result<Vec<PossibleDuplicate>, CoreError> {
        let store = self.store()?;
        let nhs_number = new_person
            .nhs_number
            .as_deref()
            .filter(|text| !text.trim().is_empty())
            .and_then(|text| NhsNumber::parse(text).ok());
        let mut candidates: Vec<PersonId> = Vec::new();
        if let Some(number) = &nhs_number {
            candidates.extend(
                store
                    .search_people(number.digits(), DUPLICATE_CANDIDATES)?
                    .into_iter()
                    .map(|hit| hit.person_id),
            );
        }
        if new_person.date_of_birth.is_some() {
            let name = format!("{} {}", new_person.given_name, new_person.family_name);
            candidates.extend(
                store
                    .search_people(&name, DUPLICATE_CANDIDATES)?
                    .into_iter()
                    .filter(|hit| hit.matched_in == MatchedIn::Name)
                    .map(|hit| hit.person_id),
            );
        }
        candidates.sort_unstable_by_key(|id| id.as_uuid());
        candidates.dedup();
        let mut duplicates = Vec::new();
        for id in candidates {
            let person = store.person(id)?;
            let reason = if nhs_number.is_some() && person.nhs_number == nhs_number {
                DuplicateReason::SameNhsNumber
            } else if person.date_of_birth.is_some()
                && person.date_of_birth == new_person.date_of_birth
                && same_text(&person.given_name, &new_person.given_name)
                && same_text(&person.family_name, &new_person.family_name)
            {
                DuplicateReason::SameNameAndDateOfBirth
            } else {
                continue;
            };
            duplicates.push(PossibleDuplicate {
                person_id: person.id,
                display_name: person.display_name(),
                date_of_birth: person.date_of_birth,
                reason,
            });
        }
        Ok(duplicates)
    }

    /// Adds a person with their referral, in one transaction. Refused with
    /// [`CoreError::PossibleDuplicate`] while possible duplicates exist and
    /// `duplicates_checked` is false.
    pub fn add_person_with_referral(&self, intake: Intake) -> Result<IntakeResult, CoreError> {
        let store = self.store()?;
        if !intake.duplicates_checked {
            let duplicates = self.find_possible_duplicates(&intake.person)?;
            if !duplicates.is_empty() {
                return Err(CoreError::PossibleDuplicate { count: duplicates.len() });
            }
        }
        let mut new_person = intake.person;
        // The worker who takes the referral looks after the person unless someone is named.
        if new_person.assigned_link_worker.is_none() {
            new_person.assigned_link_worker = store.current_user();
        }
        Ok(store.in_one_transaction(|store| {
            let person = store.add_person(new_person)?;
            let referral = store.add_referral(person.id, intake.referral)?;
            Ok(IntakeResult { person, referral })
        })?)
    }

    /// Adds another referral for someone already recorded (a re-referral).
    pub fn add_referral(
        &self,
        person_id: PersonId,
        referral: NewReferral,
    ) -> Result<Referral, CoreError> {
        Ok(self.store()?.add_referral(person_id, referral)?)
    }

    /// Moves a referral on (contacted, accepted, declined, unable to contact, closed).
    pub fn move_referral(
        &self,
        referral_id: ReferralId,
        to: ReferralStatus,
    ) -> Result<Referral, CoreError> {
        Ok(self.store()?.move_referral(referral_id, to)?)
    }

    /// Saves edits to a person (validated by kith-domain).
    pub fn update_person(&self, person: &Person) -> Result<(), CoreError> {
        Ok(self.store()?.update_person(person)?)
    }

    /// Search as you type: names, preferred names and NHS numbers first, then notes.
    pub fn search(&self, typed: &str) -> Result<Vec<SearchHit>, CoreError> {
        Ok(self
            .store()?
            .search_people(typed, SEARCH_LIMIT)?
            .into_iter()
            .map(|hit| SearchHit {
                person_id: hit.person_id,
                display_name: hit.display_name,
                matched_in_notes: hit.matched_in == MatchedIn::Notes,
            })
            .collect())
    }
}
