//! The sync engine against an in-memory practice server: batches, pages, failures in words,
//! revoked devices, clocks a day wrong, scope changes, unreadable changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kith_crypto::PracticeKey;
use kith_protocol::{DeviceId, PersonId, RecordId, RecordKind, RefusalReason};
use kith_sync::memory::{MemoryReplica, RecordContent};
use kith_sync::{Replica, SyncConfig, SyncEngine};
use serde_json::{json, Value};
use support::{FakeServer, FakeTransport};

const T: u64 = 1_700_000_000_000;
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

type Engine = SyncEngine<MemoryReplica, FakeTransport>;

fn engine(server: &FakeServer, key: &PracticeKey, config: SyncConfig) -> Engine {
    let device = DeviceId::new_v7();
    SyncEngine::new(MemoryReplica::new(device, T), server.transport(device), key.clone(), config)
}

fn field(engine: &Engine, record: RecordId, name: &str) -> Option<Value> {
    match &engine.replica().records().get(&record)?.content {
        RecordContent::Fields(state) => state.value(name).cloned(),
        RecordContent::Inserted(_) => None,
    }
}

fn person_fields(
    engine: &mut Engine,
    person: PersonId,
    fields: &[(&str, Value)],
) -> kith_protocol::OperationId {
    engine.replica_mut().edit(RecordKind::Person, RecordId(person.0), Some(person), fields).unwrap()
}

#[tokio::test]
async fn a_day_of_offline_visits_goes_up_once_and_comes_down_to_the_supervisor() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut worker = engine(&server, &key, SyncConfig::default());
    let mut supervisor = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(
        &mut worker,
        person,
        &[("preferred_name", json!("Peg")), ("phone", json!("0161"))],
    );
    let note = RecordId::new_v7();
    worker
        .replica_mut()
        .insert(RecordKind::Note, note, Some(person), json!({"text": "Visited"}))
        .unwrap();

    let report = worker.sync_once(T).await.unwrap();
    assert_eq!((report.pushed, report.refused), (2, 0));
    assert_eq!(worker.state().changes_waiting, 0);
    assert_eq!(worker.state().last_synced_at_ms, Some(T));
    assert_eq!(worker.state().online, Some(true));
    assert_eq!(worker.state().last_error, None);
    // Pushing again sends nothing: every change goes up exactly once.
    assert_eq!(worker.sync_once(T).await.unwrap().pushed, 0);
    assert_eq!(server.with(|s| s.log.len()), 2);

    supervisor.sync_once(T).await.unwrap();
    assert_eq!(field(&supervisor, RecordId(person.0), "preferred_name"), Some(json!("Peg")));
    assert!(supervisor.replica().records().contains_key(&note));
    // What the server stores is sealed.
    let stored = server.with(|s| serde_json::to_string(&s.log).unwrap());
    assert!(!stored.contains("Peg") && !stored.contains("Visited"));
}

#[tokio::test]
async fn concurrent_edits_of_one_field_converge_with_the_loser_kept_and_resolvable() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut a = engine(&server, &key, SyncConfig::default());
    let mut b = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(&mut a, person, &[("phone", json!("111"))]);
    a.sync_once(T).await.unwrap();
    b.sync_once(T).await.unwrap();
    // Both edit offline, not having seen each other.
    a.replica_mut().now_ms = T + 1_000;
    b.replica_mut().now_ms = T + 2_000;
    person_fields(&mut a, person, &[("phone", json!("222"))]);
    person_fields(&mut b, person, &[("phone", json!("333")), ("language", json!("Urdu"))]);
    for _ in 0..2 {
        a.sync_once(T).await.unwrap();
        b.sync_once(T).await.unwrap();
    }
    let record = RecordId(person.0);
    for side in [&a, &b] {
        assert_eq!(field(side, record, "phone"), Some(json!("333")));
        assert_eq!(field(side, record, "language"), Some(json!("Urdu")));
        let conflicts = side.replica().conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].losing_value, json!("222"));
        assert_eq!(side.state().conflicts, 1);
    }
    assert_eq!(a.replica().conflicts(), b.replica().conflicts());
    // A supervisor resolves it on A by choosing the losing value: a new write.
    a.replica_mut().resolve(record, "phone", json!("222")).unwrap();
    a.sync_once(T).await.unwrap();
    b.sync_once(T).await.unwrap();
    for side in [&a, &b] {
        assert_eq!(field(side, record, "phone"), Some(json!("222")));
        assert!(side.replica().conflicts().is_empty());
        assert_eq!(side.state().conflicts, 0);
    }
}

