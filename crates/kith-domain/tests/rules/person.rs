//! People: validation of each field, the NHS number as typed, and no personal data in Debug.

use kith_domain::person::*;
use kith_domain::{DomainError, PersonId};

use super::{date, today};

fn valid() -> NewPerson {
    NewPerson {
        nhs_number: Some("943 476 5919".into()),
        given_name: "Margaret".into(),
        family_name: "Oduya".into(),
        preferred_name: Some("Peggy".into()),
        pronouns: Some("she/her".into()),
        date_of_birth: Some(date(1941, 6, 2)),
        address: Some(Address {
            line_1: "4 Mill Lane".into(),
            line_2: None,
            town: Some("Leeds".into()),
            postcode: Some("LS6 2AB".into()),
        }),
        phone: Some("0113 496 0000".into()),
        email: None,
        contact_methods: vec![ContactMethod::Phone, ContactMethod::HomeVisit],
        contact_notes: None,
        preferred_language: Some("English".into()),
        interpreter_needed: false,
        accessibility_needs: AccessibilityNeeds { large_print: true, ..Default::default() },
        gp_practice: Some("Mill Lane Surgery".into()),
        assigned_link_worker: None,
    }
}

#[test]
fn person_validation_table() {
    type Change = fn(&mut NewPerson);
    let cases: Vec<(&str, Change, Option<DomainError>)> = vec![
        ("valid", |_| {}, None),
        ("no NHS number", |p| p.nhs_number = None, None),
        ("blank NHS number", |p| p.nhs_number = Some("  ".into()), None),
        (
            "NHS number with 9 digits",
            |p| p.nhs_number = Some("943 476 591".into()),
            Some(DomainError::NhsNumberWrongLength { digits: 9 }),
        ),
        (
            "NHS number mistyped",
            |p| p.nhs_number = Some("943 476 5918".into()),
            Some(DomainError::NhsNumberCheckDigitMismatch),
        ),
        (
            "no given name",
            |p| p.given_name = " ".into(),
            Some(DomainError::Required { field: "given name" }),
        ),
        (
            "no family name",
            |p| p.family_name = "".into(),
            Some(DomainError::Required { field: "family name" }),
        ),
        (
            "born tomorrow",
            |p| p.date_of_birth = Some(date(2025, 3, 15)),
            Some(DomainError::DateInFuture { field: "date of birth" }),
        ),
        ("born today", |p| p.date_of_birth = Some(date(2025, 3, 14)), None),
        (
            "born 121 years ago",
            |p| p.date_of_birth = Some(date(1904, 3, 13)),
            Some(DomainError::DateOfBirthTooLongAgo { max_years: 120 }),
        ),
        ("born 120 years ago", |p| p.date_of_birth = Some(date(1905, 3, 14)), None),
        (
            "phone too short",
            |p| p.phone = Some("0113 496".into()),
            Some(DomainError::InvalidPhone { digits: Some(7) }),
        ),
        (
            "phone with letters",
            |p| p.phone = Some("0113 CALL ME".into()),
            Some(DomainError::InvalidPhone { digits: None }),
        ),
        ("international phone", |p| p.phone = Some("+44 (0)113 496-0000".into()), None),
        (
            "bad email",
            |p| p.email = Some("peggy.example.org".into()),
            Some(DomainError::InvalidEmail),
        ),
        (
            "email without domain dot",
            |p| p.email = Some("peggy@localhost".into()),
            Some(DomainError::InvalidEmail),
        ),
        (
            "email with a space",
            |p| p.email = Some("peg gy@example.org".into()),
            Some(DomainError::InvalidEmail),
        ),
        ("good email", |p| p.email = Some("peggy@example.org".into()), None),
        (
            "email contact without an email",
            |p| p.contact_methods.push(ContactMethod::Email),
            Some(DomainError::ContactMethodWithoutDetails { method: ContactMethod::Email }),
        ),
        (
            "text messages without a phone",
            |p| {
                p.phone = None;
                p.contact_methods = vec![ContactMethod::TextMessage];
            },
            Some(DomainError::ContactMethodWithoutDetails { method: ContactMethod::TextMessage }),
        ),
        (
            "home visits without an address",
            |p| p.address = None,
            Some(DomainError::ContactMethodWithoutDetails { method: ContactMethod::HomeVisit }),
        ),
        (
            "interpreter without a language",
            |p| {
                p.interpreter_needed = true;
                p.preferred_language = None;
            },
            Some(DomainError::InterpreterWithoutLanguage),
        ),
        (
            "interpreter with a language",
            |p| {
                p.interpreter_needed = true;
                p.preferred_language = Some("Somali".into());
            },
            None,
        ),
    ];
    for (name, change, expected) in cases {
        let mut person = valid();
        change(&mut person);
        assert_eq!(person.validate(today()).err(), expected, "{name}");
    }
}

#[test]
fn into_person_keeps_the_checked_values() {
    let id = PersonId::new();
    let person = valid().into_person(id, today()).unwrap();
    assert_eq!(person.id, id);
    assert_eq!(person.nhs_number.as_ref().unwrap().to_string(), "943 476 5919");
    assert_eq!(person.display_name(), "Peggy Oduya");
    assert_eq!(person.age_on(today()), Some(83));
    assert!(person.accessibility_needs.any());
    let mut blank_extras = valid();
    blank_extras.pronouns = Some("  ".into());
    blank_extras.preferred_name = Some(String::new());
    let person = blank_extras.into_person(PersonId::new(), today()).unwrap();
    assert_eq!(person.pronouns, None);
    assert_eq!(person.display_name(), "Margaret Oduya");
}

#[test]
fn error_messages_say_how_to_fix() {
    assert_eq!(
        DomainError::ContactMethodWithoutDetails { method: ContactMethod::Email }.to_string(),
        "The person may be contacted by email, but no email address is recorded: add it, or \
         untick email"
    );
    assert_eq!(
        DomainError::InvalidPhone { digits: Some(7) }.to_string(),
        "Phone number must have 10 to 15 digits, with only spaces, dashes, brackets and a \
         leading + besides; you entered 7 digits"
    );
}

#[test]
fn debug_shows_no_personal_data() {
    let person = valid().into_person(PersonId::new(), today()).unwrap();
    let shown = format!("{person:?} {:?}", valid());
    for secret in ["Margaret", "Oduya", "Peggy", "9434765919", "Mill Lane", "0113", "1941"] {
        assert!(!shown.contains(secret), "Debug shows {secret}: {shown}");
    }
    assert!(shown.contains(&person.id.to_string()));
}
