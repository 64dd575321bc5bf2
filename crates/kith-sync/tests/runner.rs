//! Background sync on tokio (with paused time): debounced local changes, backoff while the
//! server is unreachable, recovery, and a full stop when the laptop is removed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kith_crypto::PracticeKey;
use kith_protocol::{DeviceId, PersonId, RecordId, RecordKind};
use kith_sync::memory::MemoryReplica;
use kith_sync::{spawn_sync, Backoff, Debounce, Schedule, SyncConfig, SyncEngine, SyncHandle};
use serde_json::json;
use support::{FakeServer, FakeTransport};
use tokio::time::sleep;

const T: u64 = 1_700_000_000_000;

type Shared = Arc<Mutex<MemoryReplica>>;

fn start(server: &FakeServer) -> (Shared, SyncHandle<Shared, FakeTransport>) {
    let device = DeviceId::new_v7();
    let replica = Arc::new(Mutex::new(MemoryReplica::new(device, T)));
    let engine = SyncEngine::new(
        replica.clone(),
        server.transport(device),
        PracticeKey::generate().unwrap(),
        SyncConfig::default(),
    );
    let schedule = Schedule {
        interval: Duration::from_secs(60),
        backoff: Backoff { base: Duration::from_secs(2), max: Duration::from_secs(60) },
        debounce: Debounce { quiet: Duration::from_secs(3), max_wait: Duration::from_secs(30) },
    };
    (replica, spawn_sync(engine, schedule))
}

fn edit(replica: &Shared) {
    let person = PersonId::new_v7();
    replica
        .lock()
        .unwrap()
        .edit(RecordKind::Person, RecordId(person.0), Some(person), &[("name", json!("n"))])
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_local_change_is_sent_soon_after_the_burst_ends() {
    let server = FakeServer::new(T);
    let (replica, handle) = start(&server);
    sleep(Duration::from_secs(1)).await;
    assert_eq!(server.with(|s| s.pulls), 1, "one round at start");
    edit(&replica);
    handle.local_change();
    sleep(Duration::from_secs(2)).await;
    edit(&replica);
    handle.local_change();
    sleep(Duration::from_secs(2)).await;
    assert_eq!(server.with(|s| s.log.len()), 0, "still inside the quiet period");
    assert_eq!(handle.state().borrow().changes_waiting, 2);
    sleep(Duration::from_secs(2)).await;
    assert_eq!(server.with(|s| (s.log.len(), s.pushes)), (2, 1), "one push for the burst");
    assert_eq!(handle.state().borrow().changes_waiting, 0);
    // Then the periodic round, a minute later.
    sleep(Duration::from_secs(60)).await;
    assert_eq!(server.with(|s| s.pulls), 3);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_unreachable_server_is_retried_with_backoff_and_recovery_is_shown() {
    let server = FakeServer::new(T);
    server.with(|s| s.unreachable = true);
    let (replica, handle) = start(&server);
    edit(&replica);
    sleep(Duration::from_secs(1)).await;
    {
        let state = handle.state().borrow().clone();
        assert_eq!(state.online, Some(false));
        assert!(state.last_error.unwrap().contains("could not be reached"));
        assert_eq!(state.changes_waiting, 1);
    }
    sleep(Duration::from_secs(60)).await;
    // Delays are at least 1, 2, 4, 8, 16, 30 s: at most 6 attempts in the first minute, and
    // local changes do not cut a backoff short.
    handle.local_change();
    let attempts = server.with(|s| s.calls);
    assert!((3..=6).contains(&attempts), "{attempts} attempts");
    server.with(|s| s.unreachable = false);
    handle.sync_now();
    sleep(Duration::from_secs(1)).await;
    let state = handle.state().borrow().clone();
    assert_eq!((state.online, state.last_error, state.changes_waiting), (Some(true), None, 0));
    assert_eq!(server.with(|s| s.log.len()), 1);
    handle.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_removed_laptop_stops_the_runner_and_keeps_its_data() {
    let server = FakeServer::new(T);
    let (replica, handle) = start(&server);
    let device = replica.lock().unwrap().device_id();
    edit(&replica);
    server.with(|s| s.revoked.insert(device));
    sleep(Duration::from_secs(1)).await;
    assert!(handle.is_finished());
    let state = handle.state().borrow().clone();
    assert!(state.stopped);
    assert!(state.last_error.unwrap().contains("removed from the practice"));
    assert_eq!(replica.lock().unwrap().records().len(), 1);
    let calls = server.with(|s| s.calls);
    sleep(Duration::from_secs(600)).await;
    assert_eq!(server.with(|s| s.calls), calls, "no more attempts");
}
