//! Enrollment, tokens, key rotation, revocation and what a device may read, end to end: the
//! real `langso` binary over loopback HTTP.

use chrono::{DateTime, Utc};
use langso_tests::harness::{Server, jwt_header, now_vn, today_vn};
use serde_json::Value;

const TEAM: &str = "T00001"; // village team of V000001, Phường Cao Xanh (06658) on today's map
const OTHER_TEAM: &str = "T00007"; // village team of V000007, Phường Hà Tu (06652)

fn time_field(body: &Value, key: &str) -> i64 {
    let s = body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"));
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .timestamp()
}

fn str_field<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
}

// ---- enrollment ----

#[test]
fn an_enrollment_code_works_once() {
    let s = Server::start_demo();
    let code = s.invite(TEAM);
    s.enroll_raw(&code, "first phone").expect(200);

    let second = s.enroll_raw(&code, "second phone");

    second.expect_error(401, "invalid_code");
}

#[test]
fn enrollment_returns_the_device_member_team_and_token_expiries() {
    let s = Server::start_demo();
    let code = s.invite(TEAM);
    let before = Utc::now().timestamp();

    let r = s.enroll_raw(&code, "Điện thoại của Lan").expect(200);

    let after = Utc::now().timestamp();
    let b = &r.body;
    assert!(
        uuid::Uuid::parse_str(str_field(b, "device_id")).is_ok(),
        "{b}"
    );
    let member = str_field(b, "member_id");
    assert!(member.len() == 7 && member.starts_with('M'), "{b}");
    assert_eq!(str_field(b, "team_id"), TEAM);
    let access = time_field(b, "access_expires_at");
    assert!(
        (before + 15 * 60 - 1..=after + 15 * 60).contains(&access),
        "access tokens live 15 minutes: {b}"
    );
    let refresh = time_field(b, "refresh_expires_at");
    let days_90 = 90 * 24 * 3600;
    assert!(
        (before + days_90 - 1..=after + days_90).contains(&refresh),
        "refresh tokens live 90 days: {b}"
    );
    s.pull(str_field(b, "access_token"), None, Some(1))
        .expect(200);
}

#[test]
fn an_oversized_enrollment_body_is_refused_with_an_api_error() {
    let s = Server::start_demo();
    let huge_code = "A".repeat(300 * 1024);

    let r = s.enroll_raw(&huge_code, "phone");

    assert!(matches!(r.status, 400 | 413), "{} {}", r.status, r.body);
    assert!(
        !r.code().is_empty() && !r.message().is_empty(),
        "not the API's error shape: {}",
        r.body
    );
}

// ---- refresh-token rotation ----

#[test]
fn refresh_gives_a_new_working_token_pair() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);

    let r = s.refresh(&p.refresh_token).expect(200);

    assert_ne!(str_field(&r.body, "refresh_token"), p.refresh_token);
    assert_eq!(str_field(&r.body, "device_id"), p.device_id);
    s.pull(str_field(&r.body, "access_token"), None, Some(1))
        .expect(200);
}

#[test]
fn a_refresh_retried_within_60_s_gets_the_same_new_pair() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let first = s.refresh(&p.refresh_token).expect(200);

    let retry = s.refresh(&p.refresh_token).expect(200);

    assert_eq!(retry.body["refresh_token"], first.body["refresh_token"]);
    assert_eq!(retry.body["access_token"], first.body["access_token"]);
    s.pull(str_field(&retry.body, "access_token"), None, Some(1))
        .expect(200);
}

#[test]
fn reusing_a_rotated_refresh_token_revokes_every_token_of_the_device() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let second = s.refresh(&p.refresh_token).expect(200);
    let third = s
        .refresh(str_field(&second.body, "refresh_token"))
        .expect(200);
    let current_access = str_field(&third.body, "access_token");
    s.pull(current_access, None, Some(1)).expect(200);

    let reuse = s.refresh(&p.refresh_token);

    reuse.expect_error(401, "refresh_token_reused");
    s.pull(current_access, None, Some(1))
        .expect_error(401, "token_revoked");
    let current_refresh = str_field(&third.body, "refresh_token");
    assert_eq!(s.refresh(current_refresh).status, 401);
}

