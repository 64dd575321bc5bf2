//! Sync conflicts as the app shows them, and resolving one: the same field edited on two
//! laptops before either saw the other's edit. Both values are kept (the later one shows); a
//! person chooses which stays, and the choice syncs to every laptop.
//!
//! A supervisor's laptop holds the whole practice, so it lists the practice's conflicts; a
//! link worker's holds their own people, so it lists theirs. Listing is offline: who wrote a
//! value comes from the device owner records every laptop announces when it joins.

use chrono::{DateTime, NaiveDate, Utc};
use kith_domain::{PersonId, UserId};
use kith_store::SyncConflict;
use kith_sync::Stamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::practice::Membership;
use crate::{CoreError, Kith};

/// One conflict, ready to show.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictView {
    /// Pass it back to [`Kith::resolve_conflict`].
    pub id: String,
    /// Whose record it is (none for practice-wide records, e.g. a directory entry).
    pub person: Option<ConflictPerson>,
    /// What kind of record, in words: "personal details", "care plan"...
    pub record_kind: String,
    /// Which field, in words: "phone number", "plan review date"...
    pub field: String,
    /// The value the record shows now.
    pub current: ConflictValue,
    /// The value that lost: kept until someone chooses.
    pub losing: ConflictValue,
}

impl std::fmt::Debug for ConflictView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConflictView")
            .field("id", &self.id)
            .field("record_kind", &self.record_kind)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// The person a conflicting record belongs to.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictPerson {
    pub id: PersonId,
    /// Their display name; `None` if their own record has not reached this laptop.
    pub name: Option<String>,
}

/// One side of a conflict.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConflictValue {
    /// The value as text to show ("nothing recorded" for an empty field).
    pub text: String,
    /// Who wrote it, when their laptop has announced itself here.
    pub written_by: Option<UserId>,
    /// Who wrote it, in words: "you", "a supervisor", "a link worker", or "another laptop".
    pub written_by_words: String,
    /// When it was written (the writing laptop's clock, corrected by the hybrid logical clock).
    pub written_at: DateTime<Utc>,
}

/// Which value to keep when resolving a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeepValue {
    /// Keep what the record shows now.
    Current,
    /// Keep the value that lost.
    Losing,
}

impl Kith {
    /// The unresolved conflicts this laptop holds, by record and field.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>, CoreError> {
        let store = self.store()?;
        let me = store.current_user();
        let mut authors = std::collections::BTreeMap::new();
        let mut views = Vec::new();
        for conflict in store.sync_conflict_details()? {
            let mut side = |value: &Value, stamp: Stamp| -> Result<ConflictValue, CoreError> {
                let owner = match authors.get(&stamp.device_id) {
                    Some(owner) => Clone::clone(owner),
                    None => {
                        let owner = store.device_owner(stamp.device_id)?;
                        authors.insert(stamp.device_id, owner.clone());
                        owner
                    }
                };
                let written_by_words = match &owner {
                    Some(owner) if Some(owner.user_id) == me => "you",
                    Some(owner) if owner.role == "supervisor" => "a supervisor",
                    Some(owner) if owner.role == "link_worker" => "a link worker",
                    _ => "another laptop",
                };
                Ok(ConflictValue {
                    text: value_text(value),
                    written_by: owner.map(|owner| owner.user_id),
                    written_by_words: written_by_words.to_owned(),
                    written_at: i64::try_from(stamp.hlc.wall_ms)
                        .ok()
                        .and_then(DateTime::from_timestamp_millis)
                        .unwrap_or_default(),
                })
            };
            let current = side(&conflict.current_value, conflict.current)?;
            let losing = side(&conflict.losing_value, conflict.losing)?;
            let kind = conflict.store_kind.as_deref().unwrap_or("");
            views.push(ConflictView {
                id: conflict_id(&conflict),
                person: conflict
                    .person_id
                    .map(|id| ConflictPerson { id, name: conflict.person_name.clone() }),
                record_kind: record_kind_words(kind).to_owned(),
                field: field_words(kind, &conflict.field),
                current,
                losing,
            });
        }
        Ok(views)
    }

    /// Resolves a conflict from [`Kith::conflicts`], keeping the current or the losing value;
    /// the choice syncs to every laptop, where the conflict then disappears too. Resolving a
    /// field resolves all its conflicts (a field edited on three laptops has two).
    ///
    /// [`CoreError::NotFound`] when the conflict is no longer there as shown (someone resolved
    /// it, or a newer edit arrived): list the conflicts again.
    pub fn resolve_conflict(&self, id: &str, keep: KeepValue) -> Result<(), CoreError> {
        let store = self.store()?;
        let conflict = store
            .sync_conflict_details()?
            .into_iter()
            .find(|conflict| conflict_id(conflict) == id)
            .ok_or(CoreError::NotFound { what: "That conflict" })?;
        if let Some(membership) = Membership::load(store)? {
            store.record_device_owner(membership.role.as_str())?;
        }
        let chosen = match keep {
            KeepValue::Current => conflict.current_value,
            KeepValue::Losing => conflict.losing_value,
        };
        store.resolve_sync_conflict(conflict.record_id, &conflict.field, chosen)?;
        self.changed();
        Ok(())
    }
}

