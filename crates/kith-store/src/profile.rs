//! A profile directory: `kith.db` (SQLCipher) and `keys.json` (the database key, wrapped
//! under the passphrase and under the recovery key). Create, unlock, recover, rewrap.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use kith_crypto::{DatabaseKey, KdfParams, RecoveryKey, WrappedKey};
use serde::{Deserialize, Serialize};

use crate::database::{self, OpenMode, PageFormat};
use crate::{Store, StoreError};

/// The environment variable that overrides the profile directory.
pub const DATA_DIR_ENV: &str = "KITH_DATA_DIR";
/// The encrypted database's file name inside a profile directory.
pub const DATABASE_FILE: &str = "kith.db";
const KEYS_FILE: &str = "keys.json";
const KEYS_FORMAT: u32 = 1;

/// Where the profile lives: `explicit` if given, else `$KITH_DATA_DIR` if set, else the
/// operating system's data directory for Kith.
pub fn resolve_profile_dir(explicit: Option<&Path>) -> Result<PathBuf, StoreError> {
    if let Some(path) = explicit {
        return Ok(path.to_owned());
    }
    if let Some(path) = std::env::var_os(DATA_DIR_ENV).filter(|value| !value.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    directories::ProjectDirs::from("uk.nhs", "Kith", "Kith")
        .map(|dirs| dirs.data_dir().to_owned())
        .ok_or(StoreError::NoDataDirectory)
}

/// The contents of `keys.json`.
#[derive(Serialize, Deserialize)]
struct KeysFile {
    format: u32,
    passphrase: WrappedKey,
    recovery: WrappedKey,
    /// How `kith.db`'s pages are laid out; profiles made before it was recorded have
    /// SQLCipher 4's defaults.
    #[serde(default = "PageFormat::sqlcipher_4")]
    pages: PageFormat,
}

/// Opening and managing a profile directory.
#[derive(Debug, Clone, Copy)]
pub struct Profile;

impl Profile {
    /// The database file of a profile.
    pub fn database_path(dir: &Path) -> PathBuf {
        dir.join(DATABASE_FILE)
    }

    /// The keys file of a profile.
    pub fn keys_path(dir: &Path) -> PathBuf {
        dir.join(KEYS_FILE)
    }

    /// Whether `dir` holds a profile.
    pub fn exists(dir: &Path) -> bool {
        Self::keys_path(dir).exists() || Self::database_path(dir).exists()
    }

    /// Creates a profile with Kith's recommended Argon2id cost. Returns the open store and
    /// the recovery key, which must be shown to the person once and is not stored anywhere.
    pub fn create(dir: &Path, passphrase: &str) -> Result<(Store, RecoveryKey), StoreError> {
        Self::create_with_kdf(dir, passphrase, KdfParams::recommended()?)
    }

    /// [`Profile::create`] with explicit KDF parameters (tests use cheap ones).
    pub fn create_with_kdf(
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Store, RecoveryKey), StoreError> {
        let (store, recovery_key, _key) = Self::create_keeping_key(dir, passphrase, kdf)?;
        Ok((store, recovery_key))
    }

    /// [`Profile::create_with_kdf`], also returning the database key so the caller can open
    /// more connections ([`Profile::open_with_key`], e.g. for background sync) without running
    /// the KDF again. The key zeroizes when dropped: drop it when the profile is locked.
    pub fn create_keeping_key(
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(Store, RecoveryKey, DatabaseKey), StoreError> {
        if Self::exists(dir) {
            return Err(StoreError::ProfileExists);
        }
        fs::create_dir_all(dir)?;
        let key = DatabaseKey::generate()?;
        let recovery_key = RecoveryKey::generate()?;
        let keys = KeysFile {
            format: KEYS_FORMAT,
            passphrase: WrappedKey::with_passphrase(&key, passphrase, kdf)?,
            recovery: WrappedKey::with_recovery_key(&key, &recovery_key)?,
            pages: PageFormat::NEW_PROFILES,
        };
        write_keys(dir, &keys)?;
        let connection =
            database::open(&Self::database_path(dir), &key, keys.pages, OpenMode::Create)?;
        Ok((Store::new(connection, dir)?, recovery_key, key))
    }

    /// The database key, unwrapped with the passphrase (one Argon2id run). A wrong passphrase
    /// gives [`StoreError::WrongPassphrase`]; nothing is opened.
    pub fn unlock_key(dir: &Path, passphrase: &str) -> Result<DatabaseKey, StoreError> {
        Ok(read_keys(dir)?.passphrase.unwrap_with_passphrase(passphrase)?)
    }

    /// The database key, unwrapped with the recovery key as typed.
    pub fn unlock_key_with_recovery_key(
        dir: &Path,
        recovery_key: &str,
    ) -> Result<DatabaseKey, StoreError> {
        let recovery_key = RecoveryKey::parse(recovery_key)?;
        Ok(read_keys(dir)?.recovery.unwrap_with_recovery_key(&recovery_key)?)
    }

    /// Opens another connection to an existing profile's database with its already unwrapped
    /// key (no KDF). Each connection is its own [`Store`]; they share the WAL database.
    pub fn open_with_key(dir: &Path, key: &DatabaseKey) -> Result<Store, StoreError> {
        open_existing(dir, key, read_keys(dir)?.pages)
    }

    /// [`Profile::open_with_key`] for background sync: this connection leaves checkpoints
    /// (copying the write-ahead log into the database) to a thread with a connection of its
    /// own, nudged after each pulled page and each push answer, so that long pulls never stop
    /// for them. Both close when the store is dropped.
    pub fn open_for_sync(dir: &Path, key: &DatabaseKey) -> Result<Store, StoreError> {
        let pages = read_keys(dir)?.pages;
        let mut store = open_existing(dir, key, pages)?;
        store.connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        store.checkpointer =
            Some(crate::checkpoint::Checkpointer::start(&Self::database_path(dir), key, pages)?);
        Ok(store)
    }

    /// Unlocks with the passphrase. A wrong passphrase fails before the database is opened.
    pub fn unlock(dir: &Path, passphrase: &str) -> Result<Store, StoreError> {
        let keys = read_keys(dir)?;
        let key: DatabaseKey = keys.passphrase.unwrap_with_passphrase(passphrase)?;
        open_existing(dir, &key, keys.pages)
    }

    /// Unlocks with the recovery key as typed (case, spaces and dashes do not matter).
    pub fn unlock_with_recovery_key(dir: &Path, recovery_key: &str) -> Result<Store, StoreError> {
        let recovery_key = RecoveryKey::parse(recovery_key)?;
        let keys = read_keys(dir)?;
        let key: DatabaseKey = keys.recovery.unwrap_with_recovery_key(&recovery_key)?;
        open_existing(dir, &key, keys.pages)
    }

    /// Rewraps the database key under a new passphrase (the database file is not touched).
    pub fn change_passphrase(dir: &Path, old: &str, new: &str) -> Result<(), StoreError> {
        Self::change_passphrase_with_kdf(dir, old, new, KdfParams::recommended()?)
    }

    /// [`Profile::change_passphrase`] with explicit KDF parameters (also how the cost is
    /// raised later).
    pub fn change_passphrase_with_kdf(
        dir: &Path,
        old: &str,
        new: &str,
        kdf: KdfParams,
    ) -> Result<(), StoreError> {
        let mut keys = read_keys(dir)?;
        let key: DatabaseKey = keys.passphrase.unwrap_with_passphrase(old)?;
        keys.passphrase = WrappedKey::with_passphrase(&key, new, kdf)?;
        write_keys(dir, &keys)
    }

    /// Sets a new passphrase using the recovery key (when the passphrase is forgotten).
    pub fn reset_passphrase_with_recovery_key(
        dir: &Path,
        recovery_key: &str,
        new: &str,
    ) -> Result<(), StoreError> {
        let recovery_key = RecoveryKey::parse(recovery_key)?;
        let mut keys = read_keys(dir)?;
        let key: DatabaseKey = keys.recovery.unwrap_with_recovery_key(&recovery_key)?;
        keys.passphrase = WrappedKey::with_passphrase(&key, new, KdfParams::recommended()?)?;
        write_keys(dir, &keys)
    }
}

fn open_existing(dir: &Path, key: &DatabaseKey, pages: PageFormat) -> Result<Store, StoreError> {
    let connection = database::open(&Profile::database_path(dir), key, pages, OpenMode::Existing)?;
    Store::new(connection, dir)
}

fn read_keys(dir: &Path) -> Result<KeysFile, StoreError> {
    let text = match fs::read_to_string(Profile::keys_path(dir)) {
        Ok(text) => text,
        // A database without its keys file is a damaged profile, not a missing one.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(if Profile::database_path(dir).exists() {
                StoreError::KeysFileDamaged(format!("{KEYS_FILE} is missing"))
            } else {
                StoreError::ProfileNotFound
            });
        }
        Err(error) => return Err(error.into()),
    };
    let keys: KeysFile = serde_json::from_str(&text)
        .map_err(|error| StoreError::KeysFileDamaged(error.to_string()))?;
    if keys.format != KEYS_FORMAT {
        return Err(StoreError::KeysFileDamaged(format!("unknown format {}", keys.format)));
    }
    if !keys.pages.is_valid() {
        return Err(StoreError::KeysFileDamaged(format!(
            "page size {} is not one SQLCipher accepts",
            keys.pages.page_size
        )));
    }
    Ok(keys)
}

/// Writes `keys.json` atomically: a synced temporary file renamed over the old one.
fn write_keys(dir: &Path, keys: &KeysFile) -> Result<(), StoreError> {
    let text = serde_json::to_string_pretty(keys)?;
    let temporary = dir.join("keys.json.tmp");
    {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    fs::rename(&temporary, Profile::keys_path(dir))?;
    if let Ok(directory) = fs::File::open(dir) {
        // Make the rename durable; not supported on every platform, so best effort.
        let _ = directory.sync_all();
    }
    Ok(())
}
