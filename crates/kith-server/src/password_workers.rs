//! Argon2 work (checking and hashing passwords) on a fixed set of threads with a bounded
//! queue, so that a flood of sign-in attempts costs a fixed amount of memory.
//!
//! Each Argon2 call holds a 19 MiB buffer. Run on tokio's blocking pool, every attempt got a
//! thread of its own (up to 512), and glibc keeps freed memory in per-thread arenas: 200
//! concurrent wrong logins left the server at 3.6 GiB. Here at most `threads` calls run at
//! once, always on the same threads, at most `queue` more wait, and anything beyond that is
//! refused at once as [`PasswordWorkError::Busy`] (the API answers 429 with `Retry-After`).

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

/// A unit of password work.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why password work was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordWorkError {
    /// Every worker is busy and the queue is full: try again shortly.
    Busy,
    /// The work panicked or the workers have stopped.
    Failed,
}

/// A fixed pool of threads for Argon2. The threads end when the pool is dropped.
pub struct PasswordWorkers {
    sender: Sender<Job>,
    /// Jobs running or waiting.
    admitted: Arc<AtomicUsize>,
    /// Most jobs running or waiting at once: threads + queue.
    capacity: usize,
}

/// Gives a job's place back when the job ends, panics, or is dropped unrun.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordWorkers {
    /// Starts `threads` worker threads (at least one) with room for `queue` waiting jobs.
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("kith-argon2-{index}"))
                .spawn(move || work_until_closed(&receiver));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password worker thread");
            }
        }
        Self { sender, admitted: Arc::new(AtomicUsize::new(0)), capacity: threads + queue }
    }

    /// Runs `work` on a worker thread and waits for its result, or refuses at once when the
    /// workers are busy and the queue is full.
    pub async fn run<T, F>(&self, work: F) -> Result<T, PasswordWorkError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        if self.admitted.fetch_add(1, Ordering::SeqCst) >= self.capacity {
            self.admitted.fetch_sub(1, Ordering::SeqCst);
            return Err(PasswordWorkError::Busy);
        }
        let admission = Admission(Arc::clone(&self.admitted));
        let (result_sender, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Bound in this order so that the place is given back before the caller hears the
            // outcome, on return and on a panic alike (unwinding drops the later binding first).
            let sender = result_sender;
            let place = admission;
            let result = work();
            drop(place);
            // The caller may have gone away (client disconnected): nothing to tell then.
            let _ = sender.send(result);
        });
        self.sender.send(job).map_err(|_| PasswordWorkError::Failed)?;
        result.await.map_err(|_| PasswordWorkError::Failed)
    }
}

fn work_until_closed(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let Ok(receiver) = receiver.lock() else {
                return;
            };
            match receiver.recv() {
                Ok(job) => job,
                // Every sender is gone: the server state was dropped.
                Err(_) => return,
            }
        };
        // A panic drops the job's result sender, so its caller sees `Failed`; the thread
        // carries on serving.
        if std::panic::catch_unwind(AssertUnwindSafe(job)).is_err() {
            tracing::error!("password work panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runs_at_most_threads_at_once_queues_a_few_and_refuses_the_rest() {
        let workers = Arc::new(PasswordWorkers::new(2, 3));
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (workers, running, most, gate) =
                (workers.clone(), running.clone(), most.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                workers
                    .run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        let _ = gate.lock().unwrap().recv();
                        running.fetch_sub(1, Ordering::SeqCst);
                        7
                    })
                    .await
            }));
        }
        // Two running and three queued: the sixth is refused without waiting.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(workers.run(|| 0).await, Err(PasswordWorkError::Busy));
        for _ in 0..5 {
            release.send(()).unwrap();
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(7));
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
        // Free again.
        assert_eq!(workers.run(|| 1).await, Ok(1));
    }

    #[tokio::test]
    async fn a_panicking_job_fails_alone_and_the_worker_keeps_serving() {
        let workers = PasswordWorkers::new(1, 0);
        assert_eq!(workers.run(|| 4).await, Ok(4));
        let panicked: Result<(), _> = workers.run(|| panic!("boom")).await;
        assert_eq!(panicked, Err(PasswordWorkError::Failed));
        // Its place is free as soon as the caller hears: no wait needed.
        assert_eq!(workers.run(|| 5).await, Ok(5));
    }
}
