//! The dashboard read at a glance (issue 9), in headless Chromium at 360 px and 1280 px:
//! labelled cards with the due date and the pace needed, numbers in the reader's form,
//! every leaderboard column on screen, names that link to their pages, a search that
//! reaches village teams, a board ranked by one kind, the change against the previous
//! period in words, a readable trend, coverage grouped and collapsed, and every query
//! error a Vietnamese page with a way back.

use chrono::{Datelike, Duration};
use langso_tests::browser::Browser;
use langso_tests::harness::{LEADER_PASSWORD, Server, today_vn};
use langso_tests::reports::{MAP_WITH_DISTRICTS, TEAM, TODAY, push};

const PHONE: (u32, u32) = (360, 740);
const DESKTOP: (u32, u32) = (1280, 900);

fn log_in(b: &Browser, server: &Server, username: &str) {
    b.goto(&format!("{}/login", server.url));
    b.type_into(&b.find("input[name=username]"), username);
    b.type_into(&b.find("input[name=password]"), LEADER_PASSWORD);
    b.click_and_load(&b.find("#login"));
}

/// Today's map without history: T00001's commune with 12 VNeID activations against a
/// target of 7, and 5 signatures against 1,005 counted since 2025-07-01, due in 100 days
/// (1,000 left: 10 a day). Returns the server and a leader of that commune.
fn commune_with_targets() -> (Server, String) {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut phone = s.enroll(TEAM);
    push(&s, &mut phone, "vneid_activation", 12);
    push(&s, &mut phone, "digital_signature", 5);
    let commune = s.commune_of(TEAM);
    let due = (today_vn() + Duration::days(99)).to_string();
    for rule in [
        "--kind vneid_activation --value 7".to_owned(),
        format!("--kind digital_signature --value 1005 --start 2025-07-01 --due {due}"),
    ] {
        let args = format!("target --unit-kind commune --unit {commune} {rule}");
        s.cli_ok(&args.split_whitespace().collect::<Vec<_>>());
    }
    let leader = s.new_leader("commune_leader", &commune);
    (s, leader)
}

#[test]
fn cards_label_this_period_and_the_cumulative_share_with_its_due_date_and_pace() {
    let (server, leader) = commune_with_targets();
    let b = Browser::start(PHONE.0, PHONE.1);
    log_in(&b, &server, &leader);
    let vneid = b.text_of("#card-vneid_activation");
    assert!(vneid.contains("12 trong kỳ"), "{vneid}");
    assert_eq!(
        b.text_of("#card-vneid_activation .pct"),
        "171,4%",
        "12 of 7"
    );
    assert!(vneid.contains("tích lũy: 12"), "no start date: {vneid}");
    assert!(vneid.contains("đã đạt chỉ tiêu"), "{vneid}");

    let sig = b.text_of("#card-digital_signature");
    let due = (today_vn() + Duration::days(99))
        .format("%d/%m/%Y")
        .to_string();
    for part in [
        "5 trong kỳ",
        "Chỉ tiêu 1.005",
        "0,5%",
        "tích lũy từ 01/07/2025: 5",
        &format!("Hạn {due}"),
        "cần 10/ngày",
    ] {
        assert!(sig.contains(part), "{part:?} in {sig}");
    }
    // The score against last month, in words.
    let prev = (today_vn().with_day(1).unwrap() - Duration::days(1)).month();
    let compare = b.text_of("#compare");
    assert!(
        compare.starts_with(&format!("tháng {prev}"))
            || compare.contains(&format!("so với tháng {prev}")),
        "{compare}"
    );

    b.click_and_load(&b.find("#lang"));
    let sig = b.text_of("#card-digital_signature");
    for part in [
        "Target 1,005",
        "0.5%",
        "cumulative since 01/07/2025: 5",
        "needs 10/day",
    ] {
        assert!(sig.contains(part), "{part:?} in {sig}");
    }
    assert_eq!(b.text_of("#card-vneid_activation .pct"), "171.4%");
}

#[test]
fn the_trend_has_a_y_axis_label_written_values_and_no_days_to_come() {
    let (server, leader) = commune_with_targets();
    let b = Browser::start(PHONE.0, PHONE.1);
    log_in(&b, &server, &leader);
    assert_eq!(b.text_of("#trend text.ylabel"), "Điểm");
    assert_eq!(
        b.find_all("#trend rect.bar").len(),
        today_vn().day() as usize,
        "days of the month after today are not drawn"
    );
    let values: Vec<String> = b
        .find_all("#trend text.val")
        .iter()
        .map(|e| b.text(e))
        .collect();
    assert!(
        values.contains(&"46".to_owned()),
        "12 × 3 + 5 × 2 written on today's bar: {values:?}"
    );
    let svg = b.execute("return document.querySelector('#trend svg').textContent");
    assert!(
        !svg.as_str().unwrap().contains('k'),
        "no abbreviated numbers: {svg}"
    );
}

/// Every row of the commune's board keeps its five named columns inside the viewport,
/// the page does not scroll sideways, and a team's name opens its page.
fn board_fits_and_links(width: u32, height: u32) {
    let (server, leader) = commune_with_targets();
    let b = Browser::start(width, height);
    log_in(&b, &server, &leader);
    let (page, viewport) = b.widths();
    assert_eq!(viewport, u64::from(width));
    assert!(page <= viewport, "{width} px: the page is {page} px wide");
    let rows = b.find_all("#leaderboard tbody tr").len();
    assert!(rows >= 1, "the commune ranks its teams");
    for col in ["rank", "name", "val", "chg", "act"] {
        let css = format!("#leaderboard tbody td.{col}");
        assert_eq!(b.find_all(&css).len(), rows, "{col}");
        let off = b.outside_viewport(&css);
        assert!(off.is_empty(), "{width} px, {col} off-screen: {off:?}");
    }
    let first = b.find("#leaderboard tbody td.name a");
    let name = b.text(&first);
    b.click_and_load(&first);
    assert_eq!(b.text_of("#unit-name"), name, "the name opens its own page");
    assert!(
        b.current_url().contains("unit=team:"),
        "{}",
        b.current_url()
    );
    b.screenshot_for_docs(&format!("dashboard-team-{width}"));
}

