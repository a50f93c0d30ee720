//! Push, pull and tallies, end to end: the real `langso` binary over loopback HTTP.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use langso_domain::event::ALL_CODES;
use langso_domain::kinds::default_catalogue;
use langso_domain::time::vn_day;
use langso_tests::harness::{Phone, Resp, Server, batch, now_vn, today_vn, vn_rfc3339};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const VNEID: &str = "vneid_activation";
const SIGNATURE: &str = "digital_signature";
/// A commune team: it covers every village of its commune.
// Today's map, without the demo's history so every tally counts from zero.
const MAP: &str = "quang-ninh-2025";
const TEAM: &str = "T01454"; // commune team of Phường Cao Xanh (06658): 13 villages
const OTHER_TEAM: &str = "T01453"; // commune team of Phường Hà Tu (06652)

fn total(totals: &BTreeMap<String, i64>, kind: &str) -> i64 {
    totals.get(kind).copied().unwrap_or(0)
}

fn server_time(r: &Resp) -> DateTime<Utc> {
    let s = r.body["server_time"].as_str().expect("server_time");
    DateTime::parse_from_rfc3339(s).expect("RFC 3339").to_utc()
}

// ---- accepting, replaying, conflicting ----

#[test]
fn accepted_events_are_counted_in_village_and_commune_tallies() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let (v1, v2) = (p.villages[0].clone(), p.villages[1].clone());
    let events = [
        p.event(VNEID, &v1, 2),
        p.event(VNEID, &v2, 3),
        p.event(SIGNATURE, &v1, 1),
    ];

    let r = s.push(&p, &events).expect(200);

    assert_eq!(r.statuses(), ["accepted"; 3]);
    assert_eq!(r.acked_through_seq(), 3);
    let village = s.totals(&p, "village", &v1);
    assert_eq!((total(&village, VNEID), total(&village, SIGNATURE)), (2, 1));
    let commune = s.totals(&p, "commune", &s.commune_of(TEAM));
    assert_eq!((total(&commune, VNEID), total(&commune, SIGNATURE)), (5, 1));
    s.assert_tallies_verify();
}

#[test]
fn replayed_batch_is_reported_duplicate_and_counted_once() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let b = batch(&[p.event(VNEID, &v, 2), p.event(VNEID, &v, 5)], &now_vn());
    s.push_batch(&p.access_token, &b).expect(200);

    let replay = s.push_batch(&p.access_token, &b).expect(200);

    assert_eq!(replay.statuses(), ["duplicate"; 2]);
    assert_eq!(replay.acked_through_seq(), 2);
    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 7);
    s.assert_tallies_verify();
}

#[test]
fn same_event_id_with_different_content_is_a_conflict_and_the_stored_event_is_unchanged() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let original = p.event(VNEID, &v, 2);
    s.push(&p, std::slice::from_ref(&original)).expect(200);
    let mut changed = original.clone();
    changed["count"] = json!(9);

    let r = s.push(&p, &[changed]).expect(200);

    assert_eq!(r.statuses(), ["conflict"]);
    assert_eq!(r.results()[0]["code"], "event_id_conflict");
    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 2);
    let again = s.push(&p, &[original]).expect(200);
    assert_eq!(
        again.statuses(),
        ["duplicate"],
        "the original is still what is stored"
    );
    s.assert_tallies_verify();
}

#[test]
fn accepted_events_survive_a_server_kill_and_restart() {
    let mut s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let b = batch(&[p.event(VNEID, &v, 4)], &now_vn());
    s.push_batch(&p.access_token, &b).expect(200);

    s.restart();

    assert_eq!(
        s.push_batch(&p.access_token, &b).expect(200).statuses(),
        ["duplicate"]
    );
    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 4);
    s.assert_tallies_verify();
}

