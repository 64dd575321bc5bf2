//! Showing and resolving same-field conflicts between real encrypted stores, exchanging their
//! operations directly (the server only relays them; its part is tested in kith-core): a
//! resolution clears the conflict on every store that receives it, whichever value is chosen;
//! a value that does not fit is refused with nothing changed; device owners travel; a person
//! who leaves the scope leaves no rows behind, outbox included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "store/support.rs"]
mod support;

use kith_domain::person::Person;
use kith_protocol::{DeviceId, PushOutcome, PushResult, ScopeResponse};
use kith_store::{Store, StoreError};
use kith_sync::{PulledPage, Replica};
use serde_json::json;
use support::*;

/// A store enrolled as its own device, with the profile that keeps its files alive.
struct Laptop {
    _profile: TestProfile,
    store: Store,
    device: DeviceId,
    /// Server sequence numbers handed out to what this laptop sends.
    next_seq: u64,
}

impl Laptop {
    fn new() -> Self {
        let (profile, store) = new_profile();
        let device = DeviceId::new_v7();
        store.enrol_sync_device(device).unwrap();
        Laptop { _profile: profile, store, device, next_seq: 0 }
    }

    /// Sends every pending operation to `other`, as a push and a pull would.
    fn send_to(&mut self, other: &mut Laptop) {
        let operations = self.store.pending_operations(0, 10_000).unwrap();
        let results: Vec<PushResult> = operations
            .iter()
            .map(|op| {
                self.next_seq += 1;
                PushResult {
                    op_id: op.op_id,
                    device_seq: op.device_seq,
                    outcome: PushOutcome::Accepted { seq: self.next_seq },
                }
            })
            .collect();
        Replica::mark_pushed(&mut self.store, &results).unwrap();
        let start = other.store.cursor().unwrap();
        let operations: Vec<_> =
            operations.into_iter().enumerate().map(|(i, op)| (start + i as u64 + 1, op)).collect();
        let next_cursor = start + operations.len() as u64;
        let page = PulledPage { operations, unreadable: Vec::new(), next_cursor };
        other.store.apply_page(&page).unwrap();
    }
}

/// Two laptops that both edited the phone number of the same person offline.
fn a_conflict() -> (Laptop, Laptop, Person) {
    let mut first = Laptop::new();
    let mut second = Laptop::new();
    let person = first.store.add_person(new_person("Margaret", "Okafor", None)).unwrap();
    first.send_to(&mut second);
    let mut on_first = person.clone();
    on_first.phone = Some("01632 960001".into());
    first.store.update_person(&on_first).unwrap();
    let mut on_second = person.clone();
    on_second.phone = Some("01632 960002".into());
    second.store.update_person(&on_second).unwrap();
    first.send_to(&mut second);
    second.send_to(&mut first);
    (first, second, person)
}

fn phone(laptop: &Laptop, person: &Person) -> Option<String> {
    laptop.store.person(person.id).unwrap().phone
}

#[test]
fn both_laptops_show_the_same_conflict_with_both_values_and_the_person() {
    let (first, second, person) = a_conflict();
    let winner = phone(&first, &person).unwrap();
    assert_eq!(phone(&second, &person).unwrap(), winner);
    let loser = if winner == "01632 960001" { "01632 960002" } else { "01632 960001" };
    for laptop in [&first, &second] {
        let conflicts = laptop.store.sync_conflict_details().unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        let conflict = &conflicts[0];
        assert_eq!(conflict.record_id, person.id.as_uuid());
        assert_eq!(conflict.person_id, Some(person.id));
        assert_eq!(conflict.person_name.as_deref(), Some("Margaret Okafor"));
        assert_eq!(conflict.store_kind.as_deref(), Some("person"));
        assert_eq!(conflict.field, "phone");
        assert_eq!(conflict.current_value, json!(winner));
        assert_eq!(conflict.losing_value, json!(loser));
        let devices = [conflict.current.device_id, conflict.losing.device_id];
        assert!(devices.contains(&first.device) && devices.contains(&second.device));
        assert!(!format!("{conflict:?}").contains("01632"), "values stay out of Debug");
    }
}

#[test]
fn choosing_the_losing_value_clears_the_conflict_everywhere_it_arrives() {
    let (mut first, mut second, person) = a_conflict();
    let conflict = first.store.sync_conflict_details().unwrap().remove(0);
    let audited_before = first.store.audit_log_for(person.id).unwrap().len();
    let waiting_before = first.store.pending_count().unwrap();

    first
        .store
        .resolve_sync_conflict(conflict.record_id, "phone", conflict.losing_value.clone())
        .unwrap();

    let chosen = conflict.losing_value.as_str().unwrap().to_owned();
    assert_eq!(phone(&first, &person).as_deref(), Some(chosen.as_str()));
    assert!(first.store.sync_conflict_details().unwrap().is_empty());
    assert_eq!(first.store.conflict_count().unwrap(), 0);
    assert_eq!(first.store.pending_count().unwrap(), waiting_before + 1, "one operation");
    let audit = first.store.audit_log_for(person.id).unwrap();
    let resolution = &audit[audited_before];
    assert_eq!(resolution.action, kith_store::AuditAction::Update);
    assert_eq!(resolution.record_id, person.id.as_uuid());
    // The search index follows the re-projected row (names unchanged, still found).
    assert_eq!(first.store.search_people("Okafor", 10).unwrap().len(), 1);

    // The other laptop, which still shows the other value, takes the resolution in.
    assert_ne!(phone(&second, &person).as_deref(), Some(chosen.as_str()));
    first.send_to(&mut second);
    assert_eq!(phone(&second, &person).as_deref(), Some(chosen.as_str()));
    assert!(second.store.sync_conflict_details().unwrap().is_empty());
    assert_eq!(second.store.conflict_count().unwrap(), 0);
    // Sending everything again changes nothing.
    second.send_to(&mut first);
    assert_eq!(phone(&first, &person), phone(&second, &person));
    assert!(first.store.sync_conflict_details().unwrap().is_empty());
}

