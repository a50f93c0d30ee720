//! The push contract item by item (issue 7, items 8 and 2): a malformed item is rejected on
//! its own with its index, the others are judged on their own, only a body that is not a
//! batch fails whole, and rejection messages and stored rejections never echo unbounded input.

use langso_tests::harness::{Phone, Resp, Server, batch, now_vn};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

const VNEID: &str = "vneid_activation";
const TEAM: &str = "T00001";
/// The most characters of pushed text a message may quote, with room for the sentence.
const MESSAGE_BOUND: usize = 300;

fn total(s: &Server, p: &Phone, village: &str) -> i64 {
    let t: BTreeMap<String, i64> = s.totals(p, "village", village);
    t.get(VNEID).copied().unwrap_or(0)
}

/// `events` serialised, with each `"@@k@@"` placeholder string replaced by raw JSON text
/// `k` (for text a `serde_json::Value` cannot hold, such as a lone surrogate escape).
fn raw_body(events: &[Value], raw: &[(&str, &str)]) -> String {
    let mut body = batch(events, &now_vn()).to_string();
    for (k, text) in raw {
        body = body.replace(&format!("\"@@{k}@@\""), text);
    }
    body
}

fn result(r: &Resp, index: usize) -> &Value {
    &r.results()[index]
}

#[track_caller]
fn assert_malformed(r: &Resp, index: usize, event: Option<&Value>) {
    let res = result(r, index);
    assert_eq!(res["status"], "rejected", "{res}");
    assert_eq!(res["code"], "malformed_event", "{res}");
    assert_eq!(res["index"], index, "{res}");
    let message = res["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "{res}");
    assert!(message.chars().count() <= MESSAGE_BOUND, "{res}");
    match event {
        Some(e) => assert_eq!(res["event_id"], e["event_id"], "{res}"),
        None => assert!(res.get("event_id").is_none(), "{res}"),
    }
}

#[test]
fn a_note_cut_inside_an_emoji_rejects_only_that_event_and_its_seq_is_processed() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let before = p.event(VNEID, &v, 2);
    let mut cut = p.event(VNEID, &v, 5);
    cut["note"] = json!("@@note@@");
    let after = p.event(VNEID, &v, 3);
    let body = raw_body(
        &[before, cut.clone(), after],
        &[("note", r#""Hộ ông Nam \ud83d""#)],
    );

    let r = s.push_raw(&p.access_token, &body).expect(200);

    assert_eq!(r.statuses(), ["accepted", "rejected", "accepted"]);
    assert_malformed(&r, 1, Some(&cut));
    assert_eq!(result(&r, 1)["seq"], 2);
    assert_eq!(
        (
            result(&r, 0)["index"].as_u64(),
            result(&r, 2)["index"].as_u64()
        ),
        (Some(0), Some(2))
    );
    assert_eq!(
        r.acked_through_seq(),
        3,
        "the malformed item's seq is processed"
    );
    assert_eq!(total(&s, &p, &v), 5);
    s.assert_tallies_verify();
}

#[test]
fn malformed_items_of_every_shape_are_rejected_one_by_one_and_the_rest_are_judged() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let valid_first = p.event(VNEID, &v, 1);
    let mut wrong_type = p.event(VNEID, &v, 1);
    wrong_type["count"] = json!("two");
    let mut missing = p.event(VNEID, &v, 1);
    missing.as_object_mut().unwrap().remove("village_id");
    let mut unknown_field = p.event(VNEID, &v, 1);
    unknown_field["volunteer_mood"] = json!("happy");
    let mut negative_seq = p.event(VNEID, &v, 1);
    negative_seq["seq"] = json!(-4);
    let mut bad_id = p.event(VNEID, &v, 1);
    bad_id["event_id"] = json!("not-a-uuid");
    let mut fractional_offset = p.event(VNEID, &v, 1);
    fractional_offset["clock_offset_ms"] = json!(1.5);
    let valid_last = p.event(VNEID, &v, 4);
    let items = [
        valid_first,
        wrong_type.clone(),
        missing.clone(),
        unknown_field.clone(),
        json!(42),
        negative_seq.clone(),
        bad_id,
        fractional_offset.clone(),
        valid_last,
    ];

    let r = s
        .push_batch(&p.access_token, &batch(&items, &now_vn()))
        .expect(200);

    assert_eq!(r.results().len(), items.len());
    assert_eq!(
        (
            result(&r, 0)["status"].as_str(),
            result(&r, 8)["status"].as_str()
        ),
        (Some("accepted"), Some("accepted"))
    );
    assert_malformed(&r, 1, Some(&wrong_type));
    assert_malformed(&r, 2, Some(&missing));
    assert_malformed(&r, 3, Some(&unknown_field));
    assert_malformed(&r, 4, None);
    assert_malformed(&r, 5, Some(&negative_seq));
    assert!(
        result(&r, 5).get("seq").is_none(),
        "a seq of -4 cannot be read"
    );
    assert_malformed(&r, 6, None);
    assert_eq!(
        result(&r, 6)["seq"],
        6,
        "the seq is given back when it can be read"
    );
    assert_malformed(&r, 7, Some(&fractional_offset));
    // Seqs 1-4, 7 and 8 are processed; 5 was sent as -4 and 6 without a readable event_id.
    assert_eq!(r.acked_through_seq(), 4);
    assert_eq!(total(&s, &p, &v), 5);
    s.assert_tallies_verify();
}

#[test]
fn only_a_body_that_is_not_a_batch_fails_whole() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let e = p.event(VNEID, &v, 1);
    let id = Uuid::now_v7();
    let clock = now_vn();
    let bodies = [
        json!([e]),
        json!({"batch_id": id, "device_clock": clock, "events": e}),
        json!({"batch_id": id, "device_clock": clock}),
        json!({"batch_id": "batch-1", "device_clock": clock, "events": [e]}),
        json!({"batch_id": id, "device_clock": clock, "events": [e], "mood": "happy"}),
    ];

    for body in &bodies {
        s.push_batch(&p.access_token, body)
            .expect_error(400, "invalid_json");
    }
    s.push_raw(&p.access_token, r#"{"batch_id": "#)
        .expect_error(400, "invalid_json");
    let bad_clock = json!({"batch_id": id, "device_clock": "now", "events": [e]});
    s.push_batch(&p.access_token, &bad_clock)
        .expect_error(400, "invalid_device_clock");
    let too_many: Vec<Value> = (0..501).map(|_| json!(0)).collect();
    s.push_batch(&p.access_token, &batch(&too_many, &clock))
        .expect_error(413, "batch_too_large");

    let pulled = s.pull(&p.access_token, None, Some(1)).expect(200);
    assert_eq!(
        pulled.acked_through_seq(),
        0,
        "nothing of a refused body is stored"
    );
}

fn stored_rejections(s: &Server) -> Vec<(String, String, String)> {
    let c = Connection::open(&s.db).unwrap();
    let mut stmt = c
        .prepare("SELECT code, message, payload FROM rejections ORDER BY seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn echoed_input_is_cut_in_answers_and_bounded_in_stored_rejections() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    // 900 KB of text, alone in a batch (the limit is 1 MiB).
    let huge = "ả".repeat(300_000);
    let kind = p.event(&huge, &v, 1);
    let village = p.event(VNEID, &huge, 1);
    let mut note = p.event(VNEID, &v, 1);
    note["note"] = json!(huge);
    let mut count = p.event(VNEID, &v, 1);
    count["count"] = json!(huge);

    let answers: Vec<Resp> = [kind, village, note, count]
        .into_iter()
        .map(|e| {
            s.push_batch(&p.access_token, &batch(&[e], &now_vn()))
                .expect(200)
        })
        .collect();

    let codes: Vec<&str> = answers
        .iter()
        .map(|r| r.results()[0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "unknown_kind",
            "unknown_village",
            "note_too_long",
            "malformed_event"
        ]
    );
    for r in &answers {
        let message = r.results()[0]["message"].as_str().unwrap();
        let start: String = message.chars().take(200).collect();
        assert!(message.chars().count() <= MESSAGE_BOUND, "{start}…");
    }
    assert!(
        answers[0].results()[0]["message"]
            .as_str()
            .unwrap()
            .contains("ảảả…")
    );
    let stored = stored_rejections(&s);
    assert_eq!(stored.len(), 4);
    for (code, message, payload) in &stored {
        assert!(message.chars().count() <= MESSAGE_BOUND, "{code}");
        assert!(
            payload.chars().count() <= 5_000,
            "{code}: {} chars",
            payload.chars().count()
        );
    }
    assert_eq!(answers[3].acked_through_seq(), 4);
}
