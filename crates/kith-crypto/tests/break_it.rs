//! Tests that try to break kith-crypto: wrong secrets, tampering, typos, leaks through Debug.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kith_crypto::{
    open, record_associated_data, seal, CryptoError, DatabaseKey, KdfParams, PracticeKey,
    RecoveryKey, WrappedKey,
};

fn fast_params() -> KdfParams {
    KdfParams::insecure_for_tests().unwrap()
}

#[test]
fn passphrase_wrap_round_trips_and_wrong_passphrase_is_its_own_error() {
    let key = DatabaseKey::generate().unwrap();
    let wrapped =
        WrappedKey::with_passphrase(&key, "correct horse battery", fast_params()).unwrap();
    let back: DatabaseKey = wrapped.unwrap_with_passphrase("correct horse battery").unwrap();
    assert_eq!(back, key);
    let wrong = wrapped.unwrap_with_passphrase::<DatabaseKey>("correct horse batterY");
    assert_eq!(wrong.unwrap_err(), CryptoError::WrongPassphrase);
    let empty = wrapped.unwrap_with_passphrase::<DatabaseKey>("");
    assert_eq!(empty.unwrap_err(), CryptoError::EmptyPassphrase);
}

#[test]
fn wrapped_key_survives_json_and_keeps_its_kdf_params() {
    let key = DatabaseKey::generate().unwrap();
    let params = KdfParams::with_cost(16 * 1024, 2, 1).unwrap();
    let wrapped = WrappedKey::with_passphrase(&key, "pass", params.clone()).unwrap();
    let json = serde_json::to_string(&wrapped).unwrap();
    let read: WrappedKey = serde_json::from_str(&json).unwrap();
    assert_eq!(read.kdf_params(), Some(&params));
    assert_eq!(read.unwrap_with_passphrase::<DatabaseKey>("pass").unwrap(), key);
}

#[test]
fn lowering_stored_kdf_params_does_not_unwrap() {
    let key = DatabaseKey::generate().unwrap();
    let mut wrapped =
        WrappedKey::with_passphrase(&key, "pass", KdfParams::with_cost(16 * 1024, 2, 1).unwrap())
            .unwrap();
    if let kith_crypto::KeyWrapping::Passphrase { kdf } = &mut wrapped.wrapping {
        kdf.iterations = 1;
    }
    assert_eq!(
        wrapped.unwrap_with_passphrase::<DatabaseKey>("pass").unwrap_err(),
        CryptoError::WrongPassphrase
    );
}

#[test]
fn absurd_kdf_params_in_a_tampered_file_are_refused_before_deriving() {
    let key = DatabaseKey::generate().unwrap();
    let mut wrapped = WrappedKey::with_passphrase(&key, "pass", fast_params()).unwrap();
    if let kith_crypto::KeyWrapping::Passphrase { kdf } = &mut wrapped.wrapping {
        kdf.memory_kib = u32::MAX;
    }
    assert!(matches!(
        wrapped.unwrap_with_passphrase::<DatabaseKey>("pass"),
        Err(CryptoError::UnsupportedKdfParams(_))
    ));
}

#[test]
fn tampered_wrapped_key_ciphertext_is_refused() {
    let key = DatabaseKey::generate().unwrap();
    let mut wrapped = WrappedKey::with_passphrase(&key, "pass", fast_params()).unwrap();
    let mut chars: Vec<char> = wrapped.ciphertext.chars().collect();
    chars[3] = if chars[3] == 'A' { 'B' } else { 'A' };
    wrapped.ciphertext = chars.into_iter().collect();
    assert!(wrapped.unwrap_with_passphrase::<DatabaseKey>("pass").is_err());
}

#[test]
fn a_wrapped_database_key_cannot_be_unwrapped_as_a_practice_key() {
    let key = DatabaseKey::generate().unwrap();
    let wrapped = WrappedKey::with_passphrase(&key, "pass", fast_params()).unwrap();
    assert_eq!(
        wrapped.unwrap_with_passphrase::<PracticeKey>("pass").unwrap_err(),
        CryptoError::WrongPassphrase
    );
}

