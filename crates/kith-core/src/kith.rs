//! [`Kith`]: the app's state (a profile directory, unlocked or not) and the profile use
//! cases: create (showing the recovery key once), unlock, lock, change the passphrase; and
//! the practice use cases (set up, invite, join) with background sync while unlocked.
//!
//! # Runtime
//! The practice use cases and background sync need a tokio runtime: give one with
//! [`Kith::with_runtime`] (the Tauri shell passes `tauri::async_runtime`'s handle), or call
//! them on a thread inside a runtime (the current one is then used). The methods stay
//! synchronous: network calls are driven to completion on a short-lived thread of their own,
//! so they are safe to call from a `#[tauri::command(async)]` holding `Mutex<Kith>`.

use std::path::{Path, PathBuf};

use kith_crypto::{DatabaseKey, KdfParams, WrappedKey};
use kith_domain::UserId;
use kith_store::{Profile, Store};
use kith_sync::Schedule;
use serde::Serialize;
use tokio::runtime::Handle;
use ts_rs::TS;

use crate::practice::{
    self, CreatedInvite, InviteCode, Membership, PracticeRecoveryKit, PracticeSignIn,
};
use crate::sync_status::{block_on, BackgroundSync, SyncStatus};
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

/// The app: a profile directory and, when unlocked, its open store, its database key (to
/// open background sync's own connection) and, once joined to a practice, background sync.
/// Locking stops sync and drops the stores and the key (SQLCipher and kith-crypto wipe them).
pub struct Kith {
    profile_dir: PathBuf,
    store: Option<Store>,
    database_key: Option<DatabaseKey>,
    sync: Option<BackgroundSync>,
    /// Why background sync could not start at the last unlock, if it could not.
    sync_start_error: Option<String>,
    runtime: Option<Handle>,
    sync_schedule: Schedule,
    /// Cheap Argon2id parameters (tests only) instead of kith-crypto's recommended cost.
    cheap_kdf_for_tests: bool,
}

