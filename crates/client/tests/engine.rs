//! The sync engine against the real `langso` server on loopback.

mod support;

use langso_client::{Config, Engine, Error, EventState, NewEvent, Point};
use langso_domain::{KindCode, VillageId};
use langso_tests::harness::Server;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{enroll, fast, poke_state, read_state, stored_ids};

#[test]
fn recorded_events_go_up_once_and_reference_data_comes_down() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let ids: Vec<_> = (1..=3)
        .map(|n| {
            phone
                .engine
                .record(phone.event("vneid_activation", n))
                .unwrap()
        })
        .collect();
    assert_eq!(ids.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(phone.engine.status().unwrap().queued, 3);

    let report = phone.engine.sync().unwrap();

    assert_eq!((report.accepted, report.batches), (3, 1));
    let status = phone.engine.status().unwrap();
    assert_eq!(status.queued, 0);
    assert_eq!(status.acked_through_seq, 3);
    assert!(status.last_sync.is_some() && status.generation.is_some());
    assert_eq!(status.villages, phone.villages.len());
    assert!(phone.engine.kinds().unwrap().len() >= 7);
    let stored = stored_ids(&server, &phone.device_id());
    let recorded: Vec<String> = ids.iter().map(|r| r.event_id.to_string()).collect();
    assert_eq!(stored, recorded);
    server.assert_tallies_verify();
}

#[test]
fn a_second_sync_sends_nothing_and_pulls_only_what_changed() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let first = phone.engine.sync().unwrap();
    assert!(first.pulled > 7, "the first pull is a snapshot");

    let second = phone.engine.sync().unwrap();

    assert_eq!((second.pushed, second.pulled), (0, 0));
}

#[test]
fn a_rejected_event_is_kept_with_its_reason_and_never_blocks_the_queue() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let foreign = server.team("T00002")["village_ids"][0]
        .as_str()
        .unwrap()
        .to_owned();
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let bad = NewEvent::new(
        KindCode::parse("vneid_activation").unwrap(),
        VillageId::parse(&foreign).unwrap(),
        1,
    );
    let bad = phone.engine.record(bad).unwrap();
    phone
        .engine
        .record(phone.event("digital_signature", 2))
        .unwrap();

    let report = phone.engine.sync().unwrap();

    assert_eq!((report.accepted, report.rejected), (2, 1));
    let status = phone.engine.status().unwrap();
    assert_eq!(status.queued, 0);
    assert_eq!(status.acked_through_seq, 3);
    let problem = &status.problems[0];
    assert_eq!(problem.event_id, bad.event_id);
    assert_eq!(problem.state, EventState::Rejected);
    assert_eq!(problem.code.as_deref(), Some("village_not_in_team"));
    assert!(problem.message.as_deref().unwrap().contains(&foreign));

    // Later events still go up, and the rejection is not resent.
    phone
        .engine
        .record(phone.event("e_health_book", 1))
        .unwrap();
    let next = phone.engine.sync().unwrap();
    assert_eq!((next.pushed, next.accepted), (1, 1));
    assert!(phone.engine.dismiss(&bad.event_id).unwrap());
    assert!(phone.engine.status().unwrap().problems.is_empty());
}

#[test]
fn two_processes_recording_on_one_device_file_never_share_a_seq() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let mut other = Engine::open(&phone.path(), fast()).unwrap();

    let a = phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let b = other.record(phone.event("vneid_activation", 1)).unwrap();
    let c = phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();

    assert_eq!([a.seq, b.seq, c.seq], [1, 2, 3]);
    assert_eq!(other.sync().unwrap().accepted, 3);
    assert_eq!(phone.engine.sync().unwrap().pushed, 0);
}

#[test]
fn invalid_counts_and_long_notes_are_refused_at_record_time() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let zero = phone.engine.record(phone.event("vneid_activation", 0));
    assert!(matches!(zero, Err(Error::Invalid(_))));
    let mut long = phone.event("vneid_activation", 1);
    long.note = Some("ả".repeat(501));
    assert!(matches!(phone.engine.record(long), Err(Error::Invalid(_))));
    assert_eq!(phone.engine.status().unwrap().next_seq, 1, "no seq used");
}

#[test]
fn a_large_queue_goes_up_in_batches_within_the_event_and_byte_limits() {
    let server = Server::start_demo();
    let config = Config {
        batch_max_events: 7,
        batch_max_bytes: 8 * 1024,
        ..fast()
    };
    let mut phone = enroll(&server, "T00001", config);
    for _ in 0..20 {
        phone
            .engine
            .record(phone.event("vneid_activation", 1))
            .unwrap();
    }
    let report = phone.engine.sync().unwrap();
    assert_eq!((report.accepted, report.batches), (20, 3));

    for _ in 0..10 {
        let mut e = phone.event("vneid_activation", 1);
        e.note = Some("Hỗ trợ bà con cài VNeID ".repeat(20));
        phone.engine.record(e).unwrap();
    }
    let report = phone.engine.sync().unwrap();
    assert_eq!(report.accepted, 10);
    assert!(report.batches >= 2, "8 KiB holds fewer than 10 such events");
    assert_eq!(stored_ids(&server, &phone.device_id()).len(), 30);
}

