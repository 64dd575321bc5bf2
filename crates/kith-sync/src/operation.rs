//! What an operation says (its plaintext body) and how it is sealed into, and opened from, the
//! wire [`Operation`] with the practice key through kith-crypto.
//!
//! The envelope's associated data binds every clear field the server sees (kind, record, person,
//! operation id, device, device sequence, clock), so a server cannot move a change to another
//! record or person, replay it under another id, or re-stamp it to make an old edit win.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use kith_crypto::PracticeKey;
use kith_protocol::{
    DeviceId, Envelope, Hlc, Operation, OperationId, PersonId, RecordId, RecordKind,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::hlc::{encode_hlc, Stamp};
use crate::merge::{is_insert_only, FieldValue};
use crate::SyncError;

/// The change one operation makes, sealed inside its envelope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OperationBody {
    /// Field writes to an editable record (all carry the operation's stamp).
    Fields {
        /// By field name.
        fields: BTreeMap<String, FieldChange>,
    },
    /// The whole body of an insert-only record (note, measure, comment).
    Insert {
        /// The record's contents.
        body: Value,
    },
}

/// One field written by an operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The new value.
    pub value: Value,
    /// The stamps the writer had seen in this field ([`crate::RecordState::base`], plus the
    /// losing stamps when resolving a conflict: [`crate::RecordState::resolution_bases`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<Stamp>,
}

impl OperationBody {
    /// True when the body's shape matches the kind (insert-only kinds insert, others write
    /// fields).
    pub fn fits(&self, kind: RecordKind) -> bool {
        matches!(self, OperationBody::Insert { .. }) == is_insert_only(kind)
    }
}

/// An operation with its body in the clear: what an outbox holds and what a replica applies.
#[derive(Clone, Debug, PartialEq)]
pub struct PlainOperation {
    /// Globally unique id (UUIDv7).
    pub op_id: OperationId,
    /// The device that made it.
    pub device_id: DeviceId,
    /// That device's own counter (1, 2, 3...): the outbox sequence.
    pub device_seq: u64,
    /// The kind of record.
    pub kind: RecordKind,
    /// The record.
    pub record_id: RecordId,
    /// The person it belongs to (`None` for practice-wide kinds).
    pub person_id: Option<PersonId>,
    /// When, by hybrid logical clock.
    pub hlc: Hlc,
    /// The change.
    pub body: OperationBody,
}

impl PlainOperation {
    /// The stamp every field write of this operation carries.
    pub fn stamp(&self) -> Stamp {
        Stamp { hlc: self.hlc, device_id: self.device_id }
    }

    /// The field writes, ready for [`crate::RecordState::apply`] (empty for inserts).
    pub fn field_writes(&self) -> Vec<(&str, FieldValue)> {
        match &self.body {
            OperationBody::Fields { fields } => fields
                .iter()
                .map(|(name, change)| {
                    let write = FieldValue {
                        value: change.value.clone(),
                        stamp: self.stamp(),
                        bases: change.bases.clone(),
                    };
                    (name.as_str(), write)
                })
                .collect(),
            OperationBody::Insert { .. } => Vec::new(),
        }
    }
}

fn associated_data(
    kind: RecordKind,
    record_id: RecordId,
    person_id: Option<PersonId>,
    op_id: OperationId,
    device_id: DeviceId,
    device_seq: u64,
    hlc: Hlc,
) -> Vec<u8> {
    let mut data = kith_crypto::record_associated_data(kind.as_str(), &record_id.to_string());
    let person = person_id.map(|p| p.to_string()).unwrap_or_default();
    let routing = format!("{person}|{op_id}|{device_id}|{device_seq}|{}", encode_hlc(hlc));
    data.extend(kith_crypto::record_associated_data("kith operation v1", &routing));
    data
}

/// Seals a plaintext operation for the wire.
pub fn seal_operation(key: &PracticeKey, op: &PlainOperation) -> Result<Operation, SyncError> {
    let plaintext = serde_json::to_vec(&op.body)
        .map_err(|error| SyncError::Local(format!("could not encode a change: {error}")))?;
    let aad = associated_data(
        op.kind,
        op.record_id,
        op.person_id,
        op.op_id,
        op.device_id,
        op.device_seq,
        op.hlc,
    );
    let sealed = kith_crypto::seal(key, &aad, &plaintext).map_err(SyncError::Crypto)?;
    Ok(Operation {
        op_id: op.op_id,
        device_id: op.device_id,
        device_seq: op.device_seq,
        kind: op.kind,
        record_id: op.record_id,
        person_id: op.person_id,
        hlc: op.hlc,
        envelope: Envelope(envelope_bytes(&sealed)?),
    })
}