#[test]
fn concurrent_pushes_and_replays_from_many_phones_are_each_counted_once() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut phones: Vec<Phone> = (0..6).map(|_| s.enroll(TEAM)).collect();
    let batches: Vec<Value> = phones
        .iter_mut()
        .map(|p| {
            let villages = p.villages.clone();
            let events: Vec<Value> = (0..40)
                .map(|i| p.event(VNEID, &villages[i % villages.len()], 1 + (i as i64 % 3)))
                .collect();
            batch(&events, &now_vn())
        })
        .collect();
    let expected: i64 = batches
        .iter()
        .flat_map(|b| b["events"].as_array().expect("events").clone())
        .map(|e| e["count"].as_i64().expect("count"))
        .sum();

    let answers: Vec<(Resp, Resp)> = std::thread::scope(|scope| {
        let handles: Vec<_> = phones
            .iter()
            .zip(&batches)
            .map(|(p, b)| {
                let s = &s;
                scope.spawn(move || {
                    (
                        s.push_batch(&p.access_token, b),
                        s.push_batch(&p.access_token, b),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("push thread"))
            .collect()
    });

    for (first, replay) in answers {
        assert_eq!(first.expect(200).statuses(), ["accepted"; 40]);
        assert_eq!(replay.expect(200).statuses(), ["duplicate"; 40]);
    }
    let commune = s.totals(&phones[0], "commune", &s.commune_of(TEAM));
    assert_eq!(total(&commune, VNEID), expected);
    s.assert_tallies_verify();
}

// ---- rejections and the acknowledged high-water mark ----

#[test]
fn every_rejection_code_is_reported_per_event_and_valid_events_in_the_batch_are_still_accepted() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let mut other = s.enroll(OTHER_TEAM);
    let v = p.village().to_owned();
    let other_village = other.village().to_owned();
    let foreign = other.event(VNEID, &other_village, 1);
    s.push(&other, std::slice::from_ref(&foreign)).expect(200);
    let first = p.event(VNEID, &v, 5);
    let fix = p.correction(&first, 4);
    s.push(&p, &[first.clone(), fix]).expect(200);

    let valid_before = p.event(SIGNATURE, &v, 2);
    let mut rejected: Vec<(Value, &str)> = Vec::new();
    let mut reject = |e: Value, code| rejected.push((e, code));
    reject(p.event("no_such_kind", &v, 1), "unknown_kind");
    reject(p.event(VNEID, "V999999", 1), "unknown_village");
    reject(p.event(VNEID, other.village(), 1), "village_not_in_team");
    reject(p.event(VNEID, &v, 1001), "count_out_of_range");
    let mut e = p.event(VNEID, &v, 1);
    e["occurred_at"] = json!("yesterday afternoon");
    reject(e, "invalid_time");
    let mut e = p.event(VNEID, &v, 1);
    e["occurred_at"] = json!(vn_rfc3339(Utc::now() + Duration::hours(1)));
    reject(e, "time_in_future");
    let mut e = p.event(VNEID, &v, 1);
    e["occurred_at"] = json!(vn_rfc3339(Utc::now() - Duration::days(401)));
    reject(e, "time_too_old");
    let mut e = p.event(VNEID, &v, 1);
    e["note"] = json!("ả".repeat(501));
    reject(e, "note_too_long");
    reject(Phone::event_at_seq(0, VNEID, &v, 1), "invalid_seq");
    reject(Phone::event_at_seq(1, VNEID, &v, 1), "seq_already_used");
    let mut e = p.event(VNEID, &v, 1);
    e["corrects"] = json!(Uuid::now_v7());
    reject(e, "unknown_correction_target");
    let mut e = p.event(VNEID, &v, 1);
    e["corrects"] = foreign["event_id"].clone();
    reject(e, "foreign_correction_target");
    reject(p.correction(&first, 3), "correction_target_superseded");
    let mut e = p.event(VNEID, &v, 1);
    e["count"] = json!("one");
    reject(e, "malformed_event");
    let valid_after = p.event(SIGNATURE, &v, 3);
    let mut events = vec![valid_before.clone()];
    events.extend(rejected.iter().map(|(e, _)| e.clone()));
    events.push(valid_after.clone());

    let r = s.push(&p, &events).expect(200);

    for (e, code) in &rejected {
        let res = r.result_for(e);
        assert_eq!(
            (res["status"].as_str(), res["code"].as_str()),
            (Some("rejected"), Some(*code)),
            "{res}"
        );
        assert!(
            !res["message"].as_str().unwrap_or_default().is_empty(),
            "{res}"
        );
    }
    let codes: BTreeSet<&str> = rejected.iter().map(|(_, c)| *c).collect();
    assert_eq!(codes, ALL_CODES.iter().map(|c| c.as_str()).collect());
    assert_eq!(r.result_for(&valid_before)["status"], "accepted");
    assert_eq!(r.result_for(&valid_after)["status"], "accepted");
    assert_eq!(
        r.acked_through_seq(),
        p.next_seq as i64 - 1,
        "rejected seqs count as processed"
    );
    let t = s.totals(&p, "village", &v);
    assert_eq!((total(&t, VNEID), total(&t, SIGNATURE)), (4, 5));
    s.assert_tallies_verify();
}

#[test]
fn acked_through_seq_is_held_back_by_a_gap_until_the_gap_is_filled() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let (e1, e2, e3, e4) = (
        p.event(VNEID, &v, 1),
        p.event(VNEID, &v, 1),
        p.event(VNEID, &v, 1),
        p.event(VNEID, &v, 1),
    );

    let with_gap = s.push(&p, &[e1, e2, e4]).expect(200);
    let filled = s.push(&p, &[e3]).expect(200);

    assert_eq!(with_gap.statuses(), ["accepted"; 3]);
    assert_eq!(with_gap.acked_through_seq(), 2);
    assert_eq!(filled.acked_through_seq(), 4);
    s.assert_tallies_verify();
}

#[test]
fn a_rejected_events_seq_counts_as_processed_and_cannot_be_reused() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let events = [
        p.event(VNEID, &v, 1),
        p.event("no_such_kind", &v, 1),
        p.event(VNEID, &v, 1),
    ];

    let r = s.push(&p, &events).expect(200);
    let reuse = s
        .push(&p, &[Phone::event_at_seq(2, VNEID, &v, 1)])
        .expect(200);

    assert_eq!(r.statuses(), ["accepted", "rejected", "accepted"]);
    assert_eq!(r.acked_through_seq(), 3);
    assert_eq!(reuse.results()[0]["code"], "seq_already_used");
    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 2);
    s.assert_tallies_verify();
}

