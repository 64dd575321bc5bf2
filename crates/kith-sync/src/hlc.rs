//! A small hybrid logical clock (written here, ~100 lines, so every rule is visible and tested)
//! and the `(hlc, device_id)` stamp that orders writes.
//!
//! # The rules
//! - [`Clock::now`] gives `max(last, physical)`; within one millisecond the counter counts up.
//! - [`Clock::observe`] moves the clock up to a remote reading, but never further than
//!   [`MAX_FORWARD_JUMP_MS`] (5 minutes) ahead of this device's physical clock: one device with
//!   a wild clock cannot drag everyone's clock into the future (the server already refuses
//!   operations stamped more than 5 minutes ahead of its own clock, `RefusalReason::ClockAhead`).
//! - If the last reading is more than [`MAX_FORWARD_JUMP_MS`] ahead of the physical clock
//!   (the device clock was wrong and has been set back), [`Clock::now`] restarts from the
//!   physical clock instead of stamping far-future times the server would refuse.
//! - [`Clock::stamp_write`] stamps an edit *after every field clock the writer had seen* (its
//!   `base`): `max(now, base + 1 tick)`. This, not the wall clock, is what guarantees that an
//!   edit made by someone who has seen a value always beats that value.
//!
//! # What this means for a device whose clock is a day wrong
//! Per-field last-writer-wins compares `(hlc, device_id)` only between writes to the same field.
//! - **A later edit by anyone who has seen your edit wins**, whatever either clock says,
//!   because it is stamped after the value it replaced (`stamp_write`). This covers a device
//!   a day behind editing what it pulled, and everyone editing after a device a day ahead.
//! - **Concurrent edits** (neither writer had seen the other's value) are ordered by clock.
//!   A device a day *behind* loses concurrent edits of the same field to edits stamped up to a
//!   day earlier in real time. A device a day *ahead* cannot win by more than 5 minutes through
//!   the server: its operations are refused (`ClockAhead`) and stay in its outbox, reported in
//!   its sync state, until the server's clock is within 5 minutes of their stamps (at most the
//!   size of the error, i.e. up to a day), after which they are accepted and win concurrent
//!   edits stamped before them. Edits made after the clock is corrected are stamped correctly.
//! - Either way **nothing is lost**: the losing value of a concurrent edit is kept in the
//!   record's conflicts list until someone resolves it with a new edit.

use kith_protocol::DeviceId;
use serde::{Deserialize, Serialize};

pub use kith_protocol::Hlc;

/// How far ahead of this device's physical clock the local clock may be moved by what it
/// observes (equal to the server's limit, `kith_protocol::MAX_CLOCK_AHEAD_MS`).
pub const MAX_FORWARD_JUMP_MS: u64 = kith_protocol::MAX_CLOCK_AHEAD_MS;

/// The smallest reading strictly after `hlc`.
pub fn successor(hlc: Hlc) -> Hlc {
    match hlc.counter.checked_add(1) {
        Some(counter) => Hlc { wall_ms: hlc.wall_ms, counter },
        None => Hlc { wall_ms: hlc.wall_ms.saturating_add(1), counter: 0 },
    }
}

/// Fixed-width text for an HLC (`16 hex digits of wall_ms`-`8 hex digits of counter`) that
/// sorts as text in clock order, so a store can compare it in SQL.
pub fn encode_hlc(hlc: Hlc) -> String {
    format!("{:016x}-{:08x}", hlc.wall_ms, hlc.counter)
}

/// Parses [`encode_hlc`]'s text; `None` for anything else.
pub fn decode_hlc(text: &str) -> Option<Hlc> {
    let (wall, counter) = text.split_once('-')?;
    if wall.len() != 16 || counter.len() != 8 {
        return None;
    }
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex(wall) || !hex(counter) {
        return None;
    }
    Some(Hlc {
        wall_ms: u64::from_str_radix(wall, 16).ok()?,
        counter: u32::from_str_radix(counter, 16).ok()?,
    })
}

