//! Push limits and malformed batches, end to end: the real `langso` binary over loopback
//! HTTP refuses them with 400 or 413 and stores nothing.

use langso_tests::harness::{Phone, Server, batch, now_vn};
use langso_tests::sync_api::{MAP, TEAM, VNEID};
use serde_json::{Value, json};

// ---- limits and malformed batches ----

#[test]
fn a_batch_of_501_events_is_refused_with_413_stating_the_limits() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let events: Vec<Value> = (0..501).map(|_| p.event(VNEID, &v, 1)).collect();

    let r = s.push(&p, &events).expect_error(413, "batch_too_large");

    assert!(r.message().contains("500"), "{}", r.message());
    assert!(
        r.message().contains("1 MiB") || r.message().contains("1048576"),
        "{}",
        r.message()
    );
    assert!(s.totals(&p, "village", &v).is_empty());
}

#[test]
fn a_body_over_1_mib_is_refused_with_413() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let mut e = p.event(VNEID, &v, 1);
    e["note"] = json!("x".repeat(1024 * 1024 + 1));

    let r = s.push(&p, &[e]).expect_error(413, "batch_too_large");

    assert!(
        r.message().contains("1 MiB") || r.message().contains("1048576"),
        "{}",
        r.message()
    );
    assert!(s.totals(&p, "village", &v).is_empty());
}

/// Nothing of a refused batch is stored: the acknowledged seq stays 0 and no tally moved.
fn assert_nothing_stored(s: &Server, p: &Phone) {
    let pulled = s.pull(&p.access_token, None, Some(1)).expect(200);
    assert_eq!(pulled.acked_through_seq(), 0);
    assert!(s.totals(p, "commune", &s.commune_of(TEAM)).is_empty());
}

#[test]
fn malformed_json_is_refused_with_400_and_nothing_is_stored() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let body = batch(&[p.event(VNEID, &v, 1)], &now_vn()).to_string();
    let truncated = &body[..body.len() - 2];

    s.push_raw(&p.access_token, truncated)
        .expect_error(400, "invalid_json");

    assert_nothing_stored(&s, &p);
}

/// An unknown field in an event is that event's `malformed_event` (tests/push_contract.rs);
/// one beside `events` makes the body no batch at all.
#[test]
fn unknown_fields_of_the_batch_are_refused_with_400_and_nothing_is_stored() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let mut body = batch(&[p.event(VNEID, &v, 1)], &now_vn());
    body["volunteer_mood"] = json!("happy");

    s.push_batch(&p.access_token, &body)
        .expect_error(400, "invalid_json");

    assert_nothing_stored(&s, &p);
}
