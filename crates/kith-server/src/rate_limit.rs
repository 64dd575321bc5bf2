//! Failed-attempt limiter for logins and invite redemption, per (key, client address).
//!
//! In memory, per server process: behind a load balancer each server counts on its own, which
//! still bounds guessing to a small multiple of the limit. Logins are limited twice: per
//! username and address, and per address alone (so that trying a new username each time does
//! not escape the limit). IPv6 addresses count per /64, the block one subscriber gets.

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
        self.wait_needed(key, address).is_none()
    }

    /// `None` when this key and address may try now, otherwise how long until they may.
    pub fn wait_needed(&self, key: &str, address: Option<IpAddr>) -> Option<Duration> {
        let Ok(mut failures) = self.failures.lock() else {
            return Some(self.window);
        };
        let now = Instant::now();
        let times = failures.get_mut(&(key.to_owned(), address))?;
        times.retain(|at| now.duration_since(*at) < self.window);
        if times.len() < self.max_failures {
            return None;
        }
        // The oldest failures leave the window first; once enough have, one more try is allowed.
        let oldest_that_must_expire = times.len() - self.max_failures;
        let at = times.get(oldest_that_must_expire).copied().unwrap_or(now);
        Some(self.window.saturating_sub(now.duration_since(at)).max(Duration::from_secs(1)))
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

/// The address a per-address limit counts against: IPv4 as it is, IPv6 by its /64 (IPv4
/// mapped into IPv6 as the IPv4 address).
pub fn address_block(address: Option<IpAddr>) -> Option<IpAddr> {
    match address? {
        IpAddr::V4(v4) => Some(IpAddr::V4(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => Some(IpAddr::V4(v4)),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Some(IpAddr::V6(prefix.into()))
            }
        },
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

    #[test]
    fn the_wait_is_until_the_oldest_counted_failure_leaves_the_window() {
        let limiter = AttemptLimiter::new(2, Duration::from_secs(600));
        assert_eq!(limiter.wait_needed("sam", None), None);
        limiter.record_failure("sam", None);
        assert_eq!(limiter.wait_needed("sam", None), None);
        limiter.record_failure("sam", None);
        let wait = limiter.wait_needed("sam", None).unwrap();
        assert!(wait > Duration::from_secs(590) && wait <= Duration::from_secs(600), "{wait:?}");
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same_block: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap();
        let next_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_block(Some(one)), address_block(Some(same_block)));
        assert_ne!(address_block(Some(one)), address_block(Some(next_block)));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_block(Some(mapped)), Some(IpAddr::from([192, 0, 2, 7])));
        assert_eq!(address_block(Some(IpAddr::from([192, 0, 2, 7]))), Some(mapped.to_canonical()));
        assert_eq!(address_block(None), None);
    }
}
