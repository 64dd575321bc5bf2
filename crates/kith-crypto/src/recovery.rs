//! The recovery key: 256 random bits written for humans, with a check group that catches typos.
//!
//! Format: 14 groups of 4 Crockford base32 characters, e.g. `7K2D-...-Q3XA`. The first 13
//! groups (52 characters) carry the 256 key bits (the last 4 bits are zero); the 14th group
//! holds two 10-bit checks over the 52 data symbols `v`, modulo the prime 1021:
//! `s0 = Σ v[i]` and `s1 = Σ (i+1)·v[i]`. Any single mistyped character changes `s0`, and
//! `s1/s0` then names its position; any swap of two different characters keeps `s0` but
//! changes `s1`. Parsing ignores case, spaces and dashes, and reads O as 0 and I/L as 1.

use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::keys::{KeyBytes, KEY_LEN};
use crate::CryptoError;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DATA_SYMBOLS: usize = 52;
const CHECK_SYMBOLS: usize = 4;
const TOTAL_SYMBOLS: usize = DATA_SYMBOLS + CHECK_SYMBOLS;
const GROUP_LEN: usize = 4;
const MODULUS: u32 = 1021;

/// A recovery key: shown once when a profile is created, and able to unlock it if the
/// passphrase is forgotten. Zeroized on drop; `Debug` is redacted and there is no `Display`
/// (use [`RecoveryKey::to_human_string`] deliberately).
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryKey(KeyBytes);

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

impl RecoveryKey {
    /// A fresh random recovery key.
    pub fn generate() -> Result<Self, CryptoError> {
        Ok(Self(KeyBytes::random()?))
    }

    /// The key as people write it: 14 dash-separated groups of 4 characters.
    pub fn to_human_string(&self) -> Zeroizing<String> {
        let symbols = Zeroizing::new(encode_symbols(&self.0 .0));
        let mut text = Zeroizing::new(String::with_capacity(TOTAL_SYMBOLS + TOTAL_SYMBOLS / 4));
        for (index, symbol) in symbols.iter().enumerate() {
            if index > 0 && index % GROUP_LEN == 0 {
                text.push('-');
            }
            text.push(char::from(ALPHABET[usize::from(*symbol)]));
        }
        text
    }

    /// Reads a recovery key as typed by a person. Each kind of mistake has its own error.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let mut symbols = Zeroizing::new(Vec::with_capacity(TOTAL_SYMBOLS));
        for character in text.chars() {
            if character.is_whitespace() || character == '-' {
                continue;
            }
            let value = symbol_value(character).ok_or(CryptoError::RecoveryKeyCharacter {
                character,
                group: symbols.len() / GROUP_LEN + 1,
            })?;
            symbols.push(value);
        }
        if symbols.len() != TOTAL_SYMBOLS {
            return Err(CryptoError::RecoveryKeyLength {
                expected: TOTAL_SYMBOLS,
                found: symbols.len(),
            });
        }
        verify_checks(&symbols)?;
        // The last data symbol carries one key bit; its four low bits are always zero.
        if symbols[DATA_SYMBOLS - 1] & 0x0f != 0 {
            return Err(CryptoError::RecoveryKeyTypoInGroup { group: DATA_SYMBOLS / GROUP_LEN });
        }
        let mut bytes = [0u8; KEY_LEN];
        let mut accumulator: u32 = 0;
        let mut bits = 0;
        let mut next = 0;
        for symbol in symbols.iter().take(DATA_SYMBOLS) {
            accumulator = (accumulator << 5) | u32::from(*symbol);
            bits += 5;
            if bits >= 8 && next < KEY_LEN {
                bits -= 8;
                bytes[next] = ((accumulator >> bits) & 0xff) as u8;
                next += 1;
            }
        }
        accumulator.zeroize();
        Ok(Self(KeyBytes(bytes)))
    }

    /// The key-encryption key used to wrap a profile key under this recovery key.
    pub(crate) fn wrapping_key(&self) -> Zeroizing<[u8; KEY_LEN]> {
        let mut hasher = Sha256::new();
        hasher.update(b"kith recovery key v1\0");
        hasher.update(self.0 .0);
        Zeroizing::new(hasher.finalize().into())
    }
}

