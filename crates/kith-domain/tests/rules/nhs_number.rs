//! NHS number: parsing, the modulus 11 check digit, display, serde, and no leak in `Debug`.

use kith_domain::nhs_number::check_digit;
use kith_domain::{DomainError, NhsNumber};

#[test]
fn valid_numbers_are_accepted_in_any_usual_spelling() {
    let cases = [
        ("9434765919", "943 476 5919"),
        ("943 476 5919", "943 476 5919"),
        ("943-476-5919", "943 476 5919"),
        ("  943 476 5919 ", "943 476 5919"),
        ("4010232137", "401 023 2137"),
        ("1234567881", "123 456 7881"),
        ("4505577104", "450 557 7104"),
        ("9999999999", "999 999 9999"),
        // check of 11 means 0
        ("9434765080", "943 476 5080"),
        ("0000000000", "000 000 0000"),
    ];
    for (typed, shown) in cases {
        let number = NhsNumber::parse(typed).unwrap_or_else(|error| panic!("{typed}: {error}"));
        assert_eq!(number.to_string(), shown, "{typed}");
        assert_eq!(number.digits(), shown.replace(' ', ""), "{typed}");
    }
}

#[test]
fn invalid_numbers_get_the_specific_error() {
    let cases = [
        ("943476591", DomainError::NhsNumberWrongLength { digits: 9 }),
        ("94347659190", DomainError::NhsNumberWrongLength { digits: 11 }),
        ("", DomainError::NhsNumberWrongLength { digits: 0 }),
        ("   ", DomainError::NhsNumberWrongLength { digits: 0 }),
        ("943 476 591X", DomainError::NhsNumberNotDigits),
        ("ABC4765919", DomainError::NhsNumberNotDigits),
        ("943.476.5919", DomainError::NhsNumberNotDigits),
        ("943476591٩", DomainError::NhsNumberNotDigits), // an Arabic-Indic nine
        ("9434765918", DomainError::NhsNumberCheckDigitMismatch),
        ("9434765910", DomainError::NhsNumberCheckDigitMismatch),
        ("4010232136", DomainError::NhsNumberCheckDigitMismatch),
        // the first nine digits give a check digit of 10: invalid whatever the last digit
        ("1234567890", DomainError::NhsNumberCheckDigitTen),
        ("1234567891", DomainError::NhsNumberCheckDigitTen),
        ("9434765030", DomainError::NhsNumberCheckDigitTen),
        ("0000000060", DomainError::NhsNumberCheckDigitTen),
    ];
    for (typed, expected) in cases {
        assert_eq!(NhsNumber::parse(typed), Err(expected), "{typed:?}");
    }
}

#[test]
fn messages_say_how_to_fix_the_number() {
    let error = NhsNumber::parse("943 476 591").unwrap_err();
    assert_eq!(error.to_string(), "NHS number must have 10 digits; you entered 9");
    assert_eq!(error.code(), "nhs_number_wrong_length");
    let mismatch = NhsNumber::parse("9434765918").unwrap_err().to_string();
    assert!(mismatch.contains("mistyped"), "{mismatch}");
    assert!(!mismatch.contains("943"), "the message must not repeat the number: {mismatch}");
}

#[test]
fn check_digit_follows_the_weights_10_to_2() {
    assert_eq!(check_digit([9, 4, 3, 4, 7, 6, 5, 9, 1]), Some(9));
    assert_eq!(check_digit([0, 0, 0, 0, 0, 0, 0, 0, 0]), Some(0));
    assert_eq!(check_digit([0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
    assert_eq!(check_digit([1, 2, 3, 4, 5, 6, 7, 8, 8]), Some(1));
}

/// For many first-nine-digit prefixes, exactly one tenth digit is accepted, or none when
/// the weighted sum leaves remainder 1 (check 10); computed here independently.
#[test]
fn exactly_one_last_digit_is_valid_unless_the_check_is_ten() {
    for prefix in (100_000_000u32..100_002_000).chain(943_476_000..943_477_000) {
        let digits: Vec<u32> =
            prefix.to_string().chars().map(|c| c.to_digit(10).unwrap()).collect();
        let sum: u32 = digits.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
        let valid: Vec<u32> =
            (0..10).filter(|last| NhsNumber::parse(&format!("{prefix}{last}")).is_ok()).collect();
        if sum % 11 == 1 {
            assert!(valid.is_empty(), "{prefix}: {valid:?}");
        } else {
            assert_eq!(valid, vec![(11 - sum % 11) % 11], "{prefix}");
        }
    }
}

#[test]
fn serde_round_trip_and_validation_on_read() {
    let number = NhsNumber::parse("943 476 5919").unwrap();
    assert_eq!(serde_json::to_string(&number).unwrap(), "\"9434765919\"");
    let read: NhsNumber = serde_json::from_str("\"943 476 5919\"").unwrap();
    assert_eq!(read, number);
    assert!(serde_json::from_str::<NhsNumber>("\"9434765918\"").is_err());
}

#[test]
fn debug_does_not_show_the_number() {
    let number = NhsNumber::parse("9434765919").unwrap();
    let shown = format!("{number:?}");
    assert!(!shown.contains("943") && !shown.contains("5919"), "{shown}");
}
