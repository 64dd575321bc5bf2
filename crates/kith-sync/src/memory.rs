//! An in-memory [`Replica`] for tests and as the reference for kith-store's implementation:
//! local edits go through the same clock and merge as the real store, into an outbox.

use std::collections::{BTreeMap, BTreeSet};

use kith_protocol::{
    DeviceId, OperationId, PersonId, PushOutcome, PushResult, RecordId, RecordKind, RefusalReason,
    ScopeResponse,
};
use serde_json::Value;

use crate::engine::{PulledPage, Replica, UnreadableOperation};
use crate::hlc::Clock;
use crate::merge::{is_insert_only, FieldConflict, InsertOnlyRecord, RecordState, DELETED_FIELD};
use crate::operation::{FieldChange, OperationBody, PlainOperation};
use crate::SyncError;

/// What a record holds.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordContent {
    /// An editable record, merged per field.
    Fields(RecordState),
    /// An insert-only record.
    Inserted(InsertOnlyRecord),
}

/// One record as a replica holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryRecord {
    /// Its kind.
    pub kind: RecordKind,
    /// Its person.
    pub person_id: Option<PersonId>,
    /// Its contents.
    pub content: RecordContent,
}

/// A replica held in memory.
#[derive(Clone, Debug)]
pub struct MemoryReplica {
    device_id: DeviceId,
    clock: Clock,
    /// This device's physical clock (Unix ms); tests move it.
    pub now_ms: u64,
    last_device_seq: u64,
    outbox: BTreeMap<u64, PlainOperation>,
    refused: BTreeMap<u64, (PlainOperation, RefusalReason)>,
    cursor: u64,
    records: BTreeMap<RecordId, MemoryRecord>,
    unreadable: Vec<UnreadableOperation>,
    /// How many times each operation arrived in an applied page (tests check "never twice").
    pub received: BTreeMap<OperationId, u32>,
}

impl MemoryReplica {
    /// An empty replica for a device.
    pub fn new(device_id: DeviceId, now_ms: u64) -> Self {
        Self {
            device_id,
            clock: Clock::new(),
            now_ms,
            last_device_seq: 0,
            outbox: BTreeMap::new(),
            refused: BTreeMap::new(),
            cursor: 0,
            records: BTreeMap::new(),
            unreadable: Vec::new(),
            received: BTreeMap::new(),
        }
    }

    /// This replica's device.
    pub fn device_id(&self) -> DeviceId {
        self.device_id
    }

    /// Every record.
    pub fn records(&self) -> &BTreeMap<RecordId, MemoryRecord> {
        &self.records
    }

    /// Every unresolved conflict.
    pub fn conflicts(&self) -> Vec<FieldConflict> {
        self.records
            .iter()
            .flat_map(|(id, record)| match &record.content {
                RecordContent::Fields(state) => state.conflicts(*id),
                RecordContent::Inserted(_) => Vec::new(),
            })
            .collect()
    }

    /// Operations the server refused for good.
    pub fn refused(&self) -> Vec<(PlainOperation, RefusalReason)> {
        self.refused.values().cloned().collect()
    }

    /// Operations kept aside because they could not be opened.
    pub fn unreadable(&self) -> &[UnreadableOperation] {
        &self.unreadable
    }

    /// Edits fields of an editable record (creating it if new), as a link worker's save does.
    pub fn edit(
        &mut self,
        kind: RecordKind,
        record_id: RecordId,
        person_id: Option<PersonId>,
        fields: &[(&str, Value)],
    ) -> Result<OperationId, SyncError> {
        let state = match self.records.get(&record_id).map(|r| &r.content) {
            Some(RecordContent::Fields(state)) => Some(state),
            Some(RecordContent::Inserted(_)) => {
                return Err(SyncError::Local("insert-only records are never edited".into()))
            }
            None => None,
        };
        let changes: BTreeMap<String, FieldChange> = fields
            .iter()
            .map(|(name, value)| {
                let bases = state.and_then(|s| s.base(name)).into_iter().collect();
                ((*name).to_owned(), FieldChange { value: value.clone(), bases })
            })
            .collect();
        self.record_local(kind, record_id, person_id, OperationBody::Fields { fields: changes })
    }

    /// Tombstones a record (a field write, merged like any other).
    pub fn delete(
        &mut self,
        kind: RecordKind,
        record_id: RecordId,
        person_id: Option<PersonId>,
    ) -> Result<OperationId, SyncError> {
        self.edit(kind, record_id, person_id, &[(DELETED_FIELD, Value::Bool(true))])
    }

    /// Resolves a field's conflicts by choosing a value: a write that has seen every value.
    pub fn resolve(
        &mut self,
        record_id: RecordId,
        field: &str,
        value: Value,
    ) -> Result<OperationId, SyncError> {
        let Some(record) = self.records.get(&record_id) else {
            return Err(SyncError::Local("no such record".into()));
        };
        let RecordContent::Fields(state) = &record.content else {
            return Err(SyncError::Local("insert-only records have no conflicts".into()));
        };
        let change = FieldChange { value, bases: state.resolution_bases(field) };
        let body = OperationBody::Fields { fields: [(field.to_owned(), change)].into() };
        let (kind, person_id) = (record.kind, record.person_id);
        self.record_local(kind, record_id, person_id, body)
    }

