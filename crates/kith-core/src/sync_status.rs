//! Background sync while Kith is unlocked, and the [`SyncStatus`] the UI shows.
//!
//! The runner (kith-sync's `spawn_sync`) works on its **own** SQLCipher connection to the
//! profile's WAL database, opened with the database key already unwrapped at unlock (no second
//! Argon2 run). The UI keeps its connection; SQLite's WAL lets the UI read while sync writes,
//! and the store begins every UI write `IMMEDIATE` so a sync commit can never make it fail
//! half-way. Locking cancels the HTTP call in flight, closes the runner's connection (SQLCipher
//! wipes its key), waits for the runner to end (the engine with the practice key and the
//! device token is dropped then) and drops the database key.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kith_crypto::{DatabaseKey, PracticeKey};
use kith_protocol::{PullRequest, PullResponse, PushRequest, PushResponse, ScopeResponse};
use kith_store::{Profile, Store};
use kith_sync::{
    spawn_sync, HttpTransport, PulledPage, Replica, Schedule, SyncConfig, SyncEngine, SyncError,
    SyncHandle, SyncPhase, SyncState, Transport,
};
use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::watch;
use ts_rs::TS;

use crate::CoreError;

/// How long locking waits for the runner to end (it ends within one local transaction once
/// the HTTP call in flight is cancelled).
const STOP_WAIT: Duration = Duration::from_secs(10);

/// What the UI shows about syncing with the practice server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct SyncStatus {
    /// Whether this laptop has joined (or set up) a practice.
    pub joined: bool,
    /// The practice server's address, once joined.
    pub server_address: Option<String>,
    /// Whether background sync is running now (false when locked out, stopped or not joined).
    pub running: bool,
    /// Whether the last attempt reached the server; `None` before the first attempt.
    pub online: Option<bool>,
    /// Whether a sync is in progress right now.
    pub syncing: bool,
    /// Progress of the sync in progress: `"pushing"` or `"pulling"`.
    pub phase: Option<String>,
    /// Done so far in this phase (changes sent, or changes received).
    #[ts(type = "number")]
    pub done: u64,
    /// The whole of this phase, when known.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// When the last sync finished (UTC).
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Changes saved on this laptop and not yet accepted by the server.
    #[ts(type = "number")]
    pub changes_waiting: u64,
    /// Changes the server refused for good (kept on this laptop, shown to the user).
    #[ts(type = "number")]
    pub changes_refused: u64,
    /// Edits of the same thing on two laptops, waiting for someone to choose.
    #[ts(type = "number")]
    pub conflicts: u64,
    /// The last problem, in plain words; `None` when all is well.
    pub last_error: Option<String>,
    /// This laptop was removed from the practice: it no longer syncs, and everything on it
    /// stays encrypted. `last_error` says what to do.
    pub revoked: bool,
}

impl SyncStatus {
    /// The status of a laptop that has joined, from the runner's state.
    pub(crate) fn from_state(server_address: &str, running: bool, state: &SyncState) -> Self {
        let revoked = state.stopped
            && state.last_error.as_deref().is_some_and(|words| {
                words == SyncError::DeviceRevoked.words()
                    || words == SyncError::Unauthorized.words()
            });
        let progress = state.progress.as_ref();
        SyncStatus {
            joined: true,
            server_address: Some(server_address.to_owned()),
            running,
            online: state.online,
            syncing: progress.is_some(),
            phase: progress.map(|p| {
                match p.phase {
                    SyncPhase::Pushing => "pushing",
                    SyncPhase::Pulling => "pulling",
                }
                .to_owned()
            }),
            done: progress.map_or(0, |p| p.done),
            total: progress.and_then(|p| p.total),
            last_synced_at: state
                .last_synced_at_ms
                .and_then(|ms| i64::try_from(ms).ok())
                .and_then(DateTime::from_timestamp_millis),
            changes_waiting: state.changes_waiting,
            changes_refused: state.changes_refused,
            conflicts: state.conflicts,
            last_error: state.last_error.clone(),
            revoked,
        }
    }
}

/// Runs `future` to completion on `runtime` from synchronous code, whether or not the caller
/// is itself on a runtime thread (a Tauri command is): it is driven on a short-lived thread of
/// its own, so `block_on` is never called inside a runtime.
pub(crate) fn block_on<F>(runtime: &Handle, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    match run_on_own_thread(runtime, future) {
        Ok(output) => output,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// [`block_on`], handing back a panic of the future (e.g. a runtime shutting down at exit)
/// instead of resuming it.
fn run_on_own_thread<F>(runtime: &Handle, future: F) -> std::thread::Result<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| scope.spawn(|| runtime.block_on(future)).join())
}

/// The runner's connection, shared with [`BackgroundSync`] so locking can close it at once.
#[derive(Clone)]
struct SharedStore(Arc<Mutex<Option<Store>>>);

impl SharedStore {
    fn with<T>(
        &self,
        mut body: impl FnMut(&mut Store) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        let mut guard =
            self.0.lock().map_err(|_| SyncError::Local("the sync connection failed".into()))?;
        let store = guard.as_mut().ok_or_else(|| SyncError::Local("Kith is locked".into()))?;
        body(store)
    }

    /// A write transaction, tried twice: the first can fail when the UI committed between its
    /// first read and its first write (each is all or nothing, so a retry is safe).
    fn write<T>(
        &self,
        mut body: impl FnMut(&mut Store) -> Result<T, SyncError>,
    ) -> Result<T, SyncError> {
        self.with(|store| {
            store.catch_up_clock().map_err(|error| SyncError::Local(error.to_string()))?;
            body(store).or_else(|_| body(store))
        })
    }

