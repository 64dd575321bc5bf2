//! A person on a caseload: identity, how to reach them, language and accessibility needs.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{PersonId, UserId};
use crate::nhs_number::NhsNumber;
use crate::text::{is_blank, optional_is_blank, require};

/// Oldest date of birth accepted, in years before today (catches a mistyped century).
pub const MAX_AGE_YEARS: i32 = 120;

/// A way a person agrees to be contacted.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Phone,
    TextMessage,
    Email,
    Letter,
    HomeVisit,
}

impl ContactMethod {
    /// Every method, in the order the UI lists them.
    pub const ALL: [ContactMethod; 5] = [
        ContactMethod::Phone,
        ContactMethod::TextMessage,
        ContactMethod::Email,
        ContactMethod::Letter,
        ContactMethod::HomeVisit,
    ];

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ContactMethod::Phone => "phone",
            ContactMethod::TextMessage => "text message",
            ContactMethod::Email => "email",
            ContactMethod::Letter => "letter",
            ContactMethod::HomeVisit => "home visit",
        }
    }

    /// The detail this method needs on the record.
    pub fn needs(self) -> &'static str {
        match self {
            ContactMethod::Phone | ContactMethod::TextMessage => "phone number",
            ContactMethod::Email => "email address",
            ContactMethod::Letter | ContactMethod::HomeVisit => "address",
        }
    }
}

/// A postal address.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Address {
    pub line_1: String,
    pub line_2: Option<String>,
    pub town: Option<String>,
    pub postcode: Option<String>,
}
crate::debug_without_personal_data!(Address {});

/// Accessibility needs, so plans and letters come in a format the person can use.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct AccessibilityNeeds {
    pub large_print: bool,
    pub easy_read: bool,
    pub hearing: bool,
    pub sight: bool,
    pub mobility: bool,
    /// Anything else, in words.
    pub other: Option<String>,
}

impl AccessibilityNeeds {
    /// True when any need is recorded.
    pub fn any(&self) -> bool {
        self.large_print
            || self.easy_read
            || self.hearing
            || self.sight
            || self.mobility
            || !optional_is_blank(&self.other)
    }
}

/// A person on a caseload, as stored.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Person {
    pub id: PersonId,
    pub nhs_number: Option<NhsNumber>,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// How the person agrees to be contacted.
    pub contact_methods: Vec<ContactMethod>,
    /// Anything else about contact, e.g. "not before 10am, no voicemail".
    pub contact_notes: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    pub accessibility_needs: AccessibilityNeeds,
    pub gp_practice: Option<String>,
    pub assigned_link_worker: Option<UserId>,
}
crate::debug_without_personal_data!(Person { id, assigned_link_worker });

/// A person as entered in a form, before it has an id. The NHS number is the text as typed.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct NewPerson {
    /// As typed (spaces and dashes allowed); blank means not known.
    pub nhs_number: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub address: Option<Address>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact_methods: Vec<ContactMethod>,
    pub contact_notes: Option<String>,
    pub preferred_language: Option<String>,
    pub interpreter_needed: bool,
    pub accessibility_needs: AccessibilityNeeds,
    pub gp_practice: Option<String>,
    pub assigned_link_worker: Option<UserId>,
}
crate::debug_without_personal_data!(NewPerson { assigned_link_worker });

impl NewPerson {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        self.clone().into_person(PersonId::new(), today).map(|_| ())
    }

    /// Validates and makes the stored person, with blank optional text turned into `None`.
    pub fn into_person(self, id: PersonId, today: NaiveDate) -> Result<Person, DomainError> {
        let nhs_number = match self.nhs_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(NhsNumber::parse(text)?),
        };
        let person = Person {
            id,
            nhs_number,
            given_name: self.given_name.trim().to_owned(),
            family_name: self.family_name.trim().to_owned(),
            preferred_name: non_blank(self.preferred_name),
            pronouns: non_blank(self.pronouns),
            date_of_birth: self.date_of_birth,
            address: self.address.filter(|address| !is_blank(&address.line_1)),
            phone: non_blank(self.phone),
            email: non_blank(self.email),
            contact_methods: self.contact_methods,
            contact_notes: non_blank(self.contact_notes),
            preferred_language: non_blank(self.preferred_language),
            interpreter_needed: self.interpreter_needed,
            accessibility_needs: self.accessibility_needs,
            gp_practice: non_blank(self.gp_practice),
            assigned_link_worker: self.assigned_link_worker,
        };
        person.validate(today)?;
        Ok(person)
    }
}

impl Person {
    /// Checks a stored or edited person.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        require("given name", &self.given_name)?;
        require("family name", &self.family_name)?;
        if let Some(born) = self.date_of_birth {
            validate_date_of_birth(born, today)?;
        }
        if let Some(phone) = &self.phone {
            validate_phone(phone)?;
        }
        if let Some(email) = &self.email {
            validate_email(email)?;
        }
        for method in &self.contact_methods {
            let has_detail = match method {
                ContactMethod::Phone | ContactMethod::TextMessage => {
                    !optional_is_blank(&self.phone)
                }
                ContactMethod::Email => !optional_is_blank(&self.email),
                ContactMethod::Letter | ContactMethod::HomeVisit => {
                    self.address.as_ref().is_some_and(|address| !is_blank(&address.line_1))
                }
            };
            if !has_detail {
                return Err(DomainError::ContactMethodWithoutDetails { method: *method });
            }
        }
        if self.interpreter_needed && optional_is_blank(&self.preferred_language) {
            return Err(DomainError::InterpreterWithoutLanguage);
        }
        Ok(())
    }

    /// The name to use when speaking to the person: the preferred name if any.
    pub fn display_name(&self) -> String {
        match &self.preferred_name {
            Some(preferred) if !is_blank(preferred) => {
                format!("{} {}", preferred.trim(), self.family_name)
            }
            _ => format!("{} {}", self.given_name, self.family_name),
        }
    }

    /// Age in whole years on `today`, if the date of birth is known.
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        self.date_of_birth.and_then(|born| today.years_since(born))
    }
}

fn non_blank(text: Option<String>) -> Option<String> {
    text.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty())
}

/// A date of birth must not be in the future or more than [`MAX_AGE_YEARS`] ago.
pub fn validate_date_of_birth(born: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if born > today {
        return Err(DomainError::DateInFuture { field: "date of birth" });
    }
    let oldest_year = today.year() - MAX_AGE_YEARS;
    let oldest =
        today.with_year(oldest_year).or_else(|| NaiveDate::from_ymd_opt(oldest_year, 3, 1));
    if oldest.is_some_and(|oldest| born < oldest) {
        return Err(DomainError::DateOfBirthTooLongAgo { max_years: MAX_AGE_YEARS });
    }
    Ok(())
}

/// A phone number: digits with optional spaces, dashes, brackets and one leading `+`,
/// 10 to 15 digits in all (UK numbers have 10 or 11; international up to 15).
pub fn validate_phone(phone: &str) -> Result<(), DomainError> {
    let phone = phone.trim();
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let mut digits = 0usize;
    for character in rest.chars() {
        match character {
            '0'..='9' => digits += 1,
            ' ' | '-' | '(' | ')' => {}
            _ => return Err(DomainError::InvalidPhone { digits: None }),
        }
    }
    if !(10..=15).contains(&digits) {
        return Err(DomainError::InvalidPhone { digits: Some(digits) });
    }
    Ok(())
}

/// An email address: one `@`, something before it, a dotted domain after it, no spaces.
pub fn validate_email(email: &str) -> Result<(), DomainError> {
    let email = email.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err(DomainError::InvalidEmail)
    }
}
