//! Pure merge of records: per-field last-writer-wins by `(hlc, device_id)` with the losing
//! values of concurrent edits kept as conflicts, and insert-only records that are never merged.
//!
//! # The rule, per field
//! Each write carries its [`Stamp`] and its `bases`: the stamp of the value the writer saw in
//! that field when editing (none for a field it saw empty), plus the losing stamps it resolves.
//! For the set `W` of writes a replica has received for a field:
//! - the **value** is the write with the highest stamp (ties, only possible from a buggy
//!   device reusing a stamp, are broken by the value's canonical JSON text);
//! - a write is **superseded** when some write in `W` names it among its bases (someone saw it
//!   and replaced it on purpose);
//! - the **conflicts** are the writes that are not the winner, not superseded, and whose value
//!   differs from the winner's: concurrent edits that lost. Resolving them is a new write whose
//!   bases are the winner's and the losers' stamps ([`RecordState::resolution_bases`]).
//!
//! Everything is a function of the *set* `W`, so applying writes in any order, any number of
//! times, or merging two states, gives the same result (commutative, associative, idempotent;
//! a property test checks it).
//!
//! # Tombstones
//! A delete is a write of the field [`DELETED_FIELD`] `= true`, merged like any other field, so
//! a delete and a concurrent edit of another field both survive (the record is deleted with the
//! edit kept); an undelete is a later write of `false`. Records are never removed.
//!
//! # Insert-only kinds
//! Notes, measures, comments, history events and the audit trail ([`is_insert_only`]) are
//! never merged: a record is a map from operation id to body; the same operation applied twice
//! is a no-op and two different operations never overwrite each other. An amendment is a new
//! record that points at the one it corrects.

use std::collections::{BTreeMap, BTreeSet};

use kith_protocol::{OperationId, RecordId, RecordKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hlc::Stamp;

/// The field that marks a record deleted (`true`) or restored (`false`).
pub const DELETED_FIELD: &str = "deleted";

/// True for the kinds that are never edited, only added to (notes, measures, comments,
/// history events, audit trail).
pub fn is_insert_only(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Note
            | RecordKind::Measure
            | RecordKind::Comment
            | RecordKind::History
            | RecordKind::Audit
    )
}

/// JSON text with object keys sorted at every level: a canonical form to compare and order
/// values by, whatever map ordering serde_json was built with.
pub fn canonical_json(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push('{');
                for (index, (key, item)) in entries.into_iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(item, out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// One write of one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The new value (JSON; `null` clears the field).
    pub value: Value,
    /// Who wrote it and when.
    pub stamp: Stamp,
    /// The stamps the writer had seen in this field when editing: the current value's (none
    /// for an empty field), plus every losing value's when the write resolves a conflict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<Stamp>,
}

/// What a replica knows about one field: a function of the set of writes it has received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    /// The winning write's stamp.
    pub stamp: Stamp,
    /// The winning value.
    pub value: Value,
    /// Writes nobody has knowingly replaced (including the winner), by stamp.
    pub open: BTreeMap<Stamp, Value>,
    /// Stamps that some write named as its base.
    pub superseded: BTreeSet<Stamp>,
}

impl FieldState {
    fn from_write(write: &FieldValue) -> Self {
        let mut state = FieldState {
            stamp: write.stamp,
            value: write.value.clone(),
            open: BTreeMap::new(),
            superseded: BTreeSet::new(),
        };
        state.apply(write);
        state
    }

    fn beats(stamp: Stamp, value: &Value, other_stamp: Stamp, other_value: &Value) -> bool {
        (stamp, canonical_json(value)) > (other_stamp, canonical_json(other_value))
    }

    fn keep_open(&mut self, stamp: Stamp, value: &Value) {
        if self.superseded.contains(&stamp) {
            return;
        }
        match self.open.get(&stamp) {
            Some(existing) if canonical_json(existing) >= canonical_json(value) => {}
            _ => {
                self.open.insert(stamp, value.clone());
            }
        }
    }

    fn apply(&mut self, write: &FieldValue) {
        if Self::beats(write.stamp, &write.value, self.stamp, &self.value) {
            self.stamp = write.stamp;
            self.value = write.value.clone();
        }
        for base in &write.bases {
            self.superseded.insert(*base);
            self.open.remove(base);
        }
        self.keep_open(write.stamp, &write.value);
    }

