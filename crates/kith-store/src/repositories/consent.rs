//! Consent records: append-only history; the current state is computed by kith-domain.

use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::consent::{current_consents, validate_new_record, ConsentRecord, CurrentConsent};
use kith_domain::PersonId;

use kith_protocol::RecordKind;

use crate::records::{self, date_text, StoredRecord};
use crate::repositories::care::require_person;
use crate::{Store, StoreError};

impl StoredRecord for ConsentRecord {
    const KIND: &'static str = "consent";
    const TABLE: &'static str = "consent_records";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::Consent;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("decided_on", date_text(self.decided_on))]
    }
}

impl Store {
    /// Records consent given or withdrawn (withdrawing needs consent currently given).
    pub fn record_consent(&self, record: &ConsentRecord) -> Result<(), StoreError> {
        self.write(|change| {
            require_person(change, record.person_id)?;
            let history: Vec<ConsentRecord> =
                records::list_for_person(&change.transaction, record.person_id)?;
            validate_new_record(&history, record, change.today())?;
            change.insert(record)
        })
    }

    /// A person's consent history, oldest first (audited read).
    pub fn consent_history(&self, person_id: PersonId) -> Result<Vec<ConsentRecord>, StoreError> {
        self.list_audited(person_id)
    }

    /// The current consent of each kind for a person (audited read).
    pub fn current_consents(&self, person_id: PersonId) -> Result<Vec<CurrentConsent>, StoreError> {
        Ok(current_consents(&self.consent_history(person_id)?))
    }
}
