//! The sync round: push the outbox in batches, pull pages and apply each with its cursor, resync
//! when the server says the scope changed, and keep a [`SyncState`] for the UI. IO is behind two
//! traits, [`Replica`] (the local store) and [`Transport`] (the server), so it is testable.

use std::future::Future;

use kith_crypto::PracticeKey;
use kith_protocol::{
    Operation, OperationId, PullRequest, PullResponse, PushOutcome, PushRequest, PushResponse,
    PushResult, RefusalReason, ScopeResponse,
};
use serde::Serialize;
use tokio::sync::watch;

use crate::operation::{open_operation, seal_operation, PlainOperation};
use crate::SyncError;

/// The local side of sync. kith-store implements it over its SQLCipher database; every method
/// that changes something is one transaction.
pub trait Replica {
    /// Called once at the start of every push: the replica may turn what it keeps locally
    /// into outbox operations now, in one transaction (the store publishes its audit trail,
    /// batched per person, rather than one operation per read). No default: a wrapper that
    /// forgot to forward it would silently never publish.
    fn prepare_push(&mut self) -> Result<(), SyncError>;

    /// How many operations are in the outbox waiting to be accepted by the server (including
    /// ones refused for [`RefusalReason::ClockAhead`], excluding ones refused for good).
    fn pending_count(&mut self) -> Result<u64, SyncError>;

    /// Up to `limit` outbox operations still to push with `device_seq > after_device_seq`, in
    /// device order, bodies in the clear.
    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, SyncError>;

    /// Records the server's answer for pushed operations, in one transaction:
    /// `Accepted` → done, never pushed again; `Refused` with [`RefusalReason::ClockAhead`] →
    /// stays pending (retried next round); any other refusal → set aside as refused for good
    /// (kept and shown, never pushed again, never deleted).
    fn mark_pushed(&mut self, results: &[PushResult]) -> Result<(), SyncError>;

    /// The pull cursor: the server sequence of the last applied page (0 before the first).
    fn cursor(&mut self) -> Result<u64, SyncError>;

    /// Applies a pulled page and stores `page.next_cursor`, in ONE transaction, so a crash never
    /// leaves them apart. For each operation: observe its clock
    /// ([`crate::Clock::observe`]); insert-only kinds insert by `op_id` (a no-op if already
    /// there); other kinds apply each field write to the record's [`crate::RecordState`] and
    /// refresh the record's projection and conflicts. The device's own operations come back too
    /// and apply as no-ops. Unreadable operations are kept aside as they came (never dropped).
    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError>;

    /// The scope changed: in ONE transaction, purge the synced records of people outside
    /// `scope` (records with operations still in the outbox are kept) and set the cursor to 0.
    fn resync(&mut self, scope: &ScopeResponse) -> Result<(), SyncError>;

    /// How many unresolved field conflicts the replica holds.
    fn conflict_count(&mut self) -> Result<u64, SyncError>;

    /// How many local operations the server refused for good (kept aside, shown to the user).
    fn refused_count(&mut self) -> Result<u64, SyncError>;
}

/// The server side of sync (an HTTP client in production, a fake in tests).
pub trait Transport {
    /// `POST /v1/sync/push`.
    fn push(
        &self,
        request: &PushRequest,
    ) -> impl Future<Output = Result<PushResponse, SyncError>> + Send;
    /// `GET /v1/sync/pull`.
    fn pull(
        &self,
        request: &PullRequest,
    ) -> impl Future<Output = Result<PullResponse, SyncError>> + Send;
    /// `GET /v1/sync/scope`.
    fn scope(&self) -> impl Future<Output = Result<ScopeResponse, SyncError>> + Send;
}

/// A page ready to apply: opened operations and the ones that could not be opened.
#[derive(Clone, Debug, PartialEq)]
pub struct PulledPage {
    /// `(server seq, operation)` in sequence order.
    pub operations: Vec<(u64, PlainOperation)>,
    /// Operations whose envelope did not open (wrong key, tampered) or did not fit their kind.
    pub unreadable: Vec<UnreadableOperation>,
    /// The cursor to store with the page.
    pub next_cursor: u64,
}

/// An operation kept aside because it could not be opened.
#[derive(Clone, Debug, PartialEq)]
pub struct UnreadableOperation {
    /// Its server sequence.
    pub seq: u64,
    /// The operation exactly as it came.
    pub operation: Operation,
    /// Why, in words (no contents).
    pub reason: String,
}

/// Sizes of a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    /// Operations per push (at most `kith_protocol::MAX_OPERATIONS_PER_PUSH`).
    pub push_batch: usize,
    /// Operations per pull page.
    pub pull_limit: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self { push_batch: 500, pull_limit: kith_protocol::MAX_PULL_LIMIT }
    }
}

