//! Notes: append-only. An amendment is a new note pointing at the note it corrects; the
//! database refuses UPDATE and DELETE of notes with a trigger.

use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::note::{NewNote, Note};
use kith_domain::{NoteId, PersonId};

use kith_protocol::RecordKind;

use crate::records::{self, optional_id, Projected, StoredRecord};
use crate::{Store, StoreError};

impl StoredRecord for Note {
    const KIND: &'static str = "note";
    const TABLE: &'static str = "notes";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::Note;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("amends", optional_id(self.amends.map(Uuid::from))),
            ("written_at", Value::Text(self.written_at.to_rfc3339())),
        ]
    }
    fn reindex_after_sync(
        &self,
        connection: &rusqlite::Connection,
        _deleted: bool,
        written: Projected,
    ) -> Result<(), StoreError> {
        if written == Projected::Inserted {
            index_note(connection, self)?;
        }
        Ok(())
    }
}

/// Adds a note's body to the full-text index.
fn index_note(connection: &rusqlite::Connection, note: &Note) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO notes_search (rowid, body)
             VALUES ((SELECT rowid FROM notes WHERE id = ?1), ?2)",
        )?
        .execute(rusqlite::params![note.id.to_string(), note.body])?;
    Ok(())
}

impl Store {
    /// Writes a note (or an amendment) by the current user. The note it amends must exist
    /// and belong to the same person.
    pub fn add_note(&self, new_note: NewNote) -> Result<Note, StoreError> {
        self.write(|change| {
            let _person: kith_domain::person::Person =
                change.require(new_note.person_id.as_uuid())?;
            let amended: Option<Note> = match new_note.amends {
                Some(id) => records::get(&change.transaction, id.as_uuid())?,
                None => None,
            };
            let note =
                new_note.into_note(NoteId::new(), change.user, change.now, amended.as_ref())?;
            change.insert(&note)?;
            index_note(&change.transaction, &note)?;
            Ok(note)
        })
    }

    /// One note (audited read).
    pub fn note(&self, id: NoteId) -> Result<Note, StoreError> {
        self.read_audited(id.as_uuid())
    }

    /// A person's notes, oldest first, amendments included (audited read).
    pub fn notes_for(&self, person_id: PersonId) -> Result<Vec<Note>, StoreError> {
        self.list_audited(person_id)
    }
}
