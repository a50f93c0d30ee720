//! A district leaderboard on a map without districts (issue 8, acceptance finding 2): the
//! 2025 map has none, so `of=districts` is refused, 400 `level_not_on_map`, naming the
//! map's levels and `of=groupings`, as `units --level district` and a district summary
//! already refuse; on a map with districts it still ranks them.

use langso_tests::harness::{PROVINCE, Server};

/// The leaderboard of `of` within the province, for the year.
fn board(of: &str) -> String {
    format!("/v1/reports/leaderboard?scope_kind=province&scope={PROVINCE}&of={of}&period=year")
}

#[test]
fn districts_on_a_map_without_them_are_refused_pointing_at_groupings() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let admin = s.login_as("province_admin", PROVINCE);

    let refused = s
        .get(&board("districts"), Some(&admin))
        .expect_error(400, "level_not_on_map");
    let csv = s.get(&format!("{}&format=csv", board("districts")), Some(&admin));
    let groupings = s.get(&board("groupings"), Some(&admin)).expect(200);

    let why = refused.message();
    assert!(why.contains("has no level 'district'"), "{why}");
    assert!(why.contains("its levels: province, commune"), "{why}");
    assert!(why.contains("of=groupings"), "{why}");
    csv.expect_error(400, "level_not_on_map");
    assert_eq!(groupings.body["rows"].as_array().map(Vec::len), Some(13));
}

#[test]
fn districts_on_a_map_with_them_are_ranked() {
    let s = Server::start_quiet_demo_on("quang-ninh-2024-11");
    let admin = s.login_as("province_admin", PROVINCE);

    let r = s.get(&board("districts"), Some(&admin)).expect(200);

    assert!(!r.body["rows"].as_array().expect("rows").is_empty());
}