#[test]
fn corrections_and_voids_replace_what_they_correct() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    let first = phone
        .engine
        .record(phone.event("vneid_activation", 5))
        .unwrap();
    let mut fix = phone.event("vneid_activation", 3);
    fix.corrects = Some(first.event_id);
    let fix = phone.engine.record(fix).unwrap();
    let mut void = phone.event("vneid_activation", 0);
    void.corrects = Some(fix.event_id);
    phone.engine.record(void).unwrap();

    let report = phone.engine.sync().unwrap();

    assert_eq!(report.accepted, 3);
    let totals = &phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(
        totals["today"]["totals"]["vneid_activation"]
            .as_i64()
            .unwrap_or(0),
        0
    );
    server.assert_tallies_verify();
}

#[test]
fn a_phone_clock_days_behind_is_sent_as_is_and_placed_by_the_server() {
    let server = Server::start_demo();
    let config = Config {
        clock_offset: chrono::Duration::days(-3),
        ..fast()
    };
    let mut phone = enroll(&server, "T00001", config);
    phone
        .engine
        .record(phone.event("vneid_activation", 4))
        .unwrap();

    phone.engine.sync().unwrap();

    let held = &phone.engine.events().unwrap()[0];
    assert!(
        held.clock_corrected,
        "the server placed it by corrected time"
    );
    let totals = phone.engine.status().unwrap().team_totals.unwrap();
    assert_eq!(totals["today"]["totals"]["vneid_activation"], 4);
}

/// Signs `token`'s claims again, expired, with the server's key (read from its database).
fn expired_copy(server: &Server, token: &str) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let header = langso_tests::harness::jwt_header(token);
    let kid = header["kid"].as_str().unwrap().to_owned();
    let secret: Vec<u8> = rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row(
            "SELECT secret FROM signing_keys WHERE kid = ?1",
            [&kid],
            |r| r.get(0),
        )
        .unwrap();
    let payload = token.split('.').nth(1).unwrap();
    // The harness decodes a JWT's first segment; the payload is base64url JSON too.
    let mut claims = langso_tests::harness::jwt_header(&format!("{payload}.x.y"));
    let past = chrono::Utc::now().timestamp() - 3600;
    claims["iat"] = (past - 900).into();
    claims["nbf"] = (past - 900).into();
    claims["exp"] = past.into();
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(kid);
    jsonwebtoken::encode(&h, &claims, &EncodingKey::from_secret(&secret)).unwrap()
}

#[test]
fn an_expired_access_token_is_refreshed_and_the_request_retried_once() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    let path = phone.path();
    let token = read_state(&path, "access_token").unwrap();
    let refresh_before = read_state(&path, "refresh_token").unwrap();
    // The phone believes its token is good for a year; the server says it expired.
    poke_state(&path, "access_token", &expired_copy(&server, &token));
    poke_state(&path, "access_expires_at", "2099-01-01T00:00:00Z");
    phone.reopen(fast());

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed);
    assert_eq!(report.accepted, 1);
    assert_ne!(
        read_state(&path, "refresh_token").unwrap(),
        refresh_before,
        "rotated and stored"
    );
}

#[test]
fn a_garbled_stored_token_is_refreshed_too() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    poke_state(&phone.path(), "access_token", "garbage");
    poke_state(&phone.path(), "access_expires_at", "2099-01-01T00:00:00Z");
    phone.reopen(fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();

    let report = phone.engine.sync().unwrap();

    assert!(report.refreshed);
    assert_eq!(report.accepted, 1);
}

#[test]
fn a_revoked_device_gets_a_clear_error_and_keeps_its_queue() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    server.cli_ok(&["revoke-device", &phone.device_id()]);

    let err = phone.engine.sync().unwrap_err();

    assert!(matches!(err, Error::DeviceRevoked(_)), "{err}");
    assert_eq!(phone.engine.status().unwrap().queued, 1);
}

#[test]
fn a_reenrolled_device_carries_every_held_event_to_the_new_enrollment() {
    let server = Server::start_demo();
    let mut phone = enroll(&server, "T00001", fast());
    phone
        .engine
        .record(phone.event("vneid_activation", 1))
        .unwrap();
    phone.engine.sync().unwrap();
    let waiting = phone
        .engine
        .record(phone.event("vneid_activation", 2))
        .unwrap();
    server.cli_ok(&["revoke-device", &phone.device_id()]);
    assert!(phone.engine.sync().is_err());

    let e = phone
        .engine
        .enroll(&server.url, &server.invite("T00001"), "new phone")
        .unwrap();
    // The unsent one, and the stored one too (issue 7: a restored server may lack it).
    assert_eq!(e.carried_over, 2);
    let report = phone.engine.sync().unwrap();

    // The stored one stays counted once, under the former enrollment.
    assert_eq!((report.accepted, report.duplicate), (1, 1));
    assert!(phone.engine.status().unwrap().problems.is_empty());
    assert_eq!(
        stored_ids(&server, &e.device_id),
        [waiting.event_id.to_string()]
    );
    server.assert_tallies_verify();
}

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