    fn merge(&mut self, other: &FieldState) {
        if Self::beats(other.stamp, &other.value, self.stamp, &self.value) {
            self.stamp = other.stamp;
            self.value = other.value.clone();
        }
        self.superseded.extend(other.superseded.iter().copied());
        let superseded = &self.superseded;
        self.open.retain(|stamp, _| !superseded.contains(stamp));
        for (stamp, value) in &other.open {
            self.keep_open(*stamp, value);
        }
    }

    /// The losing values of concurrent edits: open, not the winner, different from it.
    pub fn losers(&self) -> impl Iterator<Item = (&Stamp, &Value)> {
        let winning_text = canonical_json(&self.value);
        self.open.iter().filter(move |(stamp, value)| {
            **stamp != self.stamp && canonical_json(value) != winning_text
        })
    }
}

/// A concurrent edit that lost, kept so it can be shown and resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    /// The record.
    pub record_id: RecordId,
    /// The field.
    pub field: String,
    /// The value that lost.
    pub losing_value: Value,
    /// Who wrote the losing value and when.
    pub losing: Stamp,
    /// Who wrote the value that won and when.
    pub winning: Stamp,
}

/// The merged state of one editable record: every field's [`FieldState`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordState {
    /// By field name.
    pub fields: BTreeMap<String, FieldState>,
}

impl RecordState {
    /// Takes in one field write (any order, any number of times).
    pub fn apply(&mut self, field: &str, write: &FieldValue) {
        match self.fields.get_mut(field) {
            Some(state) => state.apply(write),
            None => {
                self.fields.insert(field.to_owned(), FieldState::from_write(write));
            }
        }
    }

    /// Takes in everything another replica knows about the same record.
    pub fn merge(&mut self, other: &RecordState) {
        for (field, theirs) in &other.fields {
            match self.fields.get_mut(field) {
                Some(ours) => ours.merge(theirs),
                None => {
                    self.fields.insert(field.clone(), theirs.clone());
                }
            }
        }
    }