/// `record/field/current stamp/losing stamp`: names exactly what was shown, so a conflict
/// that changed since (a newer edit) is not resolved blind.
fn conflict_id(conflict: &SyncConflict) -> String {
    format!(
        "{}/{}/{}/{}",
        conflict.record_id,
        conflict.field,
        conflict.current.encode(),
        conflict.losing.encode()
    )
}

/// What kind of record, in words.
fn record_kind_words(store_kind: &str) -> &'static str {
    match store_kind {
        "person" => "personal details",
        "referral" => "referral",
        "conversation" => "\"What matters to you\" conversation",
        "session" => "session",
        "care_plan" => "care plan",
        "discharge" => "discharge",
        "concern" => "safeguarding concern",
        "connection" => "community connection",
        "community_service" => "directory entry",
        _ => "record",
    }
}

/// Field names in words: first for the kind of record, then for any record.
const FIELD_WORDS_BY_KIND: &[(&str, &str, &str)] = &[
    ("care_plan", "review_on", "plan review date"),
    ("care_plan", "starts_on", "plan start date"),
    ("care_plan", "agreed_on", "date the plan was agreed"),
    ("care_plan", "status", "plan status"),
    ("care_plan", "goals", "goals"),
    ("care_plan", "planned_sessions", "number of planned sessions"),
    ("care_plan", "planned_sessions_reason", "reason for the number of sessions"),
    ("session", "date", "session date"),
    ("session", "start_time", "start time"),
    ("session", "kind", "kind of session"),
    ("session", "status", "session status"),
    ("session", "link_worker", "link worker"),
    ("referral", "status", "referral status"),
    ("referral", "reason", "reason for referral"),
    ("concern", "status", "concern status"),
    ("concern", "kind", "kind of concern"),
    ("connection", "status", "connection status"),
    ("connection", "kind", "kind of connection"),
    ("connection", "notes", "connection notes"),
    ("community_service", "name", "service name"),
    ("community_service", "phone", "service phone number"),
];

const FIELD_WORDS: &[(&str, &str)] = &[
    ("nhs_number", "NHS number"),
    ("given_name", "first name"),
    ("family_name", "last name"),
    ("preferred_name", "preferred name"),
    ("date_of_birth", "date of birth"),
    ("phone", "phone number"),
    ("email", "email address"),
    ("contact_methods", "how they can be contacted"),
    ("contact_notes", "contact notes"),
    ("preferred_language", "preferred language"),
    ("interpreter_needed", "interpreter needed"),
    ("accessibility_needs", "accessibility needs"),
    ("gp_practice", "GP practice"),
    ("assigned_link_worker", "link worker"),
    ("received_on", "date received"),
    ("consent_to_referral", "consent to referral"),
    ("held_on", "date of the conversation"),
    ("duration_minutes", "duration in minutes"),
    ("what_matters", "what matters to them"),
    ("wants_to_change", "what they want to change"),
    ("connections_to_try", "connections to try"),
    ("discharged_on", "discharge date"),
    ("closing_summary", "closing summary"),
    ("made_on", "date made"),
    ("status_changed_on", "date the status changed"),
    ("deleted", "whether it is deleted"),
];

