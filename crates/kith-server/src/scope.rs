//! Who may write what: the push rules, as pure functions both storage backends share.
//!
//! The rule for writes (reads mirror it in each backend's pull query):
//! - An operation must come from the pushing device, with a non-zero `device_seq`, a clock
//!   at most 5 minutes ahead of the server (refused, never clamped), an envelope within the
//!   size limit, and consistent fields (person kinds carry a person, practice-wide kinds none,
//!   a `person` record's id is its person id).
//! - A record is bound to its kind and person by its first operation: it never moves.
//! - A supervisor may write any record in their practice.
//! - A link worker may write practice-wide records, records of people assigned to them, and a
//!   *new* person: the first `person` operation for a person id the practice has never seen
//!   assigns that person to the link worker who created them (in the same transaction).
//!   Anything else is refused as out of scope.
//! - An admin writes no records.

use std::collections::{HashMap, HashSet};

use kith_protocol::{
    Operation, OperationId, PersonId, PushOutcome, RecordId, RecordKind, RefusalReason, Role,
    UserId, MAX_CLOCK_AHEAD_MS,
};

use crate::storage::Caller;

/// What the database already holds about the operations of one push, read inside the
/// writing transaction.
#[derive(Default)]
pub struct PushFacts {
    /// Operations already stored for the pushing device, by `device_seq`: `(op_id, seq)`.
    pub stored_by_device_seq: HashMap<u64, (OperationId, u64)>,
    /// Which of the pushed op ids the pushing practice already holds (op ids are unique per
    /// practice: another practice's are never looked at).
    pub stored_op_ids: HashSet<OperationId>,
    /// Kind and person of records that already exist in the practice.
    pub records: HashMap<RecordId, (RecordKind, Option<PersonId>)>,
    /// Current assignments of the people named in the push.
    pub assignees: HashMap<PersonId, UserId>,
    /// People named in the push of whom the practice already has a record.
    pub known_people: HashSet<PersonId>,
}

/// What to write, decided from the facts.
#[derive(Debug, Default)]
pub struct PushPlan {
    /// One per pushed operation, in order.
    pub outcomes: Vec<PushOutcome>,
    /// `(seq, index into the pushed operations)` of operations to insert.
    pub inserts: Vec<(u64, usize)>,
    /// Records seen for the first time: `(record_id, kind, person_id)`.
    pub new_records: Vec<(RecordId, RecordKind, Option<PersonId>)>,
    /// New people to assign to the caller.
    pub new_assignments: Vec<PersonId>,
    /// The practice counter after this push.
    pub last_seq: u64,
}

/// Limits the plan enforces per operation.
#[derive(Clone, Copy, Debug)]
pub struct OperationLimits {
    /// Largest envelope accepted, in bytes.
    pub max_envelope_bytes: usize,
}

fn refuse(reason: RefusalReason, message: impl Into<String>) -> PushOutcome {
    PushOutcome::Refused { reason, message: message.into() }
}

/// Checks one operation on its own (no database facts needed).
pub fn validate_operation(
    caller: &Caller,
    op: &Operation,
    now_ms: u64,
    limits: OperationLimits,
) -> Result<(), PushOutcome> {
    if caller.role == Role::Admin {
        return Err(refuse(RefusalReason::NotPermitted, "admin accounts write no records"));
    }
    if op.device_id != caller.device_id {
        return Err(refuse(
            RefusalReason::WrongDevice,
            "the operation's device_id is not the pushing device",
        ));
    }
    if op.device_seq == 0 || op.device_seq > i64::MAX as u64 {
        return Err(refuse(RefusalReason::InvalidOperation, "device_seq must be 1 or more"));
    }
    if op.hlc.wall_ms > i64::MAX as u64 {
        return Err(refuse(RefusalReason::InvalidOperation, "hlc wall time is out of range"));
    }
    if op.hlc.wall_ms > now_ms.saturating_add(MAX_CLOCK_AHEAD_MS) {
        return Err(refuse(
            RefusalReason::ClockAhead,
            format!(
                "the operation's clock is {} s ahead of the server; fix the device clock",
                (op.hlc.wall_ms - now_ms) / 1000
            ),
        ));
    }
    if op.envelope.0.len() > limits.max_envelope_bytes {
        return Err(refuse(
            RefusalReason::InvalidOperation,
            format!("envelope is larger than {} bytes", limits.max_envelope_bytes),
        ));
    }
    match (op.kind.belongs_to_person(), op.person_id) {
        (true, None) => {
            return Err(refuse(
                RefusalReason::InvalidOperation,
                format!("a {} record needs a person_id", op.kind.as_str()),
            ))
        }
        (false, Some(_)) => {
            return Err(refuse(
                RefusalReason::InvalidOperation,
                format!("a {} record is practice-wide and takes no person_id", op.kind.as_str()),
            ))
        }
        _ => {}
    }
    if op.kind == RecordKind::Person && op.person_id.map(|p| p.0) != Some(op.record_id.0) {
        return Err(refuse(
            RefusalReason::InvalidOperation,
            "a person record's record_id must equal its person_id",
        ));
    }
    Ok(())
}

