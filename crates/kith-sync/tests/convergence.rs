//! Property test: three devices make random offline edits (the same field on two devices,
//! deletes, notes and amendments) and sync in random orders through an in-memory server; every
//! device ends equal to the reference model, with the same conflicts, nothing lost or doubled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kith_crypto::PracticeKey;
use kith_protocol::DeviceId;
use kith_sync::memory::MemoryReplica;
use kith_sync::{SyncConfig, SyncEngine};
use proptest::prelude::*;
use support::scenario::{action, cases, Action, Scenario, DAY_MS, T};
use support::FakeServer;

fn run(actions: Vec<Action>, offsets: Vec<i64>, page: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let server = FakeServer::new(T);
        let key = PracticeKey::generate().unwrap();
        let engines = offsets
            .iter()
            .map(|_| {
                let device = DeviceId::new_v7();
                let config = SyncConfig { push_batch: 3, pull_limit: page };
                let replica = MemoryReplica::new(device, T);
                SyncEngine::new(replica, server.transport(device), key.clone(), config)
            })
            .collect();
        let mut scenario = Scenario::new(engines, offsets);
        for action in &actions {
            scenario.run(action).await;
            let elapsed = scenario.elapsed_ms;
            server.with(|s| s.server_time_ms = T + elapsed);
        }
        // Two days later every clock-ahead change is acceptable.
        server.with(|s| s.server_time_ms = T + 2 * DAY_MS);
        scenario.settle(10).await;
        scenario.assert_converged();
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(128), ..ProptestConfig::default() })]

    #[test]
    fn three_devices_converge_to_the_reference(
        actions in proptest::collection::vec(action(3), 1..40),
        offsets in proptest::collection::vec(
            prop_oneof![Just(0i64), Just(-(DAY_MS as i64)), Just(DAY_MS as i64), -300_000i64..300_000],
            3,
        ),
        page in 1u32..5,
    ) {
        run(actions, offsets, page);
    }
}