/// A field in words: from the tables, else its name with spaces.
fn field_words(store_kind: &str, field: &str) -> String {
    FIELD_WORDS_BY_KIND
        .iter()
        .find(|(kind, name, _)| *kind == store_kind && *name == field)
        .map(|(_, _, words)| *words)
        .or_else(|| FIELD_WORDS.iter().find(|(name, _)| *name == field).map(|(_, words)| *words))
        .map_or_else(|| field.replace('_', " "), str::to_owned)
}

/// A stored value as text to show.
fn value_text(value: &Value) -> String {
    let text = plain_text(value);
    if text.is_empty() {
        "nothing recorded".to_owned()
    } else {
        text
    }
}

fn plain_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => string_text(text),
        Value::Array(items) => {
            items.iter().map(plain_text).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("; ")
        }
        Value::Object(map) => map
            .iter()
            .filter_map(|(key, item)| match item {
                Value::Null | Value::Bool(false) => None,
                Value::Bool(true) => Some(key.replace('_', " ")),
                Value::String(_) => Some(plain_text(item)),
                _ => Some(format!("{}: {}", key.replace('_', " "), plain_text(item))),
            })
            .filter(|text| !text.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A date reads as "3 March 2025"; a code like `home_visit` as "home visit"; other text as is.
fn string_text(text: &str) -> String {
    if text.len() == 10 {
        if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return date.format("%-d %B %Y").to_string();
        }
    }
    let is_code = text.contains('_')
        && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && !text.starts_with('_')
        && !text.ends_with('_');
    if is_code {
        text.replace('_', " ")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_words() {
        let cases = [
            (json!(null), "nothing recorded"),
            (json!(""), "nothing recorded"),
            (json!("01632 960001"), "01632 960001"),
            (json!("2025-03-03"), "3 March 2025"),
            (json!("home_visit"), "home visit"),
            (json!("Okafor_Smith"), "Okafor_Smith"),
            (json!(true), "yes"),
            (json!(12), "12"),
            (json!(["phone", "letter"]), "phone; letter"),
            (json!([]), "nothing recorded"),
            (
                json!({"line1": "12 High Street", "town": "Ashbridge", "postcode": null}),
                "12 High Street, Ashbridge",
            ),
            (json!({"large_print": true, "hearing": false, "other": null}), "large print"),
        ];
        for (value, words) in cases {
            assert_eq!(value_text(&value), words, "{value}");
        }
    }

    #[test]
    fn fields_read_as_words_for_their_kind_of_record() {
        assert_eq!(field_words("person", "phone"), "phone number");
        assert_eq!(field_words("care_plan", "review_on"), "plan review date");
        assert_eq!(field_words("session", "status"), "session status");
        assert_eq!(field_words("referral", "status"), "referral status");
        assert_eq!(field_words("person", "nhs_number"), "NHS number");
        assert_eq!(field_words("person", "some_new_field"), "some new field");
        assert_eq!(record_kind_words("care_plan"), "care plan");
        assert_eq!(record_kind_words("spaceship"), "record");
    }

    #[test]
    fn debug_shows_no_values_or_names() {
        let side = |text: &str| ConflictValue {
            text: text.to_owned(),
            written_by: None,
            written_by_words: "you".into(),
            written_at: DateTime::default(),
        };
        let view = ConflictView {
            id: "x".into(),
            person: Some(ConflictPerson { id: PersonId::new(), name: Some("Margaret".into()) }),
            record_kind: "personal details".into(),
            field: "phone number".into(),
            current: side("01632 960001"),
            losing: side("01632 960002"),
        };
        let debug = format!("{view:?}");
        assert!(!debug.contains("Margaret") && !debug.contains("01632"), "{debug}");
    }
}
