//! The one declaration of every kind of record the store keeps: its table, how it travels
//! (wire kind), whether it is edited or only added to, and so whether it is about a person
//! (then it is purged with the person, included in their subject access export and counted
//! with them) and who receives it. Sync's projection and purge, the export, the table lists
//! and the conflicts' editable kinds are all derived from [`KINDS`]; nothing else lists
//! record kinds.
//!
//! A kind is declared by its `StoredRecord` impl (kind, table, editable, wire kind) and by its
//! place here. The order is parents first: a purge deletes in reverse, children first.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use kith_domain::care_plan::CarePlan;
use kith_domain::consent::ConsentRecord;
use kith_domain::conversation::Conversation;
use kith_domain::directory::{CommunityService, Connection as ServiceConnection};
use kith_domain::discharge::Discharge;
use kith_domain::measures::Measure;
use kith_domain::note::Note;
use kith_domain::person::Person;
use kith_domain::referral::Referral;
use kith_domain::safeguarding::Concern;
use kith_domain::session::Session;
use kith_domain::supervision::{Comment, ReviewMark, SignOff};
use kith_protocol::RecordKind;

use crate::records::{Projected, StoredRecord};
use crate::repositories::{AuditBatch, ConcernEvent, ReferralStatusChange};
use crate::{sync, StoreError};

/// Writes a merged or inserted record into its table (see `sync::project_as`).
pub(crate) type Projector =
    fn(&Connection, Uuid, Value, bool, &str) -> Result<Option<Projected>, StoreError>;

/// One kind of record.
#[derive(Clone, Copy)]
pub(crate) struct KindEntry {
    /// The store kind, as named in the outbox, the audit log and a body's `_kind` field.
    pub(crate) store_kind: &'static str,
    pub(crate) table: &'static str,
    pub(crate) wire: RecordKind,
    /// Whether the table keeps `updated_at` / `deleted_at` and records are edited.
    pub(crate) editable: bool,
    pub(crate) project: Projector,
}

impl KindEntry {
    /// About one person (then purged with them, exported, counted) rather than practice-wide.
    pub(crate) fn about_person(&self) -> bool {
        self.wire.belongs_to_person()
    }

    /// Sent as whole bodies, never merged (several store kinds may share such a wire kind:
    /// the body then names its store kind).
    pub(crate) fn insert_only_on_wire(&self) -> bool {
        kith_sync::merge::is_insert_only(self.wire)
    }
}

const fn entry<R: StoredRecord>() -> KindEntry {
    KindEntry {
        store_kind: R::KIND,
        table: R::TABLE,
        wire: R::WIRE,
        editable: R::EDITABLE,
        project: sync::project_as::<R>,
    }
}

/// Every kind, parents before the records that point at them.
pub(crate) const KINDS: &[KindEntry] = &[
    entry::<CommunityService>(),
    entry::<Person>(),
    entry::<Referral>(),
    entry::<Conversation>(),
    entry::<CarePlan>(),
    entry::<Session>(),
    entry::<Discharge>(),
    entry::<Concern>(),
    entry::<ServiceConnection>(),
    entry::<ConsentRecord>(),
    entry::<Measure>(),
    entry::<Note>(),
    entry::<ReferralStatusChange>(),
    entry::<ConcernEvent>(),
    entry::<Comment>(),
    entry::<ReviewMark>(),
    entry::<SignOff>(),
    entry::<AuditBatch>(),
];

/// The entry of a store kind.
pub(crate) fn by_store_kind(store_kind: &str) -> Option<&'static KindEntry> {
    KINDS.iter().find(|entry| entry.store_kind == store_kind)
}

/// The entry an insert-only body of `wire` kind goes to: the only store kind with that wire
/// kind, or the one its `_kind` field names. `None` for a body naming no such kind.
pub(crate) fn for_insert(wire: RecordKind, body: &Value) -> Option<&'static KindEntry> {
    let mut candidates = KINDS.iter().filter(|entry| entry.wire == wire);
    let first = candidates.next()?;
    if candidates.next().is_none() {
        return Some(first);
    }
    let named = body.get(sync::STORE_KIND_FIELD).and_then(Value::as_str)?;
    KINDS.iter().find(|entry| entry.wire == wire && entry.store_kind == named)
}

/// Whether bodies of this wire kind must name their store kind (it is shared).
pub(crate) fn wire_kind_is_shared(wire: RecordKind) -> bool {
    KINDS.iter().filter(|entry| entry.wire == wire).count() > 1
}

/// What the registry says of one kind, for tests and documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordKindInfo {
    pub store_kind: &'static str,
    pub table: &'static str,
    pub wire: RecordKind,
    /// Edited (fields merge) rather than only added to.
    pub editable: bool,
    /// About a person: purged with them from a laptop that no longer holds them, in their
    /// subject access export. Otherwise practice-wide.
    pub about_person: bool,
    /// Received only by supervisors' devices (the server filters it).
    pub supervisors_only: bool,
}

/// Every record kind the store keeps and syncs, in declaration order.
pub fn record_kinds() -> Vec<RecordKindInfo> {
    KINDS
        .iter()
        .map(|entry| RecordKindInfo {
            store_kind: entry.store_kind,
            table: entry.table,
            wire: entry.wire,
            editable: entry.editable,
            about_person: entry.about_person(),
            supervisors_only: entry.wire.supervisors_only(),
        })
        .collect()
}

