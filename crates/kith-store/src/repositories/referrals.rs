//! Referrals, with every status change kept in `referral_status_history`.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::person::Person;
use kith_domain::referral::{NewReferral, Referral, ReferralStatus};
use kith_domain::{PersonId, ReferralId, UserId};

use crate::records::{date_text, enum_text, StoredRecord};
use crate::store::Change;
use crate::{Store, StoreError};

impl StoredRecord for Referral {
    const KIND: &'static str = "referral";
    const TABLE: &'static str = "referrals";
    const EDITABLE: bool = true;
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

/// One entry of a referral's status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralStatusChange {
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub changed_at: String,
    pub changed_by: UserId,
}

fn append_history(
    change: &Change<'_>,
    referral: ReferralId,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
) -> Result<(), StoreError> {
    let status = |status: ReferralStatus| match enum_text(&status) {
        Value::Text(text) => text,
        _ => String::new(),
    };
    change.transaction.execute(
        "INSERT INTO referral_status_history (referral_id, from_status, to_status, changed_at, changed_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![
            referral.to_string(),
            from.map(status),
            status(to),
            change.now_text,
            change.user.to_string()
        ],
    )?;
    Ok(())
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
            append_history(change, referral.id, None, referral.status)?;
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
            append_history(change, id, Some(from), to)?;
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

    /// The status history of a referral, oldest first.
    pub fn referral_history(
        &self,
        id: ReferralId,
    ) -> Result<Vec<ReferralStatusChange>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT from_status, to_status, changed_at, changed_by FROM referral_status_history
             WHERE referral_id = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([id.to_string()], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let parse_status = |text: &str| {
            serde_json::from_value::<ReferralStatus>(serde_json::Value::String(text.to_owned()))
                .map_err(StoreError::from)
        };
        let mut history = Vec::new();
        for row in rows {
            let (from, to, changed_at, changed_by) = row?;
            history.push(ReferralStatusChange {
                from: from.as_deref().map(parse_status).transpose()?,
                to: parse_status(&to)?,
                changed_at,
                changed_by: changed_by
                    .parse()
                    .map_err(|_| StoreError::Decode("referral history user".into()))?,
            });
        }
        Ok(history)
    }
}
