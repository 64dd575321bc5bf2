//! The NHS number: 10 digits whose last digit is a modulus 11 check digit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// Weights for digits 1 to 9, as the NHS defines them.
const WEIGHTS: [u32; 9] = [10, 9, 8, 7, 6, 5, 4, 3, 2];

/// A valid NHS number. Only [`NhsNumber::parse`] makes one, so holding one means the check
/// digit matched. Serialised as 10 digits without spaces; shown as `943 476 5919`.
/// `Debug` hides the digits (an NHS number is personal data).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct NhsNumber(String);

impl NhsNumber {
    /// Reads an NHS number as typed: spaces and dashes are ignored, anything else that is not
    /// a digit is refused; then the length and the check digit are checked.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let mut digits = Vec::with_capacity(10);
        for character in text.chars() {
            match character {
                ' ' | '-' | '\t' => {}
                '0'..='9' => digits.push(character as u8 - b'0'),
                _ => return Err(DomainError::NhsNumberNotDigits),
            }
        }
        if digits.len() != 10 {
            return Err(DomainError::NhsNumberWrongLength { digits: digits.len() });
        }
        let mut first_nine = [0u8; 9];
        first_nine.copy_from_slice(&digits[..9]);
        match check_digit(first_nine) {
            None => Err(DomainError::NhsNumberCheckDigitTen),
            Some(check) if check != digits[9] => Err(DomainError::NhsNumberCheckDigitMismatch),
            Some(_) => Ok(Self(digits.iter().map(|digit| char::from(b'0' + digit)).collect())),
        }
    }

    /// The 10 digits without spaces, as stored and sent to the GP system.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

/// The check digit for the first nine digits of an NHS number, or `None` when the
/// calculation gives 10, which means no valid NHS number starts with these nine digits.
///
/// Multiply digits 1-9 by weights 10, 9, ..., 2; sum; `r = sum mod 11`; `check = 11 - r`;
/// a check of 11 means 0; a check of 10 means invalid.
pub fn check_digit(first_nine: [u8; 9]) -> Option<u8> {
    let sum: u32 =
        first_nine.iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(*digit) * weight).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => u8::try_from(check).ok(),
    }
}

impl fmt::Display for NhsNumber {
    /// `3 3 4` groups: `943 476 5919`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = &self.0;
        write!(f, "{} {} {}", &digits[0..3], &digits[3..6], &digits[6..10])
    }
}

impl fmt::Debug for NhsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NhsNumber(<hidden>)")
    }
}

impl FromStr for NhsNumber {
    type Err = DomainError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = DomainError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<NhsNumber> for String {
    fn from(number: NhsNumber) -> String {
        number.0
    }
}
