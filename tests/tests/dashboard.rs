//! The leaders' dashboard in a real browser (headless Chromium over WebDriver): log in,
//! switch unit, period and language, and check what is shown: a district's leader on the
//! 2024-11 map, and on today's 2025 map a commune leader, a grouping (former district)
//! leader and the province, whose every page, refusal included, is Vietnamese HTML with a
//! way back, never raw JSON. Screenshots of the main pages go to docs/screenshots/ when
//! LANGSO_SCREENSHOTS=1.

use chrono::Datelike;
use langso_tests::browser::{Browser, Element};
use langso_tests::harness::{LEADER_PASSWORD, Server, today_vn};

const PHONE: (u32, u32) = (360, 740);

fn log_in(b: &Browser, server: &Server, username: &str) {
    b.goto(&format!("{}/", server.url));
    assert!(
        b.current_url().contains("/login"),
        "an anonymous visit lands on the login page"
    );
    b.type_into(&b.find("input[name=username]"), username);
    b.type_into(&b.find("input[name=password]"), LEADER_PASSWORD);
    b.click_and_load(&b.find("#login"));
}

/// A district with activity in two of its communes, and a leader for it.
fn district_with_activity() -> (Server, String, String) {
    // A map with districts, without the demo's history (today's map, with a grouping
    // leader: `every_leader_on_todays_map_sees_html_pages_and_a_way_back` below).
    let server = Server::start_quiet_demo_on("quang-ninh-2024-11");
    let district = server.district_of("T00001");
    let mut busy = server.enroll("T00001");
    let village = busy.village().to_owned();
    let events: Vec<_> = (0..4)
        .map(|_| busy.event("vneid_activation", &village, 3))
        .collect();
    server.push(&busy, &events).expect(200);
    // T00001: V000001 in Phường Hà Khánh; T00007: V000007 in Phường Hà Phong, same district.
    let mut other = server.enroll("T00007");
    let village = other.village().to_owned();
    let e = other.event("digital_signature", &village, 1);
    server.push(&other, &[e]).expect(200);
    let leader = server.new_leader("district_leader", &district);
    (server, district, leader)
}

fn rows(b: &Browser, css: &str) -> Vec<Element> {
    b.find_all(css)
}

/// Each row of the table rows matching `css` as its cells' texts joined by spaces (on a
/// phone the rows are grids, whose text the browser gives line by line).
fn row_texts(b: &Browser, css: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll({})].map(tr => [...tr.cells].map(td => td.innerText.trim()).join(' '))",
        serde_json::Value::String(css.to_owned())
    );
    let v = b.execute(&script);
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_district_leader_logs_in_and_sees_the_ranked_district_in_vietnamese() {
    let (server, _district, leader) = district_with_activity();
    let b = Browser::start(PHONE.0, PHONE.1);
    b.goto(&format!("{}/login", server.url));
    b.screenshot_for_docs("login");
    log_in(&b, &server, &leader);
    b.screenshot_for_docs("dashboard-district");

    assert_eq!(b.text_of("#unit-name"), "Thành phố Hạ Long");
    assert!(
        b.text_of("#period-label").starts_with("Tháng"),
        "month by default, in Vietnamese"
    );
    assert_eq!(
        b.text_of("#score"),
        "38",
        "4 × 3 VNeID (weight 3) + 1 signature (weight 2)"
    );
    let board = row_texts(&b, "#leaderboard tbody tr");
    let first = &board[0];
    assert!(
        first.starts_with("1 Phường Hà Khánh"),
        "the busiest commune ranks first: {first}"
    );
    assert!(
        board[1].starts_with("2 "),
        "the second commune with activity ranks second"
    );
    assert!(
        board[2].starts_with("–"),
        "communes without activity are listed unranked"
    );
    assert!(
        !rows(&b, "#coverage tbody tr").is_empty(),
        "per-village coverage is shown"
    );
    assert_eq!(
        b.find_all("#trend svg rect.bar").len(),
        today_vn().day() as usize,
        "one bar per day of the month so far, none for days to come"
    );

    // No horizontal scrolling on a 360-px phone: wide tables scroll inside their box.
    let viewport = b.execute("return window.innerWidth").as_u64().unwrap();
    assert_eq!(viewport, u64::from(PHONE.0), "a phone-sized viewport");
    let page = b
        .execute("return document.documentElement.scrollWidth")
        .as_u64()
        .unwrap();
    assert!(
        page <= viewport,
        "the page is {page} px wide on a {viewport} px screen"
    );
}

