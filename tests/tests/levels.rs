//! Levels are data, not code (issue 8): the levels a map has are read from its units, so
//! the same commands and reports work on the 2024 maps (province → district → commune) and
//! on today's map (province → commune, with the former districts as groupings). Asking for
//! a district on a map without districts is a clear error or an empty list, never a crash;
//! `langso units --under` takes a grouping's code and lists its communes.

use langso_tests::harness::{PROVINCE, Server};
use serde_json::Value;

/// Former Thành phố Móng Cái: a district until 2025-07-01, a grouping of the 2025 demo.
const MONG_CAI: &str = "194";

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

/// The codes of the units `langso units ARGS --json` lists, in order.
fn listed(s: &Server, args: &[&str]) -> Vec<String> {
    let mut all = vec!["units"];
    all.extend_from_slice(args);
    all.push("--json");
    let list = json(&s.cli_ok(&all));
    list["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The communes of grouping `code`, as `langso units --level grouping --json` lists them.
fn grouping_communes(s: &Server, code: &str) -> Vec<String> {
    let list = json(&s.cli_ok(&["units", "--level", "grouping", "--json"]));
    let g = list["groupings"]
        .as_array()
        .expect("groupings")
        .iter()
        .find(|g| g["code"] == code)
        .unwrap_or_else(|| panic!("grouping {code} in {list}"));
    serde_json::from_value(g["communes"].clone()).expect("commune codes")
}

/// A province administrator's bearer token.
fn province_admin(s: &Server) -> String {
    s.login_as("province_admin", PROVINCE)
}

/// How many units of `kind` the province dashboard's unit picker offers.
fn picker_options(s: &Server, kind: &str) -> usize {
    let admin = s.new_leader("province_admin", PROVINCE);
    let (status, html) = s.dashboard_page(&admin, "/");
    assert_eq!(status, 200, "{html}");
    html.matches(&format!("value=\"{kind}:")).count()
}

fn leaderboard_rows(s: &Server, token: &str, of: &str) -> usize {
    let r = s
        .get(
            &format!(
                "/v1/reports/leaderboard?scope_kind=province&scope={PROVINCE}&of={of}&period=year"
            ),
            Some(token),
        )
        .expect(200);
    r.body["rows"].as_array().expect("rows").len()
}

#[test]
fn units_under_a_grouping_lists_its_communes() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let communes = grouping_communes(&s, MONG_CAI);

    let under = listed(&s, &["--under", MONG_CAI]);
    let communes_only = listed(&s, &["--under", MONG_CAI, "--level", "commune"]);
    let text = s.cli_ok(&["units", "--under", MONG_CAI]);

    assert!(!communes.is_empty());
    assert_eq!(under, communes);
    assert_eq!(communes_only, communes);
    assert!(
        text.lines()
            .all(|l| l.split('\t').nth(1) == Some("commune")),
        "{text}"
    );
    let unknown = s.cli(&["units", "--under", "9999"]);
    assert!(!unknown.status.success());
    let why = String::from_utf8_lossy(&unknown.stderr);
    assert!(why.contains("no unit or grouping '9999'"), "{why}");
}

#[test]
fn a_map_without_districts_answers_district_questions_clearly() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let admin = province_admin(&s);

    let level = s.cli(&["units", "--level", "district"]);
    let leader = s.cli(&[
        "create-user",
        "--role",
        "district_leader",
        "--scope",
        MONG_CAI,
        "--username",
        "district.mong-cai",
    ]);
    let summary = s.get(
        &format!("/v1/reports/summary?unit_kind=district&unit={MONG_CAI}&period=year"),
        Some(&admin),
    );

    assert!(!level.status.success());
    let why = String::from_utf8_lossy(&level.stderr);
    assert!(
        why.contains("has no level 'district'; its levels: province, commune"),
        "{why}"
    );
    assert!(!leader.status.success());
    let why = String::from_utf8_lossy(&leader.stderr);
    assert!(why.contains("no district '194'"), "{why}");
    summary.expect_error(404, "unknown_unit");
    // of=districts: 400 level_not_on_map (tests/tests/district_leaderboard.rs)
    assert_eq!(leaderboard_rows(&s, &admin, "groupings"), 13);
    assert_eq!(leaderboard_rows(&s, &admin, "communes"), 54);
    assert_eq!(picker_options(&s, "district"), 0);
    assert_eq!(picker_options(&s, "grouping"), 13);
    let page_admin = s.new_leader("province_admin", PROVINCE);
    let (status, html) = s.dashboard_page(&page_admin, &format!("/?unit=district:{MONG_CAI}"));
    assert_eq!(status, 404);
    assert!(html.contains("Không có trang hoặc đơn vị này"), "{html}");
}

#[test]
fn a_map_with_districts_has_them_at_every_level_question() {
    let s = Server::start_quiet_demo_on("quang-ninh-2024-11");
    let admin = province_admin(&s);

    let districts = listed(&s, &["--level", "district"]);
    let in_mong_cai =
        json(&s.cli_ok(&["units", "--under", MONG_CAI, "--level", "commune", "--json"]));
    let province = listed(&s, &["--under", PROVINCE, "--level", "commune"]);
    let summary = s
        .get(
            &format!("/v1/reports/summary?unit_kind=district&unit={MONG_CAI}&period=year"),
            Some(&admin),
        )
        .expect(200);

    assert_eq!(districts.len(), 13);
    let communes = in_mong_cai["units"].as_array().expect("units");
    assert!(!communes.is_empty());
    assert!(communes.iter().all(|u| u["parent_code"] == MONG_CAI));
    // A commune of a district still lies under the province (two steps down).
    assert_eq!(province.len(), 171);
    assert_eq!(summary.body["unit"]["id"], MONG_CAI);
    assert_eq!(leaderboard_rows(&s, &admin, "districts"), 13);
    assert_eq!(picker_options(&s, "district"), 13);
    let level = s.cli(&["units", "--level", "grouping", "--under", MONG_CAI]);
    assert!(!level.status.success());
}
