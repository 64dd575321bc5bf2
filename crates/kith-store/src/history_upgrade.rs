//! Publishes, once, the referral and concern history a profile wrote before history synced
//! (migration 7 kept it in the `*_before_sync` tables): each row becomes a record of its own,
//! written to the outbox like any new one, and the old tables are dropped in the same
//! transaction, so it can neither happen twice nor half-way. This device's audit rows need
//! nothing here: they are published from the start of the log at the next push.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;
use uuid::Uuid;

use kith_domain::referral::ReferralStatus;
use kith_domain::{ConcernId, PersonId, ReferralId, UserId};

use crate::records::{self, StoredRecord};
use crate::repositories::{ConcernEvent, ReferralStatusChange};
use crate::store::Store;
use crate::{sync, StoreError};

const REFERRAL_HISTORY_BEFORE_SYNC: &str = "referral_status_history_before_sync";
const CONCERN_EVENTS_BEFORE_SYNC: &str = "concern_events_before_sync";

fn table_exists(connection: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(connection
        .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .query_row([name], |_| Ok(()))
        .optional()?
        .is_some())
}

fn bad(what: &str) -> StoreError {
    StoreError::Decode(format!("history from before sync: {what}"))
}

fn status(text: &str) -> Result<ReferralStatus, StoreError> {
    serde_json::from_value(Value::String(text.to_owned())).map_err(|_| bad("a status"))
}