// ---- corrections ----

/// Pushes `first`, then each correction in its own batch; every event must be accepted.
fn push_chain(s: &Server, p: &Phone, events: &[Value]) {
    for e in events {
        let r = s.push(p, std::slice::from_ref(e)).expect(200);
        assert_eq!(r.statuses(), ["accepted"], "{}", r.body);
    }
}

#[test]
fn a_correction_adjusts_tallies_by_the_difference() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let other = p.event(VNEID, &v, 10);
    let first = p.event(VNEID, &v, 5);
    let fix = p.correction(&first, 3);

    push_chain(&s, &p, &[other, first, fix]);

    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 13);
    s.assert_tallies_verify();
}

#[test]
fn a_correction_to_zero_voids_the_event() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let first = p.event(VNEID, &v, 5);
    let void = p.correction(&first, 0);

    push_chain(&s, &p, &[first, void]);

    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 0);
    s.assert_tallies_verify();
}

#[test]
fn a_correction_of_a_correction_replaces_it() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let first = p.event(VNEID, &v, 5);
    let fix = p.correction(&first, 3);
    let fix_again = p.correction(&fix, 7);

    push_chain(&s, &p, &[first, fix, fix_again]);

    assert_eq!(total(&s.totals(&p, "village", &v), VNEID), 7);
    s.assert_tallies_verify();
}

#[test]
fn a_correction_can_move_an_event_to_another_village_of_the_team() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let (v1, v2) = (p.villages[0].clone(), p.villages[1].clone());
    let first = p.event(VNEID, &v1, 4);
    let mut moved = p.correction(&first, 4);
    moved["village_id"] = json!(v2);

    push_chain(&s, &p, &[first, moved]);

    assert_eq!(total(&s.totals(&p, "village", &v1), VNEID), 0);
    assert_eq!(total(&s.totals(&p, "village", &v2), VNEID), 4);
    assert_eq!(
        total(&s.totals(&p, "commune", &s.commune_of(TEAM)), VNEID),
        4
    );
    s.assert_tallies_verify();
}

// ---- clocks ----

#[test]
fn a_phone_clock_a_day_behind_is_corrected_and_tallied_on_the_real_day() {
    let s = Server::start_quiet_demo_on(MAP);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let phone_now = Utc::now() - Duration::days(1);
    let mut e = p.event(VNEID, &v, 2);
    e["occurred_at"] = json!(vn_rfc3339(phone_now - Duration::hours(1)));

    let r = s
        .push_with_clock(&p, &[e], &vn_rfc3339(phone_now))
        .expect(200);

    assert_eq!(r.statuses(), ["accepted"]);
    assert_eq!(r.results()[0]["clock_corrected"], true);
    let real_day = vn_day(server_time(&r) - Duration::hours(1));
    let today = today_vn();
    let report = s
        .tallies(
            &p.access_token,
            &format!(
                "level=village&unit={v}&from={}&to={}",
                today - Duration::days(3),
                today + Duration::days(1)
            ),
        )
        .expect(200);
    let days: Vec<NaiveDate> = report.body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["day"].as_str().expect("day").parse().expect("a date"))
        .collect();
    assert_eq!(
        days,
        [real_day],
        "tallied on the corrected day, not the phone's day"
    );
    s.assert_tallies_verify();
}