/// Which part of a round is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Sending local changes.
    Pushing,
    /// Receiving changes.
    Pulling,
}

/// Progress of the running round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    /// What it is doing.
    pub phase: SyncPhase,
    /// Done in this phase: operations when pushing; sequence numbers covered when pulling.
    pub done: u64,
    /// The whole of this phase, in the same unit, when known (pushes always; pulls when the
    /// server reports the head of the scope).
    pub total: Option<u64>,
}

/// What the UI shows about sync.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// Whether the last attempt reached the server (`None` before the first attempt).
    pub online: Option<bool>,
    /// When the last round finished (Unix ms).
    pub last_synced_at_ms: Option<u64>,
    /// Local changes not yet accepted by the server.
    pub changes_waiting: u64,
    /// Unresolved field conflicts.
    pub conflicts: u64,
    /// Changes the server refused for good (set aside, shown to the user).
    pub changes_refused: u64,
    /// The last problem, in words a link worker understands; `None` when all is well.
    pub last_error: Option<String>,
    /// Syncing has stopped until someone acts (device removed, account disabled, update).
    pub stopped: bool,
    /// Server clock minus this device's clock at the last push (ms), to warn about a wrong
    /// clock.
    pub clock_offset_ms: Option<i64>,
    /// The running round's progress.
    pub progress: Option<SyncProgress>,
}

/// What one round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Operations the server accepted.
    pub pushed: u64,
    /// Operations the server refused (for good or until the clock is right).
    pub refused: u64,
    /// Operations pulled and applied (including this device's own, which apply as no-ops).
    pub pulled: u64,
    /// Pulled operations that could not be opened and were kept aside.
    pub unreadable: u64,
    /// Pull pages applied.
    pub pages: u64,
    /// Whether the scope changed and the replica was purged and pulled again.
    pub resynced: bool,
}

/// How many times one round follows a "resync required" before giving up.
const MAX_RESYNCS_PER_ROUND: u32 = 2;

/// The sync engine for one replica and one server.
pub struct SyncEngine<R, T> {
    replica: R,
    transport: T,
    practice_key: PracticeKey,
    config: SyncConfig,
    state: watch::Sender<SyncState>,
}

impl<R: Replica, T: Transport> SyncEngine<R, T> {
    /// An engine; nothing happens until [`SyncEngine::sync_once`].
    pub fn new(replica: R, transport: T, practice_key: PracticeKey, config: SyncConfig) -> Self {
        Self {
            replica,
            transport,
            practice_key,
            config,
            state: watch::channel(SyncState::default()).0,
        }
    }

    /// The current state.
    pub fn state(&self) -> SyncState {
        self.state.borrow().clone()
    }

    /// A receiver that sees every state change (for the UI).
    pub fn subscribe(&self) -> watch::Receiver<SyncState> {
        self.state.subscribe()
    }

    /// The local replica.
    pub fn replica(&self) -> &R {
        &self.replica
    }

    /// The local replica, to make local changes between rounds.
    pub fn replica_mut(&mut self) -> &mut R {
        &mut self.replica
    }

    /// Updates the local counts shown in the state (after a local change, for example).
    pub fn refresh_counts(&mut self) -> Result<(), SyncError> {
        let waiting = self.replica.pending_count()?;
        let conflicts = self.replica.conflict_count()?;
        let refused = self.replica.refused_count()?;
        self.state.send_modify(|state| {
            state.changes_waiting = waiting;
            state.conflicts = conflicts;
            state.changes_refused = refused;
        });
        Ok(())
    }
}

