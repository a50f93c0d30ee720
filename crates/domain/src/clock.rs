//! Placing an event in time when the phone's clock may be wrong, and may have changed
//! between recording the event and pushing it (issue 7, item 5).
//!
//! The server knows two estimates of "phone clock minus server clock": the one the phone
//! knew when it recorded the event (`clock_offset_ms`, optional, sent with the event) and the
//! one measured at push time (`device_clock` against the receive time). It tries them in that
//! order, then the phone's time as written, and takes the first *plausible* placement.

use crate::event::{Rejection, RejectionCode};
use chrono::{DateTime, Duration, FixedOffset, Utc};

/// Events placed further in the future than this are implausible.
pub const MAX_FUTURE: Duration = Duration::minutes(10);
/// Events older than this are implausible: a phone offline that long has a bigger problem.
pub const MAX_AGE: Duration = Duration::days(400);
/// A clock off by more than this is corrected for, and the event flagged `clock_corrected`.
pub const SKEW_THRESHOLD: Duration = Duration::minutes(5);

/// The clock context of one push: when the server received it and the phone's clock then.
#[derive(Clone, Copy, Debug)]
pub struct PushClock {
    pub received_at: DateTime<Utc>,
    /// Phone clock minus server clock, estimated at receive time.
    pub offset: Duration,
}

impl PushClock {
    pub fn new(received_at: DateTime<Utc>, device_clock: DateTime<FixedOffset>) -> Self {
        Self {
            received_at,
            offset: device_clock.with_timezone(&Utc) - received_at,
        }
    }
}

/// Where an event is placed, and whether that differs from the phone's own time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub at: DateTime<Utc>,
    /// The placement differs from `occurred_at` by more than [`SKEW_THRESHOLD`].
    pub corrected: bool,
}

/// Places an event the phone says happened at `occurred`.
///
/// Candidates, in order: `occurred` corrected by `record_offset_ms` (the phone's own
/// estimate at record time, if sent), by the push's offset, and `occurred` as written. An
/// offset of at most [`SKEW_THRESHOLD`] is no correction. The first candidate that is not
/// more than [`MAX_FUTURE`] after the receive time nor more than [`MAX_AGE`] before it is
/// taken. So an event whose own time is plausible is never rejected because the clock moved.
///
/// # Errors
/// `time_in_future` or `time_too_old` when no candidate is plausible, judged by the first
/// candidate (the best estimate).
pub fn place(
    occurred: DateTime<Utc>,
    record_offset_ms: Option<i64>,
    clock: &PushClock,
) -> Result<Placement, Rejection> {
    let record = record_offset_ms.map(Duration::try_milliseconds);
    let offsets = [
        record,
        Some(Some(clock.offset)),
        Some(Some(Duration::zero())),
    ];
    // An offset that does not fit (an absurd number) gives no candidate at all.
    let candidates: Vec<Option<DateTime<Utc>>> = offsets
        .into_iter()
        .flatten()
        .map(|o| o.and_then(|o| corrected(occurred, o)))
        .collect();
    let plausible = |t: &DateTime<Utc>| {
        *t <= clock.received_at + MAX_FUTURE && *t >= clock.received_at - MAX_AGE
    };
    if let Some(at) = candidates.iter().flatten().copied().find(plausible) {
        return Ok(Placement {
            at,
            corrected: at != occurred,
        });
    }
    let best = candidates
        .iter()
        .flatten()
        .next()
        .copied()
        .unwrap_or(occurred);
    Err(if best > clock.received_at {
        Rejection::new(
            RejectionCode::TimeInFuture,
            format!(
                "occurred_at is more than {} minutes after the server's time, by every estimate of the phone's clock",
                MAX_FUTURE.num_minutes()
            ),
        )
    } else {
        Rejection::new(
            RejectionCode::TimeTooOld,
            format!(
                "occurred_at is more than {} days ago, by every estimate of the phone's clock",
                MAX_AGE.num_days()
            ),
        )
    })
}

