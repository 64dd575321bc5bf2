//! When to sync, as pure functions: exponential backoff with jitter after a failure, and a
//! debounce so a burst of local changes is sent soon after the last one.

use std::time::Duration;

/// Exponential backoff with "equal jitter": the delay for attempt `n` (1-based) is uniformly
/// drawn from `[d/2, d]` where `d = min(max, base * 2^(n-1))`, so devices that went offline
/// together do not all come back at the same instant, and no delay is shorter than half its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first step.
    pub base: Duration,
    /// The longest step.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_secs(2), max: Duration::from_secs(5 * 60) }
    }
}

impl Backoff {
    /// The delay before retry `attempt` (1 for the first retry), given `random` in `[0, 1)`.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        let step = self.base.saturating_mul(1u32 << doublings.min(31)).min(self.max);
        let random = if random.is_finite() { random.clamp(0.0, 1.0) } else { 0.0 };
        let half = step / 2;
        half + (step - half).mul_f64(random)
    }
}

/// Sync soon after a local change: `quiet` after the last change of a burst, but never later
/// than `max_wait` after its first change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Debounce {
    /// Wait this long after the last change.
    pub quiet: Duration,
    /// But no longer than this after the first.
    pub max_wait: Duration,
}

impl Default for Debounce {
    fn default() -> Self {
        Self { quiet: Duration::from_secs(3), max_wait: Duration::from_secs(30) }
    }
}

impl Debounce {
    /// When to sync for a burst of changes that began at `first` and last changed at `last`
    /// (any time unit, as durations since a common origin).
    pub fn due(&self, first: Duration, last: Duration) -> Duration {
        (last + self.quiet).min(first + self.max_wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_maximum() {
        let backoff = Backoff { base: Duration::from_secs(2), max: Duration::from_secs(60) };
        let cases = [
            (1, 0.0, 1_000),
            (1, 0.999_999, 2_000),
            (2, 0.0, 2_000),
            (3, 0.5, 6_000),
            (6, 0.0, 30_000),
            (6, 1.0, 60_000),
            (40, 0.0, 30_000),
            (u32::MAX, 1.0, 60_000),
            (1, f64::NAN, 1_000),
            (1, -3.0, 1_000),
        ];
        for (attempt, random, expected_ms) in cases {
            let delay = backoff.delay(attempt, random).as_millis();
            assert!(
                delay.abs_diff(expected_ms) <= 1,
                "attempt {attempt} random {random}: {delay} ms, expected {expected_ms}"
            );
        }
    }

    #[test]
    fn debounce_waits_for_quiet_but_not_forever() {
        let debounce =
            Debounce { quiet: Duration::from_secs(3), max_wait: Duration::from_secs(30) };
        let s = Duration::from_secs;
        assert_eq!(debounce.due(s(0), s(0)), s(3));
        assert_eq!(debounce.due(s(0), s(10)), s(13));
        assert_eq!(debounce.due(s(0), s(29)), s(30));
        assert_eq!(debounce.due(s(100), s(140)), s(130));
    }
}
