//! The contract says one thing in one place (issue 7, item 10): what docs/sync-protocol.md
//! and api-spec/openapi.yaml promise about pushes and paths, proven through the real binary.

use chrono::{Duration, Utc};
use langso_tests::harness::{Phone, Server, batch, now_vn, vn_rfc3339};
use langso_tests::spec::documented_operations;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;

const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A village team of the demo and a village of its commune that it does not cover.
fn team_and_foreign_village(s: &Server) -> (String, String) {
    let teams = s.teams();
    let team = teams
        .iter()
        .find(|t| t["level"] == "village")
        .expect("a village team");
    let own: Vec<&Value> = team["village_ids"].as_array().unwrap().iter().collect();
    let other = teams
        .iter()
        .filter(|t| t["commune_code"] == team["commune_code"])
        .flat_map(|t| t["village_ids"].as_array().unwrap().iter())
        .find(|v| !own.contains(v))
        .expect("a village of the commune outside the team");
    let id = |v: &Value| v.as_str().unwrap().to_owned();
    (id(&team["id"]), id(other))
}

fn vneid_total(s: &Server, phone: &Phone, village: &str) -> i64 {
    s.totals(phone, "village", village)
        .get("vneid_activation")
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_rejection_is_final_for_the_phone_and_the_same_event_pushed_again_is_judged_anew() {
    let s = Server::start_demo();
    let (team, village) = team_and_foreign_village(&s);
    let mut phone = s.enroll(&team);
    // Happening in two minutes (plausible: up to 10 minutes ahead), in a village the team
    // does not cover yet.
    let mut e = phone.event("vneid_activation", &village, 3);
    e["occurred_at"] = vn_rfc3339(Utc::now() + Duration::minutes(2)).into();

    let first = s.push(&phone, std::slice::from_ref(&e)).expect(200);
    assert_eq!(first.result_for(&e)["code"], "village_not_in_team");
    assert_eq!(first.acked_through_seq(), 1, "final: its seq is processed");

    let again = s.push(&phone, std::slice::from_ref(&e)).expect(200);
    assert_eq!(again.result_for(&e)["status"], "rejected", "{}", again.body);
    assert_eq!(again.result_for(&e)["code"], "village_not_in_team");

    // The operator adds the village to the team: the same event_id and seq, pushed
    // again, is judged anew and accepted.
    let mut villages: Vec<String> = s.team(&team)["village_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    villages.push(village.clone());
    let mut args = vec!["team-villages", "--team", team.as_str()];
    args.extend(villages.iter().map(String::as_str));
    s.cli_ok(&args);

    let judged = s.push(&phone, std::slice::from_ref(&e)).expect(200);
    assert_eq!(
        judged.result_for(&e)["status"],
        "accepted",
        "{}",
        judged.body
    );
    assert_eq!(judged.acked_through_seq(), 1);
    assert_eq!(vneid_total(&s, &phone, &village), 3);
    s.assert_tallies_verify();
}

#[test]
fn seqs_are_javascript_safe_integers_and_a_larger_one_is_rejected_alone() {
    let s = Server::start_demo();
    let team = s.teams()[0]["id"].as_str().unwrap().to_owned();
    let phone = s.enroll(&team);
    let v = phone.village().to_owned();
    let last_safe = Phone::event_at_seq(MAX_SAFE_INTEGER, "vneid_activation", &v, 1);
    let beyond = Phone::event_at_seq(MAX_SAFE_INTEGER + 1, "vneid_activation", &v, 1);
    let huge = Phone::event_at_seq(u64::MAX, "vneid_activation", &v, 1);
    // 1.0 and 2.0: whole numbers written as floats are the integers 1 and 2.
    let mut whole_floats = Phone::event_at_seq(1, "vneid_activation", &v, 2);
    whole_floats["seq"] = json!(1.0);
    whole_floats["count"] = json!(2.0);

    let r = s
        .push(
            &phone,
            &[last_safe, beyond.clone(), huge.clone(), whole_floats],
        )
        .expect(200);
    assert_eq!(
        r.statuses(),
        ["accepted", "rejected", "rejected", "accepted"],
        "{}",
        r.body
    );
    for e in [&beyond, &huge] {
        assert_eq!(r.result_for(e)["code"], "invalid_seq", "{}", r.body);
    }
    assert_eq!(r.acked_through_seq(), 1, "seq 1 (sent as 1.0) is processed");
    assert_eq!(vneid_total(&s, &phone, &v), 3);
}

#[test]
fn a_note_counts_500_code_points_after_nfc_not_utf16_units() {
    let s = Server::start_demo();
    let team = s.teams()[0]["id"].as_str().unwrap().to_owned();
    let mut phone = s.enroll(&team);
    let v = phone.village().to_owned();
    let with_note = |phone: &mut Phone, note: String| {
        let mut e = phone.event("vneid_activation", &v, 1);
        e["note"] = note.into();
        e
    };
    // 500 emoji: 500 code points, 1,000 UTF-16 units, 2,000 bytes of UTF-8.
    let emoji = with_note(&mut phone, "😀".repeat(500));
    let over = with_note(&mut phone, "😀".repeat(501));
    // 1,000 code points as sent, decomposed: 500 "á" after NFC.
    let decomposed = with_note(&mut phone, "a\u{301}".repeat(500));

    let r = s
        .push(&phone, &[emoji, over.clone(), decomposed])
        .expect(200);
    assert_eq!(
        r.statuses(),
        ["accepted", "rejected", "accepted"],
        "{}",
        r.body
    );
    assert_eq!(r.result_for(&over)["code"], "note_too_long");
}

#[test]
fn a_push_without_device_clock_is_refused_whole_and_stores_nothing() {
    let s = Server::start_demo();
    let team = s.teams()[0]["id"].as_str().unwrap().to_owned();
    let mut phone = s.enroll(&team);
    let v = phone.village().to_owned();
    let e = phone.event("vneid_activation", &v, 1);
    let mut body = batch(std::slice::from_ref(&e), &now_vn());
    body.as_object_mut().unwrap().remove("device_clock");

    s.push_batch(&phone.access_token, &body)
        .expect_error(400, "invalid_json");
    let r = s.push(&phone, std::slice::from_ref(&e)).expect(200);
    assert_eq!(r.statuses(), ["accepted"], "nothing was stored before");
}

#[test]
fn an_event_carried_to_a_new_enrollment_is_a_settled_duplicate_and_other_content_a_conflict() {
    let s = Server::start_demo();
    let teams = s.teams();
    let team = teams[0]["id"].as_str().unwrap().to_owned();
    let other_team = teams[1]["id"].as_str().unwrap().to_owned();
    let mut old = s.enroll(&team);
    let v = old.village().to_owned();
    let e = old.event("vneid_activation", &v, 4);
    s.push(&old, std::slice::from_ref(&e)).expect(200);

    // The phone is enrolled again (a new device of the same team) and carries the event
    // over with a new seq, its answer having been lost before.
    let mut new = s.enroll(&team);
    let mut carried = e.clone();
    carried["seq"] = json!(new.next_seq);
    new.next_seq += 1;
    let r = s.push(&new, std::slice::from_ref(&carried)).expect(200);
    let result = r.result_for(&carried);
    assert_eq!(result["status"], "duplicate", "{}", r.body);
    assert_eq!(result["code"], "stored_under_previous_enrollment");
    assert_eq!(r.acked_through_seq(), 1, "its seq is processed");
    // Sent again (a lost answer): the same settled answer.
    let r = s.push(&new, std::slice::from_ref(&carried)).expect(200);
    assert_eq!(
        r.result_for(&carried)["code"],
        "stored_under_previous_enrollment"
    );
    assert_eq!(vneid_total(&s, &old, &v), 4, "counted once");

    // The same id with other content is a real conflict, on any device.
    let mut changed = carried.clone();
    changed["count"] = json!(5);
    changed["seq"] = json!(new.next_seq);
    let r = s.push(&new, std::slice::from_ref(&changed)).expect(200);
    assert_eq!(r.result_for(&changed)["code"], "event_id_conflict");
    // Re-enrolled into another team, the phone carries the event too: settled the same way.
    let moved = s.enroll(&other_team);
    let r = s.push(&moved, std::slice::from_ref(&e)).expect(200);
    assert_eq!(r.result_for(&e)["status"], "duplicate", "{}", r.body);
    assert_eq!(r.result_for(&e)["code"], "stored_under_previous_enrollment");
    assert_eq!(vneid_total(&s, &old, &v), 4);
    s.assert_tallies_verify();
}

/// One raw HTTP/1.1 exchange: status, headers (lower-case names) and body.
fn raw(s: &Server, method: &str, path: &str) -> (u16, BTreeMap<String, String>, String) {
    let addr = s.url.trim_start_matches("http://");
    let mut conn = TcpStream::connect(addr).expect("connect to the server");
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .expect("send the request");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read the answer");
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("0");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status.parse().unwrap_or(0), headers, body.to_owned())
}

#[test]
fn a_known_path_called_with_another_method_answers_405_with_allow() {
    let s = Server::start_demo();
    let mut paths: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (method, template) in documented_operations() {
        paths.entry(template).or_default().push(method);
    }
    for (template, methods) in &paths {
        let path = template
            .replace("{team_id}", "T00001")
            .replace("{device_id}", "0193a1b2-0000-7000-8000-000000000001");
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"] {
            if methods.iter().any(|m| m == method) {
                continue;
            }
            let (status, headers, body) = raw(&s, method, &path);
            assert_eq!(status, 405, "{method} {path}: {body}");
            assert_eq!(headers["allow"], methods.join(", "), "{method} {path}");
            let body: Value = serde_json::from_str(&body).expect("a JSON error body");
            assert_eq!(body["code"], "method_not_allowed", "{method} {path}");
        }
    }
    let (status, _, body) = raw(&s, "DELETE", "/v1/no-such-path");
    assert_eq!(status, 404, "{body}");
}

