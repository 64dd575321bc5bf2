//! Outcome measures: insert-only, and only complete questionnaires are stored.

use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::measures::Measure;
use kith_domain::PersonId;

use kith_protocol::RecordKind;

use crate::records::{date_text, enum_text, StoredRecord};
use crate::repositories::care::require_person;
use crate::{Store, StoreError};

impl StoredRecord for Measure {
    const KIND: &'static str = "measure";
    const TABLE: &'static str = "measures";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::Measure;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("kind", enum_text(&self.answers.kind())), ("taken_on", date_text(self.taken_on))]
    }
}

impl Store {
    /// Records a completed questionnaire. An answer out of range or a missing item is refused
    /// (an incomplete questionnaire has no score, so it is not a measure).
    pub fn record_measure(&self, measure: &Measure) -> Result<(), StoreError> {
        self.write(|change| {
            measure.validate(change.today())?;
            measure.score()?;
            require_person(change, measure.person_id)?;
            change.insert(measure)
        })
    }

    /// A person's measures, oldest first (audited read).
    pub fn measures_for(&self, person_id: PersonId) -> Result<Vec<Measure>, StoreError> {
        self.list_audited(person_id)
    }
}
