//! Leader accounts end to end: create-user, set-password, login, lockout, token rotation,
//! logout and the dashboard's session cookie (what each role may manage: leader_scope_api.rs).
//! The real `langso` binary over loopback HTTP; every answer is checked against
//! api-spec/openapi.yaml.

use langso_tests::harness::{LEADER_PASSWORD, MAP_WITH_DISTRICTS, Server, str_field as s};
use serde_json::json;
use std::time::{Duration, Instant};

const TEAM: &str = "T00001";

// ---- create-user, set-password, login, me ----

#[test]
fn a_created_leader_sets_a_password_logs_in_and_sees_its_scope() {
    let server = Server::start_demo_on(MAP_WITH_DISTRICTS, &[]);
    let district = server.district_of(TEAM);

    let code = server.create_user("district_leader", &district, "Lan.Nguyen");

    assert!(
        code.len() == 11 && code.as_bytes()[5] == b'-' && !code.contains('\n'),
        "the code alone on stdout: {code:?}"
    );
    let set = server
        .set_password("lan.nguyen", &code, "mật khẩu dài đủ")
        .expect(200);
    assert_eq!(set.body["username"], "lan.nguyen");
    let login = server.login("LAN.NGUYEN", "mật khẩu dài đủ").expect(200);
    let b = &login.body;
    assert!(s(b, "refresh_token").starts_with("lsr_"));
    assert_eq!(b["user"]["role"], "district_leader");
    assert_eq!(b["user"]["scope"]["kind"], "district");
    assert_eq!(b["user"]["scope"]["id"], district.as_str());
    let me = server.get("/v1/me", Some(s(b, "access_token"))).expect(200);
    assert_eq!(me.body, b["user"]);
    assert!(!s(&me.body["scope"], "name").is_empty(), "{}", me.body);
}

#[test]
fn create_user_refuses_a_scope_that_does_not_fit_the_role() {
    let server = Server::start_demo_on(MAP_WITH_DISTRICTS, &[]);
    let commune = server.commune_of(TEAM);
    let district = server.district_of(TEAM);

    for (role, scope) in [
        ("district_leader", TEAM),
        ("commune_leader", district.as_str()),
        ("team_leader", commune.as_str()),
        ("province_admin", district.as_str()),
        ("team_leader", "T99999"),
        ("village_head", TEAM),
    ] {
        let out = server.cli(&[
            "create-user",
            "--role",
            role,
            "--scope",
            scope,
            "--username",
            "someone",
        ]);
        assert!(!out.status.success(), "{role} over {scope} was accepted");
        assert!(out.stdout.is_empty(), "no code is printed on refusal");
    }
    server.create_user("commune_leader", &commune, "someone");
    let again = server.cli(&[
        "create-user",
        "--role",
        "commune_leader",
        "--scope",
        &commune,
        "--username",
        "SOMEONE",
    ]);
    assert!(!again.status.success(), "a username is taken once");
}

#[test]
fn a_password_code_works_once_and_passwords_are_10_to_128_characters() {
    let server = Server::start_demo();
    let code = server.create_user("team_leader", TEAM, "minh");

    server
        .set_password("minh", &code, "123456789")
        .expect_error(400, "invalid_password");
    server
        .set_password("minh", &code, &"x".repeat(129))
        .expect_error(400, "invalid_password");
    server
        .set_password("someone-else", &code, "1234567890")
        .expect_error(401, "invalid_code");
    server.set_password("minh", &code, "1234567890").expect(200);

    let reused = server.set_password("minh", &code, "another password");

    reused.expect_error(401, "invalid_code");
    server.login("minh", "1234567890").expect(200);
}

// ---- failed logins ----

#[test]
fn a_wrong_password_and_an_unknown_user_get_identical_answers() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);

    let started = Instant::now();
    let wrong = server.login(&user, "not the password");
    let wrong_took = started.elapsed();
    let started = Instant::now();
    let unknown = server.login("nobody.here", "not the password");
    let unknown_took = started.elapsed();

    let wrong = wrong.expect_error(401, "invalid_credentials");
    let unknown = unknown.expect_error(401, "invalid_credentials");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.www_authenticate, unknown.www_authenticate);
    assert_eq!(wrong.content_type, unknown.content_type);
    // Each failure costs a fixed delay (the hash work is done for unknown users too).
    assert!(wrong_took >= Duration::from_millis(900), "{wrong_took:?}");
    assert!(
        unknown_took >= Duration::from_millis(900),
        "{unknown_took:?}"
    );
}

#[test]
fn five_failures_lock_a_username_out_with_429_and_retry_after() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);
    for _ in 0..5 {
        server
            .login(&user, "wrong password")
            .expect_error(401, "invalid_credentials");
    }

    let locked = server.login(&user, LEADER_PASSWORD);

    let locked = locked.expect_error(429, "too_many_attempts");
    let retry: u64 = locked
        .retry_after
        .as_deref()
        .expect("Retry-After")
        .parse()
        .expect("Retry-After in seconds");
    assert!(
        (850..=900).contains(&retry),
        "locked for 15 minutes: {retry}"
    );
    // An unknown username is locked out just the same: the lockout tells nothing either.
    for _ in 0..5 {
        server
            .login("ghost", "wrong password")
            .expect_error(401, "invalid_credentials");
    }
    server
        .login("ghost", "wrong password")
        .expect_error(429, "too_many_attempts");
    // Other users from the same address still log in (the per-address limit is 20).
    let other = server.new_leader("team_leader", TEAM);
    server.login(&other, LEADER_PASSWORD).expect(200);
}