    /// Closes the connection (SQLCipher wipes its key).
    fn close(&self) {
        let store = match self.0.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(store) = store {
            store.lock();
        }
    }
}

impl Replica for SharedStore {
    fn prepare_push(&mut self) -> Result<(), SyncError> {
        self.write(|store| store.prepare_push())
    }
    fn pending_count(&mut self) -> Result<u64, SyncError> {
        self.with(|store| store.pending_count())
    }
    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<kith_sync::PlainOperation>, SyncError> {
        self.with(|store| store.pending_operations(after_device_seq, limit))
    }
    fn mark_pushed(&mut self, results: &[kith_protocol::PushResult]) -> Result<(), SyncError> {
        self.write(|store| store.mark_pushed(results))
    }
    fn cursor(&mut self) -> Result<u64, SyncError> {
        self.with(|store| store.cursor())
    }
    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError> {
        self.write(|store| store.apply_page(page))
    }
    fn resync(&mut self, scope: &ScopeResponse) -> Result<(), SyncError> {
        self.write(|store| store.resync(scope))
    }
    fn conflict_count(&mut self) -> Result<u64, SyncError> {
        self.with(|store| store.conflict_count())
    }
    fn refused_count(&mut self) -> Result<u64, SyncError> {
        self.with(|store| store.refused_count())
    }
}

/// The HTTP transport, with every call cut short when Kith is locked.
#[derive(Clone)]
struct CancellableTransport {
    inner: HttpTransport,
    locked: watch::Receiver<bool>,
}

impl CancellableTransport {
    async fn unless_locked<T>(
        &self,
        call: impl Future<Output = Result<T, SyncError>> + Send,
    ) -> Result<T, SyncError> {
        let mut locked = self.locked.clone();
        tokio::select! {
            result = call => result,
            _ = locked.wait_for(|locked| *locked) => {
                Err(SyncError::Unreachable("Kith was locked".into()))
            }
        }
    }
}

impl Transport for CancellableTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.unless_locked(self.inner.push(request)).await
    }
    async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.unless_locked(self.inner.pull(request)).await
    }
    async fn scope(&self) -> Result<ScopeResponse, SyncError> {
        self.unless_locked(self.inner.scope()).await
    }
}

/// Background sync of an unlocked, joined profile.
pub(crate) struct BackgroundSync {
    runner: SyncHandle<SharedStore, CancellableTransport>,
    state: watch::Receiver<SyncState>,
    store: SharedStore,
    locked: watch::Sender<bool>,
    runtime: Handle,
    server_address: String,
}

impl BackgroundSync {
    /// Opens the runner's own connection with `database_key` and starts syncing on `runtime`.
    pub(crate) fn start(
        runtime: &Handle,
        profile_dir: &std::path::Path,
        database_key: &DatabaseKey,
        server_address: &str,
        device_token: &str,
        practice_key: PracticeKey,
        schedule: Schedule,
    ) -> Result<Self, CoreError> {
        let store = SharedStore(Arc::new(Mutex::new(Some(Profile::open_for_sync(
            profile_dir,
            database_key,
        )?))));
        let (locked, locked_receiver) = watch::channel(false);
        let transport = CancellableTransport {
            inner: HttpTransport::new(server_address, device_token)
                .map_err(|error| CoreError::ServerProblem { message: error.words() })?,
            locked: locked_receiver,
        };
        let mut engine =
            SyncEngine::new(store.clone(), transport, practice_key, SyncConfig::default());
        if let Err(error) = engine.refresh_counts() {
            tracing::warn!(%error, "could not count the changes waiting");
        }
        let runner = {
            let _entered = runtime.enter();
            spawn_sync(engine, schedule)
        };
        Ok(BackgroundSync {
            state: runner.state(),
            runner,
            store,
            locked,
            runtime: runtime.clone(),
            server_address: server_address.to_owned(),
        })
    }

    /// What the UI shows.
    pub(crate) fn status(&self) -> SyncStatus {
        let state = self.state.borrow().clone();
        SyncStatus::from_state(&self.server_address, self.is_running(), &state)
    }

    /// Whether the runner is still going (it ends when the device is removed, for example).
    pub(crate) fn is_running(&self) -> bool {
        !self.runner.is_finished()
    }

    /// A local change was saved: sync soon.
    pub(crate) fn local_change(&self) {
        self.runner.local_change();
    }

    /// Sync now (also ends a backoff wait).
    pub(crate) fn sync_now(&self) {
        self.runner.sync_now();
    }

    /// The last problem in words, if any.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.state.borrow().last_error.clone()
    }

    /// Stops for good: cancels the call in flight, closes the connection, waits for the runner
    /// to end (dropping the practice key and the device token with its engine).
    pub(crate) fn stop(self) {
        let _ = self.locked.send(true);
        self.store.close();
        let BackgroundSync { runner, runtime, .. } = self;
        let stopped = run_on_own_thread(&runtime, async move {
            tokio::time::timeout(STOP_WAIT, runner.stop()).await
        });
        match stopped {
            Ok(Ok(Ok(engine))) => drop(engine),
            Ok(Ok(Err(error))) => tracing::warn!(%error, "background sync ended badly"),
            Ok(Err(_)) => tracing::warn!("background sync did not stop in time; it is cut off"),
            Err(_) => tracing::warn!("the runtime is gone; background sync ended with it"),
        }
    }
}
