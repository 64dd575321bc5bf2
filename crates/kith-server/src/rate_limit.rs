//! Failed-attempt limiter for logins and invite redemption, per (key, client address).
//!
//! In memory, per server process: behind a load balancer each server counts on its own, which
//! still bounds guessing to a small multiple of the limit.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failure times per (key, client address).
type FailureLog = HashMap<(String, Option<IpAddr>), Vec<Instant>>;

/// Counts failures in a sliding window and refuses once the limit is reached.
pub struct AttemptLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<FailureLog>,
}

impl AttemptLimiter {
    /// At most `max_failures` failures per `window` for one key and address.
    pub fn new(max_failures: usize, window: Duration) -> Self {
        Self { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// False when this key and address must wait.
    pub fn allowed(&self, key: &str, address: Option<IpAddr>) -> bool {
        let Ok(mut failures) = self.failures.lock() else {
            return false;
        };
        let now = Instant::now();
        match failures.get_mut(&(key.to_owned(), address)) {
            Some(times) => {
                times.retain(|at| now.duration_since(*at) < self.window);
                times.len() < self.max_failures
            }
            None => true,
        }
    }

    /// Records a failure.
    pub fn record_failure(&self, key: &str, address: Option<IpAddr>) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, times| times.iter().any(|at| now.duration_since(*at) < window));
        }
        failures.entry((key.to_owned(), address)).or_default().push(now);
    }

    /// Forgets failures after a success.
    pub fn record_success(&self, key: &str, address: Option<IpAddr>) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&(key.to_owned(), address));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_per_key_and_address_and_forgets_on_success() {
        let limiter = AttemptLimiter::new(2, Duration::from_secs(60));
        let here = Some(IpAddr::from([127, 0, 0, 1]));
        let there = Some(IpAddr::from([127, 0, 0, 2]));
        assert!(limiter.allowed("sam", here));
        limiter.record_failure("sam", here);
        limiter.record_failure("sam", here);
        assert!(!limiter.allowed("sam", here));
        assert!(limiter.allowed("sam", there));
        assert!(limiter.allowed("alex", here));
        limiter.record_success("sam", here);
        assert!(limiter.allowed("sam", here));
    }

    #[test]
    fn failures_expire_with_the_window() {
        let limiter = AttemptLimiter::new(1, Duration::from_millis(1));
        limiter.record_failure("sam", None);
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.allowed("sam", None));
    }
}
