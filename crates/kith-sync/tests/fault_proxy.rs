//! 500 sync rounds of three devices through a proxy that drops, delays, truncates, resets and
//! duplicates requests to a real kith-server: then, the network healed, every device converges
//! to the reference; no operation lost, none applied twice, none stored twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use kith_crypto::PracticeKey;
use kith_protocol::PullRequest;
use kith_sync::memory::MemoryReplica;
use kith_sync::{HttpTransport, SyncConfig, SyncEngine, Transport};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use support::proxy::FaultProxy;
use support::scenario::{action, Action, Scenario};
use support::server::real_server;

const ROUNDS: usize = 500;

#[test]
fn five_hundred_rounds_through_a_faulty_network_converge_with_nothing_lost_or_doubled() {
    let server = real_server();
    server.runtime.block_on(async {
        let proxy = FaultProxy::start(server.address, 0.3, 7).await;
        let key = PracticeKey::generate().unwrap();
        let now = kith_server::now_ms();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let base = format!("http://{}", proxy.address);
        let enrolled = server.practice_with_devices(3).await;
        let first_token = enrolled[0].1.clone();
        let engines: Vec<SyncEngine<MemoryReplica, HttpTransport>> = enrolled
            .into_iter()
            .map(|(device, token)| {
                let transport = HttpTransport::with_client(client.clone(), &base, &token);
                let config = SyncConfig { push_batch: 5, pull_limit: 7 };
                SyncEngine::new(MemoryReplica::new(device, now), transport, key.clone(), config)
            })
            .collect();
        let mut scenario = Scenario::new(engines, vec![0, -3_600_000, 120_000]).with_real_time();

        // A deterministic stream of random actions with exactly ROUNDS sync rounds in it.
        let mut runner = TestRunner::deterministic();
        let strategy = action(3);
        let mut rounds = 0;
        while rounds < ROUNDS {
            let action = strategy.new_tree(&mut runner).unwrap().current();
            if matches!(action, Action::Sync { .. }) {
                rounds += 1;
            }
            scenario.run(&action).await;
        }
        let counts = &proxy.counts;
        let faults = [
            counts.dropped.load(Ordering::Relaxed),
            counts.delayed.load(Ordering::Relaxed),
            counts.truncated.load(Ordering::Relaxed),
            counts.reset.load(Ordering::Relaxed),
            counts.duplicated.load(Ordering::Relaxed),
        ];
        println!(
            "{ROUNDS} rounds, {} connections, faults [dropped, delayed, truncated, reset, \
             duplicated] = {faults:?}, failed rounds {}, operations made {}",
            counts.connections.load(Ordering::Relaxed),
            scenario.failed_rounds,
            scenario.reference.operations.len()
        );
        assert!(faults.iter().all(|n| *n > 0), "every kind of fault happened: {faults:?}");
        assert!(scenario.failed_rounds > 0);

        proxy.faults_on.store(false, Ordering::Relaxed);
        scenario.settle(10).await;
        scenario.assert_converged();
        // The server holds each operation exactly once.
        let direct = HttpTransport::new(&server.base_url, &first_token).unwrap();
        let (mut since, mut seen) = (0, std::collections::BTreeSet::new());
        loop {
            let request = PullRequest { since, limit: Some(1000), checksum: false };
            let page = direct.pull(&request).await.unwrap();
            for stored in &page.operations {
                assert!(seen.insert(stored.operation.op_id), "stored twice");
            }
            since = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        let made: std::collections::BTreeSet<_> =
            scenario.reference.operations.keys().copied().collect();
        assert_eq!(seen, made);
    });
}