/// The README's table of what syncs and to whom, made from the registry (a test keeps the
/// README's copy equal to it).
pub fn sync_table_markdown() -> String {
    let mut table = String::from(
        "| record | table | on the wire | kept as | who receives it |\n|---|---|---|---|---|\n",
    );
    for kind in record_kinds() {
        let kept = if kind.editable {
            "edited: fields merge"
        } else if kith_sync::merge::is_insert_only(kind.wire) {
            "insert-only"
        } else {
            "written once"
        };
        let who = if kind.supervisors_only {
            "supervisors"
        } else if kind.about_person {
            "supervisors and the person's link worker"
        } else {
            "everyone in the practice"
        };
        table.push_str(&format!(
            "| {} | `{}` | `{}` | {kept} | {who} |\n",
            kind.store_kind.replace('_', " "),
            kind.table,
            kind.wire.as_str()
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use kith_crypto::KdfParams;

    use super::*;
    use crate::Profile;

    /// Tables that name a person without being a record kind: the audit log (published as
    /// audit batches) and sync's bookkeeping.
    const BOOKKEEPING: [&str; 4] = ["audit_log", "outbox", "sync_records", "sync_inserts"];

    /// Every table of the real schema with a `person_id` column is a registered kind or
    /// bookkeeping, and every registered table exists: a new table about people cannot be
    /// left out of sync, purge and the export by forgetting to register it.
    #[test]
    fn every_table_that_names_a_person_is_a_registered_kind() {
        let dir = tempfile::tempdir().unwrap();
        let kdf = KdfParams::insecure_for_tests().unwrap();
        let (store, _) = Profile::create_with_kdf(dir.path(), "a test passphrase", kdf).unwrap();
        let naming_people: BTreeSet<String> = {
            let mut statement = store
                .connection
                .prepare(
                    "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
                     AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c
                                 WHERE c.name = 'person_id')",
                )
                .unwrap();
            let rows = statement.query_map([], |row| row.get(0)).unwrap();
            rows.map(Result::unwrap).collect()
        };
        let registered: BTreeSet<String> = KINDS.iter().map(|kind| kind.table.to_owned()).collect();
        let missing: Vec<&String> = naming_people
            .iter()
            .filter(|table| !registered.contains(*table) && !BOOKKEEPING.contains(&table.as_str()))
            .collect();
        assert!(missing.is_empty(), "tables about people missing from the registry: {missing:?}");
        for table in &registered {
            assert!(naming_people.contains(table), "{table} is registered but has no person_id");
        }
        assert!(registered.len() >= 18, "{registered:?}");
    }

    #[test]
    fn each_kind_is_declared_once_and_shared_wire_kinds_are_insert_only() {
        let store_kinds: BTreeSet<&str> = KINDS.iter().map(|kind| kind.store_kind).collect();
        let tables: BTreeSet<&str> = KINDS.iter().map(|kind| kind.table).collect();
        assert_eq!(store_kinds.len(), KINDS.len(), "a store kind declared twice");
        assert_eq!(tables.len(), KINDS.len(), "a table declared twice");
        for kind in KINDS {
            if wire_kind_is_shared(kind.wire)
                && kind.wire != RecordKind::Contact
                && kind.wire != RecordKind::Plan
            {
                assert!(
                    kind.insert_only_on_wire(),
                    "{} shares a merged wire kind",
                    kind.store_kind
                );
            }
            // An edited kind must merge per field on the wire.
            if kind.editable {
                assert!(
                    !kind.insert_only_on_wire(),
                    "{} is edited but insert-only",
                    kind.store_kind
                );
            }
        }
        let audit = by_store_kind("audit_batch").unwrap();
        assert!(audit.wire.supervisors_only() && audit.about_person());
        assert_eq!(
            KINDS.iter().filter(|kind| kind.wire.supervisors_only()).count(),
            1,
            "only the audit trail is for supervisors only"
        );
    }

    /// A body of a shared insert-only wire kind goes only where its `_kind` says, and only to
    /// a kind of that wire kind.
    #[test]
    fn an_insert_goes_to_the_kind_its_body_names() {
        let named = |kind: &str| serde_json::json!({ "_kind": kind });
        let to = |wire, body: &Value| for_insert(wire, body).map(|entry| entry.store_kind);
        assert_eq!(to(RecordKind::Note, &serde_json::json!({})), Some("note"));
        assert_eq!(to(RecordKind::Comment, &named("review_mark")), Some("review_mark"));
        assert_eq!(to(RecordKind::History, &named("concern_event")), Some("concern_event"));
        assert_eq!(to(RecordKind::History, &named("note")), None);
        assert_eq!(to(RecordKind::Comment, &serde_json::json!({})), None);
        assert_eq!(to(RecordKind::Audit, &serde_json::json!({})), Some("audit_batch"));
    }

    #[test]
    fn the_readme_lists_what_syncs_as_the_registry_says() {
        let readme_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
        let readme = std::fs::read_to_string(readme_path).unwrap();
        let table = sync_table_markdown();
        assert!(
            readme.contains(&table),
            "README.md's sync section must hold this table, made from the registry:\n{table}"
        );
    }
}
