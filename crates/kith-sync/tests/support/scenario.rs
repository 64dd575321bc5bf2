//! Random offline edits on several devices and a reference model of what every device must end
//! up with: the fold of every change ever made (merging is order-independent).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;

use kith_protocol::{OperationId, PersonId, RecordId, RecordKind};
use kith_sync::memory::{MemoryRecord, MemoryReplica, RecordContent};
use kith_sync::merge::{InsertOnlyRecord, RecordState};
use kith_sync::{OperationBody, PlainOperation, Replica, SyncEngine, Transport};
use proptest::prelude::*;
use serde_json::json;

pub const T: u64 = 1_700_000_000_000;
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// How many cases a property test runs: `KITH_PROPTEST_CASES`, or `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(Clone, Debug)]
pub enum Action {
    /// Device edits a field of a person record.
    Edit { device: usize, person: usize, field: usize, value: u8 },
    /// Device tombstones a person record.
    Delete { device: usize, person: usize },
    /// Device writes a note about a person (insert-only).
    Note { device: usize, person: usize },
    /// Device amends a note it has: a new note pointing at it.
    Amend { device: usize, note: usize },
    /// Device runs a sync round.
    Sync { device: usize },
    /// Time passes on every device.
    Wait { ms: u64 },
}

pub fn action(devices: usize) -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (0..devices, 0..3usize, 0..3usize, 0..4u8)
            .prop_map(|(device, person, field, value)| Action::Edit { device, person, field, value }),
        1 => (0..devices, 0..3usize).prop_map(|(device, person)| Action::Delete { device, person }),
        1 => (0..devices, 0..3usize).prop_map(|(device, person)| Action::Note { device, person }),
        1 => (0..devices, 0..8usize).prop_map(|(device, note)| Action::Amend { device, note }),
        3 => (0..devices).prop_map(|device| Action::Sync { device }),
        1 => (0..5_000u64).prop_map(|ms| Action::Wait { ms }),
    ]
}

/// Everything ever made, and the state every device must converge to.
#[derive(Default)]
pub struct Reference {
    pub operations: BTreeMap<OperationId, PlainOperation>,
}

impl Reference {
    pub fn records(&self) -> BTreeMap<RecordId, RecordContent> {
        let mut records: BTreeMap<RecordId, RecordContent> = BTreeMap::new();
        for op in self.operations.values() {
            match &op.body {
                OperationBody::Insert { body } => {
                    let entry = records
                        .entry(op.record_id)
                        .or_insert_with(|| RecordContent::Inserted(InsertOnlyRecord::default()));
                    if let RecordContent::Inserted(record) = entry {
                        record.insert(op.op_id, body);
                    }
                }
                OperationBody::Fields { .. } => {
                    let entry = records
                        .entry(op.record_id)
                        .or_insert_with(|| RecordContent::Fields(RecordState::default()));
                    if let RecordContent::Fields(state) = entry {
                        for (field, write) in op.field_writes() {
                            state.apply(field, &write);
                        }
                    }
                }
            }
        }
        records
    }
}

pub struct Scenario<Tr: Transport> {
    pub engines: Vec<SyncEngine<MemoryReplica, Tr>>,
    /// Per device: offset of its clock from true time (ms, may be negative).
    pub clock_offsets: Vec<i64>,
    pub people: Vec<PersonId>,
    pub notes: Vec<Vec<RecordId>>,
    pub reference: Reference,
    pub elapsed_ms: u64,
    pub failed_rounds: u64,
    /// True time at the start (Unix ms).
    pub base_ms: u64,
    /// Follow the real clock instead of simulated waits (a real server uses its real clock).
    pub real_time: bool,
}

