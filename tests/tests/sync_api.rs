//! Push and tallies, end to end: the real `langso` binary over loopback HTTP — accepting,
//! replaying, conflicting, rejections and the acknowledged high-water mark (corrections and
//! clocks: sync_corrections.rs; pull: sync_pull.rs; limits: sync_limits.rs).

use chrono::{Duration, Utc};
use langso_domain::event::ALL_CODES;
use langso_tests::harness::{Phone, Resp, Server, batch, now_vn, vn_rfc3339};
use langso_tests::sync_api::{MAP, OTHER_TEAM, SIGNATURE, TEAM, VNEID, total};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

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