impl std::fmt::Debug for Kith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kith")
            .field("unlocked", &self.store.is_some())
            .field("syncing", &self.sync.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for Kith {
    fn drop(&mut self) {
        self.lock();
    }
}

impl Kith {
    /// The app for the profile in `profile_dir` (see [`crate::resolve_data_dir`]), locked.
    pub fn new(profile_dir: impl Into<PathBuf>) -> Self {
        Kith {
            profile_dir: profile_dir.into(),
            store: None,
            database_key: None,
            sync: None,
            sync_start_error: None,
            runtime: None,
            sync_schedule: Schedule::default(),
            cheap_kdf_for_tests: false,
        }
    }

    /// Runs practice calls and background sync on `runtime` (see the module docs).
    pub fn with_runtime(mut self, runtime: Handle) -> Self {
        self.runtime = Some(runtime);
        self
    }

    /// When background sync runs (kith-sync's defaults: every minute, 3 s after a change,
    /// backing off to 5 minutes). Tests use shorter ones. Applies from the next unlock or join.
    pub fn with_sync_schedule(mut self, schedule: Schedule) -> Self {
        self.sync_schedule = schedule;
        self
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
        let (mut store, recovery_key, database_key) =
            Profile::create_keeping_key(&self.profile_dir, passphrase, self.kdf()?)?;
        let user_id = UserId::new();
        store.set_current_user(user_id)?;
        self.lock();
        self.store = Some(store);
        self.database_key = Some(database_key);
        Ok(CreatedProfile { recovery_key: recovery_key.to_human_string().to_string(), user_id })
    }

    /// Unlocks with the passphrase. A wrong one leaves the files untouched. If this laptop has
    /// joined a practice, background sync starts (a failure to start it does not fail the
    /// unlock: [`Kith::sync_status`] says what went wrong).
    pub fn unlock(&mut self, passphrase: &str) -> Result<(), CoreError> {
        self.lock();
        let key = Profile::unlock_key(&self.profile_dir, passphrase)?;
        self.open_with(key)
    }

    /// Unlocks with the recovery key as typed (case, spaces and dashes do not matter).
    pub fn unlock_with_recovery_key(&mut self, recovery_key: &str) -> Result<(), CoreError> {
        self.lock();
        let key = Profile::unlock_key_with_recovery_key(&self.profile_dir, recovery_key)?;
        self.open_with(key)
    }

    fn open_with(&mut self, key: DatabaseKey) -> Result<(), CoreError> {
        self.store = Some(Profile::open_with_key(&self.profile_dir, &key)?);
        self.database_key = Some(key);
        self.start_sync_if_joined();
        Ok(())
    }

    /// Locks: stops background sync (cancelling its call in flight and closing its
    /// connection), closes the database and drops the keys. Locking twice is fine.
    pub fn lock(&mut self) {
        if let Some(sync) = self.sync.take() {
            sync.stop();
        }
        self.sync_start_error = None;
        if let Some(store) = self.store.take() {
            store.lock();
        }
        self.database_key = None;
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

    // -----------------------------------------------------------------------------------
    // The practice.

    /// Sets up the practice on its server, as its first supervisor: enrols this laptop with
    /// the supervisor account an administrator made, creates the practice key, keeps it in
    /// this profile's encrypted database, makes this laptop's user the server's account and
    /// starts background sync. Returns the recovery kit to show once and print.
    ///
    /// Refused with [`CoreError::PracticeAlreadySetUp`] when the server already holds records
    /// or another supervisor's practice key check (see `practice.rs`): join with an invite
    /// code instead.
    pub fn set_up_practice(
        &mut self,
        sign_in: &PracticeSignIn,
    ) -> Result<PracticeRecoveryKit, CoreError> {
        self.refuse_if_joined()?;
        let runtime = self.runtime()?;
        let mut joined = block_on(&runtime, practice::set_up(sign_in))?;
        let kit = joined.kit.take();
        self.finish_joining(joined)?;
        kit.ok_or(CoreError::Storage { message: "the recovery kit was not made".into() })
    }

    /// Joins a practice with an invite code made in a supervisor's app: enrols this laptop,
    /// redeems the code, opens the practice key with it, keeps the key in this profile's
    /// encrypted database, makes this laptop's user the server's account, starts syncing.
    ///
    /// A mistyped code is refused before anything is sent ([`CoreError::InviteCodeTypo`]); a
    /// code the server does not know, already used or expired gives
    /// [`CoreError::InviteNotAccepted`]; a wrong username or password
    /// [`CoreError::WrongServerPassword`]. A device enrolled by a failed attempt is revoked.
    pub fn join_practice(
        &mut self,
        sign_in: &PracticeSignIn,
        invite_code: &str,
    ) -> Result<(), CoreError> {
        let code = InviteCode::parse(invite_code)?;
        self.refuse_if_joined()?;
        let runtime = self.runtime()?;
        let (enrolled, wrapped) = block_on(&runtime, practice::enrol_and_redeem(sign_in, &code))?;
        let practice_key = match practice::unwrap_invite_key(&wrapped, &code) {
            Ok(key) => key,
            Err(error) => {
                block_on(&runtime, practice::revoke_enrolled(sign_in, &enrolled));
                return Err(error);
            }
        };
        let joined = block_on(&runtime, practice::finish_join(sign_in, enrolled, practice_key))?;
        self.finish_joining(joined)
    }

    /// Makes an invite code for another laptop to join (supervisors only). The practice key is
    /// wrapped under a key derived from the code (Argon2id); the server receives only the
    /// code's SHA-256 and the wrapped key. Read the code out; it works once, for 7 days.
    pub fn create_invite(&self) -> Result<CreatedInvite, CoreError> {
        let membership = self.membership()?.ok_or(CoreError::NotJoined)?;
        if membership.role != kith_protocol::Role::Supervisor {
            return Err(CoreError::NotPermitted {
                message: "Only supervisors can make invite codes.".into(),
            });
        }
        let practice_key = membership.practice_key()?;
        let code = InviteCode::generate()?;
        let wrapped = WrappedKey::with_passphrase(&practice_key, code.as_str(), self.kdf()?)
            .map_err(|error| CoreError::Storage { message: error.to_string() })?;
        drop(practice_key);
        let bytes = practice::wrapped_key_bytes(&wrapped)?;
        let runtime = self.runtime()?;
        block_on(
            &runtime,
            practice::create_invite(
                &membership.server_address,
                &membership.device_token,
                bytes,
                &code,
            ),
        )
    }

    /// Where syncing stands, for the UI. Needs Kith unlocked (membership is encrypted).
    pub fn sync_status(&self) -> Result<SyncStatus, CoreError> {
        if let Some(sync) = &self.sync {
            return Ok(sync.status());
        }
        let Some(membership) = self.membership()? else { return Ok(SyncStatus::default()) };
        Ok(SyncStatus {
            joined: true,
            server_address: Some(membership.server_address.clone()),
            last_error: self.sync_start_error.clone(),
            ..SyncStatus::default()
        })
    }

    /// Syncs now (also ends a wait after a failure). Refused when not joined, or when syncing
    /// has stopped (this laptop was removed from the practice, for example).
    pub fn sync_now(&mut self) -> Result<(), CoreError> {
        self.store()?;
        match &self.sync {
            Some(sync) if sync.is_running() => {
                sync.sync_now();
                Ok(())
            }
            Some(sync) => Err(CoreError::SyncStopped {
                message: sync.last_error().unwrap_or_else(|| "Syncing has stopped.".into()),
            }),
            None if self.membership()?.is_some() => {
                self.start_sync_if_joined();
                match (&self.sync, &self.sync_start_error) {
                    (Some(_), _) => Ok(()),
                    (None, Some(message)) => {
                        Err(CoreError::SyncStopped { message: message.clone() })
                    }
                    (None, None) => Err(CoreError::NotJoined),
                }
            }
            None => Err(CoreError::NotJoined),
        }
    }

    /// Call after every saved change: background sync sends it soon (debounced). Does nothing
    /// when not joined or locked.
    pub fn changed(&self) {
        if let Some(sync) = &self.sync {
            sync.local_change();
        }
    }

    /// Whether background sync is running now.
    pub fn is_syncing_in_background(&self) -> bool {
        self.sync.as_ref().is_some_and(BackgroundSync::is_running)
    }

    fn membership(&self) -> Result<Option<Membership>, CoreError> {
        Membership::load(self.store()?)
    }

    fn refuse_if_joined(&self) -> Result<(), CoreError> {
        if self.membership()?.is_some() {
            return Err(CoreError::AlreadyJoined);
        }
        Ok(())
    }

    pub(crate) fn runtime(&self) -> Result<Handle, CoreError> {
        self.runtime.clone().or_else(|| Handle::try_current().ok()).ok_or(CoreError::Storage {
            message: "Kith cannot reach the practice server from here (no async runtime)".into(),
        })
    }

    fn finish_joining(&mut self, joined: practice::Joined) -> Result<(), CoreError> {
        let store = self.store_mut()?;
        practice::record_membership(store, &joined)?;
        self.start_sync(&joined.membership, joined.practice_key.clone());
        Ok(())
    }

    fn start_sync_if_joined(&mut self) {
        let membership = match self.membership() {
            Ok(Some(membership)) => membership,
            Ok(None) => return,
            Err(error) => {
                self.sync_start_error = Some(error.to_string());
                return;
            }
        };
        match membership.practice_key() {
            Ok(key) => self.start_sync(&membership, key),
            Err(error) => self.sync_start_error = Some(error.to_string()),
        }
    }

    fn start_sync(&mut self, membership: &Membership, practice_key: kith_crypto::PracticeKey) {
        if let Some(running) = self.sync.take() {
            running.stop();
        }
        let started = match (self.runtime(), &self.database_key) {
            (Ok(runtime), Some(key)) => BackgroundSync::start(
                &runtime,
                &self.profile_dir,
                key,
                &membership.server_address,
                &membership.device_token,
                practice_key,
                self.sync_schedule,
            ),
            (Err(error), _) => Err(error),
            (_, None) => Err(CoreError::Locked),
        };
        match started {
            Ok(sync) => {
                self.sync = Some(sync);
                self.sync_start_error = None;
            }
            Err(error) => {
                tracing::warn!(%error, "background sync did not start");
                self.sync_start_error = Some(format!("Background sync could not start: {error}"));
            }
        }
    }
}

fn check_passphrase(passphrase: &str) -> Result<(), CoreError> {
    if passphrase.trim().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CoreError::WeakPassphrase { min_chars: MIN_PASSPHRASE_CHARS });
    }
    Ok(())
}
