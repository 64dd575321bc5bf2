//! Referral intake (a new person with their referral, after a duplicate check; the consent
//! to social prescribing it carries becomes a consent record) and search.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use kith_domain::consent::{current_consent, ConsentDecision, ConsentKind, ConsentRecord};
use kith_domain::person::{NewPerson, Person};
use kith_domain::referral::{Need, NewReferral, Referral, ReferralStatus};
use kith_domain::{ConsentId, NhsNumber, PersonId, ReferralId};
use kith_store::{MatchedIn, PersonOverview};

use crate::{CoreError, Kith};

/// How many people a search or duplicate check looks at.
const SEARCH_LIMIT: usize = 50;
const DUPLICATE_CANDIDATES: usize = 200;
/// How many name and note matches a filtered search looks through before filtering.
const FILTERED_SEARCH_CANDIDATES: usize = 1000;

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

/// Where a person is with the service, as the People list shows and filters it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    /// Referred and waiting for first contact (no plan yet).
    Referred,
    /// Being worked with: contacted, accepted, or with an open plan.
    Active,
    /// Discharged since the latest referral, or the referral was declined, closed or the
    /// person could not be contacted (and no plan is open).
    Discharged,
}

impl PersonStatus {
    /// The status shown for a person, from their latest referral, discharge and plans.
    pub fn of(overview: &PersonOverview) -> PersonStatus {
        let referral = overview.latest_referral.as_ref();
        if let Some(discharged_on) = overview.last_discharged_on {
            if referral.is_none_or(|referral| discharged_on >= referral.received_on) {
                return PersonStatus::Discharged;
            }
        }
        if overview.open_plan {
            return PersonStatus::Active;
        }
        match referral.map(|referral| referral.status) {
            None | Some(ReferralStatus::New) => PersonStatus::Referred,
            Some(ReferralStatus::Contacted | ReferralStatus::Accepted) => PersonStatus::Active,
            Some(
                ReferralStatus::Declined | ReferralStatus::UnableToContact | ReferralStatus::Closed,
            ) => PersonStatus::Discharged,
        }
    }
}

/// What the People list asks for: typed words (names, NHS number, notes) and filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PeopleFilter {
    /// As typed; blank lists people by most recent referral.
    pub typed: String,
    pub status: Option<PersonStatus>,
    /// Only people whose latest referral names this need.
    pub need: Option<Need>,
}

/// One line of the People list.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PersonListing {
    pub person_id: PersonId,
    pub display_name: String,
    /// True when the typed words were found in the person's notes rather than their name.
    pub matched_in_notes: bool,
    pub status: PersonStatus,
    /// The needs named by the latest referral.
    pub needs: Vec<Need>,
    /// When the latest referral was received.
    pub referred_on: Option<NaiveDate>,
}

