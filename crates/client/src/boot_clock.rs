//! The server's time between answers, by a monotonic clock (sync protocol §3, Clocks).
//!
//! The device's wall clock may be changed at any moment (by the user, the network, a
//! reboot). A clock that counts from boot, sleep included, cannot be: at every server answer
//! the engine stores an [`Anchor`] (boot session, boot-relative ms, the answer's
//! `server_time`), and later, within the same boot session, the server's time is the
//! anchor's plus the boot clock's advance since. That is what `record()` sends as the event's
//! `clock_offset_ms`, right however the wall clock moved after the last answer. Without a
//! boot clock, or after a reboot, the engine falls back to the offset seen in the last answer.

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// One reading of a clock that runs at a steady rate from boot whatever the wall clock does,
/// sleep included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootTime {
    /// Names the boot session; readings compare only within one (Linux:
    /// `/proc/sys/kernel/random/boot_id`; Android and iOS apps pass their own).
    pub boot_id: String,
    /// Milliseconds since boot, sleep included (Linux: `CLOCK_BOOTTIME`, as `/proc/uptime`
    /// shows it; Android: `SystemClock.elapsedRealtime()`; iOS: `mach_continuous_time`).
    pub ms: i64,
}

/// Where the engine reads its [`BootTime`]; `None` when the platform has no such clock.
/// Injectable through `Config::monotonic`, so tests and `langso simulate` can play reboots.
pub type Monotonic = Arc<dyn Fn() -> Option<BootTime> + Send + Sync>;

/// The platform's boot clock: on Linux read from `/proc` (no unsafe code), elsewhere none
/// (the engine then uses the last answer's offset, as before).
pub fn system() -> Monotonic {
    Arc::new(read_system)
}

/// No boot clock at all: always the last answer's offset.
pub fn none() -> Monotonic {
    Arc::new(|| None)
}

#[cfg(target_os = "linux")]
fn read_system() -> Option<BootTime> {
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    Some(BootTime {
        boot_id: boot_id.trim().to_owned(),
        ms: uptime_ms(&uptime)?,
    })
}

#[cfg(not(target_os = "linux"))]
fn read_system() -> Option<BootTime> {
    None
}

/// The first field of `/proc/uptime` ("6021.06 2345.79": seconds since boot, sleep included,
/// to the hundredth) in ms, without going through a float.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn uptime_ms(s: &str) -> Option<i64> {
    let first = s.split_whitespace().next()?;
    let (secs, frac) = first.split_once('.').unwrap_or((first, ""));
    let secs: i64 = secs.parse().ok()?;
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let frac: i64 = frac.parse().ok()?;
    secs.checked_mul(1000)?.checked_add(frac)
}

/// The server's time at one answer against the boot clock then. Stored in the engine's
/// state as `boot_id boot_ms server_ms` (the boot id has no spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Anchor {
    pub boot: BootTime,
    /// The answer's `server_time`, ms since the Unix epoch.
    pub server_ms: i64,
}

impl Anchor {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split(' ');
        let boot_id = parts.next()?.to_owned();
        let ms = parts.next()?.parse().ok()?;
        let server_ms = parts.next()?.parse().ok()?;
        Some(Self {
            boot: BootTime { boot_id, ms },
            server_ms,
        })
    }

    /// The server's time at `now`, if `now` is a later reading of the same boot session.
    pub fn server_time(&self, now: &BootTime) -> Option<DateTime<Utc>> {
        if now.boot_id != self.boot.boot_id || now.ms < self.boot.ms {
            return None;
        }
        DateTime::from_timestamp_millis(self.server_ms.checked_add(now.ms - self.boot.ms)?)
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id: String = self.boot.boot_id.split_whitespace().collect();
        write!(f, "{id} {} {}", self.boot.ms, self.server_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot(id: &str, ms: i64) -> BootTime {
        BootTime {
            boot_id: id.into(),
            ms,
        }
    }

    #[test]
    fn uptime_is_read_to_the_millisecond_without_floats() {
        assert_eq!(uptime_ms("6021.06 2345.79\n"), Some(6_021_060));
        assert_eq!(uptime_ms("12.5 1.0"), Some(12_500));
        assert_eq!(uptime_ms("7 1"), Some(7_000));
        assert_eq!(uptime_ms(""), None);
        assert_eq!(uptime_ms("x.1 2"), None);
    }

    #[test]
    fn an_anchor_round_trips_and_tells_the_server_time_within_its_boot_only() {
        let a = Anchor {
            boot: boot("8ad3d1bd-0086", 5_000),
            server_ms: 1_000_000,
        };
        assert_eq!(Anchor::parse(&a.to_string()), Some(a.clone()));
        let at = |b| a.server_time(&b).map(|t| t.timestamp_millis());
        assert_eq!(at(boot("8ad3d1bd-0086", 65_000)), Some(1_060_000));
        assert_eq!(at(boot("another-boot", 65_000)), None);
        assert_eq!(at(boot("8ad3d1bd-0086", 4_000)), None, "went backwards");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_has_a_boot_clock_that_does_not_go_back() {
        let a = read_system().expect("/proc has boot_id and uptime");
        let b = read_system().unwrap();
        assert_eq!(a.boot_id, b.boot_id);
        assert!(b.ms >= a.ms && a.ms > 0);
    }
}
