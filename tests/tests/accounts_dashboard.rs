//! The accounts page (issue 9, "Province admin (CLI, API and dashboard)"): the province
//! administrator sees every leader's role, scope, state and last login, disables and
//! enables an account, resets a password (the new code shown once, the old password
//! refused) and is recorded in the audit log; anyone else gets a 403 page.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server};

const TEAM: &str = "T00001";

fn cookie(s: &Server, username: &str) -> String {
    let c = s
        .cookie_login(username, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    format!("langso_session={c}")
}

fn act(s: &Server, cookie: &str, username: &str, action: &str) -> (u16, Option<String>, String) {
    s.post_form_with_cookie(
        &format!("/accounts/{username}"),
        cookie,
        &format!("action={action}"),
    )
}

#[test]
fn the_province_admin_disables_enables_and_resets_accounts_on_the_page() {
    let s = Server::start_demo();
    let admin = s.new_leader("province_admin", PROVINCE);
    let lan = s.new_leader("team_leader", TEAM);
    s.login(&lan, LEADER_PASSWORD).expect(200);
    let c = cookie(&s, &admin);

    let (status, dashboard) = s.send_get_with_cookie("/", &c);
    assert_eq!(status, 200);
    assert!(
        dashboard.contains("href=\"/accounts?lang=vi\""),
        "the header links the page"
    );
    let (status, page) = s.send_get_with_cookie("/accounts", &c);
    assert_eq!(status, 200);
    let row = &page[page.find(&format!("<b>{lan}</b>")).expect("lan's row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Tổ trưởng") && row.contains(TEAM) && row.contains("Đang hoạt động"),
        "{row}"
    );
    assert!(!row.contains("<td>—</td>"), "a last login is shown: {row}");

    let (status, location, _) = act(&s, &c, &lan, "disable");
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/accounts?lang=vi"))
    );
    s.login(&lan, LEADER_PASSWORD)
        .expect_error(403, "account_disabled");
    let (_, page) = s.send_get_with_cookie("/accounts", &c);
    assert!(page.contains("Đã vô hiệu hóa"), "{page}");
    assert_eq!(act(&s, &c, &lan, "enable").0, 303);
    s.login(&lan, LEADER_PASSWORD).expect(200);

    let (status, _, page) = act(&s, &c, &lan, "reset");
    assert_eq!(status, 200);
    let at = page.find("<code>").expect("the new code is shown") + 6;
    let code = &page[at..at + page[at..].find('<').unwrap()];
    s.login(&lan, LEADER_PASSWORD).expect(401);
    s.set_password(&lan, code, "một mật khẩu mới dài")
        .expect(200);

    let (status, _, page) = act(&s, &c, &admin, "disable");
    assert_eq!(status, 409, "{page}");
    assert_eq!(act(&s, &c, "nobody.here", "enable").0, 404);
    let audit = s.cli_ok(&["audit", "--who", &admin, "--action", "user"]);
    for a in ["user.disable", "user.enable", "user.reset_password"] {
        assert!(audit.contains(&format!(" {a} user:{lan}")), "{a}: {audit}");
    }
    assert!(!audit.contains(code), "the code is never in the log");
}

#[test]
fn anyone_but_the_province_admin_gets_a_page_saying_no() {
    let s = Server::start_demo();
    let admin = s.new_leader("province_admin", PROVINCE);
    let leader = s.new_leader("team_leader", TEAM);
    let c = cookie(&s, &leader);
    let (status, page) = s.send_get_with_cookie("/accounts", &c);
    assert_eq!(status, 403);
    assert!(
        page.starts_with("<!DOCTYPE html>") && !page.contains(&admin),
        "{page}"
    );
    let (status, _, _) = act(&s, &c, &admin, "disable");
    assert_eq!(status, 403);
    s.login(&admin, LEADER_PASSWORD).expect(200);
    let (_, dashboard) = s.send_get_with_cookie("/", &c);
    assert!(
        !dashboard.contains("/accounts?"),
        "no link for a team leader"
    );
}

#[test]
fn the_province_admin_rescopes_an_account_on_the_page_but_not_their_own_role() {
    let s = Server::start_demo();
    let admin = s.new_leader("province_admin", PROVINCE);
    let lan = s.new_leader("team_leader", TEAM);
    let c = cookie(&s, &admin);
    let form = format!("username={lan}&role=&scope=T00002");
    let (status, location, _) = s.post_form_with_cookie("/accounts", &c, &form);
    assert_eq!(
        (status, location.as_deref()),
        (303, Some("/accounts?lang=vi"))
    );
    let users = s.cli_ok(&["users", "--json"]);
    let row: serde_json::Value = users
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|u| u["username"] == lan.as_str())
        .unwrap_or_else(|| panic!("{users}"));
    assert_eq!(row["scope"]["id"], "T00002", "{row}");
    let (status, _, page) = s.post_form_with_cookie(
        "/accounts",
        &c,
        &format!("username={lan}&role=&scope=T99999"),
    );
    assert_eq!(status, 400, "{page}");
    let own = format!("username={admin}&role=team_leader&scope={TEAM}");
    let (status, _, _) = s.post_form_with_cookie("/accounts", &c, &own);
    assert_eq!(status, 409);
}