/// Decides every operation of a push, in order, given what is stored and the practice
/// counter. Operations earlier in the same push count as stored for later ones.
pub fn plan_push(
    caller: &Caller,
    ops: &[Operation],
    mut facts: PushFacts,
    counter: u64,
    now_ms: u64,
    limits: OperationLimits,
) -> PushPlan {
    let mut plan = PushPlan { last_seq: counter, ..PushPlan::default() };
    for (index, op) in ops.iter().enumerate() {
        let outcome = decide_one(caller, op, &mut facts, &mut plan, index, now_ms, limits);
        plan.outcomes.push(outcome);
    }
    plan
}

fn decide_one(
    caller: &Caller,
    op: &Operation,
    facts: &mut PushFacts,
    plan: &mut PushPlan,
    index: usize,
    now_ms: u64,
    limits: OperationLimits,
) -> PushOutcome {
    // A replay of something already stored is answered the same way as the first time,
    // whatever the clock says now.
    if let Some((stored_op_id, seq)) = facts.stored_by_device_seq.get(&op.device_seq) {
        if op.device_id == caller.device_id {
            if *stored_op_id == op.op_id {
                return PushOutcome::Accepted { seq: *seq };
            }
            return refuse(
                RefusalReason::DeviceSeqReused,
                "this device_seq was already used by another operation",
            );
        }
    }
    if let Err(refusal) = validate_operation(caller, op, now_ms, limits) {
        return refusal;
    }
    if facts.stored_op_ids.contains(&op.op_id) {
        return refuse(
            RefusalReason::DuplicateOperationId,
            "this op_id was already stored under another device_seq",
        );
    }
    let existing_record = facts.records.get(&op.record_id).copied();
    if let Some((kind, person)) = existing_record {
        if kind != op.kind || person != op.person_id {
            return refuse(
                RefusalReason::RecordMismatch,
                "this record already exists with another kind or person",
            );
        }
    }
    let mut assign_to_caller = None;
    if let Some(person) = op.person_id {
        match caller.role {
            Role::Supervisor => {}
            Role::LinkWorker => match facts.assignees.get(&person) {
                Some(worker) if *worker == caller.user_id => {}
                Some(_) => {
                    return refuse(
                        RefusalReason::OutOfScope,
                        "this person is assigned to another link worker",
                    )
                }
                None => {
                    let is_new_person =
                        !facts.known_people.contains(&person) && op.kind == RecordKind::Person;
                    if !is_new_person {
                        return refuse(
                            RefusalReason::OutOfScope,
                            "this person is not assigned to you; ask a supervisor",
                        );
                    }
                    assign_to_caller = Some(person);
                }
            },
            Role::Admin => {
                return refuse(RefusalReason::NotPermitted, "admin accounts write no records")
            }
        }
    }
    // Store it.
    plan.last_seq += 1;
    let seq = plan.last_seq;
    plan.inserts.push((seq, index));
    facts.stored_by_device_seq.insert(op.device_seq, (op.op_id, seq));
    facts.stored_op_ids.insert(op.op_id);
    if existing_record.is_none() {
        facts.records.insert(op.record_id, (op.kind, op.person_id));
        plan.new_records.push((op.record_id, op.kind, op.person_id));
    }
    if let Some(person) = op.person_id {
        facts.known_people.insert(person);
    }
    if let Some(person) = assign_to_caller {
        facts.assignees.insert(person, caller.user_id);
        plan.new_assignments.push(person);
    }
    PushOutcome::Accepted { seq }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_protocol::{DeviceId, Envelope, Hlc, PracticeId};

    const NOW: u64 = 1_800_000_000_000;
    const LIMITS: OperationLimits = OperationLimits { max_envelope_bytes: 1024 };

    fn caller(role: Role) -> Caller {
        Caller {
            user_id: UserId::new_v7(),
            practice_id: PracticeId::new_v7(),
            device_id: DeviceId::new_v7(),
            role,
        }
    }

    fn op(caller: &Caller, seq: u64, kind: RecordKind, person: Option<PersonId>) -> Operation {
        let record_id = match (kind, person) {
            (RecordKind::Person, Some(p)) => RecordId(p.0),
            _ => RecordId::new_v7(),
        };
        Operation {
            op_id: OperationId::new_v7(),
            device_id: caller.device_id,
            device_seq: seq,
            kind,
            record_id,
            person_id: person,
            hlc: Hlc { wall_ms: NOW, counter: 0 },
            envelope: Envelope(vec![1, 2, 3]),
        }
    }

    fn reason(outcome: &PushOutcome) -> Option<RefusalReason> {
        match outcome {
            PushOutcome::Refused { reason, .. } => Some(*reason),
            PushOutcome::Accepted { .. } => None,
        }
    }

    #[test]
    fn link_worker_creates_a_new_person_and_writes_to_them_in_one_push() {
        let worker = caller(Role::LinkWorker);
        let person = PersonId::new_v7();
        let ops = vec![
            op(&worker, 1, RecordKind::Person, Some(person)),
            op(&worker, 2, RecordKind::Note, Some(person)),
        ];
        let plan = plan_push(&worker, &ops, PushFacts::default(), 10, NOW, LIMITS);
        assert_eq!(
            plan.outcomes,
            vec![PushOutcome::Accepted { seq: 11 }, PushOutcome::Accepted { seq: 12 }]
        );
        assert_eq!(plan.new_assignments, vec![person]);
        assert_eq!(plan.last_seq, 12);
        assert_eq!(plan.new_records.len(), 2);
    }

    #[test]
    fn link_worker_is_refused_for_people_outside_their_caseload() {
        let worker = caller(Role::LinkWorker);
        let theirs = PersonId::new_v7();
        let unassigned_known = PersonId::new_v7();
        let unknown = PersonId::new_v7();
        let mut facts = PushFacts::default();
        facts.assignees.insert(theirs, UserId::new_v7());
        facts.known_people.insert(unassigned_known);
        let ops = vec![
            op(&worker, 1, RecordKind::Note, Some(theirs)),
            op(&worker, 2, RecordKind::Person, Some(theirs)),
            op(&worker, 3, RecordKind::Person, Some(unassigned_known)),
            // Writing to an unknown person without creating them first is refused.
            op(&worker, 4, RecordKind::Note, Some(unknown)),
            op(&worker, 5, RecordKind::DirectoryEntry, None),
        ];
        let plan = plan_push(&worker, &ops, facts, 0, NOW, LIMITS);
        let reasons: Vec<_> = plan.outcomes.iter().map(reason).collect();
        assert_eq!(
            reasons,
            vec![
                Some(RefusalReason::OutOfScope),
                Some(RefusalReason::OutOfScope),
                Some(RefusalReason::OutOfScope),
                Some(RefusalReason::OutOfScope),
                None
            ]
        );
        assert!(plan.new_assignments.is_empty());
        assert_eq!(plan.last_seq, 1);
    }

    #[test]
    fn supervisor_writes_anyone_without_assigning() {
        let supervisor = caller(Role::Supervisor);
        let person = PersonId::new_v7();
        let mut facts = PushFacts::default();
        facts.assignees.insert(person, UserId::new_v7());
        let ops = vec![
            op(&supervisor, 1, RecordKind::Comment, Some(person)),
            op(&supervisor, 2, RecordKind::Person, Some(PersonId::new_v7())),
        ];
        let plan = plan_push(&supervisor, &ops, facts, 0, NOW, LIMITS);
        assert!(plan.outcomes.iter().all(|o| reason(o).is_none()));
        assert!(plan.new_assignments.is_empty());
    }

    #[test]
    fn replays_return_the_stored_seq_and_reused_seqs_are_refused() {
        let worker = caller(Role::LinkWorker);
        let first = op(&worker, 1, RecordKind::DirectoryEntry, None);
        let mut facts = PushFacts::default();
        facts.stored_by_device_seq.insert(1, (first.op_id, 77));
        let mut reuse = op(&worker, 1, RecordKind::DirectoryEntry, None);
        reuse.op_id = OperationId::new_v7();
        let plan = plan_push(&worker, &[first.clone(), reuse], facts, 100, NOW, LIMITS);
        assert_eq!(plan.outcomes[0], PushOutcome::Accepted { seq: 77 });
        assert_eq!(reason(&plan.outcomes[1]), Some(RefusalReason::DeviceSeqReused));
        assert!(plan.inserts.is_empty());

        // The same operation twice in one push is stored once.
        let plan =
            plan_push(&worker, &[first.clone(), first], PushFacts::default(), 5, NOW, LIMITS);
        assert_eq!(
            plan.outcomes,
            vec![PushOutcome::Accepted { seq: 6 }, PushOutcome::Accepted { seq: 6 }]
        );
        assert_eq!(plan.inserts.len(), 1);
    }

    #[test]
    fn invalid_operations_are_refused_with_their_reason() {
        let worker = caller(Role::LinkWorker);
        let person = PersonId::new_v7();
        let mut wrong_device = op(&worker, 1, RecordKind::DirectoryEntry, None);
        wrong_device.device_id = DeviceId::new_v7();
        let mut ahead = op(&worker, 2, RecordKind::DirectoryEntry, None);
        ahead.hlc.wall_ms = NOW + MAX_CLOCK_AHEAD_MS + 1;
        let mut just_inside = op(&worker, 3, RecordKind::DirectoryEntry, None);
        just_inside.hlc.wall_ms = NOW + MAX_CLOCK_AHEAD_MS;
        let missing_person = op(&worker, 4, RecordKind::Note, None);
        let wide_with_person = op(&worker, 5, RecordKind::PracticeSetting, Some(person));
        let mut person_id_mismatch = op(&worker, 6, RecordKind::Person, Some(person));
        person_id_mismatch.record_id = RecordId::new_v7();
        let zero_seq = op(&worker, 0, RecordKind::DirectoryEntry, None);
        let mut big = op(&worker, 7, RecordKind::DirectoryEntry, None);
        big.envelope = Envelope(vec![0; 1025]);
        let ops = [
            wrong_device,
            ahead,
            just_inside,
            missing_person,
            wide_with_person,
            person_id_mismatch,
            zero_seq,
            big,
        ];
        let plan = plan_push(&worker, &ops, PushFacts::default(), 0, NOW, LIMITS);
        let reasons: Vec<_> = plan.outcomes.iter().map(reason).collect();
        use RefusalReason::*;
        assert_eq!(
            reasons,
            vec![
                Some(WrongDevice),
                Some(ClockAhead),
                None,
                Some(InvalidOperation),
                Some(InvalidOperation),
                Some(InvalidOperation),
                Some(InvalidOperation),
                Some(InvalidOperation),
            ]
        );
    }

    #[test]
    fn records_never_change_person_or_kind() {
        let supervisor = caller(Role::Supervisor);
        let person = PersonId::new_v7();
        let other = PersonId::new_v7();
        let first = op(&supervisor, 1, RecordKind::Note, Some(person));
        let mut moved = op(&supervisor, 2, RecordKind::Note, Some(other));
        moved.record_id = first.record_id;
        let mut rekinded = op(&supervisor, 3, RecordKind::Plan, Some(person));
        rekinded.record_id = first.record_id;
        let mut same = op(&supervisor, 4, RecordKind::Note, Some(person));
        same.record_id = first.record_id;
        let plan = plan_push(
            &supervisor,
            &[first, moved, rekinded, same],
            PushFacts::default(),
            0,
            NOW,
            LIMITS,
        );
        let reasons: Vec<_> = plan.outcomes.iter().map(reason).collect();
        assert_eq!(
            reasons,
            vec![
                None,
                Some(RefusalReason::RecordMismatch),
                Some(RefusalReason::RecordMismatch),
                None
            ]
        );
        assert_eq!(plan.new_records.len(), 1);
    }

    #[test]
    fn admins_write_nothing_and_op_ids_are_unique() {
        let admin = caller(Role::Admin);
        let plan = plan_push(
            &admin,
            &[op(&admin, 1, RecordKind::DirectoryEntry, None)],
            PushFacts::default(),
            0,
            NOW,
            LIMITS,
        );
        assert_eq!(reason(&plan.outcomes[0]), Some(RefusalReason::NotPermitted));

        let worker = caller(Role::LinkWorker);
        let first = op(&worker, 1, RecordKind::DirectoryEntry, None);
        let mut facts = PushFacts::default();
        facts.stored_op_ids.insert(first.op_id);
        let plan = plan_push(&worker, &[first], facts, 0, NOW, LIMITS);
        assert_eq!(reason(&plan.outcomes[0]), Some(RefusalReason::DuplicateOperationId));
    }
}