// ---- tokens ----

#[test]
fn refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);
    let first = server.login(&user, LEADER_PASSWORD).expect(200).body;
    let refresh = |t: &str| server.post("/v1/auth/token", None, &json!({"refresh_token": t}));

    let second = refresh(s(&first, "refresh_token")).expect(200).body;
    let retried = refresh(s(&first, "refresh_token")).expect(200).body;
    assert_eq!(retried["refresh_token"], second["refresh_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["user"], first["user"]);
    server
        .get("/v1/me", Some(s(&second, "access_token")))
        .expect(200);
    let third = refresh(s(&second, "refresh_token")).expect(200).body;

    let reuse = refresh(s(&first, "refresh_token"));

    reuse.expect_error(401, "refresh_token_reused");
    refresh(s(&third, "refresh_token")).expect_error(401, "token_revoked");
    server
        .get("/v1/me", Some(s(&third, "access_token")))
        .expect_error(401, "token_revoked");
}

#[test]
fn logout_ends_the_session_and_only_that_one() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);
    let a = server.login(&user, LEADER_PASSWORD).expect(200).body;
    let b = server.login(&user, LEADER_PASSWORD).expect(200).body;

    server
        .post("/v1/auth/logout", Some(s(&a, "access_token")), &json!({}))
        .expect(200);

    server
        .get("/v1/me", Some(s(&a, "access_token")))
        .expect_error(401, "token_revoked");
    server
        .post(
            "/v1/auth/token",
            None,
            &json!({"refresh_token": s(&a, "refresh_token")}),
        )
        .expect_error(401, "token_revoked");
    server
        .get("/v1/me", Some(s(&b, "access_token")))
        .expect(200);
}

#[test]
fn device_tokens_are_refused_for_leaders_and_leader_tokens_for_devices() {
    let server = Server::start_demo();
    let phone = server.enroll(TEAM);
    let leader = server.login_as("team_leader", TEAM);

    server
        .get("/v1/me", Some(&phone.access_token))
        .expect_error(401, "invalid_token");
    server
        .get(
            &format!("/v1/teams/{TEAM}/devices"),
            Some(&phone.access_token),
        )
        .expect_error(401, "invalid_token");
    server
        .pull(&leader, None, Some(1))
        .expect_error(401, "invalid_token");
    let event = phone.clone().event("vneid_activation", phone.village(), 1);
    server
        .push_batch(
            &leader,
            &langso_tests::harness::batch(&[event], &langso_tests::harness::now_vn()),
        )
        .expect_error(401, "invalid_token");
    server
        .get("/v1/me", None)
        .expect_error(401, "missing_token");
}

// ---- the dashboard's session cookie ----

#[test]
fn a_session_cookie_reads_and_changes_only_with_a_same_origin_header() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);
    let login = server.cookie_login(&user, LEADER_PASSWORD);
    let login_body = login.resp.clone().expect(200).body;
    assert_eq!(login_body["user"]["username"], user.as_str());
    let set = login.set_cookie.join("\n");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain-HTTP development by default: {set}"
    );
    let cookie = format!(
        "langso_session={}",
        login.session_cookie().expect("a session cookie")
    );
    let origin = server.origin();
    let invites = format!("/v1/teams/{TEAM}/invites");

    let me = server.send("GET", "/v1/me", &[("cookie", &cookie)], None);
    let without_origin = server.send("POST", &invites, &[("cookie", &cookie)], Some(b"{}"));
    let foreign = server.send(
        "POST",
        &invites,
        &[("cookie", &cookie), ("origin", "http://evil.example")],
        Some(b"{}"),
    );
    let same_origin = server.send(
        "POST",
        &invites,
        &[("cookie", &cookie), ("origin", &origin)],
        Some(b"{}"),
    );

    assert_eq!(me.resp.expect(200).body["username"], user.as_str());
    without_origin.resp.expect_error(403, "csrf_failed");
    foreign.resp.expect_error(403, "csrf_failed");
    same_origin.resp.expect(200);
    let referer = format!("{origin}/dashboard");
    let logout = server.send(
        "POST",
        "/v1/auth/logout",
        &[("cookie", &cookie), ("referer", &referer)],
        None,
    );
    assert_eq!(
        logout.session_cookie().as_deref(),
        Some(""),
        "the cookie is cleared"
    );
    logout.resp.expect(200);
    server
        .send("GET", "/v1/me", &[("cookie", &cookie)], None)
        .resp
        .expect_error(401, "invalid_session");
}

#[test]
fn a_cookie_login_posted_from_another_site_is_refused() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);
    let body = json!({"username": user, "password": LEADER_PASSWORD}).to_string();

    let r = server.send(
        "POST",
        "/v1/auth/session",
        &[("origin", "http://evil.example")],
        Some(body.as_bytes()),
    );

    assert!(r.session_cookie().is_none());
    r.resp.expect_error(403, "csrf_failed");
}

#[test]
fn concurrent_guesses_cannot_slip_past_the_lockout() {
    let server = Server::start_demo();
    let user = server.new_leader("team_leader", TEAM);

    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let guesses: Vec<_> = (0..8)
            .map(|i| {
                let (server, user) = (&server, &user);
                scope.spawn(move || server.login(user, &format!("guess number {i}")).status)
            })
            .collect();
        guesses
            .into_iter()
            .map(|g| g.join().expect("a guess"))
            .collect()
    });

    let refused = statuses.iter().filter(|s| **s == 429).count();
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!((wrong, refused), (5, 3), "{statuses:?}");
}