/// Who wrote a value and when: the total order of writes. Compared by `hlc`, then `device_id`
/// (the tie-break between devices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp {
    /// When, by hybrid logical clock.
    pub hlc: Hlc,
    /// Which device.
    pub device_id: DeviceId,
}

impl Stamp {
    /// Fixed-width text (`<hlc>-<32 hex digits of the device id>`) that sorts in stamp order.
    pub fn encode(&self) -> String {
        format!("{}-{}", encode_hlc(self.hlc), self.device_id.0.simple())
    }

    /// Parses [`Stamp::encode`]'s text.
    pub fn decode(text: &str) -> Option<Stamp> {
        if text.len() != 16 + 1 + 8 + 1 + 32 || text.as_bytes().get(25) != Some(&b'-') {
            return None;
        }
        let hlc = decode_hlc(text.get(..25)?)?;
        let device = text.get(26..)?;
        if !device.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return None;
        }
        let device_id = DeviceId(uuid::Uuid::try_parse(device).ok()?);
        Some(Stamp { hlc, device_id })
    }
}

/// One device's hybrid logical clock. Persist [`Clock::last`] with every write and start the
/// next session from it with [`Clock::resume`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock that has never ticked.
    pub fn new() -> Self {
        Self { last: Hlc { wall_ms: 0, counter: 0 } }
    }

    /// A clock that continues from a stored reading.
    pub fn resume(last: Hlc) -> Self {
        Self { last }
    }

    /// The last reading given out or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new reading, strictly after the last one unless the last one is more than
    /// [`MAX_FORWARD_JUMP_MS`] ahead of `physical_ms` (then it restarts from `physical_ms`).
    pub fn now(&mut self, physical_ms: u64) -> Hlc {
        let set_back = self.last.wall_ms > physical_ms.saturating_add(MAX_FORWARD_JUMP_MS);
        let next = if set_back || physical_ms > self.last.wall_ms {
            Hlc { wall_ms: physical_ms, counter: 0 }
        } else {
            successor(self.last)
        };
        self.last = next;
        next
    }

    /// Takes in a reading from another device, moving the clock to it but never more than
    /// [`MAX_FORWARD_JUMP_MS`] ahead of `physical_ms`.
    pub fn observe(&mut self, remote: Hlc, physical_ms: u64) {
        let ceiling = Hlc { wall_ms: physical_ms.saturating_add(MAX_FORWARD_JUMP_MS), counter: 0 };
        let bounded = remote.min(ceiling);
        if bounded > self.last {
            self.last = bounded;
        }
    }

    /// The clock for a local edit whose writer had seen the field clocks `bases`: after all of
    /// them and after [`Clock::now`], so the edit beats every value it replaced.
    pub fn stamp_write(&mut self, physical_ms: u64, bases: impl IntoIterator<Item = Hlc>) -> Hlc {
        let now = self.now(physical_ms);
        let stamp = bases.into_iter().map(successor).fold(now, Hlc::max);
        self.last = stamp;
        stamp
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: u64 = 24 * 60 * 60 * 1000;
    const T: u64 = 1_700_000_000_000;

    fn hlc(wall_ms: u64, counter: u32) -> Hlc {
        Hlc { wall_ms, counter }
    }

    #[test]
    fn now_is_strictly_increasing_even_when_physical_time_stands_still_or_steps_back() {
        let mut clock = Clock::new();
        let cases = [(T, hlc(T, 0)), (T, hlc(T, 1)), (T - 1000, hlc(T, 2)), (T + 5, hlc(T + 5, 0))];
        for (physical, expected) in cases {
            assert_eq!(clock.now(physical), expected, "physical {physical}");
        }
    }

    #[test]
    fn counter_overflow_moves_to_the_next_millisecond() {
        let mut clock = Clock::resume(hlc(T, u32::MAX));
        assert_eq!(clock.now(T), hlc(T + 1, 0));
    }

    #[test]
    fn observe_adopts_remote_readings_within_five_minutes_but_no_further() {
        let mut clock = Clock::resume(hlc(T, 0));
        clock.observe(hlc(T + 60_000, 7), T);
        assert_eq!(clock.now(T), hlc(T + 60_000, 8));
        // A remote reading a day ahead moves us only to physical + 5 minutes.
        clock.observe(hlc(T + DAY_MS, 0), T);
        assert_eq!(clock.last(), hlc(T + MAX_FORWARD_JUMP_MS, 0));
        assert_eq!(clock.now(T), hlc(T + MAX_FORWARD_JUMP_MS, 1));
        // An older remote reading never moves the clock back.
        clock.observe(hlc(T - DAY_MS, 0), T);
        assert_eq!(clock.now(T), hlc(T + MAX_FORWARD_JUMP_MS, 2));
    }

    #[test]
    fn a_clock_that_was_a_day_ahead_restarts_from_physical_time_once_corrected() {
        let mut clock = Clock::new();
        assert_eq!(clock.now(T + DAY_MS), hlc(T + DAY_MS, 0));
        // The user sets the clock right: new stamps are accepted by the server again.
        assert_eq!(clock.now(T), hlc(T, 0));
        assert_eq!(clock.now(T), hlc(T, 1));
    }

    #[test]
    fn an_edit_made_after_seeing_a_value_beats_it_whatever_the_clocks_say() {
        // A device a day behind edits a field it pulled from a device with the right time.
        let mut behind = Clock::new();
        let seen = hlc(T, 41);
        let stamp = behind.stamp_write(T - DAY_MS, [seen]);
        assert!(stamp > seen);
        assert_eq!(stamp, hlc(T, 42));
        // And the right-time device, having seen an edit stamped a day ahead (accepted once
        // the server's clock caught up), beats it too.
        let mut right = Clock::new();
        let ahead = hlc(T + DAY_MS, 3);
        assert!(right.stamp_write(T, [ahead]) > ahead);
        // With no base, it is just the clock.
        assert_eq!(Clock::new().stamp_write(T, []), hlc(T, 0));
    }

    #[test]
    fn text_encoding_sorts_like_the_clock_and_round_trips() {
        let readings = [hlc(0, 0), hlc(0, 1), hlc(9, 0), hlc(10, 0), hlc(T, 255), hlc(T, 256)];
        for pair in readings.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(encode_hlc(pair[0]) < encode_hlc(pair[1]), "{pair:?}");
            assert_eq!(decode_hlc(&encode_hlc(pair[0])), Some(pair[0]));
        }
        assert_eq!(decode_hlc(&encode_hlc(hlc(u64::MAX, u32::MAX))), Some(hlc(u64::MAX, u32::MAX)));
        for bad in ["", "12-34", "000000000000000g-00000000", "0000000000000000_00000000"] {
            assert_eq!(decode_hlc(bad), None, "{bad}");
        }
    }

    #[test]
    fn stamps_order_by_clock_then_device_and_their_text_sorts_the_same_way() {
        let low = DeviceId(uuid::Uuid::from_u128(1));
        let high = DeviceId(uuid::Uuid::from_u128(u128::MAX - 1));
        let stamps = [
            Stamp { hlc: hlc(T, 0), device_id: low },
            Stamp { hlc: hlc(T, 0), device_id: high },
            Stamp { hlc: hlc(T, 1), device_id: low },
            Stamp { hlc: hlc(T + 1, 0), device_id: low },
        ];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(pair[0].encode() < pair[1].encode());
        }
        for stamp in stamps {
            assert_eq!(Stamp::decode(&stamp.encode()), Some(stamp));
        }
        assert_eq!(Stamp::decode("nonsense"), None);
    }
}
