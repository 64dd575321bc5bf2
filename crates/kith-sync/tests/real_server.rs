//! Against a real kith-server on 127.0.0.1:0 over HTTP: three devices make random offline
//! edits (same field on two devices, deletes, notes, amendments) and sync in random orders;
//! every device ends equal to the reference model, conflicts recorded, nothing lost or doubled.
//! `KITH_PROPTEST_CASES` raises the number of cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kith_crypto::PracticeKey;
use kith_protocol::{PersonId, RecordId, RecordKind};
use kith_sync::memory::MemoryReplica;
use kith_sync::{HttpTransport, SyncConfig, SyncEngine, SyncError};
use proptest::prelude::*;
use support::scenario::{action, cases, Action, Scenario, DAY_MS};
use support::server::real_server;

async fn engines(
    devices: usize,
    config: SyncConfig,
) -> Vec<SyncEngine<MemoryReplica, HttpTransport>> {
    let server = real_server();
    let key = PracticeKey::generate().unwrap();
    let now = kith_server::now_ms();
    server
        .practice_with_devices(devices)
        .await
        .into_iter()
        .map(|(device, token)| {
            let transport = HttpTransport::new(&server.base_url, &token).unwrap();
            SyncEngine::new(MemoryReplica::new(device, now), transport, key.clone(), config.clone())
        })
        .collect()
}

#[test]
fn the_real_server_relays_sealed_changes_and_refuses_a_removed_laptop() {
    let server = real_server();
    server.runtime.block_on(async {
        let mut devices = engines(2, SyncConfig::default()).await;
        let now = kith_server::now_ms();
        let person = PersonId::new_v7();
        devices[0]
            .replica_mut()
            .edit(RecordKind::Person, RecordId(person.0), Some(person), &[("name", "Ada".into())])
            .unwrap();
        assert_eq!(devices[0].sync_once(now).await.unwrap().pushed, 1);
        assert_eq!(devices[1].sync_once(now).await.unwrap().pulled, 1);
        assert_eq!(devices[1].replica().records().len(), 1);
        let offset = devices[0].state().clock_offset_ms.unwrap();
        assert!(offset.abs() < 60_000, "clock offset {offset}");

        let removed = devices[1].replica().device_id();
        server.storage.revoke_device(removed).await.unwrap();
        let error = devices[1].sync_once(now).await.unwrap_err();
        assert!(matches!(error, SyncError::DeviceRevoked), "{error:?}");
        assert!(devices[1].state().stopped);
        assert_eq!(devices[1].replica().records().len(), 1, "local data untouched");
    });
}

#[test]
fn a_laptop_a_day_ahead_is_refused_by_the_real_server_and_keeps_its_change() {
    let server = real_server();
    server.runtime.block_on(async {
        let mut devices = engines(1, SyncConfig::default()).await;
        let now = kith_server::now_ms();
        devices[0].replica_mut().now_ms = now + DAY_MS;
        let person = PersonId::new_v7();
        devices[0]
            .replica_mut()
            .edit(RecordKind::Person, RecordId(person.0), Some(person), &[("name", "Bo".into())])
            .unwrap();
        let report = devices[0].sync_once(now + DAY_MS).await.unwrap();
        assert_eq!((report.pushed, report.refused), (0, 1));
        let state = devices[0].state();
        assert_eq!(state.changes_waiting, 1);
        assert!(state.last_error.unwrap().contains("clock is ahead"));
    });
}

fn run(actions: Vec<Action>, offsets: Vec<i64>, page: u32) {
    let server = real_server();
    server.runtime.block_on(async {
        let config = SyncConfig { push_batch: 4, pull_limit: page };
        let engines = engines(offsets.len(), config).await;
        let mut scenario = Scenario::new(engines, offsets).with_real_time();
        for action in &actions {
            scenario.run(action).await;
        }
        assert_eq!(scenario.failed_rounds, 0, "no round fails on a healthy loopback server");
        scenario.settle(6).await;
        scenario.assert_converged();
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(100), ..ProptestConfig::default() })]

    #[test]
    fn three_devices_converge_through_the_real_server(
        actions in proptest::collection::vec(action(3), 1..40),
        // Clocks a day behind, an hour behind, right, or up to 4 minutes ahead (the server
        // refuses more than 5 minutes ahead; that case has its own test).
        offsets in proptest::collection::vec(
            prop_oneof![Just(0i64), Just(-(DAY_MS as i64)), Just(-3_600_000i64), -60_000i64..240_000],
            3,
        ),
        page in 1u32..6,
    ) {
        run(actions, offsets, page);
    }
}