#[tokio::test]
async fn pushes_go_in_batches_and_pulls_in_pages_with_the_cursor() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let config = SyncConfig { push_batch: 100, pull_limit: 64 };
    let mut a = engine(&server, &key, config.clone());
    let mut b = engine(&server, &key, config);
    let person = PersonId::new_v7();
    for n in 0..250 {
        let note = RecordId::new_v7();
        a.replica_mut().insert(RecordKind::Note, note, Some(person), json!({ "n": n })).unwrap();
    }
    assert_eq!(a.replica_mut().pending_count().unwrap(), 250);
    let report = a.sync_once(T).await.unwrap();
    assert_eq!(report.pushed, 250);
    assert_eq!(server.with(|s| s.pushes), 3);
    let report = b.sync_once(T).await.unwrap();
    assert_eq!(report.pulled, 250);
    assert_eq!(report.pages, 4);
    assert_eq!(b.replica_mut().cursor().unwrap(), 250);
    assert_eq!(b.replica().records().len(), 250);
    assert!(b.replica().received.values().all(|n| *n == 1));
    assert_eq!(b.state().progress, None);
}

#[tokio::test]
async fn an_unreachable_server_is_said_in_words_and_nothing_is_lost() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut a = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(&mut a, person, &[("phone", json!("1"))]);
    server.with(|s| s.unreachable = true);
    let error = a.sync_once(T).await.unwrap_err();
    assert!(error.is_offline());
    let state = a.state();
    assert_eq!(state.online, Some(false));
    assert_eq!(state.changes_waiting, 1);
    assert!(!state.stopped);
    let words = state.last_error.unwrap();
    assert!(
        words.contains("could not be reached") && words.contains("safe on this laptop"),
        "{words}"
    );

    server.with(|s| s.unreachable = false);
    a.sync_once(T).await.unwrap();
    assert_eq!(a.state().last_error, None);
    assert_eq!(a.state().changes_waiting, 0);
}

#[tokio::test]
async fn a_lost_push_answer_is_retried_without_storing_anything_twice() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut a = engine(&server, &key, SyncConfig::default());
    let mut b = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(&mut a, person, &[("phone", json!("1"))]);
    a.replica_mut().insert(RecordKind::Note, RecordId::new_v7(), Some(person), json!("n")).unwrap();
    server.with(|s| s.lose_next_push_response = true);
    assert!(a.sync_once(T).await.is_err());
    assert_eq!(a.state().changes_waiting, 2, "not acknowledged, so still waiting");
    a.sync_once(T).await.unwrap();
    assert_eq!(a.state().changes_waiting, 0);
    assert_eq!(server.with(|s| s.log.len()), 2);
    b.sync_once(T).await.unwrap();
    assert_eq!(b.replica().received.len(), 2);
}

#[tokio::test]
async fn a_removed_laptop_stops_syncing_says_so_and_keeps_its_data() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut a = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(&mut a, person, &[("phone", json!("1"))]);
    a.sync_once(T).await.unwrap();
    person_fields(&mut a, person, &[("phone", json!("2"))]);
    let device = a.replica().device_id();
    server.with(|s| s.revoked.insert(device));
    let before = a.replica().records().clone();
    assert!(a.sync_once(T).await.unwrap_err().stops_syncing());
    let state = a.state();
    assert!(state.stopped);
    assert!(state.last_error.unwrap().contains("removed from the practice"));
    assert_eq!(state.changes_waiting, 1);
    assert_eq!(a.replica().records(), &before);
    // It does not keep knocking.
    let calls = server.with(|s| s.calls);
    assert!(a.sync_once(T).await.is_err());
    assert_eq!(server.with(|s| s.calls), calls);
}

#[tokio::test]
async fn a_laptop_with_a_clock_a_day_ahead_is_held_back_then_sent_and_loses_no_later_edit() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut ahead = engine(&server, &key, SyncConfig::default());
    let mut right = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    let record = RecordId(person.0);
    person_fields(&mut right, person, &[("phone", json!("right-1"))]);
    right.sync_once(T).await.unwrap();
    ahead.sync_once(T + DAY_MS).await.unwrap();

    ahead.replica_mut().now_ms = T + DAY_MS;
    person_fields(&mut ahead, person, &[("phone", json!("ahead"))]);
    ahead.sync_once(T + DAY_MS).await.unwrap();
    let state = ahead.state();
    assert_eq!(state.changes_waiting, 1, "refused as clock-ahead, kept in the outbox");
    assert!(state.last_error.unwrap().contains("clock is ahead"));
    assert!(state.clock_offset_ms.unwrap() <= -(DAY_MS as i64) + 1);
    assert_eq!(server.with(|s| s.log.len()), 1);

    // A day later by the server's clock the change is accepted and reaches everyone.
    server.with(|s| s.server_time_ms = T + DAY_MS);
    ahead.sync_once(T + DAY_MS).await.unwrap();
    assert_eq!(ahead.state().changes_waiting, 0);
    right.sync_once(T + DAY_MS).await.unwrap();
    assert_eq!(field(&right, record, "phone"), Some(json!("ahead")));
    // The right-clock device, having seen it, edits again: its later edit wins everywhere.
    right.replica_mut().now_ms = T + DAY_MS - 60_000;
    person_fields(&mut right, person, &[("phone", json!("right-2"))]);
    right.sync_once(T + DAY_MS).await.unwrap();
    ahead.sync_once(T + DAY_MS).await.unwrap();
    for side in [&right, &ahead] {
        assert_eq!(field(side, record, "phone"), Some(json!("right-2")));
        assert!(side.replica().conflicts().is_empty());
    }
}

