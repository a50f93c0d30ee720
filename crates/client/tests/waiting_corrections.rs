//! A correction that reaches the server before its target (issue 7 follow-up, H6 item 1).
//!
//! Phone C corrects an event phone A recorded. If C's correction arrives while the server does
//! not hold A's event (A's is still queued, or a restore took it and A has not pushed it
//! again), the server answers `rejected unknown_correction_target`. That rejection may stop
//! being true: the engine keeps the correction waiting and pushes it again at later syncs
//! until the target arrives, so an acknowledged correction is never lost. Through the
//! reference engine and the real `langso` binary.

mod support;

use langso_client::{Config, EventState, NewEvent};
use langso_domain::{EventId, KindCode};
use langso_tests::harness::Server;
use rusqlite::Connection;
use support::{Phone, enroll, fast};

/// What the server counts for `event_id`'s village and kind, today: the sum of the events
/// no correction supersedes.
fn counted(server: &Server) -> i64 {
    Connection::open(&server.db)
        .unwrap()
        .query_row(
            "SELECT coalesce(sum(count), 0) FROM events WHERE superseded_by IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn record(phone: &mut Phone, count: i64) -> EventId {
    let e = phone.event("vneid_activation", count);
    phone.engine.record(e).unwrap().event_id
}

fn correct(phone: &mut Phone, target: EventId, count: i64) -> EventId {
    let e = NewEvent {
        corrects: Some(target),
        ..phone.event("vneid_activation", count)
    };
    phone.engine.record(e).unwrap().event_id
}

fn state_of(phone: &Phone, id: &EventId) -> (EventState, Option<String>) {
    let e = phone.engine.event(id).unwrap().unwrap();
    (e.state, e.code)
}

#[track_caller]
fn assert_waiting(phone: &Phone, id: &EventId) {
    assert_eq!(
        state_of(phone, id),
        (
            EventState::Waiting,
            Some("unknown_correction_target".to_owned())
        )
    );
    let status = phone.engine.status().unwrap();
    assert!(status.problems.is_empty(), "{:?}", status.problems);
    assert_eq!(status.waiting, 1);
}

/// The operator's procedure: stop the server, `langso restore`, start it again.
fn restore(server: &mut Server, backup: &std::path::Path, phones: &mut [&mut Phone]) {
    server.kill();
    server.cli_ok(&["restore", "--from", backup.to_str().unwrap()]);
    server.restart();
    for p in phones {
        p.engine.set_server(&server.url).unwrap();
    }
}

#[test]
fn a_correction_acknowledged_before_a_restore_is_pushed_again_once_its_target_is_back() {
    let mut server = Server::start_quiet_demo_on("quang-ninh-2025");
    let backup = server.db.with_file_name("backup.db");
    server.cli_ok(&["backup", "--out", backup.to_str().unwrap()]);
    let mut a = enroll(&server, "T00001", fast());
    let e = record(&mut a, 10);
    a.engine.sync().unwrap();
    let mut c = enroll(&server, "T00001", fast());
    let fix = correct(&mut c, e, 4);
    assert_eq!(c.engine.sync().unwrap().accepted, 1);
    assert_eq!(counted(&server), 4);

    restore(&mut server, &backup, &mut [&mut a, &mut c]);
    let first = c.engine.sync().unwrap();
    assert!(first.generation_changed);
    assert_waiting(&c, &fix);
    assert_eq!(a.engine.sync().unwrap().accepted, 1);
    let again = c.engine.sync().unwrap();

    assert_eq!((again.pushed, again.accepted), (1, 1));
    assert_eq!(state_of(&c, &fix), (EventState::Accepted, None));
    assert_eq!(counted(&server), 4, "the acknowledged correction holds");
    server.assert_tallies_verify();
    let status = c.engine.status().unwrap();
    assert_eq!((status.queued, status.waiting), (0, 0));
    assert!(status.problems.is_empty());
    assert_eq!(
        status.team_totals.unwrap()["today"]["totals"]["vneid_activation"],
        4
    );
}

#[test]
fn a_correction_that_arrives_before_its_target_waits_for_it_without_a_restore() {
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut a = enroll(&server, "T00001", fast());
    let mut c = enroll(&server, "T00001", fast());
    let e = record(&mut a, 10);
    let void = correct(&mut c, e, 0);

    let first = c.engine.sync().unwrap();
    assert_eq!((first.pushed, first.rejected), (1, 0), "one push, no spin");
    assert_waiting(&c, &void);
    // A sync before the target arrives pushes it once more, and it waits again.
    let second = c.engine.sync().unwrap();
    assert_eq!(second.pushed, 1);
    assert_waiting(&c, &void);
    a.engine.sync().unwrap();
    assert_eq!(counted(&server), 10);
    let third = c.engine.sync().unwrap();

    assert_eq!(third.accepted, 1);
    assert_eq!(state_of(&c, &void), (EventState::Accepted, None));
    assert_eq!(counted(&server), 0, "voided once, not counted again");
    server.assert_tallies_verify();
    assert_eq!(c.engine.status().unwrap().acked_through_seq, 1);
}

#[test]
fn a_waiting_correction_becomes_a_final_rejection_when_its_retention_window_is_over() {
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut c = enroll(&server, "T00001", fast());
    let nowhere = EventId(uuid::Uuid::now_v7());
    let fix = correct(&mut c, nowhere, 3);
    c.engine.sync().unwrap();
    assert_waiting(&c, &fix);
    // The window is measured from the acknowledgement by the server's clock: a phone with
    // no retention at all is past it at its next sync.
    c.reopen(Config {
        retention: chrono::Duration::zero(),
        ..fast()
    });

    let report = c.engine.sync().unwrap();

    assert_eq!((report.pushed, report.rejected), (0, 1));
    assert_eq!(
        state_of(&c, &fix),
        (
            EventState::Rejected,
            Some("unknown_correction_target".to_owned())
        )
    );
    let status = c.engine.status().unwrap();
    assert_eq!(status.problems.len(), 1);
    assert_eq!(status.waiting, 0);
    assert_eq!(
        c.engine.sync().unwrap().pushed,
        0,
        "final: never pushed again"
    );
}

#[test]
fn a_correction_of_an_event_this_phone_saw_rejected_is_final_at_once() {
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut c = enroll(&server, "T00001", fast());
    let unknown = NewEvent::new(KindCode::parse("no_such_kind").unwrap(), c.village(), 2);
    let bad = c.engine.record(unknown).unwrap().event_id;
    let fix = correct(&mut c, bad, 1);

    let report = c.engine.sync().unwrap();

    assert_eq!(report.rejected, 2);
    assert_eq!(state_of(&c, &bad).1.as_deref(), Some("unknown_kind"));
    assert_eq!(
        state_of(&c, &fix),
        (
            EventState::Rejected,
            Some("unknown_correction_target".to_owned())
        )
    );
    assert_eq!(c.engine.status().unwrap().problems.len(), 2);
    assert_eq!(c.engine.sync().unwrap().pushed, 0);
}
