//! The login throttle through the real binary: an address is slowed down but never locked
//! out, usernames are locked per address and everywhere, `X-Forwarded-For` is believed
//! only from a configured trusted proxy, and `langso unlock-user` lifts a lockout.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Resp, Server};
use serde_json::json;

/// Logs in as if from `client` (an `X-Forwarded-For` hop; none: the TCP peer).
fn login_from(s: &Server, client: Option<&str>, username: &str, password: &str) -> Resp {
    let body = json!({"username": username, "password": password}).to_string();
    let headers: Vec<(&str, &str)> = client.map(|c| ("x-forwarded-for", c)).into_iter().collect();
    s.send("POST", "/v1/auth/login", &headers, Some(body.as_bytes()))
        .resp
}

/// `n` failed logins at once (each is answered a second or more later).
fn fail_many(s: &Server, n: usize, attempt: impl Fn(usize) -> (Option<String>, String) + Sync) {
    std::thread::scope(|scope| {
        for i in 0..n {
            let attempt = &attempt;
            scope.spawn(move || {
                let (client, username) = attempt(i);
                login_from(s, client.as_deref(), &username, "wrong password")
                    .expect_error(401, "invalid_credentials");
            });
        }
    });
}

#[test]
fn failed_logins_with_made_up_usernames_never_lock_out_the_admin() {
    let s = Server::start_demo();
    let admin = s.new_leader("province_admin", PROVINCE);
    fail_many(&s, 25, |i| (None, format!("made.up.{i}")));

    let r = s.login(&admin, LEADER_PASSWORD);

    // At once: not refused (429), however many others failed from this address.
    r.expect(200);
}

#[test]
fn forwarded_for_is_ignored_without_a_trusted_proxy() {
    let s = Server::start_demo();
    let lan = s.new_leader("team_leader", "T00001");
    fail_many(&s, 5, |i| (Some(format!("198.51.100.{i}")), lan.clone()));

    // The header is the client's own word: all five came from the same peer.
    login_from(&s, Some("203.0.113.9"), &lan, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");
}

#[test]
fn forwarded_for_is_believed_from_a_trusted_proxy() {
    let s = Server::start_demo_with(&["--trusted-proxy", "127.0.0.1/32"]);
    let lan = s.new_leader("team_leader", "T00001");
    fail_many(&s, 5, |_| (Some("198.51.100.1".into()), lan.clone()));

    login_from(&s, Some("198.51.100.1"), &lan, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");
    // Whatever a client writes left of the proxy's hop is not believed.
    login_from(&s, Some("203.0.113.9, 198.51.100.1"), &lan, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");
    login_from(&s, Some("203.0.113.9"), &lan, LEADER_PASSWORD).expect(200);

    // Spread over many addresses, ten failures lock a username everywhere.
    let mai = s.new_leader("team_leader", "T00001");
    fail_many(&s, 10, |i| (Some(format!("192.0.2.{i}")), mai.clone()));
    login_from(&s, Some("203.0.113.10"), &mai, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");
}

#[test]
fn unlock_user_lets_a_locked_out_leader_in_at_once() {
    let s = Server::start_demo();
    let lan = s.new_leader("commune_leader", &s.commune_of("T00001"));
    fail_many(&s, 5, |_| (None, lan.clone()));
    s.login(&lan, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");

    s.cli_ok(&["unlock-user", "--username", &lan.to_uppercase()]);

    s.login(&lan, LEADER_PASSWORD).expect(200);
}
