//! Activity events: the rules one pushed event must pass before the store sees it.

use crate::ids::{EventId, KindCode, VillageId};
use crate::text::nfc;
use crate::time::{parse_rfc3339, vn_day};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

pub const MAX_COUNT: i64 = 1000;
pub const MAX_NOTE_CHARS: usize = 500;
/// Events placed further in the future than this (after clock correction) are rejected.
pub const MAX_FUTURE: Duration = Duration::minutes(10);
/// Events older than this are rejected: a phone offline that long has a bigger problem.
pub const MAX_AGE: Duration = Duration::days(400);
/// A phone clock off by more than this is corrected for and its events flagged.
pub const SKEW_THRESHOLD: Duration = Duration::minutes(5);

/// Why one event was not accepted. The code is stable; clients switch on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionCode {
    UnknownKind,
    UnknownVillage,
    VillageNotInTeam,
    CountOutOfRange,
    InvalidTime,
    TimeInFuture,
    TimeTooOld,
    NoteTooLong,
    InvalidSeq,
    SeqAlreadyUsed,
    UnknownCorrectionTarget,
    ForeignCorrectionTarget,
    CorrectionTargetSuperseded,
}

impl RejectionCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownKind => "unknown_kind",
            Self::UnknownVillage => "unknown_village",
            Self::VillageNotInTeam => "village_not_in_team",
            Self::CountOutOfRange => "count_out_of_range",
            Self::InvalidTime => "invalid_time",
            Self::TimeInFuture => "time_in_future",
            Self::TimeTooOld => "time_too_old",
            Self::NoteTooLong => "note_too_long",
            Self::InvalidSeq => "invalid_seq",
            Self::SeqAlreadyUsed => "seq_already_used",
            Self::UnknownCorrectionTarget => "unknown_correction_target",
            Self::ForeignCorrectionTarget => "foreign_correction_target",
            Self::CorrectionTargetSuperseded => "correction_target_superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }
}

pub const ALL_CODES: [RejectionCode; 13] = [
    RejectionCode::UnknownKind,
    RejectionCode::UnknownVillage,
    RejectionCode::VillageNotInTeam,
    RejectionCode::CountOutOfRange,
    RejectionCode::InvalidTime,
    RejectionCode::TimeInFuture,
    RejectionCode::TimeTooOld,
    RejectionCode::NoteTooLong,
    RejectionCode::InvalidSeq,
    RejectionCode::SeqAlreadyUsed,
    RejectionCode::UnknownCorrectionTarget,
    RejectionCode::ForeignCorrectionTarget,
    RejectionCode::CorrectionTargetSuperseded,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub code: RejectionCode,
    pub message: String,
}

impl Rejection {
    pub fn new(code: RejectionCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A count of help given: 1..=1000, or 0..=1000 in a correction (0 voids the target).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Count(i64);

impl Count {
    pub fn new(n: i64, is_correction: bool) -> Option<Self> {
        let min = if is_correction { 0 } else { 1 };
        (min..=MAX_COUNT).contains(&n).then_some(Self(n))
    }
    /// A count read back from the store, where the rules were checked on the way in.
    pub fn stored(n: i64) -> Self {
        Self(n)
    }
    pub fn get(self) -> i64 {
        self.0
    }
}

/// One event as it came off the wire, before any rule was checked.
#[derive(Clone, Debug)]
pub struct RawEvent {
    pub event_id: EventId,
    pub seq: u64,
    pub kind: String,
    pub village_id: String,
    pub count: i64,
    pub occurred_at: String,
    pub note: Option<String>,
    pub corrects: Option<EventId>,
}

/// What the phone said about an event: two pushes of the same `event_id` are duplicates
/// exactly when their contents are equal, otherwise they conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventContent {
    pub seq: i64,
    pub kind: KindCode,
    pub village: VillageId,
    pub count: Count,
    /// Milliseconds since the epoch, and the phone's UTC offset in seconds.
    pub occurred_ms: i64,
    pub occurred_offset_secs: i32,
    pub note: Option<String>,
    pub corrects: Option<EventId>,
}

impl EventContent {
    /// Whether a pushed event says exactly what this stored one says.
    pub fn matches_raw(&self, raw: &RawEvent) -> bool {
        let same_time = parse_rfc3339(&raw.occurred_at).is_some_and(|t| {
            t.with_timezone(&Utc).timestamp_millis() == self.occurred_ms
                && t.offset().local_minus_utc() == self.occurred_offset_secs
        });
        u64::try_from(self.seq).ok() == Some(raw.seq)
            && self.kind.as_str() == raw.kind
            && self.village.as_str() == raw.village_id
            && self.count.get() == raw.count
            && same_time
            && self.note.as_deref() == raw.note.as_deref().map(nfc).as_deref()
            && self.corrects == raw.corrects
    }
}

/// An event that passed every rule that needs no database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDraft {
    pub event_id: EventId,
    pub content: EventContent,
    /// Where the event is placed in time: the phone's time, corrected by the estimated
    /// clock offset when that offset is large.
    pub placed_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub clock_corrected: bool,
}

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

    pub fn is_skewed(&self) -> bool {
        self.offset.abs() > SKEW_THRESHOLD
    }
}