#[test]
fn load_balancers_may_probe_health_and_readiness_with_head() {
    let s = Server::start_demo();
    for path in ["/healthz", "/readyz"] {
        let (status, _, body) = raw(&s, "HEAD", path);
        assert_eq!(status, 200, "HEAD {path}");
        assert!(body.is_empty(), "HEAD {path} has no body: {body}");
    }
}

fn backup(s: &Server) -> std::path::PathBuf {
    let out = s.db.with_file_name("backup.db");
    s.cli_ok(&["backup", "--out", out.to_str().unwrap()]);
    out
}

/// Puts `backup` in place with `langso restore` (a new generation) or by hand (the
/// backup's generation).
fn put_back(s: &mut Server, backup: &std::path::Path, by_hand: bool) {
    s.kill();
    if by_hand {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", s.db.display()));
        }
        std::fs::copy(backup, &s.db).unwrap();
    } else {
        s.cli_ok(&["restore", "--from", backup.to_str().unwrap()]);
    }
    s.restart();
}

/// A push of `events` saying what the phone last saw.
fn push_knowing(s: &Server, phone: &Phone, events: &[Value], seen: &Value) -> Value {
    let mut body = batch(events, &now_vn());
    if let Some(g) = seen.get("generation") {
        body["generation"] = g.clone();
        body["acked_through_seq"] = seen["acked_through_seq"].clone();
    }
    s.push_batch(&phone.access_token, &body).expect(200).body
}

