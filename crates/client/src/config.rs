//! Engine settings. Defaults suit a phone; tests shorten the waits.

use crate::boot_clock::{self, Monotonic};
use chrono::Duration as Span;
use std::sync::Arc;
use std::time::Duration;

/// Where a sync may be interrupted by [`Config::interrupt`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// About to send a request.
    BeforeRequest,
    /// An answer arrived and has not been applied to the outbox yet (the server may already
    /// have committed: this is "the battery died as the answer came in").
    AnswerReceived,
}

/// Called at each [`Point`]; returning `true` stops the sync with `Error::Interrupted`,
/// leaving the outbox exactly as a killed process would.
pub type Interrupt = Arc<dyn Fn(Point) -> bool + Send + Sync>;

/// Exponential backoff with jitter for network errors, timeouts, 5xx, 429 and 503.
#[derive(Clone, Debug)]
pub struct Backoff {
    /// The first wait; each retry doubles it, up to `max`.
    pub initial: Duration,
    pub max: Duration,
    /// Attempts per request, the first included; then the sync fails and keeps its queue.
    pub max_attempts: u32,
    /// A server's `Retry-After` is honoured up to this long.
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(30),
            max_attempts: 8,
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (1-based): `initial·2^(retry−1)` capped at
    /// `max`, with "equal jitter" (half fixed, half random) so phones that failed together
    /// do not retry together; `unit` is a random number in [0, 1).
    pub fn delay(&self, retry: u32, unit: f64) -> Duration {
        let exp = self
            .initial
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max);
        exp / 2 + exp.mul_f64(unit.clamp(0.0, 1.0) / 2.0)
    }
}

#[derive(Clone)]
pub struct Config {
    /// Acknowledged events are kept this long (measured in server time) so they can be
    /// pushed again if the server is restored from a backup.
    pub retention: Span,
    pub backoff: Backoff,
    /// Whole-request timeout (connect, send, receive) for pushes and pulls: a 1 MiB batch
    /// on a 2G link needs most of a minute.
    pub timeout: Duration,
    /// Whole-request timeout of one token refresh attempt: its answer is small, and a lost
    /// one must be retried (with the same old token) well inside the server's 10-minute
    /// retry window.
    pub refresh_timeout: Duration,
    /// All attempts of one refresh (timeouts, backoff and `Retry-After` included) end
    /// within this; then the sync fails and keeps its queue. 3 minutes: every retry of a
    /// refresh reaches the server well inside its 10-minute window (issue 7, item 4).
    pub refresh_budget: Duration,
    /// Push batch limits; the server's are 500 events and 1 MiB.
    pub batch_max_events: usize,
    pub batch_max_bytes: usize,
    /// Reference changes asked for per pull page (server limit 1..=1000).
    pub pull_limit: usize,
    /// Refresh the access token when it has less than this left (by the server's clock).
    pub refresh_margin: Span,
    /// How wrong this device's clock is. The engine never trusts its clock, so this only
    /// changes what it *writes* (`occurred_at`, `device_clock`): simulators use it to play
    /// phones whose clocks are off by hours or days.
    pub clock_offset: Span,
    /// The boot clock by which the engine tells the server's time between answers (and so
    /// each event's `clock_offset_ms` at `record()`), whatever the wall clock did since the
    /// last answer. Default: the platform's ([`boot_clock::system`]; Linux `/proc`); tests and
    /// simulators inject their own to play reboots, [`boot_clock::none`] for none.
    pub monotonic: Monotonic,
    /// `synchronous=FULL`: every `record()` survives a power cut. `false` (NORMAL) survives a
    /// killed process but not a power cut; for simulations that create thousands of outboxes.
    pub durable: bool,
    /// Share one HTTP agent (connection pool) across engines; default: one per engine.
    pub agent: Option<ureq::Agent>,
    pub interrupt: Option<Interrupt>,
    /// Seed for backoff jitter (default: random).
    pub seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            retention: Span::days(30),
            backoff: Backoff::default(),
            timeout: Duration::from_secs(60),
            refresh_timeout: Duration::from_secs(20),
            refresh_budget: Duration::from_secs(180),
            batch_max_events: 500,
            batch_max_bytes: 1024 * 1024,
            pull_limit: 500,
            refresh_margin: Span::seconds(60),
            clock_offset: Span::zero(),
            monotonic: boot_clock::system(),
            durable: true,
            agent: None,
            interrupt: None,
            seed: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("retention", &self.retention)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .field("refresh_timeout", &self.refresh_timeout)
            .field("refresh_budget", &self.refresh_budget)
            .field("batch_max_events", &self.batch_max_events)
            .field("batch_max_bytes", &self.batch_max_bytes)
            .field("pull_limit", &self.pull_limit)
            .field("clock_offset", &self.clock_offset)
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_within_half() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            ..Backoff::default()
        };
        assert_eq!(b.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(b.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(b.delay(3, 1.0), Duration::from_millis(400));
        assert_eq!(b.delay(10, 1.0), Duration::from_millis(1000));
        assert_eq!(b.delay(40, 0.0), Duration::from_millis(500));
    }
}