#[test]
fn switching_unit_period_and_language_changes_what_is_shown() {
    let (server, _district, leader) = district_with_activity();
    let b = Browser::start(PHONE.0, PHONE.1);
    log_in(&b, &server, &leader);

    b.select("#unit", "commune:06649");
    b.select("#period", "day");
    b.click_and_load(&b.find("#show"));
    assert_eq!(b.text_of("#unit-name"), "Phường Hà Khánh");
    assert!(
        b.text_of("#period-label").starts_with("Ngày"),
        "{}",
        b.text_of("#period-label")
    );
    assert_eq!(
        b.text_of("#score"),
        "36",
        "only the commune's own activity today"
    );
    let teams = row_texts(&b, "#leaderboard tbody tr");
    assert!(teams[0].starts_with("1 "), "a commune ranks its teams");
    b.screenshot_for_docs("dashboard-commune-day");

    b.click_and_load(&b.find("#lang"));
    assert_eq!(
        b.text_of("#lang"),
        "Tiếng Việt",
        "the switch now offers Vietnamese back"
    );
    assert!(b.text_of("#leaderboard h2").starts_with("Leaderboard"));
    assert!(b.text_of("#period-label").len() > 3);
    b.screenshot_for_docs("dashboard-commune-day-en");

    // A unit outside the leader's district is refused, whatever the URL says.
    b.goto(&format!("{}/?unit=district:203", server.url));
    assert!(b.source().contains("out_of_scope"), "{}", b.source());
}

#[test]
fn the_page_is_one_small_self_contained_round_trip() {
    let (server, _district, leader) = district_with_activity();
    let login = server.cookie_login(&leader, LEADER_PASSWORD);
    let cookie = format!(
        "langso_session={}",
        login.session_cookie().expect("a session cookie")
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut res = agent
        .get(&format!("{}/", server.url))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.body_mut().read_to_string().unwrap();
    assert!(html.len() < 150 * 1024, "HTML+CSS is {} bytes", html.len());
    for external in ["<script", "<link", "src=\"http", "href=\"http", "@import"] {
        assert!(
            !html.contains(external),
            "the page loads nothing else ({external})"
        );
    }
    assert!(html.contains("<svg"), "the trend chart is inline SVG");

    // The download buttons give real exports, with the same session.
    let start = html
        .find("href=\"/v1/reports/summary?")
        .expect("a summary download")
        + 6;
    let href = html[start..start + html[start..].find('"').unwrap()].replace("&amp;", "&");
    assert!(href.ends_with("format=csv"), "{href}");
    let mut res = agent
        .get(&format!("{}{href}", server.url))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(res.status(), 200, "{href}");
    let csv = res.body_mut().read_to_vec().unwrap();
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "CSV starts with a UTF-8 BOM for Excel"
    );
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("Cấp chữ ký số"),
        "Vietnamese column labels: {csv}"
    );
    assert!(!csv.contains(",-0"), "no negative zero scores: {csv}");
}

// ---- today's map (issue 8, "Proof"): a commune leader, a grouping leader, the province ----

/// One leader's walk over the dashboard on today's map.
struct Walk {
    role: &'static str,
    scope: &'static str,
    /// Its own unit's name, as the page heads it.
    name: &'static str,
    /// Every row of its home leaderboard has one of these words (what the page ranks).
    ranks: &'static [&'static str],
    /// `kind:id` of another unit of its picker to open.
    other: &'static str,
    /// `kind:id` of units outside its scope, and a name of theirs that must not show.
    outside: &'static [(&'static str, &'static str)],
}

