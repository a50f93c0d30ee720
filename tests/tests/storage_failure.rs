//! A storage failure while a batch commits answers 503 with Retry-After and stores nothing
//! of the batch; once storage recovers, the phone's retry is stored in full.

use langso_tests::harness::{Server, batch, now_vn};
use rusqlite::Connection;

const FAIL_TALLIES: &str = "
    CREATE TRIGGER fail_insert BEFORE INSERT ON tallies BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;
    CREATE TRIGGER fail_update BEFORE UPDATE ON tallies BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END;";

fn stored_events(server: &Server) -> i64 {
    let c = Connection::open(&server.db).unwrap();
    c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_failed_commit_answers_503_and_stores_nothing_then_the_retry_succeeds() {
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut phone = server.enroll("T00001");
    let village = phone.village().to_owned();
    let events: Vec<_> = (0..3)
        .map(|_| phone.event("vneid_activation", &village, 2))
        .collect();
    let the_batch = batch(&events, &now_vn());

    // Another connection makes every tally write fail, as a full or broken disk would.
    Connection::open(&server.db)
        .unwrap()
        .execute_batch(FAIL_TALLIES)
        .unwrap();
    let failed = server.push_batch(&phone.access_token, &the_batch);
    let failed = failed.expect_error(503, "storage_unavailable");
    assert_eq!(failed.retry_after.as_deref(), Some("1"));
    assert_eq!(
        stored_events(&server),
        0,
        "nothing of the failed batch is stored"
    );

    Connection::open(&server.db)
        .unwrap()
        .execute_batch("DROP TRIGGER fail_insert; DROP TRIGGER fail_update;")
        .unwrap();
    let retried = server
        .push_batch(&phone.access_token, &the_batch)
        .expect(200);
    assert_eq!(retried.statuses(), ["accepted"; 3]);
    assert_eq!(retried.acked_through_seq(), 3);
    assert_eq!(stored_events(&server), 3);
    server.assert_tallies_verify();
}

/// Phones pushing at once, so the writer commits their batches in groups; in every round
/// but the first, one phone's batch holds an event that makes SQLite roll the whole
/// transaction back.
/// Every push answered 200 is stored in full, every push answered 503 not at all, and the
/// 503-answered batches, pushed again as the protocol says, count once.
#[test]
fn a_transaction_rolled_back_by_sqlite_inside_a_group_stores_nothing_of_the_503s() {
    const PHONES: usize = 8;
    const ROUNDS: usize = 8;
    let server = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut phones: Vec<_> = (0..PHONES).map(|_| server.enroll("T00001")).collect();
    // RAISE(ROLLBACK) ends the whole transaction from inside a statement, as SQLite does by
    // itself on SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM or SQLITE_BUSY.
    Connection::open(&server.db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER roll_back BEFORE INSERT ON events WHEN NEW.count = 777
             BEGIN SELECT RAISE(ROLLBACK, 'simulated I/O error'); END;",
        )
        .unwrap();
    let mut answered_503 = Vec::new();
    let mut answered_200 = 0;
    for round in 0..ROUNDS {
        let batches: Vec<(usize, serde_json::Value)> = phones
            .iter_mut()
            .enumerate()
            .map(|(i, phone)| {
                let village = phone.village().to_owned();
                let mut events: Vec<_> = (0..40)
                    .map(|_| phone.event("vneid_activation", &village, 1))
                    .collect();
                if round > 0 && i == (round * 3) % PHONES {
                    events[20]["count"] = 777.into();
                }
                (i, batch(&events, &now_vn()))
            })
            .collect();
        let answers: Vec<(usize, serde_json::Value, u16)> = std::thread::scope(|s| {
            let handles: Vec<_> = batches
                .into_iter()
                .map(|(i, b)| {
                    let (server, token) = (&server, phones[i].access_token.clone());
                    s.spawn(move || {
                        let status = server.push_batch(&token, &b).status;
                        (i, b, status)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (i, b, status) in answers {
            let stored = events_stored(&server, &b);
            match status {
                200 => {
                    assert_eq!(stored, 40, "a 200 means all of the batch is stored");
                    answered_200 += 1;
                }
                503 => {
                    assert_eq!(stored, 0, "a 503 means nothing of the batch is stored");
                    answered_503.push((i, b));
                }
                other => panic!("unexpected status {other}"),
            }
        }
        server.assert_tallies_verify();
    }
    assert!(
        !answered_503.is_empty(),
        "the rolled-back push was answered 503"
    );
    assert!(answered_200 > 0);
    Connection::open(&server.db)
        .unwrap()
        .execute_batch("DROP TRIGGER roll_back;")
        .unwrap();
    for (i, b) in &answered_503 {
        let again = server.push_batch(&phones[*i].access_token, b).expect(200);
        assert!(again.statuses().iter().all(|s| *s == "accepted"));
        assert_eq!(events_stored(&server, b), 40);
    }
    let total: i64 = Connection::open(&server.db)
        .unwrap()
        .query_row("SELECT sum(total) FROM tallies", [], |r| r.get(0))
        .unwrap();
    let bad = ROUNDS - 1;
    assert_eq!(
        total,
        (ROUNDS * PHONES * 40 + bad * 776) as i64,
        "every event counted once"
    );
    server.assert_tallies_verify();
}

/// With the database at its size cap (`--max-db-mb`, real `SQLITE_FULL`), pushes are
/// answered 503 and store nothing, and /readyz says not ready; with room again, the same
/// batches are stored once and /readyz says ready.
#[test]
fn a_full_database_answers_503_stores_nothing_and_is_not_ready() {
    let mut server = Server::start_quiet_demo_on("quang-ninh-2025");
    // The demo's pages may still sit in the WAL, to be checkpointed into the file.
    let wal = std::fs::metadata(format!("{}-wal", server.db.display())).map_or(0, |m| m.len());
    let size_mb = (std::fs::metadata(&server.db).unwrap().len() + wal) / (1024 * 1024);
    // Room for some pushes, and more than the 2 MiB /readyz wants under the cap.
    let cap = (size_mb + 4).to_string();
    server.restart_with(&["--max-db-mb", &cap]);
    let mut phone = server.enroll("T00001");
    let village = phone.village().to_owned();
    server.get("/readyz", None).expect(200);
    let mut refused = Vec::new();
    for _ in 0..200 {
        let events: Vec<_> = (0..200)
            .map(|_| {
                let mut e = phone.event("vneid_activation", &village, 1);
                e["note"] = "ghi chú dài ".repeat(40).into();
                e
            })
            .collect();
        let b = batch(&events, &now_vn());
        let r = server.push_batch(&phone.access_token, &b);
        match r.status {
            200 => assert_eq!(events_stored(&server, &b), 200),
            503 => {
                assert_eq!(r.code(), "storage_unavailable");
                assert_eq!(events_stored(&server, &b), 0, "a 503 stores nothing");
                refused.push(b);
                break;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(!refused.is_empty(), "the cap was reached");
    server
        .get("/readyz", None)
        .expect_error(503, "storage_unavailable");
    // Still not ready once the fault is old: a small probe fits, a batch would not.
    std::thread::sleep(std::time::Duration::from_millis(10_500));
    server
        .get("/readyz", None)
        .expect_error(503, "storage_unavailable");
    server.assert_tallies_verify();

    server.restart();
    server.get("/readyz", None).expect(200);
    for b in &refused {
        let again = server.push_batch(&phone.access_token, b).expect(200);
        assert!(again.statuses().iter().all(|s| *s == "accepted"));
    }
    server.assert_tallies_verify();
}

fn events_stored(server: &Server, batch: &serde_json::Value) -> usize {
    let c = Connection::open(&server.db).unwrap();
    batch["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let id = uuid::Uuid::parse_str(e["event_id"].as_str().unwrap()).unwrap();
            c.query_row(
                "SELECT count(*) FROM events WHERE event_id = ?1",
                [id.as_bytes().as_slice()],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
                == 1
        })
        .count()
}
