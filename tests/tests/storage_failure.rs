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
    let server = Server::start_demo();
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