impl std::str::FromStr for RecoveryKey {
    type Err = CryptoError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

fn symbol_value(character: char) -> Option<u8> {
    let upper = match character.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&symbol| char::from(symbol) == upper)
        .and_then(|p| u8::try_from(p).ok())
}

/// The 52 data symbols followed by the 4 check symbols.
fn encode_symbols(bytes: &[u8; KEY_LEN]) -> Vec<u8> {
    let mut symbols = Vec::with_capacity(TOTAL_SYMBOLS);
    let mut accumulator: u32 = 0;
    let mut bits = 0;
    for byte in bytes {
        accumulator = ((accumulator << 8) | u32::from(*byte)) & 0xffff;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            symbols.push(((accumulator >> bits) & 0x1f) as u8);
        }
    }
    if bits > 0 {
        symbols.push(((accumulator << (5 - bits)) & 0x1f) as u8);
    }
    let (sum, weighted) = checks(&symbols);
    for value in [sum, weighted] {
        symbols.push(((value >> 5) & 0x1f) as u8);
        symbols.push((value & 0x1f) as u8);
    }
    symbols
}

fn checks(data: &[u8]) -> (u32, u32) {
    let mut sum = 0;
    let mut weighted = 0;
    for (index, symbol) in data.iter().enumerate() {
        let value = u32::from(*symbol);
        sum = (sum + value) % MODULUS;
        weighted = (weighted + (index as u32 + 1) * value) % MODULUS;
    }
    (sum, weighted)
}

fn verify_checks(symbols: &[u8]) -> Result<(), CryptoError> {
    let (data, check) = symbols.split_at(DATA_SYMBOLS);
    let given_sum = (u32::from(check[0]) << 5) | u32::from(check[1]);
    let given_weighted = (u32::from(check[2]) << 5) | u32::from(check[3]);
    if given_sum >= MODULUS || given_weighted >= MODULUS {
        return Err(CryptoError::RecoveryKeyTypoInGroup { group: TOTAL_SYMBOLS / GROUP_LEN });
    }
    let (sum, weighted) = checks(data);
    let sum_delta = (sum + MODULUS - given_sum) % MODULUS;
    let weighted_delta = (weighted + MODULUS - given_weighted) % MODULUS;
    match (sum_delta, weighted_delta) {
        (0, 0) => Ok(()),
        (0, _) => Err(CryptoError::RecoveryKeyTransposition),
        (_, _) => {
            // One substituted data symbol at index k gives weighted_delta = (k+1)·sum_delta.
            let position = weighted_delta * inverse(sum_delta) % MODULUS;
            if (1..=DATA_SYMBOLS as u32).contains(&position) {
                let group = (position as usize - 1) / GROUP_LEN + 1;
                Err(CryptoError::RecoveryKeyTypoInGroup { group })
            } else if weighted_delta == 0 {
                Err(CryptoError::RecoveryKeyTypoInGroup { group: TOTAL_SYMBOLS / GROUP_LEN })
            } else {
                Err(CryptoError::RecoveryKeyChecksum)
            }
        }
    }
}

/// Multiplicative inverse modulo the prime [`MODULUS`] (Fermat).
fn inverse(value: u32) -> u32 {
    let mut result: u64 = 1;
    let mut base = u64::from(value);
    let mut exponent = MODULUS - 2;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % u64::from(MODULUS);
        }
        base = base * base % u64::from(MODULUS);
        exponent >>= 1;
    }
    result as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let key = RecoveryKey::generate().unwrap();
        let text = key.to_human_string();
        assert_eq!(text.len(), 56 + 13);
        assert_eq!(RecoveryKey::parse(&text).unwrap(), key);
        assert_eq!(RecoveryKey::parse(&text.to_lowercase().replace('-', " ")).unwrap(), key);
    }

    #[test]
    fn all_ones_and_zeros_round_trip() {
        for byte in [0u8, 0xff, 0xa5] {
            let key = RecoveryKey(KeyBytes([byte; KEY_LEN]));
            assert_eq!(RecoveryKey::parse(&key.to_human_string()).unwrap(), key);
        }
    }
}