#[test]
fn recovery_key_wraps_and_a_different_one_is_refused() {
    let key = DatabaseKey::generate().unwrap();
    let recovery = RecoveryKey::generate().unwrap();
    let wrapped = WrappedKey::with_recovery_key(&key, &recovery).unwrap();
    let typed = RecoveryKey::parse(&recovery.to_human_string().to_lowercase()).unwrap();
    assert_eq!(wrapped.unwrap_with_recovery_key::<DatabaseKey>(&typed).unwrap(), key);
    let other = RecoveryKey::generate().unwrap();
    assert_eq!(
        wrapped.unwrap_with_recovery_key::<DatabaseKey>(&other).unwrap_err(),
        CryptoError::WrongRecoveryKey
    );
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[test]
fn every_single_character_typo_in_a_recovery_key_is_caught_and_located() {
    for _ in 0..20 {
        let text = RecoveryKey::generate().unwrap().to_human_string().to_string();
        let positions: Vec<usize> =
            text.char_indices().filter(|(_, c)| *c != '-').map(|(i, _)| i).collect();
        for (symbol_index, &byte_index) in positions.iter().enumerate() {
            let original = text.as_bytes()[byte_index] as char;
            for replacement in ALPHABET.chars().filter(|c| *c != original) {
                let mut typo = text.clone();
                typo.replace_range(byte_index..=byte_index, &replacement.to_string());
                match RecoveryKey::parse(&typo) {
                    Ok(_) => panic!("typo at symbol {symbol_index} was accepted"),
                    Err(CryptoError::RecoveryKeyTypoInGroup { group }) if symbol_index < 52 => {
                        assert_eq!(group, symbol_index / 4 + 1, "typo located in wrong group")
                    }
                    Err(
                        CryptoError::RecoveryKeyTypoInGroup { .. }
                        | CryptoError::RecoveryKeyTransposition
                        | CryptoError::RecoveryKeyChecksum,
                    ) => {}
                    Err(other) => panic!("unexpected error {other:?}"),
                }
            }
        }
    }
}

#[test]
fn every_swap_of_two_different_characters_is_caught() {
    for _ in 0..10 {
        let text = RecoveryKey::generate().unwrap().to_human_string().replace('-', "");
        let symbols: Vec<char> = text.chars().collect();
        for first in 0..symbols.len() {
            for second in first + 1..symbols.len() {
                if symbols[first] == symbols[second] {
                    continue;
                }
                let mut swapped = symbols.clone();
                swapped.swap(first, second);
                let swapped: String = swapped.into_iter().collect();
                assert!(
                    RecoveryKey::parse(&swapped).is_err(),
                    "swap of {first} and {second} was accepted"
                );
            }
        }
    }
}

#[test]
fn recovery_key_parsing_gives_specific_errors() {
    let text = RecoveryKey::generate().unwrap().to_human_string().to_string();
    let short = &text[..text.len() - 2];
    assert!(matches!(
        RecoveryKey::parse(short),
        Err(CryptoError::RecoveryKeyLength { expected: 56, .. })
    ));
    let mut bad_character = text.clone();
    bad_character.replace_range(5..6, "U");
    assert_eq!(
        RecoveryKey::parse(&bad_character).unwrap_err(),
        CryptoError::RecoveryKeyCharacter { character: 'U', group: 2 }
    );
    // Ambiguous letters read as digits: O as 0, I and L as 1.
    let lookalike = text.replace('0', "o").replace('1', "l");
    assert!(RecoveryKey::parse(&lookalike).is_ok());
    let message = CryptoError::RecoveryKeyTypoInGroup { group: 3 }.to_string();
    assert!(message.contains("group 3"));
}

#[test]
fn envelope_round_trips_and_tampering_is_detected() {
    let key = PracticeKey::generate().unwrap();
    let aad = record_associated_data("note", "0190f0aa-0000-7000-8000-000000000001");
    let envelope = seal(&key, &aad, b"Visited Mrs Example at home").unwrap();
    assert_eq!(open(&key, &aad, &envelope).unwrap(), b"Visited Mrs Example at home");

    let mut flipped = envelope.clone();
    let mut chars: Vec<char> = flipped.ciphertext.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    flipped.ciphertext = chars.into_iter().collect();
    assert_eq!(open(&key, &aad, &flipped).unwrap_err(), CryptoError::EnvelopeDoesNotVerify);

    let other_record = record_associated_data("note", "0190f0aa-0000-7000-8000-000000000002");
    assert_eq!(
        open(&key, &other_record, &envelope).unwrap_err(),
        CryptoError::EnvelopeDoesNotVerify
    );
    let other_kind = record_associated_data("person", "0190f0aa-0000-7000-8000-000000000001");
    assert_eq!(open(&key, &other_kind, &envelope).unwrap_err(), CryptoError::EnvelopeDoesNotVerify);

    let other_key = PracticeKey::generate().unwrap();
    assert_eq!(open(&other_key, &aad, &envelope).unwrap_err(), CryptoError::EnvelopeDoesNotVerify);

    let mut newer = envelope.clone();
    newer.version = 2;
    assert!(matches!(open(&key, &aad, &newer), Err(CryptoError::UnsupportedVersion { .. })));
}

#[test]
fn associated_data_framing_is_unambiguous() {
    assert_ne!(record_associated_data("ab", "c"), record_associated_data("a", "bc"));
}

#[test]
fn envelopes_use_fresh_nonces() {
    let key = PracticeKey::generate().unwrap();
    let first = seal(&key, b"", b"same").unwrap();
    let second = seal(&key, b"", b"same").unwrap();
    assert_ne!(first.nonce, second.nonce);
    assert_ne!(first.ciphertext, second.ciphertext);
}

#[test]
fn debug_output_never_contains_key_material() {
    let database_key = DatabaseKey::generate().unwrap();
    let literal = database_key.sqlcipher_raw_key_literal();
    let hex = &literal[2..literal.len() - 1];
    assert_eq!(hex.len(), 64);
    let debug = format!("{database_key:?} {database_key:#?}");
    assert!(debug.contains("redacted"));
    assert!(!debug.contains(hex));
    assert!(!debug.to_lowercase().contains(&hex[..8]));

    let recovery = RecoveryKey::generate().unwrap();
    let human = recovery.to_human_string();
    let debug = format!("{recovery:?}");
    assert!(!debug.contains(&human[..4]));
    assert!(debug.contains("redacted"));

    let practice = PracticeKey::generate().unwrap();
    assert_eq!(format!("{practice:?}"), "PracticeKey(<redacted>)");

    let params = fast_params();
    assert!(!format!("{params:?}").contains(&params.salt));
}
