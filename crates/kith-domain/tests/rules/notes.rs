//! Notes: empty bodies refused, amendments must name an existing note of the same person.

use kith_domain::note::*;
use kith_domain::{DomainError, NoteId, PersonId, UserId};

use super::at;

fn note(person_id: PersonId, body: &str, amends: Option<NoteId>, hour: u32) -> Note {
    Note {
        id: NoteId::new(),
        person_id,
        author: UserId::new(),
        written_at: at(2025, 3, 14, hour),
        body: body.into(),
        amends,
    }
}

#[test]
fn note_rules_table() {
    let person = PersonId::new();
    let original = note(person, "Visited at home; talked about the garden.", None, 9);
    let someone_else = note(PersonId::new(), "Phone call.", None, 10);
    let existing = vec![original.clone(), someone_else.clone()];
    let missing = NoteId::new();
    let cases = [
        (
            "plain note",
            NewNote { person_id: person, body: "Rang to confirm Tuesday.".into(), amends: None },
            None,
        ),
        (
            "empty",
            NewNote { person_id: person, body: "".into(), amends: None },
            Some(DomainError::EmptyNote),
        ),
        (
            "blank",
            NewNote { person_id: person, body: " \n\t".into(), amends: None },
            Some(DomainError::EmptyNote),
        ),
        (
            "amendment",
            NewNote {
                person_id: person,
                body: "Correction: the allotment, not the garden.".into(),
                amends: Some(original.id),
            },
            None,
        ),
        (
            "amendment of a missing note",
            NewNote { person_id: person, body: "Correction.".into(), amends: Some(missing) },
            Some(DomainError::AmendedNoteNotFound { note_id: missing }),
        ),
        (
            "amendment of another person's note",
            NewNote {
                person_id: person,
                body: "Correction.".into(),
                amends: Some(someone_else.id),
            },
            Some(DomainError::AmendmentForAnotherPerson),
        ),
    ];
    for (name, new_note, expected) in cases {
        assert_eq!(validate_against(&new_note, &existing).err(), expected, "{name}");
    }
}

#[test]
fn validate_refuses_a_looked_up_note_that_is_not_the_target() {
    let person = PersonId::new();
    let wrong = note(person, "Something else", None, 9);
    let target = NoteId::new();
    let new_note = NewNote { person_id: person, body: "Fix".into(), amends: Some(target) };
    assert_eq!(
        new_note.validate(Some(&wrong)),
        Err(DomainError::AmendedNoteNotFound { note_id: target })
    );
    assert_eq!(new_note.validate(None), Err(DomainError::AmendedNoteNotFound { note_id: target }));
    let message = DomainError::AmendedNoteNotFound { note_id: target }.to_string();
    assert!(message.contains("does not exist"), "{message}");
}

#[test]
fn an_amendment_keeps_the_original_and_chains() {
    let person = PersonId::new();
    let original = note(person, "First version", None, 9);
    let fix =
        NewNote { person_id: person, body: "Second version".into(), amends: Some(original.id) }
            .into_note(NoteId::new(), UserId::new(), at(2025, 3, 14, 11), Some(&original))
            .unwrap();
    let fix_again =
        NewNote { person_id: person, body: "Third version".into(), amends: Some(fix.id) }
            .into_note(NoteId::new(), UserId::new(), at(2025, 3, 14, 12), Some(&fix))
            .unwrap();
    let notes = vec![original.clone(), fix.clone(), fix_again.clone()];
    let chain: Vec<&str> =
        amendment_chain(&notes, fix_again.id).iter().map(|n| n.body.as_str()).collect();
    assert_eq!(chain, ["First version", "Second version", "Third version"]);
    let amended = amended_note_ids(&notes);
    assert!(amended.contains(&original.id) && amended.contains(&fix.id));
    assert!(!amended.contains(&fix_again.id));
    assert_eq!(original.body, "First version", "the original is never changed");
    let shown = format!("{fix:?}");
    assert!(!shown.contains("version"), "Debug must not show the note text: {shown}");
}
