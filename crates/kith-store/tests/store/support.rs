//! Shared helpers: a profile in a temp dir with cheap KDF parameters, generated people and
//! notes, raw access to the database file with the profile's key.

use std::path::Path;

use chrono::{Local, NaiveDate};
use kith_crypto::{DatabaseKey, KdfParams, RecoveryKey, WrappedKey};
use kith_domain::nhs_number::check_digit;
use kith_domain::note::NewNote;
use kith_domain::person::NewPerson;
use kith_domain::referral::{NewReferral, ReferralSource, Referrer};
use kith_domain::UserId;
use kith_store::{Profile, Store};
use rand::Rng;
use sha2::{Digest, Sha256};

pub const PASSPHRASE: &str = "correct horse battery staple";

pub struct TestProfile {
    pub dir: tempfile::TempDir,
    pub recovery_key: RecoveryKey,
    pub user: UserId,
}

impl TestProfile {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn unlock(&self) -> Store {
        Profile::unlock(self.path(), PASSPHRASE).unwrap()
    }
}

/// A new profile (cheap Argon2 parameters) with a current user set.
pub fn new_profile() -> (TestProfile, Store) {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, recovery_key) =
        Profile::create_with_kdf(dir.path(), PASSPHRASE, KdfParams::insecure_for_tests().unwrap())
            .unwrap();
    let user = UserId::new();
    store.set_current_user(user).unwrap();
    (TestProfile { dir, recovery_key, user }, store)
}

pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A random valid NHS number (10 digits).
pub fn random_nhs_number() -> String {
    let mut rng = rand::thread_rng();
    loop {
        let first_nine: [u8; 9] = std::array::from_fn(|_| rng.gen_range(0..10));
        if let Some(check) = check_digit(first_nine) {
            return first_nine.iter().chain([check].iter()).map(|d| char::from(b'0' + d)).collect();
        }
    }
}

/// A made-up word no English text contains, e.g. `Quorvelline`.
pub fn unique_word(prefix: &str) -> String {
    let mut rng = rand::thread_rng();
    let tail: String = (0..7).map(|_| char::from(rng.gen_range(b'a'..=b'z'))).collect();
    format!("{prefix}{tail}")
}

pub fn new_person(given: &str, family: &str, nhs_number: Option<String>) -> NewPerson {
    NewPerson {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        nhs_number,
        ..Default::default()
    }
}

pub fn new_note(person_id: kith_domain::PersonId, body: &str) -> NewNote {
    NewNote { person_id, body: body.to_owned(), amends: None }
}

pub fn gp_referral() -> NewReferral {
    NewReferral {
        received_on: today(),
        source: ReferralSource::Gp,
        referrer: Some(Referrer { name: "Dr Example".into(), organisation: None, contact: None }),
        reason: "Feels isolated since moving".into(),
        needs: vec![kith_domain::referral::Need::Loneliness],
        background: None,
        consent_to_referral: true,
    }
}

pub fn sha256_file(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// The database key, recovered from `keys.json` with the recovery key (as a tool would).
pub fn database_key(profile: &TestProfile) -> DatabaseKey {
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Profile::keys_path(profile.path())).unwrap())
            .unwrap();
    let wrapped: WrappedKey = serde_json::from_value(keys["recovery"].clone()).unwrap();
    wrapped.unwrap_with_recovery_key(&profile.recovery_key).unwrap()
}

/// The page format `keys.json` records (`pages`), or SQLCipher 4's defaults when it has none.
pub fn page_format(dir: &Path) -> (u32, String) {
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Profile::keys_path(dir)).unwrap()).unwrap();
    match keys.get("pages") {
        Some(pages) => (
            pages["page_size"].as_u64().unwrap() as u32,
            pages["hmac"].as_str().unwrap().to_owned(),
        ),
        None => (4096, "HMAC_SHA512".to_owned()),
    }
}

/// A raw rusqlite connection to a database, keyed and told its page format (SQLCipher's
/// defaults when `format` is `None`).
pub fn raw_connection_with(
    path: &Path,
    key: &DatabaseKey,
    format: Option<(u32, &str)>,
) -> rusqlite::Connection {
    let connection = rusqlite::Connection::open(path).unwrap();
    connection.pragma_update(None, "key", &*key.sqlcipher_raw_key_literal()).unwrap();
    if let Some((page_size, hmac)) = format {
        connection.pragma_update(None, "cipher_page_size", page_size).unwrap();
        connection.pragma_update(None, "cipher_hmac_algorithm", hmac).unwrap();
    }
    connection
}

/// A raw rusqlite connection to the profile's database, keyed, in the profile's page format.
pub fn raw_connection(profile: &TestProfile) -> rusqlite::Connection {
    let (page_size, hmac) = page_format(profile.path());
    raw_connection_with(
        &Profile::database_path(profile.path()),
        &database_key(profile),
        Some((page_size, &hmac)),
    )
}

/// Row counts of every table, to show that a refused write changed nothing.
pub fn row_counts(store: &Store) -> Vec<(&'static str, i64)> {
    Store::tables().into_iter().map(|table| (table, store.count_rows(table).unwrap())).collect()
}
