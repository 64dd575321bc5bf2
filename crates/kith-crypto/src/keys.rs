//! 256-bit symmetric keys that zeroize on drop and never print.

use rand::RngCore;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CryptoError;

/// Length of every symmetric key in Kith, in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// Raw key bytes shared by the public key types. Zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub(crate) struct KeyBytes(pub(crate) [u8; KEY_LEN]);

impl KeyBytes {
    pub(crate) fn random() -> Result<Self, CryptoError> {
        let mut bytes = [0u8; KEY_LEN];
        rand::rngs::OsRng.try_fill_bytes(&mut bytes).map_err(|_| CryptoError::Randomness)?;
        Ok(Self(bytes))
    }
}

/// A key that can be wrapped ([`crate::WrappedKey`]): [`DatabaseKey`] and [`PracticeKey`].
/// Sealed: its methods are private to this crate.
pub trait WrappableKey: sealed::KeyPurpose {}

pub(crate) mod sealed {
    /// What a key is for: bound into the associated data when the key is wrapped, so a
    /// wrapped practice key can never be unwrapped as a database key.
    pub trait KeyPurpose {
        const PURPOSE: &'static str;
        #[allow(private_interfaces)]
        fn bytes(&self) -> &super::KeyBytes;
        #[allow(private_interfaces)]
        fn from_bytes(bytes: super::KeyBytes) -> Self;
    }
}

macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident, $purpose:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
        pub struct $name(KeyBytes);

        impl $name {
            /// A fresh key from the operating system's random number generator.
            pub fn generate() -> Result<Self, CryptoError> {
                Ok(Self(KeyBytes::random()?))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl sealed::KeyPurpose for $name {
            const PURPOSE: &'static str = $purpose;
            #[allow(private_interfaces)]
            fn bytes(&self) -> &KeyBytes {
                &self.0
            }
            #[allow(private_interfaces)]
            fn from_bytes(bytes: KeyBytes) -> Self {
                Self(bytes)
            }
        }

        impl WrappableKey for $name {}
    };
}

secret_key!(
    /// The random key that encrypts one profile's SQLCipher database. Stored only wrapped.
    DatabaseKey,
    "kith database key v1"
);

secret_key!(
    /// The practice key: seals record envelopes for sync so the server never reads them.
    PracticeKey,
    "kith practice key v1"
);

impl DatabaseKey {
    /// The key as SQLCipher's raw-key literal `x'<64 hex digits>'`, for `PRAGMA key`.
    /// The string is zeroized when dropped.
    pub fn sqlcipher_raw_key_literal(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut literal = Zeroizing::new(String::with_capacity(3 + 2 * KEY_LEN));
        literal.push_str("x'");
        for byte in self.0 .0.iter() {
            literal.push(char::from(HEX[usize::from(byte >> 4)]));
            literal.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        literal.push('\'');
        literal
    }
}

impl PracticeKey {
    pub(crate) fn cipher_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0 .0
    }
}