impl std::fmt::Debug for PersonListing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonListing")
            .field("person_id", &self.person_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl PeopleFilter {
    fn admits(&self, overview: &PersonOverview, status: PersonStatus) -> bool {
        let status_fits = self.status.is_none_or(|wanted| wanted == status);
        let need_fits = self.need.as_ref().is_none_or(|need| {
            overview.latest_referral.as_ref().is_some_and(|referral| referral.needs.contains(need))
        });
        status_fits && need_fits
    }

    fn is_blank(&self) -> bool {
        self.typed.trim().is_empty() && self.status.is_none() && self.need.is_none()
    }
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

    /// Adds a person with their referral and, from the referral's consent, a consent record
    /// "social prescribing: given" dated the day the referral was received, in one
    /// transaction. Refused with [`CoreError::PossibleDuplicate`] while possible duplicates
    /// exist and `duplicates_checked` is false.
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
        let recorded_by = self.current_user()?;
        Ok(store.in_one_transaction(|store| {
            let person = store.add_person(new_person)?;
            let referral = store.add_referral(person.id, intake.referral)?;
            record_referral_consent(store, &referral, recorded_by)?;
            Ok(IntakeResult { person, referral })
        })?)
    }

    /// Adds another referral for someone already recorded (a re-referral) and, unless consent
    /// to social prescribing currently stands, records it as given from the referral.
    pub fn add_referral(
        &self,
        person_id: PersonId,
        referral: NewReferral,
    ) -> Result<Referral, CoreError> {
        let recorded_by = self.current_user()?;
        Ok(self.store()?.in_one_transaction(|store| {
            let referral = store.add_referral(person_id, referral)?;
            let history = store.consent_history(person_id)?;
            if !current_consent(&history, &ConsentKind::SocialPrescribing).is_given() {
                record_referral_consent(store, &referral, recorded_by)?;
            }
            Ok(referral)
        })?)
    }

    /// Moves a referral on (contacted, accepted, declined, unable to contact, closed) today,
    /// keeping its dated fields as kith-domain's `Referral::move_on` says.
    pub fn move_referral(
        &self,
        referral_id: ReferralId,
        to: ReferralStatus,
    ) -> Result<Referral, CoreError> {
        Ok(self.store()?.update_referral_progress(referral_id, |referral, today| {
            referral.move_on(to, today, today)
        })?)
    }

    /// Saves edits to a person (validated by kith-domain).
    pub fn update_person(&self, person: &Person) -> Result<(), CoreError> {
        Ok(self.store()?.update_person(person)?)
    }

    /// The People list: people matching the typed words (names first, then notes) and the
    /// filters, at most 50. With nothing typed and no filter: the people not discharged,
    /// most recent referral first.
    pub fn people_list(&self, filter: &PeopleFilter) -> Result<Vec<PersonListing>, CoreError> {
        let store = self.store()?;
        let typed = filter.typed.trim();
        let (overviews, matched_in_notes): (Vec<PersonOverview>, HashSet<PersonId>) =
            if typed.is_empty() {
                (store.person_overviews(None)?, HashSet::new())
            } else {
                let limit = if filter.status.is_none() && filter.need.is_none() {
                    SEARCH_LIMIT
                } else {
                    FILTERED_SEARCH_CANDIDATES
                };
                let hits = store.search_people(typed, limit)?;
                let ids: Vec<PersonId> = hits.iter().map(|hit| hit.person_id).collect();
                let mut by_id: HashMap<PersonId, PersonOverview> = store
                    .person_overviews(Some(&ids))?
                    .into_iter()
                    .map(|overview| (overview.person_id, overview))
                    .collect();
                let in_notes = hits
                    .iter()
                    .filter(|hit| hit.matched_in == MatchedIn::Notes)
                    .map(|hit| hit.person_id)
                    .collect();
                // Keep the search's order: best name matches first, then recent notes.
                (ids.iter().filter_map(|id| by_id.remove(id)).collect(), in_notes)
            };
        let blank = filter.is_blank();
        Ok(overviews
            .into_iter()
            .filter_map(|overview| {
                let status = PersonStatus::of(&overview);
                let shown = if blank {
                    status != PersonStatus::Discharged
                } else {
                    filter.admits(&overview, status)
                };
                shown.then(|| PersonListing {
                    matched_in_notes: matched_in_notes.contains(&overview.person_id),
                    person_id: overview.person_id,
                    display_name: overview.display_name,
                    status,
                    referred_on: overview.latest_referral.as_ref().map(|r| r.received_on),
                    needs: overview.latest_referral.map(|r| r.needs).unwrap_or_default(),
                })
            })
            .take(SEARCH_LIMIT)
            .collect())
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

/// The referral's consent to social prescribing as a consent record like any other, dated
/// the day the referral was received.
fn record_referral_consent(
    store: &kith_store::Store,
    referral: &Referral,
    recorded_by: kith_domain::UserId,
) -> Result<(), kith_store::StoreError> {
    store.record_consent(&ConsentRecord {
        id: ConsentId::new(),
        person_id: referral.person_id,
        kind: ConsentKind::SocialPrescribing,
        decision: ConsentDecision::Given,
        decided_on: referral.received_on,
        recorded_by,
        recorded_at: chrono::Utc::now(),
    })
}
