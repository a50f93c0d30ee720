//! The administrator's and team leader's pages on a 360-px phone (issue 9): accounts,
//! the catalogue and a team's phones show every row's actions inside the screen, times in
//! local form, and no raw codes where words belong.

use langso_tests::browser::Browser;
use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server};

const TEAM: &str = "T00001";

fn log_in(b: &Browser, server: &Server, username: &str) {
    b.goto(&format!("{}/login", server.url));
    b.type_into(&b.find("input[name=username]"), username);
    b.type_into(&b.find("input[name=password]"), LEADER_PASSWORD);
    b.click_and_load(&b.find("#login"));
}

/// The page at `path` fits 360 px: no sideways scroll, every `css` element on screen.
fn fits(b: &Browser, server: &Server, path: &str, css: &str) {
    b.goto(&format!("{}{path}", server.url));
    b.assert_html_page("vi", path);
    let (page, viewport) = b.widths();
    assert!(page <= viewport, "{path}: the page is {page} px wide");
    assert!(!b.find_all(css).is_empty(), "{path}: no {css}");
    let off = b.outside_viewport(css);
    assert!(off.is_empty(), "{path}: off-screen at 360 px: {off:?}");
    let iso = raw_utc_time(&b.text_of("main"));
    assert!(iso.is_none(), "{path}: a raw UTC time {iso:?}");
}

/// The first `YYYY-MM-DDTHH:MM` in `text`, if any.
fn raw_utc_time(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(16))
        .find(|&i| {
            b[i..i + 4].iter().all(u8::is_ascii_digit) && b[i + 4] == b'-' && b[i + 10] == b'T'
        })
        .map(|i| text[i..i + 16].to_owned())
}

#[test]
fn accounts_catalogue_and_phones_fit_a_phone() {
    let s = Server::start_demo();
    let admin = s.new_leader("province_admin", PROVINCE);
    let leader = s.new_leader("team_leader", TEAM);
    s.login(&leader, LEADER_PASSWORD).expect(200);
    let phone = s.enroll(TEAM);
    s.cli_ok(&["revoke-device", &phone.device_id]);

    {
        let b = Browser::start(360, 800);
        log_in(&b, &s, &admin);
        fits(&b, &s, "/accounts", "#accounts button");
        let text = b.text_of("#accounts");
        assert!(
            text.contains("Tổ trưởng") && !text.contains("team_leader"),
            "{text}"
        );
        fits(&b, &s, "/kinds", "main form button");
    }
    let b = Browser::start(360, 800);
    log_in(&b, &s, &leader);
    fits(&b, &s, "/devices", "#devices button");
}