/// Checks the rules that need no database. Kind, village, team and correction targets are
/// the store's to check, inside the batch's transaction.
pub fn validate(raw: &RawEvent, clock: &PushClock) -> Result<EventDraft, Rejection> {
    use RejectionCode as C;
    let seq = i64::try_from(raw.seq)
        .ok()
        .filter(|s| *s >= 1)
        .ok_or_else(|| Rejection::new(C::InvalidSeq, "seq must be an integer from 1"))?;
    let kind = KindCode::parse(&raw.kind)
        .ok_or_else(|| Rejection::new(C::UnknownKind, format!("unknown kind '{}'", raw.kind)))?;
    let village = VillageId::parse(&raw.village_id).ok_or_else(|| {
        Rejection::new(
            C::UnknownVillage,
            format!("unknown village '{}'", raw.village_id),
        )
    })?;
    let is_correction = raw.corrects.is_some();
    let count = Count::new(raw.count, is_correction).ok_or_else(|| {
        let min = if is_correction { 0 } else { 1 };
        Rejection::new(
            C::CountOutOfRange,
            format!("count must be from {min} to {MAX_COUNT}, got {}", raw.count),
        )
    })?;
    let note = match &raw.note {
        Some(n) => {
            let n = nfc(n);
            let chars = n.chars().count();
            if chars > MAX_NOTE_CHARS {
                return Err(Rejection::new(
                    C::NoteTooLong,
                    format!("note is {chars} characters; the limit is {MAX_NOTE_CHARS}"),
                ));
            }
            Some(n)
        }
        None => None,
    };
    let occurred = parse_rfc3339(&raw.occurred_at).ok_or_else(|| {
        Rejection::new(
            C::InvalidTime,
            "occurred_at must be RFC 3339 with an offset, e.g. 2026-11-28T09:30:00+07:00",
        )
    })?;
    let occurred_utc = occurred.with_timezone(&Utc);
    let occurred_ms = occurred_utc.timestamp_millis();
    let clock_corrected = clock.is_skewed();
    let placed_at = if clock_corrected {
        occurred_utc - clock.offset
    } else {
        occurred_utc
    };
    if placed_at > clock.received_at + MAX_FUTURE {
        return Err(Rejection::new(
            C::TimeInFuture,
            format!(
                "occurred_at is more than {} minutes after the server's time, after clock correction",
                MAX_FUTURE.num_minutes()
            ),
        ));
    }
    if placed_at < clock.received_at - MAX_AGE {
        return Err(Rejection::new(
            C::TimeTooOld,
            format!("occurred_at is more than {} days ago", MAX_AGE.num_days()),
        ));
    }
    Ok(EventDraft {
        event_id: raw.event_id,
        content: EventContent {
            seq,
            kind,
            village,
            count,
            occurred_ms,
            occurred_offset_secs: occurred.offset().local_minus_utc(),
            note,
            corrects: raw.corrects,
        },
        placed_at,
        day: vn_day(placed_at),
        clock_corrected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn raw() -> RawEvent {
        RawEvent {
            event_id: EventId(Uuid::now_v7()),
            seq: 1,
            kind: "vneid_activation".into(),
            village_id: "V000001".into(),
            count: 2,
            occurred_at: "2026-11-28T09:00:00+07:00".into(),
            note: None,
            corrects: None,
        }
    }

    fn clock(skew_minutes: i64) -> PushClock {
        let received = Utc.with_ymd_and_hms(2026, 11, 28, 3, 0, 0).unwrap();
        PushClock {
            received_at: received,
            offset: Duration::minutes(skew_minutes),
        }
    }

    fn code_of(r: RawEvent, c: PushClock) -> RejectionCode {
        validate(&r, &c).unwrap_err().code
    }

    #[test]
    fn a_plain_event_is_placed_at_its_own_time() {
        let d = validate(&raw(), &clock(0)).unwrap();
        assert!(!d.clock_corrected);
        assert_eq!(d.day, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert_eq!(d.content.occurred_offset_secs, 7 * 3600);
    }

    #[test]
    fn a_phone_a_day_behind_is_corrected_and_flagged() {
        let mut r = raw();
        r.occurred_at = "2026-11-27T09:00:00+07:00".into();
        let d = validate(&r, &clock(-24 * 60)).unwrap();
        assert!(d.clock_corrected);
        assert_eq!(d.day, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    }

    #[test]
    fn future_events_are_rejected_after_correction() {
        let mut r = raw();
        r.occurred_at = "2026-11-28T10:20:00+07:00".into();
        assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::TimeInFuture);
        // The same event from a phone whose clock runs 2 hours fast is fine.
        assert!(validate(&r, &clock(120)).is_ok());
    }

    #[test]
    fn counts_notes_seqs_and_times_are_checked() {
        let mut r = raw();
        r.count = 0;
        assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::CountOutOfRange);
        r.corrects = Some(EventId(Uuid::now_v7()));
        assert!(validate(&r, &clock(0)).is_ok(), "0 voids in a correction");
        r.count = 1001;
        assert_eq!(code_of(r, clock(0)), RejectionCode::CountOutOfRange);

        let mut r = raw();
        r.note = Some("x".repeat(501));
        assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::NoteTooLong);
        r.note = Some("ả".repeat(500));
        assert!(
            validate(&r, &clock(0)).is_ok(),
            "the limit counts characters"
        );

        let mut r = raw();
        r.seq = 0;
        assert_eq!(code_of(r, clock(0)), RejectionCode::InvalidSeq);

        let mut r = raw();
        r.occurred_at = "2026-11-28 09:00".into();
        assert_eq!(code_of(r, clock(0)), RejectionCode::InvalidTime);

        let mut r = raw();
        r.occurred_at = "2024-01-01T09:00:00+07:00".into();
        assert_eq!(code_of(r, clock(0)), RejectionCode::TimeTooOld);
    }

    #[test]
    fn replays_match_and_any_changed_field_does_not() {
        let r = raw();
        let stored = validate(&r, &clock(0)).unwrap().content;
        assert!(stored.matches_raw(&r));
        let mut same_instant_other_offset = r.clone();
        same_instant_other_offset.occurred_at = "2026-11-28T02:00:00Z".into();
        assert!(!stored.matches_raw(&same_instant_other_offset));
        let mut more = r.clone();
        more.count = 3;
        assert!(!stored.matches_raw(&more));
        let mut noted = r;
        noted.note = Some("x".into());
        assert!(!stored.matches_raw(&noted));
    }

    #[test]
    fn every_code_round_trips_through_its_string() {
        for c in ALL_CODES {
            assert_eq!(RejectionCode::parse(c.as_str()), Some(c));
        }
    }
}