    /// The current value of a field.
    pub fn value(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).map(|state| &state.value)
    }

    /// The stamp of a field's current value: the base of the next local edit of that field.
    pub fn base(&self, field: &str) -> Option<Stamp> {
        self.fields.get(field).map(|state| state.stamp)
    }

    /// The current values of every field.
    pub fn values(&self) -> BTreeMap<String, Value> {
        self.fields.iter().map(|(field, state)| (field.clone(), state.value.clone())).collect()
    }

    /// True when the record's tombstone field is set.
    pub fn is_deleted(&self) -> bool {
        self.value(DELETED_FIELD) == Some(&Value::Bool(true))
    }

    /// The record's conflicts, by field then losing stamp.
    pub fn conflicts(&self, record_id: RecordId) -> Vec<FieldConflict> {
        self.fields
            .iter()
            .flat_map(|(field, state)| {
                state.losers().map(move |(stamp, value)| FieldConflict {
                    record_id,
                    field: field.clone(),
                    losing_value: value.clone(),
                    losing: *stamp,
                    winning: state.stamp,
                })
            })
            .collect()
    }

    /// The bases of an edit that resolves a field's conflicts: the winner's stamp and every
    /// losing stamp. After a write with these bases the field has no conflicts on any replica
    /// that has received it (unless a new concurrent edit arrives).
    pub fn resolution_bases(&self, field: &str) -> Vec<Stamp> {
        match self.fields.get(field) {
            Some(state) => std::iter::once(state.stamp)
                .chain(state.losers().map(|(stamp, _)| *stamp))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// An insert-only record (note, measure, comment): bodies by operation, never overwritten.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InsertOnlyRecord {
    /// Every body received for this record id, by the operation that inserted it. Normally
    /// exactly one; two only if two devices wrongly reused a record id, and then both are kept.
    pub bodies: BTreeMap<OperationId, Value>,
}

impl InsertOnlyRecord {
    /// Adds a body; returns false (and changes nothing) if this operation was already applied.
    pub fn insert(&mut self, op_id: OperationId, body: &Value) -> bool {
        if self.bodies.contains_key(&op_id) {
            return false;
        }
        self.bodies.insert(op_id, body.clone());
        true
    }

    /// The body of the first insertion (by operation id, which is time ordered).
    pub fn body(&self) -> Option<&Value> {
        self.bodies.values().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kith_protocol::{DeviceId, Hlc};
    use serde_json::json;
    use uuid::Uuid;

    fn device(n: u128) -> DeviceId {
        DeviceId(Uuid::from_u128(n))
    }

    fn stamp(wall_ms: u64, dev: u128) -> Stamp {
        Stamp { hlc: Hlc { wall_ms, counter: 0 }, device_id: device(dev) }
    }

    fn write(value: Value, at: Stamp, base: Option<Stamp>) -> FieldValue {
        FieldValue { value, stamp: at, bases: base.into_iter().collect() }
    }

    fn record() -> RecordId {
        RecordId(Uuid::from_u128(99))
    }

    struct Case {
        name: &'static str,
        writes: Vec<FieldValue>,
        value: Value,
        conflicts: Vec<(Value, Stamp)>,
    }

    #[test]
    fn per_field_last_writer_wins_table() {
        let (a1, b1, a2, b2, c3) =
            (stamp(1, 1), stamp(1, 2), stamp(2, 1), stamp(2, 2), stamp(3, 3));
        let cases = vec![
            Case {
                name: "one write",
                writes: vec![write(json!("x"), a1, None)],
                value: json!("x"),
                conflicts: vec![],
            },
            Case {
                name: "a sequential edit replaces without conflict",
                writes: vec![write(json!("x"), a1, None), write(json!("y"), a2, Some(a1))],
                value: json!("y"),
                conflicts: vec![],
            },
            Case {
                name: "concurrent edits: higher clock wins, loser kept",
                writes: vec![write(json!("x"), a1, None), write(json!("y"), a2, None)],
                value: json!("y"),
                conflicts: vec![(json!("x"), a1)],
            },
            Case {
                name: "same clock: device id breaks the tie",
                writes: vec![write(json!("b"), b1, None), write(json!("a"), a1, None)],
                value: json!("b"),
                conflicts: vec![(json!("a"), a1)],
            },
            Case {
                name: "concurrent edits that agree are not a conflict",
                writes: vec![write(json!("x"), a1, None), write(json!("x"), b1, None)],
                value: json!("x"),
                conflicts: vec![],
            },
            Case {
                name: "a stale edit that saw an older value loses and is kept",
                writes: vec![
                    write(json!("x"), a1, None),
                    write(json!("y"), b2, Some(a1)),
                    write(json!("z"), a2, Some(a1)),
                ],
                value: json!("y"),
                conflicts: vec![(json!("z"), a2)],
            },
            Case {
                name: "a chain of knowing edits leaves no conflict in any order",
                writes: vec![
                    write(json!("z"), c3, Some(b2)),
                    write(json!("x"), a1, None),
                    write(json!("y"), b2, Some(a1)),
                ],
                value: json!("z"),
                conflicts: vec![],
            },
            Case {
                name: "a resolution that saw both values clears the conflict",
                writes: vec![
                    write(json!("x"), a1, None),
                    write(json!("y"), b1, None),
                    write(json!("x"), c3, Some(b1)),
                    write(json!("x"), c3, Some(a1)),
                ],
                value: json!("x"),
                conflicts: vec![],
            },
            Case {
                name: "a loser equal to the winner is hidden but comes back if the winner changes",
                writes: vec![
                    write(json!("x"), a1, None),
                    write(json!("x"), b1, None),
                    write(json!("q"), c3, None),
                ],
                value: json!("q"),
                conflicts: vec![(json!("x"), a1), (json!("x"), b1)],
            },
        ];
        for case in cases {
            let mut state = RecordState::default();
            for w in &case.writes {
                state.apply("phone", w);
            }
            assert_eq!(state.value("phone"), Some(&case.value), "{}", case.name);
            let conflicts: Vec<_> = state
                .conflicts(record())
                .into_iter()
                .map(|c| {
                    assert_eq!(c.winning, state.base("phone").unwrap(), "{}", case.name);
                    (c.losing_value, c.losing)
                })
                .collect();
            assert_eq!(conflicts, case.conflicts, "{}", case.name);
        }
    }

    #[test]
    fn delete_is_a_field_write_and_merges_with_concurrent_edits() {
        let mut state = RecordState::default();
        state.apply("name", &write(json!("Ann"), stamp(1, 1), None));
        state.apply(DELETED_FIELD, &write(json!(true), stamp(2, 1), None));
        state.apply("name", &write(json!("Anne"), stamp(2, 2), Some(stamp(1, 1))));
        assert!(state.is_deleted());
        assert_eq!(state.value("name"), Some(&json!("Anne")));
        state.apply(DELETED_FIELD, &write(json!(false), stamp(3, 2), Some(stamp(2, 1))));
        assert!(!state.is_deleted());
        assert!(state.conflicts(record()).is_empty());
    }

    #[test]
    fn resolution_bases_name_the_winner_and_every_loser() {
        let mut state = RecordState::default();
        state.apply("f", &write(json!(1), stamp(1, 1), None));
        state.apply("f", &write(json!(2), stamp(1, 2), None));
        state.apply("f", &write(json!(3), stamp(1, 3), None));
        assert_eq!(state.conflicts(record()).len(), 2);
        let bases = state.resolution_bases("f");
        assert_eq!(bases, vec![stamp(1, 3), stamp(1, 1), stamp(1, 2)]);
        state.apply("f", &FieldValue { value: json!(2), stamp: stamp(5, 1), bases });
        assert_eq!(state.value("f"), Some(&json!(2)));
        assert!(state.conflicts(record()).is_empty());
    }

    #[test]
    fn insert_only_records_never_overwrite() {
        let mut note = InsertOnlyRecord::default();
        let first = OperationId(Uuid::from_u128(1));
        let second = OperationId(Uuid::from_u128(2));
        assert!(note.insert(first, &json!({"text": "visited"})));
        assert!(!note.insert(first, &json!({"text": "visited"})));
        assert!(note.insert(second, &json!({"text": "other"})));
        assert_eq!(note.bodies.len(), 2);
        assert_eq!(note.body(), Some(&json!({"text": "visited"})));
        assert!(is_insert_only(RecordKind::Note));
        assert!(is_insert_only(RecordKind::Measure));
        assert!(is_insert_only(RecordKind::Comment));
        assert!(!is_insert_only(RecordKind::Person));
    }

    #[test]
    fn canonical_json_ignores_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":1}],"c":"é"}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"c":"é","d":[1,{"y":1,"z":0}]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"c":"é","d":[1,{"y":1,"z":0}]},"b":1}"#);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_write() -> impl Strategy<Value = (u8, FieldValue)> {
            let small_stamp = (0u64..4, 0u32..2, 1u128..4).prop_map(|(w, c, d)| Stamp {
                hlc: Hlc { wall_ms: w, counter: c },
                device_id: device(d),
            });
            (0u8..3, 0i64..3, small_stamp.clone(), proptest::collection::vec(small_stamp, 0..3))
                .prop_map(|(field, value, at, bases)| {
                    (field, FieldValue { value: json!(value), stamp: at, bases })
                })
        }

        fn fold(writes: &[(u8, FieldValue)]) -> RecordState {
            let mut state = RecordState::default();
            for (field, w) in writes {
                state.apply(&format!("f{field}"), w);
            }
            state
        }

        proptest! {
            #[test]
            fn order_does_not_matter(writes in proptest::collection::vec(any_write(), 0..12),
                                     seed in any::<u64>()) {
                let mut shuffled = writes.clone();
                // A deterministic shuffle from the seed.
                let mut x = seed | 1;
                for i in (1..shuffled.len()).rev() {
                    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                    shuffled.swap(i, (x % (i as u64 + 1)) as usize);
                }
                let a = fold(&writes);
                let b = fold(&shuffled);
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(a.conflicts(record()), b.conflicts(record()));
            }

            #[test]
            fn merge_is_commutative_associative_and_idempotent(
                x in proptest::collection::vec(any_write(), 0..8),
                y in proptest::collection::vec(any_write(), 0..8),
                z in proptest::collection::vec(any_write(), 0..8),
            ) {
                let (sx, sy, sz) = (fold(&x), fold(&y), fold(&z));
                let mut xy = sx.clone(); xy.merge(&sy);
                let mut yx = sy.clone(); yx.merge(&sx);
                prop_assert_eq!(&xy, &yx);
                let mut xy_z = xy.clone(); xy_z.merge(&sz);
                let mut yz = sy.clone(); yz.merge(&sz);
                let mut x_yz = sx.clone(); x_yz.merge(&yz);
                prop_assert_eq!(&xy_z, &x_yz);
                let mut xx = sx.clone(); xx.merge(&sx);
                prop_assert_eq!(&xx, &sx);
                // Merging states equals applying every write to one state.
                let all: Vec<_> = x.iter().chain(&y).chain(&z).cloned().collect();
                prop_assert_eq!(&fold(&all), &xy_z);
                prop_assert_eq!(fold(&all).conflicts(record()), xy_z.conflicts(record()));
                // Applying a write twice changes nothing.
                let twice: Vec<_> = x.iter().chain(&x).cloned().collect();
                prop_assert_eq!(fold(&twice), sx);
            }
        }
    }
}