#[tokio::test]
async fn a_laptop_with_a_clock_a_day_behind_still_wins_with_edits_made_after_seeing_others() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut behind = engine(&server, &key, SyncConfig::default());
    let mut right = engine(&server, &key, SyncConfig::default());
    behind.replica_mut().now_ms = T - DAY_MS;
    let person = PersonId::new_v7();
    let record = RecordId(person.0);
    person_fields(&mut right, person, &[("phone", json!("right"))]);
    right.sync_once(T).await.unwrap();
    behind.sync_once(T - DAY_MS).await.unwrap();
    person_fields(&mut behind, person, &[("phone", json!("behind, later"))]);
    behind.sync_once(T - DAY_MS).await.unwrap();
    right.sync_once(T).await.unwrap();
    for side in [&right, &behind] {
        assert_eq!(field(side, record, "phone"), Some(json!("behind, later")));
        assert!(side.replica().conflicts().is_empty());
    }
    // A concurrent edit from the device a day behind loses to an earlier real-time edit, but
    // is kept as a conflict on every device.
    person_fields(&mut behind, person, &[("language", json!("Welsh"))]);
    person_fields(&mut right, person, &[("language", json!("Polish"))]);
    behind.sync_once(T - DAY_MS).await.unwrap();
    right.sync_once(T).await.unwrap();
    behind.sync_once(T - DAY_MS).await.unwrap();
    for side in [&right, &behind] {
        assert_eq!(field(side, record, "language"), Some(json!("Polish")));
        let conflicts = side.replica().conflicts();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].losing_value, json!("Welsh"));
    }
}

#[tokio::test]
async fn a_scope_change_purges_people_who_left_and_pulls_again() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut supervisor = engine(&server, &key, SyncConfig::default());
    let mut worker = engine(&server, &key, SyncConfig::default());
    let (kept, moved) = (PersonId::new_v7(), PersonId::new_v7());
    person_fields(&mut supervisor, kept, &[("name", json!("kept"))]);
    person_fields(&mut supervisor, moved, &[("name", json!("moved"))]);
    supervisor.sync_once(T).await.unwrap();
    worker.sync_once(T).await.unwrap();
    assert_eq!(worker.replica().records().len(), 2);
    let device = worker.replica().device_id();
    server.with(|s| {
        s.scopes.insert(device, [kept].into());
        s.resync.insert(device);
    });
    let report = worker.sync_once(T).await.unwrap();
    assert!(report.resynced);
    assert_eq!(report.pulled, 1);
    let records = worker.replica().records();
    assert!(records.contains_key(&RecordId(kept.0)));
    assert!(!records.contains_key(&RecordId(moved.0)));
}

#[tokio::test]
async fn changes_that_cannot_be_opened_are_kept_aside_and_reported() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let stranger_key = PracticeKey::generate().unwrap();
    let mut stranger = engine(&server, &stranger_key, SyncConfig::default());
    let mut a = engine(&server, &key, SyncConfig::default());
    let person = PersonId::new_v7();
    person_fields(&mut stranger, person, &[("phone", json!("x"))]);
    stranger.sync_once(T).await.unwrap();
    let report = a.sync_once(T).await.unwrap();
    assert_eq!((report.pulled, report.unreadable), (0, 1));
    assert_eq!(a.replica().unreadable().len(), 1);
    assert_eq!(a.replica_mut().cursor().unwrap(), 1);
    assert!(a.state().last_error.unwrap().contains("could not be opened"));
}

#[tokio::test]
async fn refused_changes_are_set_aside_and_counted() {
    let server = FakeServer::new(T);
    let key = PracticeKey::generate().unwrap();
    let mut a = engine(&server, &key, SyncConfig::default());
    let device = a.replica().device_id();
    let (mine, theirs) = (PersonId::new_v7(), PersonId::new_v7());
    server.with(|s| s.scopes.insert(device, [mine].into()));
    person_fields(&mut a, mine, &[("name", json!("m"))]);
    person_fields(&mut a, theirs, &[("name", json!("t"))]);
    let report = a.sync_once(T).await.unwrap();
    assert_eq!((report.pushed, report.refused), (1, 1));
    let state = a.state();
    assert_eq!((state.changes_waiting, state.changes_refused), (0, 1));
    assert!(state.last_error.unwrap().contains("refused 1 change"));
    assert_eq!(a.replica().refused()[0].1, RefusalReason::OutOfScope);
    // Refused for good: not pushed again.
    assert_eq!(a.sync_once(T).await.unwrap().refused, 0);
}