/// Opens a wire operation. Fails when the envelope does not verify under this key with this
/// operation's clear fields, or its body does not fit its kind.
pub fn open_operation(key: &PracticeKey, op: &Operation) -> Result<PlainOperation, SyncError> {
    let sealed = envelope_from_bytes(&op.envelope.0)?;
    let aad = associated_data(
        op.kind,
        op.record_id,
        op.person_id,
        op.op_id,
        op.device_id,
        op.device_seq,
        op.hlc,
    );
    let plaintext = kith_crypto::open(key, &aad, &sealed).map_err(SyncError::Crypto)?;
    let body: OperationBody = serde_json::from_slice(&plaintext)
        .map_err(|_| SyncError::Local("a change from the server has an unknown shape".into()))?;
    if !body.fits(op.kind) {
        return Err(SyncError::Local("a change from the server does not fit its kind".into()));
    }
    Ok(PlainOperation {
        op_id: op.op_id,
        device_id: op.device_id,
        device_seq: op.device_seq,
        kind: op.kind,
        record_id: op.record_id,
        person_id: op.person_id,
        hlc: op.hlc,
        body,
    })
}

const NONCE_LEN: usize = 12;

/// kith-crypto's envelope as compact bytes: version (4, big-endian), nonce (12), ciphertext.
fn envelope_bytes(sealed: &kith_crypto::Envelope) -> Result<Vec<u8>, SyncError> {
    let malformed = |_| SyncError::Local("kith-crypto produced a malformed envelope".into());
    let nonce = STANDARD_NO_PAD.decode(&sealed.nonce).map_err(malformed)?;
    let ciphertext = STANDARD_NO_PAD.decode(&sealed.ciphertext).map_err(malformed)?;
    let mut bytes = Vec::with_capacity(4 + nonce.len() + ciphertext.len());
    bytes.extend_from_slice(&sealed.version.to_be_bytes());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    Ok(bytes)
}

fn envelope_from_bytes(bytes: &[u8]) -> Result<kith_crypto::Envelope, SyncError> {
    if bytes.len() < 4 + NONCE_LEN {
        return Err(SyncError::Crypto(kith_crypto::CryptoError::Malformed("envelope")));
    }
    let (version, rest) = bytes.split_at(4);
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let mut version_bytes = [0u8; 4];
    version_bytes.copy_from_slice(version);
    Ok(kith_crypto::Envelope {
        version: u32::from_be_bytes(version_bytes),
        nonce: STANDARD_NO_PAD.encode(nonce),
        ciphertext: STANDARD_NO_PAD.encode(ciphertext),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> PlainOperation {
        let person = PersonId::new_v7();
        PlainOperation {
            op_id: OperationId::new_v7(),
            device_id: DeviceId::new_v7(),
            device_seq: 3,
            kind: RecordKind::Person,
            record_id: RecordId(person.0),
            person_id: Some(person),
            hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 2 },
            body: OperationBody::Fields {
                fields: [(
                    "preferred_name".to_owned(),
                    FieldChange { value: json!("Margaret Okafor"), bases: vec![] },
                )]
                .into(),
            },
        }
    }

    #[test]
    fn sealed_operations_open_with_the_key_and_hide_their_contents() {
        let key = PracticeKey::generate().unwrap();
        let plain = sample();
        let sealed = seal_operation(&key, &plain).unwrap();
        let wire = serde_json::to_string(&sealed).unwrap();
        assert!(!wire.contains("Margaret"), "{wire}");
        assert!(!wire.contains("preferred_name"));
        assert_eq!(open_operation(&key, &sealed).unwrap(), plain);
    }

    #[test]
    fn a_server_cannot_restamp_move_or_replay_a_change_or_use_another_key() {
        let key = PracticeKey::generate().unwrap();
        let sealed = seal_operation(&key, &sample()).unwrap();
        let tampered: Vec<(&str, Operation)> = vec![
            ("hlc", Operation { hlc: Hlc { wall_ms: u64::MAX, counter: 0 }, ..sealed.clone() }),
            ("record", Operation { record_id: RecordId::new_v7(), ..sealed.clone() }),
            ("person", Operation { person_id: Some(PersonId::new_v7()), ..sealed.clone() }),
            ("op id", Operation { op_id: OperationId::new_v7(), ..sealed.clone() }),
            ("device", Operation { device_id: DeviceId::new_v7(), ..sealed.clone() }),
            ("device seq", Operation { device_seq: 4, ..sealed.clone() }),
            ("kind", Operation { kind: RecordKind::Referral, ..sealed.clone() }),
            (
                "truncated",
                Operation {
                    envelope: Envelope(sealed.envelope.0[..10].to_vec()),
                    ..sealed.clone()
                },
            ),
        ];
        for (what, op) in tampered {
            assert!(open_operation(&key, &op).is_err(), "changed {what} still opened");
        }
        let mut flipped = sealed.clone();
        let last = flipped.envelope.0.len() - 1;
        flipped.envelope.0[last] ^= 1;
        assert!(open_operation(&key, &flipped).is_err());
        let other_key = PracticeKey::generate().unwrap();
        assert!(open_operation(&other_key, &sealed).is_err());
    }

    #[test]
    fn a_body_that_does_not_fit_its_kind_is_refused() {
        let key = PracticeKey::generate().unwrap();
        let mut plain = sample();
        plain.kind = RecordKind::Note;
        let sealed = seal_operation(&key, &plain).unwrap();
        assert!(open_operation(&key, &sealed).is_err());
    }
}