/// `occurred` moved back by `offset` when the offset is large enough to correct for.
fn corrected(occurred: DateTime<Utc>, offset: Duration) -> Option<DateTime<Utc>> {
    if offset.abs() > SKEW_THRESHOLD {
        occurred.checked_sub_signed(offset)
    } else {
        Some(occurred)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const HOUR_MS: i64 = 3_600_000;

    /// The server receives the push at 10:00 UTC; the phone's clock then is off by `skew`.
    fn push(skew: Duration) -> PushClock {
        PushClock {
            received_at: Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap(),
            offset: skew,
        }
    }

    /// What really happened at `real` (UTC hour on push day), by a clock off by `skew` then.
    fn written(real_hour: u32, skew: Duration) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, real_hour, 0, 0).unwrap() + skew
    }

    fn real(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, hour, 0, 0).unwrap()
    }

    #[test]
    fn recorded_on_a_right_clock_then_the_clock_broke_slow_stays_where_it_was() {
        let p = place(
            written(9, Duration::zero()),
            Some(0),
            &push(Duration::hours(-3)),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: false
            })
        );
    }

    #[test]
    fn recorded_on_a_right_clock_then_the_clock_broke_fast_stays_where_it_was() {
        let p = place(
            written(9, Duration::zero()),
            Some(0),
            &push(Duration::hours(5)),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: false
            })
        );
    }

    #[test]
    fn recorded_five_hours_fast_then_fixed_is_placed_right_and_flagged() {
        let p = place(
            written(9, Duration::hours(5)),
            Some(5 * HOUR_MS),
            &push(Duration::zero()),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: true
            })
        );
    }

    #[test]
    fn recorded_slow_then_fixed_is_placed_right_and_flagged() {
        let p = place(
            written(6, Duration::hours(-3)),
            Some(-3 * HOUR_MS),
            &push(Duration::zero()),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(6),
                corrected: true
            })
        );
    }

    #[test]
    fn an_old_client_is_placed_by_the_push_offset_as_before() {
        let p = place(
            written(9, Duration::hours(-24)),
            None,
            &push(Duration::hours(-24)),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: true
            })
        );
        let small = place(
            written(9, Duration::minutes(4)),
            None,
            &push(Duration::minutes(4)),
        );
        assert_eq!(
            small,
            Ok(Placement {
                at: written(9, Duration::minutes(4)),
                corrected: false
            })
        );
    }

    #[test]
    fn an_old_clients_plausible_own_time_is_kept_when_the_push_offset_makes_it_future() {
        // Recorded on a right clock, pushed after the clock went 3 hours slow: the push
        // offset would place it at 12:00, in the future; its own time is plausible.
        let p = place(
            written(9, Duration::zero()),
            None,
            &push(Duration::hours(-3)),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: false
            })
        );
    }

    #[test]
    fn a_stale_record_offset_gives_way_to_the_push_offset() {
        // The phone believed its clock right, but it was already 5 hours fast: its own
        // estimate places the event in the future, the push offset places it right.
        let p = place(
            written(9, Duration::hours(5)),
            Some(0),
            &push(Duration::hours(5)),
        );
        assert_eq!(
            p,
            Ok(Placement {
                at: real(9),
                corrected: true
            })
        );
    }

    #[test]
    fn only_when_no_estimate_is_plausible_is_an_event_rejected() {
        let future = place(real(12), Some(0), &push(Duration::zero()));
        assert_eq!(future.unwrap_err().code, RejectionCode::TimeInFuture);
        let old = place(real(9) - Duration::days(401), None, &push(Duration::zero()));
        assert_eq!(old.unwrap_err().code, RejectionCode::TimeTooOld);
        let absurd = place(real(9), Some(i64::MIN), &push(Duration::zero()));
        assert_eq!(
            absurd,
            Ok(Placement {
                at: real(9),
                corrected: false
            })
        );
        let absurd = place(real(9), Some(i64::MAX), &push(Duration::zero()));
        assert_eq!(
            absurd,
            Ok(Placement {
                at: real(9),
                corrected: false
            })
        );
    }
}
