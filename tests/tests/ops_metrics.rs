//! `GET /metrics` (issue 9, operations): the real binary's metrics after pushes, pulls and
//! logins pass `promtool check metrics`, move as they should, and are not for everyone.

use langso_tests::harness::ops::{promtool_check, sample};
use langso_tests::harness::{LEADER_PASSWORD, Server};
use serde_json::json;

const TEAM: &str = "T00001";

#[test]
fn the_metrics_pass_promtool_and_count_pushes_pulls_and_logins() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let before = s.metrics();
    promtool_check(&before);
    assert_eq!(sample(&before, "langso_devices_active_today", &[]), 0.0);
    assert_eq!(sample(&before, "langso_writer_queue_depth", &[]), 0.0);
    assert!(sample(&before, "langso_db_bytes", &[]) > 0.0, "{before}");

    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let (a, b) = (
        p.event("vneid_activation", &v, 1),
        p.event("vneid_activation", &v, 2),
    );
    s.push(&p, &[a.clone(), b]).expect(200);
    let malformed = json!(["not", "an", "event"]);
    let r = s.push(&p, &[a, malformed]).expect(200);
    assert_eq!(r.statuses(), ["duplicate", "rejected"], "{}", r.body);
    s.push_raw(&p.access_token, "{")
        .expect_error(400, "invalid_json");
    s.pull(&p.access_token, None, None).expect(200);
    s.pull(&p.access_token, None, None).expect(200);
    let user = s.new_leader("province_admin", &s.scope_for("province_admin", TEAM));
    s.login(&user, LEADER_PASSWORD).expect(200);
    s.login(&user, "not the password")
        .expect_error(401, "invalid_credentials");

    let after = s.metrics();
    promtool_check(&after);
    let moved = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };
    let events = "langso_push_events_total";
    assert_eq!(
        moved(events, &[("result", "accepted"), ("code", "")]),
        2.0,
        "{after}"
    );
    assert_eq!(moved(events, &[("result", "duplicate")]), 1.0, "{after}");
    let rejected = [("result", "rejected"), ("code", "malformed_event")];
    assert_eq!(moved(events, &rejected), 1.0, "{after}");
    assert_eq!(moved("langso_pushes_total", &[("result", "stored")]), 2.0);
    assert_eq!(moved("langso_pushes_total", &[("result", "refused")]), 1.0);
    assert_eq!(moved("langso_pull_pages_total", &[]), 2.0);
    assert_eq!(moved("langso_logins_total", &[("result", "ok")]), 1.0);
    let failed = [("result", "invalid_credentials")];
    assert_eq!(moved("langso_logins_total", &failed), 1.0);
    // Each push was its own group here: two groups, four items, timed.
    assert_eq!(moved("langso_group_pushes_count", &[]), 2.0, "{after}");
    assert_eq!(moved("langso_group_items_sum", &[]), 4.0, "{after}");
    assert_eq!(moved("langso_group_commit_seconds_count", &[]), 2.0);
    assert!(moved("langso_group_commit_seconds_sum", &[]) > 0.0);
    assert_eq!(sample(&after, "langso_devices_active_today", &[]), 1.0);
    assert!(sample(&after, "langso_wal_bytes", &[]) > 0.0, "{after}");
}

#[test]
fn only_the_machine_itself_or_the_token_reads_the_metrics() {
    let mut s = Server::start_quiet_demo_on("quang-ninh-2025");
    let proxied = [("x-forwarded-for", "203.0.113.7")];
    let r = s.send("GET", "/metrics", &proxied, None).resp;
    r.expect_error(403, "metrics_forbidden");

    let token = "a-metrics-token-of-32-characters";
    s.restart_with(&["--metrics-token", token]);
    let bearer = format!("Bearer {token}");
    let with = [
        ("x-forwarded-for", "203.0.113.7"),
        ("authorization", bearer.as_str()),
    ];
    let r = s.send("GET", "/metrics", &with, None).resp.expect(200);
    assert!(r.body.as_str().unwrap().contains("langso_pushes_total"));
    let wrong = [
        ("x-forwarded-for", "203.0.113.7"),
        ("authorization", "Bearer nope-nope-nope-nope"),
    ];
    let r = s.send("GET", "/metrics", &wrong, None).resp;
    r.expect_error(403, "metrics_forbidden");
}