    /// Adds an insert-only record (note, measure, comment).
    pub fn insert(
        &mut self,
        kind: RecordKind,
        record_id: RecordId,
        person_id: Option<PersonId>,
        body: Value,
    ) -> Result<OperationId, SyncError> {
        if self.records.contains_key(&record_id) {
            return Err(SyncError::Local("an insert-only record is written once".into()));
        }
        self.record_local(kind, record_id, person_id, OperationBody::Insert { body })
    }

    fn record_local(
        &mut self,
        kind: RecordKind,
        record_id: RecordId,
        person_id: Option<PersonId>,
        body: OperationBody,
    ) -> Result<OperationId, SyncError> {
        if !body.fits(kind) {
            return Err(SyncError::Local("this change does not fit the record's kind".into()));
        }
        let bases = match &body {
            OperationBody::Fields { fields } => {
                fields.values().flat_map(|c| c.bases.iter().map(|s| s.hlc)).collect()
            }
            OperationBody::Insert { .. } => Vec::new(),
        };
        let hlc = self.clock.stamp_write(self.now_ms, bases);
        self.last_device_seq += 1;
        let op = PlainOperation {
            op_id: OperationId::new_v7(),
            device_id: self.device_id,
            device_seq: self.last_device_seq,
            kind,
            record_id,
            person_id,
            hlc,
            body,
        };
        self.apply(&op);
        self.outbox.insert(op.device_seq, op.clone());
        Ok(op.op_id)
    }

    fn apply(&mut self, op: &PlainOperation) {
        let record = self.records.entry(op.record_id).or_insert_with(|| MemoryRecord {
            kind: op.kind,
            person_id: op.person_id,
            content: if is_insert_only(op.kind) {
                RecordContent::Inserted(InsertOnlyRecord::default())
            } else {
                RecordContent::Fields(RecordState::default())
            },
        });
        match (&mut record.content, &op.body) {
            (RecordContent::Inserted(inserted), OperationBody::Insert { body }) => {
                inserted.insert(op.op_id, body);
            }
            (RecordContent::Fields(state), OperationBody::Fields { .. }) => {
                for (field, write) in op.field_writes() {
                    state.apply(field, &write);
                }
            }
            // A record id reused with another kind: never overwrite what is there.
            _ => {}
        }
    }
}

impl Replica for MemoryReplica {
    fn prepare_push(&mut self) -> Result<(), SyncError> {
        Ok(()) // nothing kept locally outside the outbox
    }
    fn pending_count(&mut self) -> Result<u64, SyncError> {
        Ok(self.outbox.len() as u64)
    }

    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, SyncError> {
        Ok(self
            .outbox
            .range(after_device_seq.saturating_add(1)..)
            .take(limit)
            .map(|(_, op)| op.clone())
            .collect())
    }

    fn mark_pushed(&mut self, results: &[PushResult]) -> Result<(), SyncError> {
        for result in results {
            match &result.outcome {
                PushOutcome::Accepted { .. } => {
                    self.outbox.remove(&result.device_seq);
                }
                PushOutcome::Refused { reason: RefusalReason::ClockAhead, .. } => {}
                PushOutcome::Refused { reason, .. } => {
                    if let Some(op) = self.outbox.remove(&result.device_seq) {
                        self.refused.insert(result.device_seq, (op, *reason));
                    }
                }
            }
        }
        Ok(())
    }

    fn cursor(&mut self) -> Result<u64, SyncError> {
        Ok(self.cursor)
    }

    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError> {
        for (_, op) in &page.operations {
            self.clock.observe(op.hlc, self.now_ms);
            *self.received.entry(op.op_id).or_default() += 1;
            self.apply(op);
        }
        self.unreadable.extend(page.unreadable.iter().cloned());
        self.cursor = page.next_cursor;
        Ok(())
    }

    fn resync(&mut self, scope: &ScopeResponse) -> Result<(), SyncError> {
        if !scope.whole_practice {
            let in_scope: BTreeSet<PersonId> = scope.people.iter().copied().collect();
            let waiting: BTreeSet<RecordId> = self.outbox.values().map(|op| op.record_id).collect();
            self.records.retain(|id, record| match record.person_id {
                None => true,
                Some(person) => in_scope.contains(&person) || waiting.contains(id),
            });
        }
        self.cursor = 0;
        self.received.clear();
        Ok(())
    }

    fn conflict_count(&mut self) -> Result<u64, SyncError> {
        Ok(self.conflicts().len() as u64)
    }

    fn refused_count(&mut self) -> Result<u64, SyncError> {
        Ok(self.refused.len() as u64)
    }
}
