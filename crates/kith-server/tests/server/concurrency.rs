//! Fifty devices pushing and pulling at once: every operation reaches every device in scope
//! exactly once, in sequence order, with no gaps.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use kith_protocol::{OperationId, PersonId, PushOutcome, RecordKind, Role};
use tokio::sync::Barrier;

use crate::support::{Backend, Device, TestServer};

const DEVICES: usize = 50;
const SUPERVISORS: usize = 5;
const ROUNDS: usize = 8;
const OPS_PER_ROUND: usize = 10;

struct DeviceResult {
    role: Role,
    person: Option<PersonId>,
    /// `(seq, op_id, person)` of everything this device stored.
    accepted: Vec<(u64, OperationId, Option<PersonId>)>,
    /// What it pulled, in order.
    received: Vec<(u64, OperationId, Option<PersonId>)>,
}

async fn run_device(mut device: Device, role: Role, barrier: Arc<Barrier>) -> DeviceResult {
    let mut accepted = Vec::new();
    let mut received = Vec::new();
    let mut cursor = 0;
    let person = (role == Role::LinkWorker).then(PersonId::new_v7);
    barrier.wait().await;
    for round in 0..ROUNDS {
        let mut ops = Vec::new();
        if round == 0 {
            if let Some(person) = person {
                ops.push(device.op(RecordKind::Person, Some(person), vec![0; 32]));
            }
        }
        while ops.len() < OPS_PER_ROUND {
            let op = match (person, ops.len() % 3) {
                (Some(person), 0 | 1) => device.op(RecordKind::Note, Some(person), vec![1; 64]),
                _ => device.op(RecordKind::DirectoryEntry, None, vec![2; 48]),
            };
            ops.push(op);
        }
        let persons: Vec<_> = ops.iter().map(|op| (op.op_id, op.person_id)).collect();
        let response = device.push(ops).await;
        for (result, (op_id, person)) in response.results.iter().zip(persons) {
            match result.outcome {
                PushOutcome::Accepted { seq } => accepted.push((seq, op_id, person)),
                ref refused => panic!("refused under load: {refused:?}"),
            }
        }
        // Incremental pull in small pages while others are still writing.
        let (page, next) = device.pull_all(cursor, 13).await;
        received.extend(page.iter().map(|s| (s.seq, s.operation.op_id, s.operation.person_id)));
        cursor = next;
    }
    barrier.wait().await;
    let (page, _) = device.pull_all(cursor, 500).await;
    received.extend(page.iter().map(|s| (s.seq, s.operation.op_id, s.operation.person_id)));
    DeviceResult { role, person, accepted, received }
}

pub async fn fifty_devices_push_and_pull_at_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let practice = server.practice("Busy PCN").await;
    let mut devices = Vec::new();
    for index in 0..DEVICES {
        let role = if index < SUPERVISORS { Role::Supervisor } else { Role::LinkWorker };
        devices.push((server.member(practice, &format!("user-{index}"), role).await, role));
    }
    let barrier = Arc::new(Barrier::new(DEVICES));
    let tasks: Vec<_> = devices
        .into_iter()
        .map(|(device, role)| tokio::spawn(run_device(device, role, Arc::clone(&barrier))))
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("device task"));
    }

    let all: Vec<(u64, OperationId, Option<PersonId>)> =
        results.iter().flat_map(|r| r.accepted.iter().copied()).collect();
    let total = all.len();
    assert_eq!(total, DEVICES * ROUNDS * OPS_PER_ROUND);
    let seqs: BTreeSet<u64> = all.iter().map(|(seq, _, _)| *seq).collect();
    assert_eq!(seqs.len(), total, "two operations share a seq");
    assert_eq!(seqs, (1..=total as u64).collect(), "the sequence has gaps");
    let by_seq: HashMap<u64, OperationId> = all.iter().map(|(seq, id, _)| (*seq, *id)).collect();

    for result in &results {
        let received_seqs: Vec<u64> = result.received.iter().map(|(seq, _, _)| *seq).collect();
        assert!(received_seqs.windows(2).all(|w| w[0] < w[1]), "out of order or duplicated");
        for (seq, op_id, _) in &result.received {
            assert_eq!(by_seq.get(seq), Some(op_id), "a pulled seq names another operation");
        }
        let expected: BTreeSet<u64> = all
            .iter()
            .filter(|(_, _, person)| match result.role {
                Role::Supervisor => true,
                _ => person.is_none() || *person == result.person,
            })
            .map(|(seq, _, _)| *seq)
            .collect();
        let got: BTreeSet<u64> = received_seqs.iter().copied().collect();
        let missing: Vec<_> = expected.difference(&got).take(5).collect();
        let extra: Vec<_> = got.difference(&expected).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{:?}: missing {missing:?}, extra {extra:?}",
            result.role
        );
    }
    server.assert_healthy().await;
}
