//! [`Kith`]: the app's state (a profile directory, unlocked or not) and the profile use
//! cases: create (showing the recovery key once), unlock, lock, change the passphrase.

use std::path::{Path, PathBuf};

use kith_crypto::KdfParams;
use kith_domain::UserId;
use kith_store::{Profile, Store};
use serde::Serialize;
use ts_rs::TS;

use crate::CoreError;

/// The shortest passphrase accepted for a new profile.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// What the first-run screen shows once, right after the profile is created.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct CreatedProfile {
    /// The recovery key, grouped for reading aloud and writing down. It is stored nowhere:
    /// show it once and ask the person to keep it.
    pub recovery_key: String,
    /// The user this laptop's records are attributed to.
    pub user_id: UserId,
}

impl std::fmt::Debug for CreatedProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedProfile").field("user_id", &self.user_id).finish_non_exhaustive()
    }
}

/// The app: a profile directory and, when unlocked, its open store. Locking drops the store
/// (SQLCipher wipes the key).
#[derive(Debug)]
pub struct Kith {
    profile_dir: PathBuf,
    store: Option<Store>,
    /// Cheap Argon2id parameters (tests only) instead of kith-crypto's recommended cost.
    cheap_kdf_for_tests: bool,
}

impl Kith {
    /// The app for the profile in `profile_dir` (see [`crate::resolve_data_dir`]), locked.
    pub fn new(profile_dir: impl Into<PathBuf>) -> Self {
        Kith { profile_dir: profile_dir.into(), store: None, cheap_kdf_for_tests: false }
    }

    /// Uses cheap KDF parameters (tests only: a guess must cost 0.25 s or more in the app).
    pub fn with_cheap_kdf_for_tests(mut self) -> Self {
        self.cheap_kdf_for_tests = true;
        self
    }

    /// Fresh KDF parameters (a new salt) for one wrapping.
    fn kdf(&self) -> Result<KdfParams, CoreError> {
        let params = if self.cheap_kdf_for_tests {
            KdfParams::insecure_for_tests()
        } else {
            KdfParams::recommended()
        };
        params.map_err(|error| CoreError::Storage { message: error.to_string() })
    }

    /// The profile directory.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Whether a profile has been set up here (so: unlock, not first run).
    pub fn profile_exists(&self) -> bool {
        Profile::exists(&self.profile_dir)
    }

    /// Whether the profile is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.store.is_some()
    }

    /// Creates the profile and leaves it unlocked. Returns the recovery key to show once.
    pub fn create_profile(&mut self, passphrase: &str) -> Result<CreatedProfile, CoreError> {
        check_passphrase(passphrase)?;
        let (mut store, recovery_key) =
            Profile::create_with_kdf(&self.profile_dir, passphrase, self.kdf()?)?;
        let user_id = UserId::new();
        store.set_current_user(user_id)?;
        self.store = Some(store);
        Ok(CreatedProfile { recovery_key: recovery_key.to_human_string().to_string(), user_id })
    }

    /// Unlocks with the passphrase. A wrong one leaves the files untouched.
    pub fn unlock(&mut self, passphrase: &str) -> Result<(), CoreError> {
        self.store = None;
        self.store = Some(Profile::unlock(&self.profile_dir, passphrase)?);
        Ok(())
    }

    /// Unlocks with the recovery key as typed (case, spaces and dashes do not matter).
    pub fn unlock_with_recovery_key(&mut self, recovery_key: &str) -> Result<(), CoreError> {
        self.store = None;
        self.store = Some(Profile::unlock_with_recovery_key(&self.profile_dir, recovery_key)?);
        Ok(())
    }

    /// Locks: closes the database and drops the key. Locking twice is fine.
    pub fn lock(&mut self) {
        if let Some(store) = self.store.take() {
            store.lock();
        }
    }

    /// Changes the passphrase (the key is rewrapped; the database is not re-encrypted).
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<(), CoreError> {
        check_passphrase(new)?;
        Profile::change_passphrase_with_kdf(&self.profile_dir, old, new, self.kdf()?)?;
        Ok(())
    }

    /// The user changes are attributed to.
    pub fn current_user(&self) -> Result<UserId, CoreError> {
        self.store()?
            .current_user()
            .ok_or(CoreError::Storage { message: "this profile has no user yet".to_owned() })
    }

    /// Sets the user changes are attributed to (e.g. after joining a practice).
    pub fn set_current_user(&mut self, user: UserId) -> Result<(), CoreError> {
        self.store_mut()?.set_current_user(user)?;
        Ok(())
    }

    /// The open store, or [`CoreError::Locked`].
    pub fn store(&self) -> Result<&Store, CoreError> {
        self.store.as_ref().ok_or(CoreError::Locked)
    }

    fn store_mut(&mut self) -> Result<&mut Store, CoreError> {
        self.store.as_mut().ok_or(CoreError::Locked)
    }
}

fn check_passphrase(passphrase: &str) -> Result<(), CoreError> {
    if passphrase.trim().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CoreError::WeakPassphrase { min_chars: MIN_PASSPHRASE_CHARS });
    }
    Ok(())
}