/// Rounds need a transport that can be cloned onto other tasks: server calls run alongside
/// the store's work.
impl<R: Replica, T: Transport + Clone + Send + Sync + 'static> SyncEngine<R, T> {
    /// One round: push everything waiting, then pull until the server has no more. `now_ms`
    /// is this device's clock (Unix ms). A stopped engine (device removed...) returns its
    /// error without contacting the server.
    pub async fn sync_once(&mut self, now_ms: u64) -> Result<SyncReport, SyncError> {
        if self.state.borrow().stopped {
            return Err(SyncError::DeviceRevoked);
        }
        let outcome = self.round(now_ms).await;
        let waiting = self.replica.pending_count();
        let conflicts = self.replica.conflict_count();
        let refused = self.replica.refused_count();
        self.state.send_modify(|state| {
            state.progress = None;
            if let Ok(refused) = refused {
                state.changes_refused = refused;
            }
            if let Ok(waiting) = waiting {
                state.changes_waiting = waiting;
            }
            if let Ok(conflicts) = conflicts {
                state.conflicts = conflicts;
            }
            match &outcome {
                Ok((report, clock_ahead)) => {
                    state.online = Some(true);
                    state.last_synced_at_ms = Some(now_ms);
                    state.last_error = round_problem(report, *clock_ahead);
                }
                Err(error) => {
                    state.online = Some(!error.is_offline());
                    state.stopped = error.stops_syncing();
                    state.last_error = Some(error.words());
                }
            }
        });
        if let Err(error) = &outcome {
            tracing::warn!(%error, "sync round failed");
        }
        outcome.map(|(report, _)| report)
    }

    async fn round(&mut self, now_ms: u64) -> Result<(SyncReport, u64), SyncError> {
        let mut report = SyncReport::default();
        let clock_ahead = self.push_all(now_ms, &mut report).await?;
        self.pull_all(&mut report).await?;
        Ok((report, clock_ahead))
    }

    /// Pushes the outbox in batches with one request in flight at a time (the server takes a
    /// device's operations in order). While the server works on one batch, this laptop
    /// records the answer to the one before and reads and seals the next.
    async fn push_all(&mut self, now_ms: u64, report: &mut SyncReport) -> Result<u64, SyncError> {
        self.replica.prepare_push()?;
        let total = self.replica.pending_count()?;
        self.set_progress(SyncPhase::Pushing, 0, Some(total));
        let batch = self.config.push_batch.clamp(1, kith_protocol::MAX_OPERATIONS_PER_PUSH);
        let (mut after, mut done, mut clock_ahead) = (0u64, 0u64, 0u64);
        let mut in_flight = self.seal_batch(&mut after, batch)?.map(|request| self.send(request));
        while let Some((sent, request)) = in_flight.take() {
            let next = self.seal_batch(&mut after, batch)?;
            let response = request.wait().await??;
            let answered: Vec<OperationId> = response.results.iter().map(|r| r.op_id).collect();
            if answered != sent {
                return Err(SyncError::Protocol("push results do not match the request".into()));
            }
            in_flight = next.map(|request| self.send(request));
            self.replica.mark_pushed(&response.results)?;
            for result in &response.results {
                match &result.outcome {
                    PushOutcome::Accepted { .. } => report.pushed += 1,
                    PushOutcome::Refused { reason, .. } => {
                        report.refused += 1;
                        if *reason == RefusalReason::ClockAhead {
                            clock_ahead += 1;
                        }
                    }
                }
            }
            let offset = i128::from(response.server_time_ms) - i128::from(now_ms);
            let offset = i64::try_from(offset).unwrap_or(i64::MAX);
            done += response.results.len() as u64;
            self.state.send_modify(|state| {
                state.clock_offset_ms = Some(offset);
                state.progress =
                    Some(SyncProgress { phase: SyncPhase::Pushing, done, total: Some(total) });
            });
        }
        Ok(clock_ahead)
    }

    /// The next batch of the outbox after device sequence `after` (moved past it), sealed;
    /// `None` when nothing more waits.
    fn seal_batch(
        &mut self,
        after: &mut u64,
        batch: usize,
    ) -> Result<Option<PushRequest>, SyncError> {
        let pending = self.replica.pending_operations(*after, batch)?;
        let Some(last) = pending.last() else { return Ok(None) };
        *after = last.device_seq;
        let operations = pending
            .iter()
            .map(|op| seal_operation(&self.practice_key, op))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(PushRequest { operations }))
    }

    /// Sends a push on its own task; gives back the ids sent, to check the answer against.
    fn send(&self, request: PushRequest) -> (Vec<OperationId>, Background<PushResponse>) {
        let sent = request.operations.iter().map(|op| op.op_id).collect();
        let transport = self.transport.clone();
        (sent, Background::spawn(async move { transport.push(&request).await }))
    }

    /// Pulls pages until the server has no more, fetching and opening the next page while
    /// this one is applied.
    async fn pull_all(&mut self, report: &mut SyncReport) -> Result<(), SyncError> {
        self.set_progress(SyncPhase::Pulling, 0, None);
        let mut resyncs = 0;
        // Progress runs in sequence numbers, from the cursor this round started at to the
        // head of the caller's scope that the server reports.
        let mut started_at = self.replica.cursor()?;
        let mut since = started_at;
        let mut next = Some(self.fetch_page(since));
        while let Some(fetching) = next.take() {
            let (response, page) = fetching.wait().await??;
            if response.resync_required {
                resyncs += 1;
                if resyncs > MAX_RESYNCS_PER_ROUND {
                    return Err(SyncError::Protocol("the server keeps asking to resync".into()));
                }
                let scope = self.transport.scope().await?;
                self.replica.resync(&scope)?;
                report.resynced = true;
                started_at = 0;
                since = self.replica.cursor()?;
                next = Some(self.fetch_page(since));
                continue;
            }
            if response.next_cursor < since {
                return Err(SyncError::Protocol("the pull cursor went backwards".into()));
            }
            let more = response.has_more && response.next_cursor != since;
            if more {
                next = Some(self.fetch_page(response.next_cursor));
            }
            report.pulled += page.operations.len() as u64;
            report.unreadable += page.unreadable.len() as u64;
            report.pages += 1;
            self.replica.apply_page(&page)?;
            // Freeing a page's thousands of values would be the store's thread's time too.
            tokio::task::spawn_blocking(move || drop(page));
            let total = response.head_seq.map(|head| head.saturating_sub(started_at));
            let done = response.next_cursor.saturating_sub(started_at);
            self.set_progress(
                SyncPhase::Pulling,
                total.map_or(done, |total| done.min(total)),
                total,
            );
            since = response.next_cursor;
        }
        Ok(())
    }

    /// Fetches and opens the page after `since` on its own task. The response comes back
    /// without its (now opened) operations.
    fn fetch_page(&self, since: u64) -> Background<(PullResponse, PulledPage)> {
        let transport = self.transport.clone();
        let key = self.practice_key.clone();
        let request = PullRequest { since, limit: Some(self.config.pull_limit), checksum: false };
        Background::spawn(async move {
            let mut response = transport.pull(&request).await?;
            let page = open_page(&key, since, &response);
            // The sealed envelopes are freed here, not on the store's thread.
            response.operations = Vec::new();
            Ok((response, page))
        })
    }

    fn set_progress(&self, phase: SyncPhase, done: u64, total: Option<u64>) {
        self.state.send_modify(|state| state.progress = Some(SyncProgress { phase, done, total }));
    }
}

