//! Referrals, with every status change kept in `referral_status_history` as a record of its
//! own that syncs like a note.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::person::Person;
use kith_domain::referral::{NewReferral, Referral, ReferralStatus};
use kith_domain::{PersonId, ReferralId, UserId};

use kith_protocol::RecordKind;

use crate::records::{self, date_text, enum_text, StoredRecord};
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Referral {
    const KIND: &'static str = "referral";
    const TABLE: &'static str = "referrals";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Referral;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![("status", enum_text(&self.status)), ("received_on", date_text(self.received_on))]
    }
}

/// One entry of a referral's status history: an insert-only record of its own, synced to
/// every device that holds the person (wire kind `history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralStatusChange {
    pub id: Uuid,
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub changed_at: String,
    pub changed_by: UserId,
}

impl StoredRecord for ReferralStatusChange {
    const KIND: &'static str = "referral_status_change";
    const TABLE: &'static str = "referral_status_history";
    const EDITABLE: bool = false;
    const WIRE: RecordKind = RecordKind::History;
    fn record_id(&self) -> Uuid {
        self.id
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("referral_id", Value::Text(self.referral_id.to_string())),
            ("changed_at", Value::Text(self.changed_at.clone())),
        ]
    }
}

fn append_history(
    change: &Change<'_>,
    referral: &Referral,
    from: Option<ReferralStatus>,
) -> Result<(), StoreError> {
    change.insert_unaudited(&ReferralStatusChange {
        id: Uuid::now_v7(),
        referral_id: referral.id,
        person_id: referral.person_id,
        from,
        to: referral.status,
        changed_at: change.now_text.clone(),
        changed_by: change.user,
    })
}

impl Store {
    /// Validates and records a referral for a person; it starts as `new`.
    pub fn add_referral(
        &self,
        person_id: PersonId,
        new_referral: NewReferral,
    ) -> Result<Referral, StoreError> {
        self.write(|change| {
            let _person: Person = change.require(person_id.as_uuid())?;
            let referral =
                new_referral.into_referral(ReferralId::new(), person_id, change.today())?;
            change.insert(&referral)?;
            append_history(change, &referral, None)?;
            Ok(referral)
        })
    }

    /// Moves a referral to a new status; only the allowed transitions are accepted.
    pub fn move_referral(
        &self,
        id: ReferralId,
        to: ReferralStatus,
    ) -> Result<Referral, StoreError> {
        self.write(|change| {
            let mut referral: Referral = change.require(id.as_uuid())?;
            let from = referral.status;
            referral.move_to(to)?;
            change.update(&referral)?;
            append_history(change, &referral, Some(from))?;
            Ok(referral)
        })
    }

    /// One referral (audited read).
    pub fn referral(&self, id: ReferralId) -> Result<Referral, StoreError> {
        self.read_audited(id.as_uuid())
    }

    /// A person's referrals (audited read).
    pub fn referrals_for(&self, person_id: PersonId) -> Result<Vec<Referral>, StoreError> {
        self.list_audited(person_id)
    }

    /// The status history of a referral, oldest first (as written, on whichever device).
    pub fn referral_history(
        &self,
        id: ReferralId,
    ) -> Result<Vec<ReferralStatusChange>, StoreError> {
        records::decode_rows(
            &self.connection,
            "SELECT data FROM referral_status_history WHERE referral_id = ?1
             ORDER BY changed_at, id",
            [id.to_string()],
        )
    }
}