#[test]
fn at_360_px_every_board_row_shows_rank_name_score_change_and_active_members() {
    board_fits_and_links(PHONE.0, PHONE.1);
}

#[test]
fn at_1280_px_the_board_is_a_table_on_screen_whose_names_link() {
    board_fits_and_links(DESKTOP.0, DESKTOP.1);
}

#[test]
fn a_board_ranks_by_one_kind() {
    let (server, leader) = commune_with_targets();
    let b = Browser::start(DESKTOP.0, DESKTOP.1);
    log_in(&b, &server, &leader);
    b.select("#rank", "digital_signature");
    b.click_and_load(&b.find("#rank-go"));
    assert_eq!(b.text_of("#leaderboard th.val"), "Cấp chữ ký số");
    assert_eq!(
        b.text_of("#leaderboard tbody td.val"),
        "5",
        "the first team's signatures"
    );
    assert!(b.current_url().contains("rank=digital_signature"));
    // The ranking is kept when a name is followed.
    let href = b
        .attribute(&b.find("#leaderboard tbody td.name a"), "href")
        .unwrap();
    assert!(href.contains("rank=digital_signature"), "{href}");
}

#[test]
fn a_district_leader_finds_a_village_team_and_coverage_is_grouped_and_collapsed() {
    let server = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    // The district with the fewest teams (a rural one, like the issue's: 83 teams, 72 of
    // them villages'), so that its picker lists them all.
    let all = server.teams();
    let of = |d: &str| -> Vec<&serde_json::Value> {
        all.iter().filter(|t| t["district_code"] == d).collect()
    };
    let district = all
        .iter()
        .filter_map(|t| t["district_code"].as_str())
        .min_by_key(|d| of(d).len())
        .expect("districts")
        .to_owned();
    let teams = of(&district);
    let leader = server.new_leader("district_leader", &district);
    let b = Browser::start(PHONE.0, PHONE.1);
    log_in(&b, &server, &leader);
    let in_picker = b.find_all("#unit option[value^='team:']").len();
    assert_eq!(
        in_picker,
        teams.len(),
        "every team of the district in the picker"
    );

    // A village team found by its name typed in lower case.
    let team = teams
        .iter()
        .find(|t| t["level"] == "village")
        .expect("a village team");
    let name = team["name"].as_str().unwrap().to_owned();
    b.type_into(&b.find("#q"), &name.to_lowercase());
    b.click_and_load(&b.find("#find"));
    let found = b
        .find_all("#found a")
        .into_iter()
        .find(|a| b.text(a) == name)
        .unwrap_or_else(|| panic!("{name} not found: {}", b.text_of("#found")));
    b.click_and_load(&found);
    assert_eq!(b.text_of("#unit-name"), name);
    assert!(
        b.current_url().contains("unit=team:"),
        "{}",
        b.current_url()
    );

    // The district's coverage: one collapsed group per commune, after the downloads.
    b.goto(&format!("{}/", server.url));
    let groups = b.find_all("#coverage details.commune");
    assert!(groups.len() > 1, "one group per commune");
    let open = b.execute("return document.querySelectorAll('#coverage details[open]').length");
    assert_eq!(open, 0, "collapsed by default");
    let order = b.execute(
        "return document.querySelector('#downloads').getBoundingClientRect().top < \
         document.querySelector('#coverage').getBoundingClientRect().top",
    );
    assert_eq!(order, true, "the downloads come before the long table");
    b.click(&b.find("#coverage summary"));
    let cell = b.text_of("#coverage details[open] tbody td.n");
    assert!(
        cell.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "a population: {cell}"
    );
    // A village's name opens its page.
    let village = b.find("#coverage details[open] tbody td a");
    let name = b.text(&village);
    b.click_and_load(&village);
    b.assert_html_page("vi", "a village's page");
    assert_eq!(b.text_of("#unit-name"), name);
}

#[test]
fn every_query_error_and_unknown_page_is_a_vietnamese_page_with_a_way_back() {
    let (server, leader) = commune_with_targets();
    for (path, status, code) in [
        ("/?date=2026-13-40", 400, "invalid_query"),
        ("/?period=fortnight", 400, "invalid_query"),
        ("/?unit=nonsense", 400, "invalid_query"),
        ("/?rank=no_such_kind", 400, "invalid_rank_by"),
        ("/?unit=commune:99999", 404, "unknown_unit"),
        ("/?unit=province:22", 403, "out_of_scope"),
        ("/dashbord", 404, "not_found"),
    ] {
        let (got, body) = server.dashboard_page(&leader, path);
        assert_eq!(got, status, "{path}: {body}");
        assert!(body.starts_with("<!DOCTYPE html>"), "{path}: {body}");
        assert!(body.contains("lang=\"vi\""), "{path}");
        assert!(body.contains(code), "{path}: {body}");
        assert!(body.contains("href=\"/?lang=vi\""), "{path}: a way back");
    }
    let (_, page) = server.dashboard_page(&leader, "/");
    assert!(page.contains("@media print"), "a print stylesheet");
}
