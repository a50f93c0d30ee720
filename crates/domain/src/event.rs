//! Activity events: the rules one pushed event must pass before the store sees it.

pub use crate::clock::{MAX_AGE, MAX_FUTURE, PushClock, SKEW_THRESHOLD};
use crate::ids::{EventId, KindCode, VillageId};
use crate::text::{nfc, quote};
use crate::time::{parse_rfc3339, vn_day};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub const MAX_COUNT: i64 = 1000;

/// A note's limit, in Unicode code points after NFC normalisation. Since a code point is
/// at most 4 bytes of UTF-8, a stored note is at most 2,000 bytes (and at most 1,000
/// UTF-16 units).
pub const MAX_NOTE_CHARS: usize = 500;

/// The largest integer a JavaScript client holds exactly (2^53 − 1,
/// `Number.MAX_SAFE_INTEGER`): the bound of every integer a phone sends (`seq`,
/// `clock_offset_ms`), so a client written in JavaScript never rounds one.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

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
    /// The item could not be read as an event (wrong JSON types, a missing or unknown
    /// field, a lone surrogate in a string, a seq out of range): rejected alone, the rest
    /// of the batch is judged on its own.
    MalformedEvent,
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
            Self::MalformedEvent => "malformed_event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }
}

pub const ALL_CODES: [RejectionCode; 14] = [
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
    RejectionCode::MalformedEvent,
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
    /// The phone's clock minus the server's, ms, as the phone estimated it when it
    /// recorded the event (`clock_offset_ms`; None from clients that do not send it). A hint
    /// for placing the event, not part of its content: a resend with another value is still
    /// a duplicate.
    pub clock_offset_ms: Option<i64>,
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
        u64::try_from(self.seq).ok() == Some(raw.seq) && self.matches_raw_but_seq(raw)
    }

    /// Whether a pushed event says what this stored one says, its `seq` aside: the same
    /// event carried to another enrollment of the phone, which numbers seqs anew.
    pub fn matches_raw_but_seq(&self, raw: &RawEvent) -> bool {
        let same_time = parse_rfc3339(&raw.occurred_at).is_some_and(|t| {
            t.with_timezone(&Utc).timestamp_millis() == self.occurred_ms
                && t.offset().local_minus_utc() == self.occurred_offset_secs
        });
        self.kind.as_str() == raw.kind
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
    /// Where the event is placed in time: the phone's time, corrected by an estimate of
    /// its clock's offset when that is needed (see [`crate::clock::place`]).
    pub placed_at: DateTime<Utc>,
    pub day: NaiveDate,
    pub clock_corrected: bool,
}

/// Checks the rules that need no database. Kind, village, team and correction targets are
/// the store's to check, inside the batch's transaction.
pub fn validate(raw: &RawEvent, clock: &PushClock) -> Result<EventDraft, Rejection> {
    use RejectionCode as C;
    let seq = i64::try_from(raw.seq)
        .ok()
        .filter(|s| (1..=MAX_SAFE_INTEGER).contains(s))
        .ok_or_else(|| {
            Rejection::new(
                C::InvalidSeq,
                format!("seq must be an integer from 1 to {MAX_SAFE_INTEGER} (2^53 - 1)"),
            )
        })?;
    let kind = KindCode::parse(&raw.kind).ok_or_else(|| {
        Rejection::new(
            C::UnknownKind,
            format!("unknown kind '{}'", quote(&raw.kind)),
        )
    })?;
    let village = VillageId::parse(&raw.village_id).ok_or_else(|| {
        Rejection::new(
            C::UnknownVillage,
            format!("unknown village '{}'", quote(&raw.village_id)),
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
    let placement = crate::clock::place(occurred_utc, raw.clock_offset_ms, clock)?;
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
        placed_at: placement.at,
        day: vn_day(placement.at),
        clock_corrected: placement.corrected,
    })
}

#[cfg(test)]
mod tests;
