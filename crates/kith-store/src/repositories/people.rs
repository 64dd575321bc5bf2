//! People: add, update, read (audited), tombstone; kept in the people search index.

use rusqlite::types::Value;
use rusqlite::Connection;
use uuid::Uuid;

use kith_domain::person::{NewPerson, Person};
use kith_domain::{PersonId, UserId};

use kith_protocol::RecordKind;

use crate::records::{decode_rows, optional_id, Projected, StoredRecord};
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Person {
    const KIND: &'static str = "person";
    const TABLE: &'static str = "people";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Person;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("assigned_link_worker", optional_id(self.assigned_link_worker.map(Uuid::from))),
            ("display_name", Value::Text(self.display_name())),
        ]
    }
    fn reindex_after_sync(
        &self,
        connection: &Connection,
        deleted: bool,
        _written: Projected,
    ) -> Result<(), StoreError> {
        if deleted {
            connection.execute(
                "DELETE FROM people_search WHERE rowid = (SELECT rowid FROM people WHERE id = ?1)",
                [self.id.to_string()],
            )?;
            return Ok(());
        }
        reindex(connection, self, true)
    }
}

/// The text indexed for a person: names, preferred name and NHS number.
fn search_text(person: &Person) -> String {
    let mut text = format!("{} {}", person.given_name, person.family_name);
    for extra in [person.preferred_name.as_deref(), person.nhs_number.as_ref().map(|n| n.digits())]
        .into_iter()
        .flatten()
    {
        text.push(' ');
        text.push_str(extra);
    }
    text
}

fn reindex(connection: &Connection, person: &Person, remove_old: bool) -> Result<(), StoreError> {
    let rowid: i64 = connection.query_row(
        "SELECT rowid FROM people WHERE id = ?1",
        [person.id.to_string()],
        |row| row.get(0),
    )?;
    if remove_old {
        connection.execute("DELETE FROM people_search WHERE rowid = ?1", [rowid])?;
    }
    connection.execute(
        "INSERT INTO people_search (rowid, names) VALUES (?1, ?2)",
        rusqlite::params![rowid, search_text(person)],
    )?;
    Ok(())
}

impl Store {
    /// Validates and adds a person (the NHS number is checked here).
    pub fn add_person(&self, new_person: NewPerson) -> Result<Person, StoreError> {
        self.write(|change: &Change<'_>| {
            let person = new_person.into_person(PersonId::new(), change.today())?;
            change.insert(&person)?;
            reindex(&change.transaction, &person, false)?;
            Ok(person)
        })
    }

    /// Validates and saves changes to a person.
    pub fn update_person(&self, person: &Person) -> Result<(), StoreError> {
        self.write(|change| {
            person.validate(change.today())?;
            change.update(person)?;
            reindex(&change.transaction, person, true)
        })
    }

    /// A person's record (the read is audited).
    pub fn person(&self, id: PersonId) -> Result<Person, StoreError> {
        self.read_audited(id.as_uuid())
    }

    /// Tombstones a person: they disappear from lists and search; their records stay.
    pub fn delete_person(&self, id: PersonId) -> Result<(), StoreError> {
        self.write(|change| {
            let person: Person = change.require(id.as_uuid())?;
            change.execute_search_removal(&person)?;
            change.tombstone(&person)
        })
    }

    /// The people assigned to a link worker (or everyone), by name. Not audited: a list of
    /// names, not a record.
    pub fn people(&self, link_worker: Option<UserId>) -> Result<Vec<Person>, StoreError> {
        match link_worker {
            Some(user) => decode_rows(
                &self.connection,
                "SELECT data FROM people WHERE deleted_at IS NULL AND assigned_link_worker = ?1
                 ORDER BY display_name",
                [user.to_string()],
            ),
            None => decode_rows(
                &self.connection,
                "SELECT data FROM people WHERE deleted_at IS NULL ORDER BY display_name",
                [],
            ),
        }
    }
}

impl Change<'_> {
    fn execute_search_removal(&self, person: &Person) -> Result<(), StoreError> {
        self.transaction.execute(
            "DELETE FROM people_search WHERE rowid = (SELECT rowid FROM people WHERE id = ?1)",
            [person.id.to_string()],
        )?;
        Ok(())
    }
}
