//! Unit tests of the event rules.

use super::*;
use chrono::{Duration, TimeZone};
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
        clock_offset_ms: None,
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
    assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::InvalidSeq);
    r.seq = MAX_SAFE_INTEGER as u64 + 1;
    assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::InvalidSeq);
    r.seq = u64::MAX;
    assert_eq!(code_of(r.clone(), clock(0)), RejectionCode::InvalidSeq);
    r.seq = MAX_SAFE_INTEGER as u64;
    assert!(validate(&r, &clock(0)).is_ok(), "2^53 - 1 is the last seq");

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
fn pushed_text_is_quoted_cut() {
    let mut r = raw();
    r.kind = "k".repeat(900_000);
    let message = validate(&r, &clock(0)).unwrap_err().message;
    assert!(message.chars().count() < 100, "{message}");
    assert!(message.ends_with("…'"), "{message}");
}

#[test]
fn the_record_time_offset_places_an_event_the_push_offset_would_misplace() {
    let mut r = raw();
    r.clock_offset_ms = Some(0);
    // Pushed after the clock went an hour slow: by its own record-time offset it
    // stays at 09:00, where the push offset alone would place it at 10:00.
    let d = validate(&r, &clock(-60)).unwrap();
    assert!(!d.clock_corrected);
    assert_eq!(d.placed_at.timestamp(), 1_795_831_200);
    assert!(stored_content_ignores_the_offset(&r));
}

fn stored_content_ignores_the_offset(r: &RawEvent) -> bool {
    let stored = validate(r, &clock(0)).unwrap().content;
    let mut resent = r.clone();
    resent.clock_offset_ms = Some(123_456);
    stored.matches_raw(&resent)
}

#[test]
fn every_code_round_trips_through_its_string() {
    for c in ALL_CODES {
        assert_eq!(RejectionCode::parse(c.as_str()), Some(c));
    }
}