// ---- pull ----

/// Pulls pages of `limit` from `cursor` until `has_more` is false; returns every change and
/// the final cursor.
fn pull_all(
    s: &Server,
    p: &Phone,
    cursor: Option<&str>,
    limit: usize,
) -> (Vec<Value>, String, usize) {
    let (mut changes, mut cursor, mut pages) = (Vec::new(), cursor.map(str::to_owned), 0);
    loop {
        let r = s
            .pull(&p.access_token, cursor.as_deref(), Some(limit))
            .expect(200);
        let page = r.body["changes"].as_array().expect("changes").clone();
        assert!(page.len() <= limit, "a page holds at most limit changes");
        assert_eq!(r.body["reset"], false);
        changes.extend(page);
        pages += 1;
        cursor = Some(
            r.body["next_cursor"]
                .as_str()
                .expect("next_cursor")
                .to_owned(),
        );
        if r.body["has_more"] == false {
            return (changes, cursor.expect("a cursor"), pages);
        }
        assert!(pages < 100, "pull never ends");
    }
}

fn ids_of<'a>(changes: &'a [Value], entity: &str) -> Vec<&'a str> {
    changes
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn first_pull_pages_through_kinds_team_and_villages_exactly_once() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);

    let (changes, _, pages) = pull_all(&s, &p, None, 3);

    assert!(pages > 3, "a small limit needs several pages");
    let mut kinds = ids_of(&changes, "kind");
    kinds.sort_unstable();
    let mut catalogue: Vec<String> = default_catalogue().into_iter().map(|k| k.code).collect();
    catalogue.sort_unstable();
    assert_eq!(kinds, catalogue);
    assert_eq!(ids_of(&changes, "team"), [TEAM]);
    assert_eq!(ids_of(&changes, "village"), p.villages);
    assert_eq!(
        changes.len(),
        catalogue.len() + 1 + p.villages.len(),
        "nothing else, nothing twice"
    );
    assert!(changes.iter().all(|c| c["op"] == "upsert"));
    for v in changes.iter().filter(|c| c["entity"] == "village") {
        let d = &v["data"];
        assert_eq!(d["commune_code"], json!(s.commune_of(TEAM)));
        assert!(
            !d["commune_name"].as_str().unwrap_or_default().is_empty(),
            "{d}"
        );
        // Today's map has no districts: the commune's parent is the province.
        assert_eq!(d["district_name"], Value::Null, "{d}");
        assert_eq!(d["district_code"], "22", "{d}");
    }
}

#[test]
fn incremental_pull_delivers_team_village_changes_made_by_the_cli() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);
    let (_, cursor, _) = pull_all(&s, &p, None, 50);
    let dropped = p.villages.last().expect("a village").clone();
    let added = s.team(OTHER_TEAM)["village_ids"][0]
        .as_str()
        .expect("village")
        .to_owned();
    let mut new_set: Vec<&str> = p
        .villages
        .iter()
        .map(String::as_str)
        .filter(|v| *v != dropped)
        .collect();
    new_set.push(&added);
    let mut args = vec!["team-villages", "--team", TEAM];
    args.extend(&new_set);
    s.cli_ok(&args);

    let (changes, _, _) = pull_all(&s, &p, Some(&cursor), 50);

    let summary: BTreeSet<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["entity"].to_string(),
                c["op"].to_string(),
                c["id"].to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        ("village", "delete", dropped.as_str()),
        ("village", "upsert", added.as_str()),
        ("team", "upsert", TEAM),
    ]
    .iter()
    .map(|(e, o, i)| {
        (
            json!(e).to_string(),
            json!(o).to_string(),
            json!(i).to_string(),
        )
    })
    .collect();
    assert_eq!(summary, expected);
    assert_eq!(changes.len(), 3);
    let team = changes
        .iter()
        .find(|c| c["entity"] == "team")
        .expect("team change");
    let mut want: Vec<&str> = new_set.clone();
    want.sort_unstable();
    assert_eq!(team["data"]["village_ids"], json!(want));
}

#[test]
fn a_garbage_cursor_is_refused_with_400() {
    let s = Server::start_quiet_demo_on(MAP);
    let p = s.enroll(TEAM);

    let r = s.pull(&p.access_token, Some("not-a-cursor"), None);

    let r = r.expect(400);
    assert!(!r.code().is_empty(), "{}", r.body);
}

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
