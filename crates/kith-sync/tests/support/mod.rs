//! Test support: an in-memory practice server behind the `Transport` trait, with switches for
//! the failures a real network and server produce.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

pub mod proxy;
pub mod scenario;
pub mod server;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use kith_protocol::{
    DeviceId, Operation, PersonId, PullRequest, PullResponse, PushOutcome, PushRequest,
    PushResponse, PushResult, RefusalReason, ScopeResponse, StoredOperation, MAX_CLOCK_AHEAD_MS,
};
use kith_sync::{SyncError, Transport};

#[derive(Default)]
pub struct ServerInner {
    pub log: Vec<StoredOperation>,
    by_device_seq: HashMap<(DeviceId, u64), (kith_protocol::OperationId, u64)>,
    pub server_time_ms: u64,
    pub revoked: BTreeSet<DeviceId>,
    pub unreachable: bool,
    /// Store the push but answer with an error (a response lost on the way back).
    pub lose_next_push_response: bool,
    /// `None` = whole practice.
    pub scopes: HashMap<DeviceId, BTreeSet<PersonId>>,
    pub resync: BTreeSet<DeviceId>,
    pub pushes: u64,
    pub pulls: u64,
    pub calls: u64,
}

#[derive(Clone, Default)]
pub struct FakeServer(pub Arc<Mutex<ServerInner>>);

impl FakeServer {
    pub fn new(server_time_ms: u64) -> Self {
        let server = Self::default();
        server.0.lock().unwrap().server_time_ms = server_time_ms;
        server
    }

    pub fn transport(&self, device_id: DeviceId) -> FakeTransport {
        FakeTransport { server: self.clone(), device_id }
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut ServerInner) -> T) -> T {
        f(&mut self.0.lock().unwrap())
    }
}

fn visible(inner: &ServerInner, device: DeviceId, op: &Operation) -> bool {
    match (inner.scopes.get(&device), op.person_id) {
        (Some(scope), Some(person)) => scope.contains(&person),
        _ => true,
    }
}

#[derive(Clone)]
pub struct FakeTransport {
    pub server: FakeServer,
    pub device_id: DeviceId,
}

impl FakeTransport {
    fn gate(&self, inner: &mut ServerInner) -> Result<(), SyncError> {
        inner.calls += 1;
        if inner.unreachable {
            return Err(SyncError::Unreachable("connection refused".into()));
        }
        if inner.revoked.contains(&self.device_id) {
            return Err(SyncError::DeviceRevoked);
        }
        Ok(())
    }

    fn do_push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let mut inner = self.server.0.lock().unwrap();
        self.gate(&mut inner)?;
        inner.pushes += 1;
        let mut results = Vec::new();
        for op in &request.operations {
            let refuse = |reason| PushOutcome::Refused { reason, message: format!("{reason:?}") };
            let outcome = if op.device_id != self.device_id {
                refuse(RefusalReason::WrongDevice)
            } else if op.hlc.wall_ms > inner.server_time_ms + MAX_CLOCK_AHEAD_MS {
                refuse(RefusalReason::ClockAhead)
            } else if !visible(&inner, self.device_id, op) {
                refuse(RefusalReason::OutOfScope)
            } else if let Some((op_id, seq)) =
                inner.by_device_seq.get(&(op.device_id, op.device_seq))
            {
                if *op_id == op.op_id {
                    PushOutcome::Accepted { seq: *seq }
                } else {
                    refuse(RefusalReason::DeviceSeqReused)
                }
            } else {
                let seq = inner.log.len() as u64 + 1;
                inner.log.push(StoredOperation { seq, operation: op.clone() });
                inner.by_device_seq.insert((op.device_id, op.device_seq), (op.op_id, seq));
                PushOutcome::Accepted { seq }
            };
            results.push(PushResult { op_id: op.op_id, device_seq: op.device_seq, outcome });
        }
        if std::mem::take(&mut inner.lose_next_push_response) {
            return Err(SyncError::Unreachable("connection reset".into()));
        }
        Ok(PushResponse { results, server_time_ms: inner.server_time_ms })
    }

    fn do_pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        let mut inner = self.server.0.lock().unwrap();
        self.gate(&mut inner)?;
        inner.pulls += 1;
        if inner.resync.contains(&self.device_id) {
            if request.since == 0 {
                inner.resync.remove(&self.device_id);
            } else {
                let next_cursor = request.since;
                return Ok(PullResponse {
                    operations: vec![],
                    next_cursor,
                    has_more: false,
                    resync_required: true,
                    scope_checksum: None,
                    head_seq: None,
                });
            }
        }
        let limit = request.limit.unwrap_or(500) as usize;
        let candidates: Vec<&StoredOperation> =
            inner.log.iter().filter(|s| s.seq > request.since).collect();
        let mut operations = Vec::new();
        let mut next_cursor = request.since;
        let mut scanned = 0;
        for stored in &candidates {
            if operations.len() == limit {
                break;
            }
            scanned += 1;
            next_cursor = stored.seq;
            if visible(&inner, self.device_id, &stored.operation) {
                operations.push((*stored).clone());
            }
        }
        let head_seq = inner
            .log
            .iter()
            .filter(|stored| visible(&inner, self.device_id, &stored.operation))
            .map(|stored| stored.seq)
            .max()
            .unwrap_or(0);
        Ok(PullResponse {
            operations,
            next_cursor,
            has_more: scanned < candidates.len(),
            resync_required: false,
            scope_checksum: None,
            head_seq: Some(head_seq),
        })
    }
}

impl Transport for FakeTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.do_push(request)
    }

    async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.do_pull(request)
    }

    async fn scope(&self) -> Result<ScopeResponse, SyncError> {
        let mut inner = self.server.0.lock().unwrap();
        self.gate(&mut inner)?;
        Ok(match inner.scopes.get(&self.device_id) {
            Some(people) => {
                ScopeResponse { whole_practice: false, people: people.iter().copied().collect() }
            }
            None => ScopeResponse { whole_practice: true, people: vec![] },
        })
    }
}