/// A server call running on its own task, so that it goes on while the engine's task works
/// on the local store (on a multi-threaded runtime); aborted if dropped unawaited (a round
/// that failed, or an engine that was stopped).
struct Background<O>(tokio::task::JoinHandle<Result<O, SyncError>>);

impl<O: Send + 'static> Background<O> {
    fn spawn(call: impl Future<Output = Result<O, SyncError>> + Send + 'static) -> Self {
        Self(tokio::spawn(call))
    }

    /// Its answer; the outer error is the task itself failing.
    async fn wait(mut self) -> Result<Result<O, SyncError>, SyncError> {
        (&mut self.0)
            .await
            .map_err(|error| SyncError::Protocol(format!("a sync request stopped: {error}")))
    }
}

impl<O> Drop for Background<O> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Opens a pulled page's envelopes; operations outside `(since, next_cursor]` are dropped so
/// nothing is ever applied twice.
fn open_page(key: &PracticeKey, since: u64, response: &PullResponse) -> PulledPage {
    let mut page = PulledPage {
        operations: Vec::with_capacity(response.operations.len()),
        unreadable: Vec::new(),
        next_cursor: response.next_cursor,
    };
    for stored in &response.operations {
        if stored.seq <= since || stored.seq > response.next_cursor {
            continue;
        }
        match open_operation(key, &stored.operation) {
            Ok(plain) => page.operations.push((stored.seq, plain)),
            Err(error) => page.unreadable.push(UnreadableOperation {
                seq: stored.seq,
                operation: stored.operation.clone(),
                reason: error.to_string(),
            }),
        }
    }
    page
}

fn round_problem(report: &SyncReport, clock_ahead: u64) -> Option<String> {
    let mut words = Vec::new();
    if clock_ahead > 0 {
        words.push(format!(
            "This laptop's clock is ahead of the practice server's, so {clock_ahead} change(s) \
             are waiting. Please set the date, time and time zone correctly. The changes are safe \
             on this laptop and will be sent once the clocks agree."
        ));
    }
    let refused_for_good = report.refused - clock_ahead;
    if refused_for_good > 0 {
        words.push(format!(
            "The practice server refused {refused_for_good} change(s), for example for a person \
             who is no longer on your caseload. They are kept on this laptop; please tell your \
             supervisor."
        ));
    }
    if report.unreadable > 0 {
        words.push(format!(
            "{} change(s) from the practice server could not be opened with this practice's key. \
             They are kept aside; please tell your practice administrator.",
            report.unreadable
        ));
    }
    (!words.is_empty()).then(|| words.join(" "))
}
