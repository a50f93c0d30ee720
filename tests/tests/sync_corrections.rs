//! Corrections and phone clocks, end to end: the real `langso` binary over loopback HTTP.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use langso_domain::time::vn_day;
use langso_tests::harness::{Phone, Resp, Server, today_vn, vn_rfc3339};
use langso_tests::sync_api::{MAP, TEAM, VNEID, total};
use serde_json::{Value, json};

fn server_time(r: &Resp) -> DateTime<Utc> {
    let s = r.body["server_time"].as_str().expect("server_time");
    DateTime::parse_from_rfc3339(s).expect("RFC 3339").to_utc()
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