impl<Tr: Transport + Clone + Send + Sync + 'static> Scenario<Tr> {
    pub fn new(engines: Vec<SyncEngine<MemoryReplica, Tr>>, clock_offsets: Vec<i64>) -> Self {
        let devices = engines.len();
        let mut scenario = Self {
            engines,
            clock_offsets,
            people: (0..3).map(|_| PersonId::new_v7()).collect(),
            notes: vec![Vec::new(); devices],
            reference: Reference::default(),
            elapsed_ms: 0,
            failed_rounds: 0,
            base_ms: T,
            real_time: false,
        };
        scenario.set_clocks();
        scenario
    }

    pub fn device_now(&self, device: usize) -> u64 {
        let true_now = if self.real_time {
            let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            since_epoch.unwrap().as_millis() as u64
        } else {
            self.base_ms + self.elapsed_ms
        };
        (true_now as i64 + self.clock_offsets[device]) as u64
    }

    /// Device clocks follow the real clock (plus their offsets); waits are not simulated.
    pub fn with_real_time(mut self) -> Self {
        self.real_time = true;
        self.set_clocks();
        self
    }

    fn set_clocks(&mut self) {
        for device in 0..self.engines.len() {
            let now = self.device_now(device);
            self.engines[device].replica_mut().now_ms = now;
        }
    }

    fn remember(&mut self, device: usize, op_id: OperationId) {
        let ops = self.engines[device].replica_mut().pending_operations(0, usize::MAX).unwrap();
        let op = ops.into_iter().find(|op| op.op_id == op_id).expect("new op is pending");
        self.reference.operations.insert(op_id, op);
    }

    /// Runs one action; sync failures (a faulty network) are allowed and counted.
    pub async fn run(&mut self, action: &Action) {
        match *action {
            Action::Edit { device, person, field, value } => {
                self.set_clocks();
                let person = self.people[person];
                let op = self.engines[device]
                    .replica_mut()
                    .edit(
                        RecordKind::Person,
                        RecordId(person.0),
                        Some(person),
                        &[(["name", "phone", "language"][field], json!(value))],
                    )
                    .unwrap();
                self.remember(device, op);
            }
            Action::Delete { device, person } => {
                let person = self.people[person];
                let op = self.engines[device]
                    .replica_mut()
                    .delete(RecordKind::Person, RecordId(person.0), Some(person))
                    .unwrap();
                self.remember(device, op);
            }
            Action::Note { device, person } => {
                let person = self.people[person];
                let note = RecordId::new_v7();
                let body = json!({ "text": format!("note by {device}"), "amends": null });
                let op = self.engines[device]
                    .replica_mut()
                    .insert(RecordKind::Note, note, Some(person), body)
                    .unwrap();
                self.notes[device].push(note);
                self.remember(device, op);
            }
            Action::Amend { device, note } => {
                let Some(&original) = self.notes[device].get(note) else { return };
                let person = self.engines[device].replica().records()[&original].person_id;
                let amendment = RecordId::new_v7();
                let body = json!({ "text": "corrected", "amends": original.0 });
                let op = self.engines[device]
                    .replica_mut()
                    .insert(RecordKind::Note, amendment, person, body)
                    .unwrap();
                self.notes[device].push(amendment);
                self.remember(device, op);
            }
            Action::Sync { device } => {
                self.set_clocks();
                let now = self.device_now(device);
                if self.engines[device].sync_once(now).await.is_err() {
                    self.failed_rounds += 1;
                }
            }
            Action::Wait { ms } => {
                self.elapsed_ms += ms;
                self.set_clocks();
            }
        }
    }

    /// Syncs every device in turn until all succeed twice in a row (at most `max_rounds`).
    pub async fn settle(&mut self, max_rounds: usize) {
        let mut clean_passes = 0;
        for _ in 0..max_rounds {
            self.set_clocks();
            let mut all_ok = true;
            for device in 0..self.engines.len() {
                let now = self.device_now(device);
                match self.engines[device].sync_once(now).await {
                    Ok(report) => all_ok &= report.refused == 0,
                    Err(_) => {
                        all_ok = false;
                        self.failed_rounds += 1;
                    }
                }
            }
            clean_passes = if all_ok { clean_passes + 1 } else { 0 };
            if clean_passes == 2 {
                return;
            }
        }
        let problems: Vec<_> = self.engines.iter().map(|e| e.state().last_error).collect();
        panic!("devices did not settle in {max_rounds} rounds: {problems:?}");
    }

    /// Every device equals the reference: same records, same conflicts, every change received
    /// exactly once, nothing waiting.
    pub fn assert_converged(&mut self) {
        let expected = self.reference.records();
        let expected_conflicts: Vec<_> = expected
            .iter()
            .flat_map(|(id, content)| match content {
                RecordContent::Fields(state) => state.conflicts(*id),
                RecordContent::Inserted(_) => vec![],
            })
            .collect();
        for (index, engine) in self.engines.iter_mut().enumerate() {
            let replica = engine.replica();
            let actual: BTreeMap<RecordId, RecordContent> = replica
                .records()
                .iter()
                .map(|(id, MemoryRecord { content, .. })| (*id, content.clone()))
                .collect();
            assert_eq!(actual, expected, "device {index} differs from the reference");
            assert_eq!(replica.conflicts(), expected_conflicts, "device {index} conflicts");
            for op_id in self.reference.operations.keys() {
                assert_eq!(
                    replica.received.get(op_id).copied(),
                    Some(1),
                    "device {index}: operation received other than once"
                );
            }
            assert_eq!(replica.received.len(), self.reference.operations.len());
            assert!(replica.unreadable().is_empty());
            assert!(replica.refused().is_empty());
            assert_eq!(engine.replica_mut().pending_count().unwrap(), 0);
        }
    }
}
