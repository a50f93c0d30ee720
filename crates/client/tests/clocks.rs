//! Clocks that change between recording and pushing (issue 7, item 5), through the
//! reference engine against the real server: each event carries the clock offset the phone
//! knew when it was recorded, so the server places it by itself.

mod support;

use chrono::Duration;
use langso_client::Config;
use langso_tests::harness::Server;
use support::{Phone, assert_placed_now, enroll, fast};

fn with_clock(offset: Duration) -> Config {
    Config {
        clock_offset: offset,
        ..fast()
    }
}

/// Records one event now by the phone's clock (`before`), then the clock changes
/// (`after`, the engine reopened as after a reboot) and the phone syncs.
fn record_then_sync(server: &Server, before: Duration, after: Duration) -> Phone {
    let mut phone = enroll(server, "T00001", with_clock(before));
    phone
        .engine
        .record(phone.event("vneid_activation", 2))
        .unwrap();
    phone.reopen(with_clock(after));
    phone.engine.sync().unwrap();
    phone
}

#[test]
fn recorded_on_a_right_clock_then_the_clock_broke_slow_is_placed_as_recorded() {
    let server = Server::start_demo();

    let phone = record_then_sync(&server, Duration::zero(), Duration::hours(-3));

    assert_placed_now(&server, &phone, false);
}

#[test]
fn recorded_on_a_right_clock_then_the_clock_broke_fast_is_placed_as_recorded() {
    let server = Server::start_demo();

    let phone = record_then_sync(&server, Duration::zero(), Duration::hours(2));

    assert_placed_now(&server, &phone, false);
}

#[test]
fn recorded_five_hours_fast_then_fixed_is_accepted_and_flagged() {
    let server = Server::start_demo();

    let phone = record_then_sync(&server, Duration::hours(5), Duration::zero());

    assert_placed_now(&server, &phone, true);
}

#[test]
fn recorded_slow_then_fixed_is_placed_at_the_real_time_and_flagged() {
    let server = Server::start_demo();

    let phone = record_then_sync(&server, Duration::hours(-3), Duration::zero());

    assert_placed_now(&server, &phone, true);
}
