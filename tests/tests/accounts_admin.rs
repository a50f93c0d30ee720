//! The province admin runs leader accounts (issue 9): list with state and last login,
//! disable and enable, reset a password, unlock, re-scope; over the API and the CLI, through
//! the real binary on loopback. Every answer is checked against api-spec/openapi.yaml.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server, str_field as s};
use serde_json::{Value, json};

const TEAM: &str = "T00001";
const OTHER_TEAM: &str = "T00002";

fn admin(server: &Server) -> String {
    server.login_as("province_admin", PROVINCE)
}

fn listed<'a>(list: &'a Value, username: &str) -> &'a Value {
    list["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} not in {list}"))
}

#[test]
fn the_list_shows_role_scope_state_and_last_login_on_the_api_and_the_cli() {
    let server = Server::start_demo();
    let token = admin(&server);
    let active = server.new_leader("team_leader", TEAM);
    server.login(&active, LEADER_PASSWORD).expect(200);
    server.create_user("team_leader", OTHER_TEAM, "waiting.one");

    let list = server.get("/v1/admin/users", Some(&token)).expect(200).body;

    let a = listed(&list, &active);
    assert_eq!(a["role"], "team_leader");
    assert_eq!(a["scope"]["id"], TEAM);
    assert!(!s(&a["scope"], "name").is_empty(), "{a}");
    assert_eq!(a["state"], "active");
    assert!(a["last_login_at"].is_string(), "{a}");
    let w = listed(&list, "waiting.one");
    assert_eq!(w["state"], "awaiting_password");
    assert!(w["last_login_at"].is_null());

    let cli = server.cli_ok(&["users"]);
    let line = cli
        .lines()
        .find(|l| l.starts_with("waiting.one\t"))
        .expect(&cli);
    assert!(
        line.contains("awaiting_password") && line.contains(OTHER_TEAM),
        "{line}"
    );
    let json_line = server.cli_ok(&["users", "--json"]);
    assert!(
        json_line
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok())
    );
}

#[test]
fn only_the_province_admin_manages_accounts() {
    let server = Server::start_demo();
    let leader = server.login_as("commune_leader", &server.commune_of(TEAM));
    let victim = server.new_leader("team_leader", TEAM);

    server
        .get("/v1/admin/users", Some(&leader))
        .expect_error(403, "role_required");
    for act in ["disable", "enable", "reset-password", "unlock"] {
        server
            .admin_post(&format!("/v1/admin/users/{victim}/{act}"), &leader, None)
            .expect_error(403, "role_required");
    }
    server.login(&victim, LEADER_PASSWORD).expect(200);
    server
        .admin_post("/v1/admin/users/nobody.here/disable", &admin(&server), None)
        .expect_error(404, "unknown_user");
}