/// Opens `/?unit=…` and checks the Vietnamese error page, its heading, and that its way
/// back leads to the leader's own unit.
fn refused(b: &Browser, server: &Server, w: &Walk, unit: &str, heading: &str, hidden: &str) {
    let what = format!("{} on {unit}", w.role);
    b.goto(&format!("{}/?unit={unit}", server.url));
    b.assert_html_page("vi", &what);
    assert_eq!(b.text_of("h2"), heading, "{what}");
    assert!(
        hidden.is_empty() || !b.source().contains(hidden),
        "{what} names {hidden}"
    );
    b.click_and_load(&b.find("a[href='/?lang=vi']"));
    b.assert_html_page("vi", &format!("{what}, the way back"));
    assert_eq!(b.text_of("#unit-name"), w.name, "{what}, the way back");
}

fn walk(server: &Server, w: &Walk) {
    let username = server.new_leader(w.role, w.scope);
    let b = Browser::start(PHONE.0, PHONE.1);
    log_in(&b, server, &username);
    // Home: its unit, its leaderboard.
    b.assert_html_page("vi", &format!("{} home", w.role));
    assert_eq!(b.text_of("#unit-name"), w.name);
    let board = row_texts(&b, "#leaderboard tbody tr");
    assert!(!board.is_empty(), "{}: an empty leaderboard", w.role);
    assert!(
        board.iter().all(|r| w.ranks.iter().any(|k| r.contains(k))),
        "{}: {board:?}",
        w.role
    );
    assert!(
        board[0].starts_with("1 "),
        "the demo's history ranks: {board:?}"
    );
    b.screenshot_for_docs(&format!("dashboard-2025-{}", w.role.replace('_', "-")));

    // The exports the page links to are files, with the same session.
    let cookie = format!(
        "langso_session={}",
        server
            .cookie_login(&username, LEADER_PASSWORD)
            .session_cookie()
            .unwrap()
    );
    let links: Vec<String> = b
        .find_all("#downloads a")
        .iter()
        .filter_map(|a| b.attribute(a, "href"))
        .collect();
    assert!(links.len() >= 2, "{}: downloads {links:?}", w.role);
    for href in &links {
        let path = href.trim_start_matches(&server.url);
        let (status, body) = server.send_get_with_cookie(path, &cookie);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(
            !body.trim_start_matches('\u{feff}').starts_with('{'),
            "{path}: {body}"
        );
    }

    // A unit of its picker.
    let unit = w.other;
    b.select("#unit", unit);
    let name = b.text_of(&format!("#unit option[value='{unit}']"));
    b.click_and_load(&b.find("#show"));
    b.assert_html_page("vi", &format!("{} on {unit}", w.role));
    assert_eq!(b.text_of("#unit-name"), name);
    assert!(!rows(&b, "#leaderboard tbody tr").is_empty(), "{unit}");

    for (unit, hidden) in w.outside {
        refused(&b, server, w, unit, "Không có quyền", hidden);
    }
    // Unknown units, and a commune and a district of the maps before today's.
    for unit in [
        "commune:99999",
        "team:T09999",
        "commune:06649",
        "district:193",
    ] {
        refused(&b, server, w, unit, "Không tìm thấy", "");
    }
}

#[test]
fn every_leader_on_todays_map_sees_html_pages_and_a_way_back() {
    // The demo on the 2025 map with its history; the former districts are groupings.
    let server = Server::start_demo();
    let walks = [
        Walk {
            role: "commune_leader",
            scope: "06658",
            name: "Phường Cao Xanh",
            ranks: &["Tổ"],
            other: "team:T00001",
            outside: &[
                ("commune:06652", "Phường Hà Tu"),
                ("grouping:193", "Thành phố Hạ Long (cũ)"),
                ("province:22", ""),
            ],
        },
        Walk {
            role: "grouping_leader",
            scope: "193",
            name: "Thành phố Hạ Long (cũ)",
            ranks: &["Phường ", "Xã "],
            other: "commune:06652",
            outside: &[
                ("grouping:194", "Thành phố Móng Cái (cũ)"),
                ("commune:06709", "Phường Móng Cái 2"),
                ("province:22", ""),
            ],
        },
        Walk {
            role: "province_admin",
            scope: "22",
            name: "Tỉnh Quảng Ninh",
            ranks: &["(cũ)"],
            other: "grouping:194",
            outside: &[],
        },
    ];
    for w in &walks {
        walk(&server, w);
    }
}