/// Publishes the history kept from before sync, if there is any left.
pub(crate) fn publish_history_from_before_sync(store: &Store) -> Result<(), StoreError> {
    if !table_exists(&store.connection, REFERRAL_HISTORY_BEFORE_SYNC)? {
        return Ok(());
    }
    let transaction = rusqlite::Transaction::new_unchecked(
        &store.connection,
        rusqlite::TransactionBehavior::Immediate,
    )?;
    // Another connection to this profile may have done it while this one waited.
    if !table_exists(&transaction, REFERRAL_HISTORY_BEFORE_SYNC)? {
        return Ok(());
    }
    let referral_rows: Vec<(String, Option<String>, String, String, String, String)> = {
        let mut statement = transaction.prepare(
            "SELECT h.referral_id, h.from_status, h.to_status, h.changed_at, h.changed_by,
                    r.person_id
             FROM referral_status_history_before_sync h JOIN referrals r ON r.id = h.referral_id
             ORDER BY h.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (referral_id, from, to, changed_at, changed_by, person_id) in referral_rows {
        let change = ReferralStatusChange {
            id: Uuid::now_v7(),
            referral_id: referral_id.parse::<ReferralId>().map_err(|_| bad("a referral id"))?,
            person_id: person_id.parse::<PersonId>().map_err(|_| bad("a person id"))?,
            from: from.as_deref().map(status).transpose()?,
            to: status(&to)?,
            changed_at,
            changed_by: changed_by.parse::<UserId>().map_err(|_| bad("a user id"))?,
        };
        publish(store, &transaction, &change)?;
    }
    let concern_rows: Vec<(String, String, String, String, String, String)> = {
        let mut statement = transaction.prepare(
            "SELECT e.concern_id, e.event, e.at, e.by_user, c.person_id, c.data
             FROM concern_events_before_sync e JOIN concerns c ON c.id = e.concern_id
             ORDER BY e.id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (concern_id, event, at, by, person_id, concern_data) in concern_rows {
        let escalation = if event == "escalated" {
            let concern: Value = serde_json::from_str(&concern_data)?;
            concern.get("escalation").cloned().filter(|value| !value.is_null())
        } else {
            None
        };
        let text = |field: &str| {
            escalation
                .as_ref()
                .and_then(|e| e.get(field))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let step = ConcernEvent {
            id: Uuid::now_v7(),
            concern_id: concern_id.parse::<ConcernId>().map_err(|_| bad("a concern id"))?,
            person_id: person_id.parse::<PersonId>().map_err(|_| bad("a person id"))?,
            to_whom: text("to_whom"),
            reference: text("reference"),
            event,
            at,
            by: by.parse::<UserId>().map_err(|_| bad("a user id"))?,
        };
        publish(store, &transaction, &step)?;
    }
    transaction.execute_batch(&format!(
        "DROP TABLE {REFERRAL_HISTORY_BEFORE_SYNC}; DROP TABLE {CONCERN_EVENTS_BEFORE_SYNC};"
    ))?;
    transaction.commit()?;
    Ok(())
}

/// Writes one history record and its operation, dated as it was written.
fn publish<R: StoredRecord>(
    store: &Store,
    connection: &Connection,
    record: &R,
) -> Result<(), StoreError> {
    let now = chrono::Utc::now();
    let now_text = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    records::insert(connection, record, &now_text)?;
    let write = sync::LocalWrite {
        store_kind: R::KIND,
        action: "create",
        record_id: record.record_id(),
        person_id: record.person_id().map(|id| id.as_uuid()),
        now_ms: u64::try_from(now.timestamp_millis()).unwrap_or(0),
    };
    sync::record_local_insert(connection, &store.clock, &write, record)
}

#[cfg(test)]
mod tests {
    use kith_crypto::KdfParams;
    use kith_domain::person::NewPerson;
    use kith_domain::referral::{NewReferral, ReferralSource};
    use kith_domain::safeguarding::{Concern, ConcernKind, Escalation};
    use kith_domain::UserId;

    use super::*;
    use crate::Profile;

    /// A profile as migration 7 leaves one made before it: its history in the old tables.
    #[test]
    fn history_from_before_sync_is_published_once_with_its_details() {
        let dir = tempfile::tempdir().unwrap();
        let kdf = KdfParams::insecure_for_tests().unwrap();
        let (mut store, _) =
            Profile::create_with_kdf(dir.path(), "a test passphrase", kdf).unwrap();
        let worker = UserId::new();
        store.set_current_user(worker).unwrap();
        let person = store
            .add_person(NewPerson {
                given_name: "Ada".into(),
                family_name: "Example".into(),
                ..Default::default()
            })
            .unwrap();
        let new_referral = NewReferral {
            received_on: chrono::Local::now().date_naive(),
            source: ReferralSource::SelfReferral,
            referrer: None,
            reason: "Lonely".into(),
            needs: vec![kith_domain::referral::Need::Loneliness],
            background: None,
            consent_to_referral: true,
        };
        let referral = store.add_referral(person.id, new_referral).unwrap();
        let raised = Concern::raise(
            ConcernId::new(),
            person.id,
            ConcernKind::Neglect,
            "Cold flat".into(),
            worker,
            chrono::Utc::now(),
        )
        .unwrap();
        store.raise_concern(&raised).unwrap();
        let escalation = Escalation {
            to_whom: "Duty team".into(),
            escalated_at: chrono::Utc::now(),
            escalated_by: worker,
            reference: Some("DT-7".into()),
        };
        store.escalate_concern(raised.id, escalation).unwrap();
        // Put the history back as a profile from before migration 7 held it.
        store
            .connection
            .execute_batch(&format!(
                "INSERT INTO sync_purging (active) VALUES (1);
                 DELETE FROM referral_status_history; DELETE FROM concern_events;
                 DELETE FROM outbox WHERE kind IN ('referral_status_change', 'concern_event');
                 DELETE FROM sync_inserts WHERE kind = 'history';
                 DELETE FROM sync_purging;
                 CREATE TABLE {REFERRAL_HISTORY_BEFORE_SYNC} (id INTEGER PRIMARY KEY,
                     referral_id TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL,
                     changed_at TEXT NOT NULL, changed_by TEXT NOT NULL) STRICT;
                 INSERT INTO {REFERRAL_HISTORY_BEFORE_SYNC}
                     (referral_id, from_status, to_status, changed_at, changed_by)
                     VALUES ('{referral}', NULL, 'new', '2026-01-05T09:00:00.000000Z', '{worker}'),
                            ('{referral}', 'new', 'contacted', '2026-01-06T09:00:00.000000Z',
                             '{worker}');
                 CREATE TABLE {CONCERN_EVENTS_BEFORE_SYNC} (id INTEGER PRIMARY KEY,
                     concern_id TEXT NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL,
                     by_user TEXT NOT NULL) STRICT;
                 INSERT INTO {CONCERN_EVENTS_BEFORE_SYNC} (concern_id, event, at, by_user)
                     VALUES ('{concern}', 'raised', '2026-01-07T09:00:00.000000Z', '{worker}'),
                            ('{concern}', 'escalated', '2026-01-08T09:00:00.000000Z', '{worker}');",
                referral = referral.id,
                concern = raised.id,
            ))
            .unwrap();
        assert_eq!(store.referral_history(referral.id).unwrap().len(), 0);

        publish_history_from_before_sync(&store).unwrap();
        publish_history_from_before_sync(&store).unwrap();
        let history = store.referral_history(referral.id).unwrap();
        let moves: Vec<_> = history.iter().map(|change| (change.from, change.to)).collect();
        use kith_domain::referral::ReferralStatus::{Contacted, New};
        assert_eq!(moves, [(None, New), (Some(New), Contacted)]);
        assert_eq!(history[1].changed_at, "2026-01-06T09:00:00.000000Z", "dated as it was");
        let steps = store.concern_events(raised.id).unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].to_whom.as_deref(), Some("Duty team"));
        assert_eq!(steps[1].reference.as_deref(), Some("DT-7"));
        // Each is in the outbox once, and the old tables are gone.
        let published: i64 = store
            .connection
            .query_row(
                "SELECT count(*) FROM outbox
                 WHERE kind IN ('referral_status_change', 'concern_event')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(published, 4);
        assert!(!table_exists(&store.connection, REFERRAL_HISTORY_BEFORE_SYNC).unwrap());
        assert!(!table_exists(&store.connection, CONCERN_EVENTS_BEFORE_SYNC).unwrap());
        // Reopening does not publish them again.
        drop(store);
        let store = Profile::unlock(dir.path(), "a test passphrase").unwrap();
        assert_eq!(store.referral_history(referral.id).unwrap().len(), 2);
        store.verify_integrity().unwrap();
    }
}
