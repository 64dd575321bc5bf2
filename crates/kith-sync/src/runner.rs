//! Background sync on tokio: a round at start, then every `interval` while the server answers,
//! soon after local changes (debounced), with jittered backoff while it does not, and a stop
//! when the device is removed. The state is published on a `watch` channel for the UI.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::{Rng, SeedableRng};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::engine::{PulledPage, Replica, SyncEngine, SyncState, Transport};
use crate::operation::PlainOperation;
use crate::schedule::{Backoff, Debounce};
use crate::SyncError;

/// When the background runner syncs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Between rounds while all is well.
    pub interval: Duration,
    /// After failed rounds.
    pub backoff: Backoff,
    /// After local changes.
    pub debounce: Debounce,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            backoff: Backoff::default(),
            debounce: Debounce::default(),
        }
    }
}

enum Command {
    LocalChange,
    SyncNow,
    Stop,
}

/// The running background sync.
pub struct SyncHandle<R, T> {
    state: watch::Receiver<SyncState>,
    commands: mpsc::UnboundedSender<Command>,
    task: JoinHandle<SyncEngine<R, T>>,
}

impl<R, T> SyncHandle<R, T> {
    /// The state, updated as rounds run.
    pub fn state(&self) -> watch::Receiver<SyncState> {
        self.state.clone()
    }

    /// A local change was saved: sync soon (debounced; not while backing off).
    pub fn local_change(&self) {
        let _ = self.commands.send(Command::LocalChange);
    }

    /// The user asked to sync now (also ends a backoff wait).
    pub fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow);
    }

    /// Stops after the running round and gives the engine back.
    pub async fn stop(self) -> Result<SyncEngine<R, T>, SyncError> {
        let _ = self.commands.send(Command::Stop);
        self.task.await.map_err(|_| SyncError::Local("the sync task failed".into()))
    }

    /// True once the runner has ended (stopped, or the device was removed).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Starts background sync on the current tokio runtime.
pub fn spawn_sync<R, T>(mut engine: SyncEngine<R, T>, schedule: Schedule) -> SyncHandle<R, T>
where
    R: Replica + Send + 'static,
    T: Transport + Clone + Send + Sync + 'static,
{
    let state = engine.subscribe();
    let (commands, mut inbox) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        let mut rng = rand::rngs::StdRng::from_entropy();
        let origin = Instant::now();
        let mut next_round = Instant::now();
        let mut burst: Option<(Instant, Instant)> = None;
        let mut failures = 0u32;
        loop {
            let due = match burst {
                Some((first, last)) if failures == 0 => {
                    let due = schedule.debounce.due(first - origin, last - origin);
                    next_round.min(origin + due)
                }
                _ => next_round,
            };
            tokio::select! {
                () = tokio::time::sleep_until(due) => {
                    burst = None;
                    match engine.sync_once(unix_ms()).await {
                        Ok(_) => {
                            failures = 0;
                            next_round = Instant::now() + schedule.interval;
                        }
                        Err(error) if error.stops_syncing() => break,
                        Err(_) => {
                            failures = failures.saturating_add(1);
                            let delay = schedule.backoff.delay(failures, rng.gen::<f64>());
                            next_round = Instant::now() + delay;
                        }
                    }
                }
                command = inbox.recv() => match command {
                    Some(Command::LocalChange) => {
                        let now = Instant::now();
                        burst = Some((burst.map_or(now, |(first, _)| first), now));
                        if let Err(error) = engine.refresh_counts() {
                            tracing::warn!(%error, "could not count waiting changes");
                        }
                    }
                    Some(Command::SyncNow) => next_round = Instant::now(),
                    Some(Command::Stop) | None => break,
                },
            }
        }
        engine
    });
    SyncHandle { state, commands, task }
}

/// A replica shared with the code that makes local changes (the app's store handle).
impl<R: Replica> Replica for Arc<Mutex<R>> {
    fn prepare_push(&mut self) -> Result<(), SyncError> {
        lock(self)?.prepare_push()
    }
    fn pending_count(&mut self) -> Result<u64, SyncError> {
        lock(self)?.pending_count()
    }
    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, SyncError> {
        lock(self)?.pending_operations(after_device_seq, limit)
    }
    fn mark_pushed(&mut self, results: &[kith_protocol::PushResult]) -> Result<(), SyncError> {
        lock(self)?.mark_pushed(results)
    }
    fn cursor(&mut self) -> Result<u64, SyncError> {
        lock(self)?.cursor()
    }
    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError> {
        lock(self)?.apply_page(page)
    }
    fn resync(&mut self, scope: &kith_protocol::ScopeResponse) -> Result<(), SyncError> {
        lock(self)?.resync(scope)
    }
    fn conflict_count(&mut self) -> Result<u64, SyncError> {
        lock(self)?.conflict_count()
    }
    fn refused_count(&mut self) -> Result<u64, SyncError> {
        lock(self)?.refused_count()
    }
}

fn lock<R>(shared: &Arc<Mutex<R>>) -> Result<std::sync::MutexGuard<'_, R>, SyncError> {
    shared.lock().map_err(|_| SyncError::Local("the local store lock was poisoned".into()))
}
