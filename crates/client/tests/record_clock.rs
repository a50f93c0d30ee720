//! The clock offset an event carries is the one at record time, not the one at the last
//! answer (issue 7 follow-up, H6 item 2). Between the last answer and `record()` the phone's
//! wall clock may jump (the user, the network); the engine tells the server's time by its
//! boot clock (Linux `/proc` here), so the server places the event where it happened.
//! Through the reference engine and the real `langso` binary.

mod support;

use chrono::Duration;
use langso_client::{BootTime, Config, Monotonic, boot_clock};
use langso_tests::harness::Server;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use support::{Phone, assert_placed_now, enroll, fast};

fn with_clock(offset: Duration) -> Config {
    Config {
        clock_offset: offset,
        ..fast()
    }
}

/// The last answer (enrollment) comes with the clock `at_answer`; then the clock becomes
/// `at_record` (the app restarted, same boot) and the volunteer records one event; then the
/// clock becomes `at_push` and the phone syncs.
fn answer_record_push(
    server: &Server,
    at_answer: Duration,
    at_record: Duration,
    at_push: Duration,
) -> Phone {
    let mut phone = enroll(server, "T00001", with_clock(at_answer));
    phone.reopen(with_clock(at_record));
    phone
        .engine
        .record(phone.event("vneid_activation", 2))
        .unwrap();
    phone.reopen(with_clock(at_push));
    phone.engine.sync().unwrap();
    phone
}

#[test]
fn clock_went_fast_after_the_last_answer_and_was_fixed_before_the_push() {
    let server = Server::start_demo();

    let phone = answer_record_push(
        &server,
        Duration::zero(),
        Duration::hours(5),
        Duration::zero(),
    );

    assert_placed_now(&server, &phone, true);
}

#[test]
fn clock_went_slow_after_the_last_answer_and_was_fixed_before_the_push() {
    let server = Server::start_demo();

    let phone = answer_record_push(
        &server,
        Duration::zero(),
        Duration::hours(-3),
        Duration::zero(),
    );

    assert_placed_now(&server, &phone, true);
}

#[test]
fn clock_fast_at_the_last_answer_and_fixed_before_recording_is_placed_as_written() {
    let server = Server::start_demo();

    let phone = answer_record_push(
        &server,
        Duration::hours(5),
        Duration::zero(),
        Duration::zero(),
    );

    assert_placed_now(&server, &phone, false);
}

#[test]
fn clock_slow_at_the_last_answer_and_fixed_before_recording_is_placed_as_written() {
    let server = Server::start_demo();

    let phone = answer_record_push(
        &server,
        Duration::hours(-3),
        Duration::zero(),
        Duration::zero(),
    );

    assert_placed_now(&server, &phone, false);
}

/// A boot clock that runs with real time, in the boot session `id`.
fn boot(id: &'static str) -> Monotonic {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    Arc::new(move || {
        Some(BootTime {
            boot_id: id.to_owned(),
            ms: start.elapsed().as_millis() as i64,
        })
    })
}

/// The `clock_offset_ms` (hours) `record()` gives an event after an answer seen 5 h fast,
/// with the clock since fixed, when the boot clock at record time is `then`.
fn hours_recorded(server: &Server, now: Monotonic, then: Monotonic) -> f64 {
    let fast_clock = Config {
        monotonic: now,
        ..with_clock(Duration::hours(5))
    };
    let mut phone = enroll(server, "T00001", fast_clock);
    phone.reopen(Config {
        monotonic: then,
        ..fast()
    });
    let e = phone.event("vneid_activation", 1);
    let id = phone.engine.record(e).unwrap().event_id;
    let ms = phone
        .engine
        .event(&id)
        .unwrap()
        .unwrap()
        .clock_offset_ms
        .unwrap();
    (ms as f64 / 3_600_000.0 * 10.0).round() / 10.0
}

#[test]
fn within_one_boot_the_record_time_offset_follows_the_clock_change() {
    let server = Server::start_demo();

    assert_eq!(hours_recorded(&server, boot("a"), boot("a")), 0.0);
}

#[test]
fn after_a_reboot_or_without_a_boot_clock_the_last_answers_offset_is_used() {
    let server = Server::start_demo();

    assert_eq!(hours_recorded(&server, boot("a"), boot("b")), 5.0);
    assert_eq!(
        hours_recorded(&server, boot_clock::none(), boot_clock::none()),
        5.0
    );
    assert_eq!(hours_recorded(&server, boot("a"), boot_clock::none()), 5.0);
}
