//! Notes: append-only. A correction is a new note that points at the note it amends, and
//! the original is kept.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{NoteId, PersonId, UserId};

/// A note as stored. Never edited after it is written.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Note {
    pub id: NoteId,
    pub person_id: PersonId,
    pub author: UserId,
    pub written_at: DateTime<Utc>,
    pub body: String,
    /// The note this one corrects, if it is an amendment.
    pub amends: Option<NoteId>,
}
crate::debug_without_personal_data!(Note { id, person_id, author, written_at, amends });

/// A note as written in the app, before it has an id.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NewNote {
    pub person_id: PersonId,
    pub body: String,
    pub amends: Option<NoteId>,
}
crate::debug_without_personal_data!(NewNote { person_id, amends });

impl NewNote {
    /// Checks the note. `amended` is the stored note that `self.amends` names, looked up by
    /// the caller (`None` if there is no such note). An empty body is refused; an amendment
    /// must name a note that exists and belongs to the same person.
    pub fn validate(&self, amended: Option<&Note>) -> Result<(), DomainError> {
        if self.body.trim().is_empty() {
            return Err(DomainError::EmptyNote);
        }
        if let Some(target_id) = self.amends {
            let target = match amended {
                Some(target) if target.id == target_id => target,
                _ => return Err(DomainError::AmendedNoteNotFound { note_id: target_id }),
            };
            if target.person_id != self.person_id {
                return Err(DomainError::AmendmentForAnotherPerson);
            }
        }
        Ok(())
    }

    /// Validates and makes the stored note.
    pub fn into_note(
        self,
        id: NoteId,
        author: UserId,
        now: DateTime<Utc>,
        amended: Option<&Note>,
    ) -> Result<Note, DomainError> {
        self.validate(amended)?;
        Ok(Note {
            id,
            person_id: self.person_id,
            author,
            written_at: now,
            body: self.body,
            amends: self.amends,
        })
    }
}

/// Checks a new note against all the person's existing notes (the store's view).
pub fn validate_against(new_note: &NewNote, existing: &[Note]) -> Result<(), DomainError> {
    let amended = new_note.amends.and_then(|target| existing.iter().find(|note| note.id == target));
    new_note.validate(amended)
}

/// The ids of notes that a later note amends: the UI shows these as "amended", with the
/// correction beside them.
pub fn amended_note_ids(notes: &[Note]) -> HashSet<NoteId> {
    notes.iter().filter_map(|note| note.amends).collect()
}

/// The chain of versions ending at `note_id`: the original first, then each amendment up
/// to `note_id`. Stops at a missing link or a loop.
pub fn amendment_chain(notes: &[Note], note_id: NoteId) -> Vec<&Note> {
    let mut chain = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(note_id);
    while let Some(id) = next {
        if !seen.insert(id) {
            break;
        }
        match notes.iter().find(|note| note.id == id) {
            Some(note) => {
                chain.push(note);
                next = note.amends;
            }
            None => break,
        }
    }
    chain.reverse();
    chain
}
