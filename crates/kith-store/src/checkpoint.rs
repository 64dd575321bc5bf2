//! The background checkpointer of a sync connection: copies the write-ahead log into the
//! database on its own thread and connection, so that a long pull's page commits never stop
//! to do it (a sixth of a 100k pull's time when they did).

use std::cell::Cell;
use std::path::Path;
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;

use kith_crypto::DatabaseKey;
use rusqlite::Connection;

use crate::database::{self, OpenMode, PageFormat};
use crate::StoreError;

/// A thread with its own connection to the same database, checkpointing when nudged. The
/// connection it serves stops checkpointing by itself; every other connection (the app's)
/// keeps SQLite's automatic checkpoints.
pub(crate) struct Checkpointer {
    nudges: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    /// Commits since the serving connection last finished a checkpoint itself.
    commits: Cell<u32>,
}

/// Every this many commits the serving connection finishes a checkpoint itself. The thread's
/// checkpoints run while the next pages are written, so they never catch up with the last
/// frames, and SQLite only starts the log again from the top after a checkpoint that did (a
/// 100k pull grew it to 400 MB). Copying the few frames the thread has not is quick, and
/// bounds the log to about this many pages' worth (tens of MB).
const COMMITS_PER_FULL_CHECKPOINT: u32 = 16;

impl Checkpointer {
    /// Opens the second connection (same key) and starts the thread.
    pub(crate) fn start(
        path: &Path,
        key: &DatabaseKey,
        format: PageFormat,
    ) -> Result<Self, StoreError> {
        let connection = database::open(path, key, format, OpenMode::Existing)?;
        // One nudge waiting is enough: the checkpoint it causes covers every commit before.
        let (nudges, woken) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("kith-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // PASSIVE never waits for the writer. Should it fail, the log only grows
                    // until the next nudge, or until the last connection closes.
                    let _ = connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .map_err(|error| StoreError::Sync(format!("could not start checkpoints: {error}")))?;
        Ok(Self { nudges: Some(nudges), thread: Some(thread), commits: Cell::new(0) })
    }

    /// After a commit on `connection` (the one served): asks the thread for a checkpoint
    /// without waiting, or every [`COMMITS_PER_FULL_CHECKPOINT`] commits finishes one here.
    pub(crate) fn after_commit(&self, connection: &Connection) {
        let commits = self.commits.get() + 1;
        if commits >= COMMITS_PER_FULL_CHECKPOINT {
            // PASSIVE here too: should the thread be mid-checkpoint, this one is busy and the
            // next commit tries again.
            let finished = connection
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
                })
                .is_ok_and(|(busy, frames, copied)| busy == 0 && copied == frames);
            self.commits.set(if finished { 0 } else { commits });
            return;
        }
        self.commits.set(commits);
        if let Some(nudges) = &self.nudges {
            // Full: a checkpoint is already due. Disconnected: the thread is gone (it only
            // stops when dropped).
            let _ = nudges.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    /// Stops the thread and closes its connection before returning, so that locking leaves
    /// no connection open.
    fn drop(&mut self) {
        drop(self.nudges.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