#[test]
fn keeping_the_current_value_is_a_resolution_too() {
    let (mut first, mut second, person) = a_conflict();
    let conflict = second.store.sync_conflict_details().unwrap().remove(0);
    let before = phone(&second, &person);
    second
        .store
        .resolve_sync_conflict(conflict.record_id, "phone", conflict.current_value.clone())
        .unwrap();
    assert_eq!(phone(&second, &person), before);
    assert!(second.store.sync_conflict_details().unwrap().is_empty());
    second.send_to(&mut first);
    assert_eq!(phone(&first, &person), before);
    assert!(first.store.sync_conflict_details().unwrap().is_empty());
}

#[test]
fn a_field_without_a_conflict_or_a_value_that_does_not_fit_changes_nothing() {
    let (mut first, _second, person) = a_conflict();
    let waiting = first.store.pending_count().unwrap();
    let record = person.id.as_uuid();

    let none = first.store.resolve_sync_conflict(record, "family_name", json!("X")).unwrap_err();
    assert!(matches!(none, StoreError::NotFound { kind: "sync conflict", .. }), "{none:?}");
    let unknown = first.store.resolve_sync_conflict(uuid::Uuid::now_v7(), "phone", json!("1"));
    assert!(matches!(unknown, Err(StoreError::NotFound { .. })));

    // A phone number that is not text cannot be a person's phone: refused, nothing written.
    let before = phone(&first, &person);
    let misfit = first.store.resolve_sync_conflict(record, "phone", json!({"no": 1})).unwrap_err();
    assert!(matches!(misfit, StoreError::Sync(_)), "{misfit:?}");
    assert_eq!(phone(&first, &person), before);
    assert_eq!(first.store.sync_conflict_details().unwrap().len(), 1);
    assert_eq!(first.store.pending_count().unwrap(), waiting);
}

#[test]
fn each_laptop_learns_whose_device_wrote_a_value() {
    let (mut first, mut second, _person) = a_conflict();
    first.store.record_device_owner("link_worker").unwrap();
    // Announcing again with nothing changed writes nothing.
    let waiting = first.store.pending_count().unwrap();
    first.store.record_device_owner("link_worker").unwrap();
    assert_eq!(first.store.pending_count().unwrap(), waiting);
    second.store.record_device_owner("supervisor").unwrap();
    first.send_to(&mut second);
    second.send_to(&mut first);

    for laptop in [&first, &second] {
        let owner = laptop.store.device_owner(first.device).unwrap().unwrap();
        assert_eq!(owner.user_id, first.store.current_user().unwrap());
        assert_eq!(owner.role, "link_worker");
        let owner = laptop.store.device_owner(second.device).unwrap().unwrap();
        assert_eq!(owner.user_id, second.store.current_user().unwrap());
        assert_eq!(owner.role, "supervisor");
        assert_eq!(laptop.store.device_owner(DeviceId::new_v7()).unwrap(), None);
    }
    // A person's record id is not a device: never read as an owner.
    let conflict = first.store.sync_conflict_details().unwrap().remove(0);
    let as_device = DeviceId(conflict.record_id);
    assert_eq!(first.store.device_owner(as_device).unwrap(), None);
}

#[test]
fn a_person_who_leaves_the_scope_leaves_no_rows_behind_outbox_included() {
    let (mut first, mut second, person) = a_conflict();
    let stays = first.store.add_person(new_person("Arthur", "Penhaligon", None)).unwrap();
    first.store.add_note(new_note(person.id, "Visited at home; garden group next week")).unwrap();
    first.send_to(&mut second);
    assert!(first.store.count_person_rows("outbox", person.id).unwrap() > 0);
    assert_eq!(first.store.count_person_rows("notes", person.id).unwrap(), 1);

    let scope = ScopeResponse {
        whole_practice: false,
        people: vec![kith_protocol::PersonId(stays.id.as_uuid())],
    };
    first.store.resync(&scope).unwrap();
    for table in [
        "people",
        "notes",
        "sessions",
        "referrals",
        "care_plans",
        "outbox",
        "sync_records",
        "sync_inserts",
    ] {
        assert_eq!(first.store.count_person_rows(table, person.id).unwrap(), 0, "{table}");
    }
    assert_eq!(first.store.count_person_rows("people", stays.id).unwrap(), 1);
    assert!(first.store.count_person_rows("outbox", stays.id).unwrap() > 0);
    assert!(first.store.sync_conflict_details().unwrap().is_empty());
    let refused = first.store.count_person_rows("drafts", person.id).unwrap_err();
    assert!(matches!(refused, StoreError::NotFound { kind: "table", .. }));
}