#[test]
fn a_disabled_leader_is_refused_at_once_everywhere_and_comes_back_when_enabled() {
    let server = Server::start_demo();
    let token = admin(&server);
    let lan = server.new_leader("team_leader", TEAM);
    let api = server.login(&lan, LEADER_PASSWORD).expect(200).body;
    let access = s(&api, "access_token").to_owned();
    let cookie = server
        .cookie_login(&lan, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    server.get("/v1/me", Some(&access)).expect(200);

    let after = server
        .admin_post(&format!("/v1/admin/users/{lan}/disable"), &token, None)
        .expect(200)
        .body;

    assert_eq!(after["state"], "disabled");
    let entry = server
        .audited(&token, "user.disable")
        .pop()
        .expect("audited");
    assert_eq!(entry["subject"], format!("user:{lan}"));
    assert_eq!(entry["via"], "api");
    assert!(entry["addr"].is_string(), "{entry}");
    server.get("/v1/me", Some(&access)).expect(401);
    let refreshed = server.post(
        "/v1/auth/token",
        None,
        &json!({"refresh_token": s(&api, "refresh_token")}),
    );
    assert_eq!(refreshed.status, 401, "{}", refreshed.body);
    let page = server.send(
        "GET",
        "/v1/me",
        &[("cookie", &format!("langso_session={cookie}"))],
        None,
    );
    assert_eq!(page.resp.status, 401, "the cookie session ended too");
    server
        .login(&lan, LEADER_PASSWORD)
        .expect_error(403, "account_disabled");
    let (status, html) = server.post_page_form(
        "/login",
        &[("username", &lan), ("password", LEADER_PASSWORD)],
    );
    assert_eq!(status, 403);
    assert!(html.contains("đã bị khóa"), "{html}");

    server.cli_ok(&["enable-user", "--username", &lan]);
    let entry = server
        .audited(&token, "user.enable")
        .pop()
        .expect("audited");
    assert_eq!(entry["via"], "cli");
    let back = server.login(&lan, LEADER_PASSWORD).expect(200).body;
    server
        .get("/v1/me", Some(s(&back, "access_token")))
        .expect(200);
    server.get("/v1/me", Some(&access)).expect(401);
}

#[test]
fn disable_user_on_the_cli_ends_sessions_and_an_admin_cannot_disable_themselves() {
    let server = Server::start_demo();
    let lan = server.new_leader("team_leader", TEAM);
    let access = server.access_token_of(&lan);

    server.cli_ok(&["disable-user", "--username", &lan.to_uppercase()]);

    server.get("/v1/me", Some(&access)).expect(401);
    let bad = server.cli(&["disable-user", "--username", "nobody.here"]);
    assert!(!bad.status.success());
    let me = server.new_leader("province_admin", PROVINCE);
    let token = server.access_token_of(&me);
    server
        .admin_post(&format!("/v1/admin/users/{me}/disable"), &token, None)
        .expect_error(409, "cannot_disable_self");
}

#[test]
fn a_reset_ends_the_old_password_and_every_session_and_the_new_code_sets_one() {
    let server = Server::start_demo();
    let token = admin(&server);
    let lan = server.new_leader("team_leader", TEAM);
    let access = server.access_token_of(&lan);

    let code = server.cli_ok(&["reset-password", "--username", &lan]);
    let code = code.trim();

    assert_eq!(code.len(), 11, "the code alone on stdout: {code:?}");
    server.get("/v1/me", Some(&access)).expect(401);
    server
        .login(&lan, LEADER_PASSWORD)
        .expect_error(401, "invalid_credentials");
    let list = server.get("/v1/admin/users", Some(&token)).expect(200).body;
    assert_eq!(listed(&list, &lan)["state"], "awaiting_password");
    server
        .set_password(&lan, code, "một mật khẩu mới 2026")
        .expect(200);
    server.login(&lan, "một mật khẩu mới 2026").expect(200);

    // Over the API: a new code, and the one just used is spent.
    let reset = server
        .admin_post(
            &format!("/v1/admin/users/{lan}/reset-password"),
            &token,
            None,
        )
        .expect(200)
        .body;
    assert_ne!(s(&reset, "code"), code);
    server
        .login(&lan, "một mật khẩu mới 2026")
        .expect_error(401, "invalid_credentials");
    server
        .set_password(&lan, s(&reset, "code"), "mật khẩu thứ ba 2026")
        .expect(200);
    let log = server.log();
    assert!(!log.contains(s(&reset, "code")), "the code is never logged");
    let entries = server.audited(&token, "user.reset_password");
    assert_eq!(entries.len(), 2, "the CLI's and the API's reset");
    let all = server
        .get("/v1/admin/audit", Some(&token))
        .expect(200)
        .body
        .to_string();
    assert!(
        !all.contains(code) && !all.contains(s(&reset, "code")),
        "no code audited"
    );
    assert!(!all.contains("argon2"), "no hash audited");
}

#[test]
fn a_locked_out_leader_shows_locked_and_the_admin_unlocks_over_the_api() {
    let server = Server::start_demo();
    let token = admin(&server);
    let lan = server.new_leader("team_leader", TEAM);
    for _ in 0..5 {
        server.login(&lan, "wrong password!").expect(401);
    }
    server
        .login(&lan, LEADER_PASSWORD)
        .expect_error(429, "too_many_attempts");
    let list = server.get("/v1/admin/users", Some(&token)).expect(200).body;
    assert_eq!(listed(&list, &lan)["state"], "locked");

    let unlocked = server
        .admin_post(&format!("/v1/admin/users/{lan}/unlock"), &token, None)
        .expect(200)
        .body;

    assert_eq!(
        unlocked["failures_forgotten"].as_i64(),
        Some(10),
        "{unlocked}"
    );
    assert_eq!(unlocked["user"]["state"], "active");
    assert_eq!(server.audited(&token, "user.unlock").len(), 1);
    server.login(&lan, LEADER_PASSWORD).expect(200);
}

#[test]
fn the_admin_rescopes_a_leader_over_the_api_and_a_bad_scope_changes_nothing() {
    let server = Server::start_demo();
    let token = admin(&server);
    let lan = server.new_leader("team_leader", TEAM);
    let access = server.access_token_of(&lan);
    let path = format!("/v1/admin/users/{lan}/scope");

    server
        .admin_post(&path, &token, Some(json!({"scope": "T99999"})))
        .expect_error(400, "invalid_scope");
    server
        .admin_post(&path, &token, Some(json!({"scope": TEAM, "role": "mayor"})))
        .expect_error(400, "invalid_role");
    assert_eq!(
        server.get("/v1/me", Some(&access)).expect(200).body["scope"]["id"],
        TEAM
    );

    let moved = server
        .admin_post(&path, &token, Some(json!({"scope": OTHER_TEAM})))
        .expect(200)
        .body;

    assert_eq!(moved["scope"]["id"], OTHER_TEAM);
    let entry = server
        .audited(&token, "user.rescope")
        .pop()
        .expect("audited");
    assert_eq!(entry["before"]["scope_id"], TEAM, "{entry}");
    assert_eq!(
        server.get("/v1/me", Some(&access)).expect(200).body["scope"]["id"],
        OTHER_TEAM
    );

    // An admin cannot take the role from their own account (the province keeps one).
    let me = server.get("/v1/me", Some(&token)).expect(200).body;
    let mine = format!("/v1/admin/users/{}/scope", me["username"].as_str().unwrap());
    let demote = json!({"scope": TEAM, "role": "team_leader"});
    server
        .admin_post(&mine, &token, Some(demote))
        .expect_error(409, "cannot_demote_self");
    assert_eq!(
        server.get("/v1/me", Some(&token)).expect(200).body["role"],
        "province_admin"
    );
}

#[test]
fn the_set_password_page_asks_twice_speaks_its_language_and_links_back() {
    let server = Server::start_demo();
    let code = server.create_user("team_leader", TEAM, "hoa.tran");

    let (_, page) = server.send_get_with_cookie("/set-password?lang=vi", "x=1");
    assert!(page.contains("name=\"password_confirm\""), "{page}");
    assert!(page.contains("href=\"/login?lang=vi\""), "{page}");
    let form = |lang: &'static str, pw2: &'static str| {
        vec![
            ("username", "hoa.tran"),
            ("code", code.as_str()),
            ("password", "mật khẩu đủ dài 1"),
            ("password_confirm", pw2),
            ("lang", lang),
        ]
    };
    let (status, vi) = server.post_page_form("/set-password", &form("vi", "khác hẳn 12345"));
    assert_eq!(status, 400);
    assert!(vi.contains("Hai mật khẩu không khớp"), "{vi}");
    let (_, en) = server.post_page_form("/set-password", &form("en", "different 12345"));
    assert!(en.contains("The two passwords do not match"), "{en}");
    let (_, wrong_code) = server.post_page_form(
        "/set-password",
        &[
            ("username", "hoa.tran"),
            ("code", "AAAAA-BBBBB"),
            ("password", "mật khẩu đủ dài 1"),
            ("password_confirm", "mật khẩu đủ dài 1"),
            ("lang", "vi"),
        ],
    );
    assert!(wrong_code.contains("Mã không đúng"), "{wrong_code}");

    let (status, ok) = server.post_page_form("/set-password", &form("vi", "mật khẩu đủ dài 1"));
    assert_eq!(status, 200, "{ok}");
    server.login("hoa.tran", "mật khẩu đủ dài 1").expect(200);
}

#[test]
fn the_login_page_says_whom_to_ask_for_a_forgotten_password() {
    let server = Server::start_demo();
    let (_, vi) = server.send_get_with_cookie("/login?lang=vi", "x=1");
    assert!(
        vi.contains("Quên mật khẩu?") && vi.contains("quản trị viên của tỉnh"),
        "{vi}"
    );
    assert!(vi.contains("reset-password"));
    let (_, en) = server.send_get_with_cookie("/login?lang=en", "x=1");
    assert!(en.contains("Forgot password?") && en.contains("province administrator"));
}
