//! The sync engine through failures against the real `langso` server on loopback: an
//! unreachable server, syncs killed midway, retention, a server restore, no enrollment, and
//! a refresh after its window; the queue is kept and every event counted once.

mod support;

use langso_client::{Config, Engine, Error, NewEvent, Point};
use langso_domain::{KindCode, VillageId};
use langso_tests::harness::Server;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{enroll, fast, poke_state, read_state, stored_ids};

#[test]
fn an_unreachable_server_is_retried_then_reported_and_the_queue_kept() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    phone.engine.set_server(&url).unwrap();

    let err = phone.engine.sync().unwrap_err();

    assert!(
        matches!(err, Error::Unreachable { attempts: 6, .. }),
        "{err}"
    );
    assert_eq!(phone.engine.status().unwrap().queued, 1);
    phone.engine.set_server(&server.url).unwrap();
    assert_eq!(phone.engine.sync().unwrap().accepted, 1);
}

/// Interrupts the `n`-th time `at` is reached (1-based), as a killed app would stop.
fn kill_at(at: Point, n: usize) -> Config {
    let seen = Arc::new(AtomicUsize::new(0));
    Config {
        interrupt: Some(Arc::new(move |p| {
            p == at && seen.fetch_add(1, Ordering::SeqCst) + 1 == n
        })),
        ..fast()
    }
}

#[test]
fn a_sync_killed_after_the_server_committed_resumes_and_counts_once() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", kill_at(Point::AnswerReceived, 1));
    let config = Config {
        batch_max_events: 4,
        ..phone.engine.config().clone()
    };
    phone.reopen(config);
    for _ in 0..10 {
        phone
            .engine
            .record(phone.event("vneid_activation", 1))
            .unwrap();
    }

    let err = phone.engine.sync().unwrap_err();
    assert!(matches!(err, Error::Interrupted));
    assert_eq!(
        stored_ids(&server, &phone.device_id()).len(),
        4,
        "committed"
    );
    assert_eq!(
        phone.engine.status().unwrap().queued,
        10,
        "answer never applied"
    );

    phone.reopen(Config {
        batch_max_events: 4,
        ..fast()
    });
    let report = phone.engine.sync().unwrap();

    assert_eq!((report.duplicate, report.accepted), (4, 6));
    assert_eq!(stored_ids(&server, &phone.device_id()).len(), 10);
    server.assert_tallies_verify();
}

#[test]
fn a_sync_killed_midway_through_the_snapshot_resumes_from_the_stored_cursor() {
    let server = Server::start_demo();
    let config = Config {
        pull_limit: 3,
        ..kill_at(Point::BeforeRequest, 3)
    };
    let mut phone = enroll(&server, "T00001", config);
    assert!(matches!(phone.engine.sync(), Err(Error::Interrupted)));
    let cursor = read_state(&phone.path(), "cursor");
    assert!(cursor.is_some(), "pages applied so far are kept");

    phone.reopen(Config {
        pull_limit: 3,
        ..fast()
    });
    let report = phone.engine.sync().unwrap();

    let status = phone.engine.status().unwrap();
    assert_eq!(status.villages, phone.villages.len());
    assert!(report.pulled > 0);
    assert!(phone.engine.kinds().unwrap().len() >= 7);
}

#[test]
fn acknowledged_events_are_kept_for_the_retention_window_then_pruned() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    phone.engine.sync().unwrap();
    assert_eq!(phone.engine.status().unwrap().held, 1, "kept for a restore");

    phone.reopen(Config {
        retention: chrono::Duration::zero(),
        ..fast()
    });
    let report = phone.engine.sync().unwrap();

    assert_eq!(report.pruned, 1);
    assert_eq!(phone.engine.status().unwrap().held, 0);
}

#[test]
fn after_a_server_restore_held_events_are_pushed_again_and_nothing_is_lost() {
    let mut server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    for _ in 0..5 {
        phone
            .engine
            .record(phone.event("vneid_activation", 1))
            .unwrap();
    }
    phone.engine.sync().unwrap();
    let backup = server.db.with_extension("backup");
    server.cli_ok(&["backup", "--out", backup.to_str().unwrap()]);
    for _ in 0..3 {
        phone
            .engine
            .record(phone.event("digital_signature", 1))
            .unwrap();
    }
    phone.engine.sync().unwrap();
    let generation = phone.engine.status().unwrap().generation;

    // The operator restores yesterday's backup: the last 3 events are gone from the server.
    server.kill();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", server.db.display()));
    }
    std::fs::copy(&backup, &server.db).unwrap();
    server.restart();
    phone.engine.set_server(&server.url).unwrap();
    assert_eq!(stored_ids(&server, &phone.device_id()).len(), 5);

    let report = phone.engine.sync().unwrap();

    assert!(report.generation_changed);
    assert_eq!((report.duplicate, report.accepted), (5, 3));
    assert_ne!(phone.engine.status().unwrap().generation, generation);
    assert_eq!(stored_ids(&server, &phone.device_id()).len(), 8);
    assert_eq!(phone.engine.status().unwrap().acked_through_seq, 8);
    server.assert_tallies_verify();
}

#[test]
fn an_engine_that_never_enrolled_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(&dir.path().join("d.db"), fast()).unwrap();
    assert!(matches!(engine.sync(), Err(Error::NotEnrolled)));
    let e = NewEvent::new(
        KindCode::parse("vneid_activation").unwrap(),
        VillageId::parse("V000001").unwrap(),
        1,
    );
    assert!(matches!(engine.record(e), Err(Error::NotEnrolled)));
}

/// The contract (issues 2 and 7, docs/sync-protocol.md): a lost refresh answer may be
/// retried with the same token within 10 minutes; later, the old token counts as reused and
/// the device's tokens are revoked. The phone is then told to enroll again, and keeps its
/// queue.
#[test]
fn a_refresh_retried_after_the_window_asks_to_re_enroll_and_keeps_the_queue() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    poke_state(&phone.path(), "access_expires_at", "2000-01-01T00:00:00Z");
    phone.reopen(kill_at(Point::AnswerReceived, 1));
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    // The server rotated the token; the phone died before storing the new pair.
    assert!(matches!(phone.engine.sync(), Err(Error::Interrupted)));
    // Eleven minutes pass (the rotation is moved back in the server's database).
    rusqlite::Connection::open(&server.db)
        .unwrap()
        .execute(
            "UPDATE refresh_tokens SET rotated_ms = rotated_ms - 660000 WHERE rotated_ms IS NOT NULL",
            [],
        )
        .unwrap();
    phone.reopen(fast());

    let outcome = phone.engine.sync();

    match outcome {
        Err(Error::ReEnroll { code, .. }) => assert_eq!(code, "refresh_token_reused"),
        other => panic!("expected a request to enroll again, got {other:?}"),
    }
    assert_eq!(
        phone.engine.status().unwrap().queued,
        1,
        "the queue survives"
    );
}