#[test]
fn a_push_answer_says_reset_when_the_database_was_replaced_by_an_older_copy() {
    for by_hand in [false, true] {
        let mut s = Server::start_demo();
        let team = s.teams()[0]["id"].as_str().unwrap().to_owned();
        let mut phone = s.enroll(&team);
        let v = phone.village().to_owned();
        let first = phone.event("vneid_activation", &v, 1);
        let seen = push_knowing(&s, &phone, &[first], &json!({}));
        assert_eq!(seen["reset"], false);
        let backup = backup(&s);
        let second = phone.event("vneid_activation", &v, 1);
        let seen = push_knowing(&s, &phone, &[second], &seen);
        assert_eq!(
            (seen["reset"].clone(), seen["acked_through_seq"].clone()),
            (json!(false), json!(2))
        );

        put_back(&mut s, &backup, by_hand);
        let pair = s.refresh(&phone.refresh_token).expect(200);
        phone.access_token = pair.body["access_token"].as_str().unwrap().to_owned();
        let third = phone.event("vneid_activation", &v, 1);
        let answer = push_knowing(&s, &phone, std::slice::from_ref(&third), &seen);
        assert_eq!(answer["reset"], true, "by hand: {by_hand}: {answer}");
        // Told nothing, the server cannot tell: the phone compares for itself.
        let answer = push_knowing(&s, &phone, &[third], &json!({}));
        assert_eq!(answer["reset"], false);
    }
}