// ---- signing keys ----

#[test]
fn rotating_the_signing_key_keeps_old_access_tokens_valid_and_issues_working_new_ones() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);

    s.cli_ok(&["rotate-key"]);

    s.pull(&p.access_token, None, Some(1)).expect(200);
    let r = s.refresh(&p.refresh_token).expect(200);
    s.pull(str_field(&r.body, "access_token"), None, Some(1))
        .expect(200);
}

#[test]
fn tokens_issued_after_rotate_key_are_signed_with_the_new_key() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let old_kid = jwt_header(&p.access_token)["kid"].clone();

    let out = s.cli(&["rotate-key"]);
    assert!(out.status.success());
    let r = s.refresh(&p.refresh_token).expect(200);

    let new_kid = jwt_header(str_field(&r.body, "access_token"))["kid"].clone();
    assert_ne!(
        new_kid, old_kid,
        "the running server still signs with the old key"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(new_kid.as_str().expect("kid")), "{stderr}");
}

// ---- revocation and bad credentials ----

#[test]
fn a_revoked_device_is_refused_push_pull_and_refresh_with_403() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let e = p.event("vneid_activation", &v, 1);

    s.cli_ok(&["revoke-device", &p.device_id]);

    s.push(&p, &[e]).expect_error(403, "device_revoked");
    s.pull(&p.access_token, None, None)
        .expect_error(403, "device_revoked");
    s.refresh(&p.refresh_token)
        .expect_error(403, "device_revoked");
}

#[test]
fn a_request_without_a_token_is_401_missing_token() {
    let s = Server::start_demo();

    let push = s.request("POST", "/v1/sync/push", None, Some(b"{}"));
    let pull = s.get("/v1/sync/pull", None);

    for r in [push, pull] {
        assert_eq!(r.www_authenticate.as_deref(), Some("Bearer"));
        r.expect_error(401, "missing_token");
    }
}

#[test]
fn a_garbled_token_is_401_invalid_token() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let mut tampered = p.access_token.clone();
    tampered.push('x');
    let body = format!(
        r#"{{"batch_id":"{}","device_clock":"{}","events":[]}}"#,
        uuid::Uuid::now_v7(),
        now_vn()
    );

    for token in ["not-a-jwt", tampered.as_str()] {
        let r = s.push_raw(token, &body);
        assert_eq!(r.www_authenticate.as_deref(), Some("Bearer"));
        r.expect_error(401, "invalid_token");
    }
}

// ---- what a device may read ----

#[test]
fn a_device_may_not_read_another_communes_tallies() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let other = s.commune_of(OTHER_TEAM);
    assert_ne!(other, s.commune_of(TEAM));
    let today = today_vn();

    let r = s.tallies(
        &p.access_token,
        &format!("level=commune&unit={other}&from={today}&to={today}"),
    );

    r.expect_error(403, "out_of_scope");
}

#[test]
fn tallies_of_an_unknown_unit_are_404() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    let today = today_vn();

    let r = s.tallies(
        &p.access_token,
        &format!("level=commune&unit=99999&from={today}&to={today}"),
    );

    r.expect_error(404, "unknown_unit");
}

#[test]
fn district_tallies_are_out_of_scope_for_a_device() {
    // Today's map has no districts: the demo ending on the 171-commune map of 2024-11.
    let s = Server::start_demo_on("quang-ninh-2024-11", &[]);
    let p = s.enroll(TEAM);
    let district = s.team(TEAM)["district_code"]
        .as_str()
        .expect("district")
        .to_owned();
    let today = today_vn();

    let r = s.tallies(
        &p.access_token,
        &format!("level=district&unit={district}&from={today}&to={today}"),
    );

    r.expect_error(403, "out_of_scope");
}
