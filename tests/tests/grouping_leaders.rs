//! A grouping leader on today's map (issue 8): the 2025 demo, whose former districts are
//! groupings, without its history so every figure counts from zero. The account (create,
//! set a password, log in, its scope) and its reports: teams ranked with ties and idle
//! teams, communes ranked, the grouping among the province's, a CSV export, and nothing
//! of another grouping. The same checks as the district leader's on the 2024-11 map
//! (reports_api.rs, accounts_api.rs).

use langso_tests::harness::{PROVINCE, Phone, Server, today_vn};
use serde_json::Value;

const TODAY: &str = "quang-ninh-2025";
/// T00001 is the team of V000001 in Phường Cao Xanh (06658), in the former Thành phố Hạ
/// Long (193) with Phường Hà Tu (06652); Phường Móng Cái 2 (06709) is in grouping 194.
const TEAM: &str = "T00001";
const CAO_XANH: &str = "06658";
const HA_TU: &str = "06652";
const MONG_CAI_2: &str = "06709";
const HA_LONG: &str = "193";
const HA_LONG_NAME: &str = "Thành phố Hạ Long (cũ)";

/// The first team of `commune` other than `not`.
fn team_of(s: &Server, commune: &str, not: &str) -> String {
    s.teams()
        .into_iter()
        .find(|t| t["commune_code"] == commune && t["id"] != not)
        .and_then(|t| t["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a team in {commune}"))
}

fn push(s: &Server, phone: &mut Phone, kind: &str, count: i64) {
    let village = phone.village().to_owned();
    let e = phone.event(kind, &village, count);
    assert_eq!(s.push(phone, &[e]).expect(200).statuses(), ["accepted"]);
}

fn board(s: &Server, token: &str, kind: &str, scope: &str, of: &str) -> Value {
    s.get(
        &format!(
            "/v1/reports/leaderboard?scope_kind={kind}&scope={scope}&of={of}&period=month&date={}",
            today_vn()
        ),
        Some(token),
    )
    .expect(200)
    .body
}

fn row<'a>(board: &'a Value, id: &str) -> Option<&'a Value> {
    board["rows"].as_array()?.iter().find(|r| r["id"] == id)
}

#[test]
fn a_grouping_leader_is_created_logs_in_and_sees_its_former_district() {
    let s = Server::start_quiet_demo_on(TODAY);
    let code = s.create_user("grouping_leader", HA_LONG, "Hoa.Tran");
    let set = s
        .set_password("hoa.tran", &code, "mật khẩu dài đủ")
        .expect(200);
    assert_eq!(set.body["username"], "hoa.tran");
    let login = s.login("hoa.tran", "mật khẩu dài đủ").expect(200);
    let user = &login.body["user"];
    assert_eq!(user["role"], "grouping_leader");
    assert_eq!(user["scope"]["kind"], "grouping");
    assert_eq!(user["scope"]["id"], HA_LONG);
    let token = login.body["access_token"].as_str().unwrap();
    let me = s.get("/v1/me", Some(token)).expect(200);
    assert_eq!(me.body["scope"]["name"], HA_LONG_NAME, "{}", me.body);

    // It manages the teams of its communes, and no other.
    for team in [TEAM, &team_of(&s, HA_TU, "")] {
        s.get(&format!("/v1/teams/{team}/devices"), Some(token))
            .expect(200);
    }
    let far = team_of(&s, MONG_CAI_2, "");
    let r = s
        .get(&format!("/v1/teams/{far}/devices"), Some(token))
        .expect_error(403, "out_of_scope");
    assert!(!r.body.to_string().contains(&far), "{}", r.body);

    // A grouping leader's scope is a grouping of today's map, not a commune or a district.
    for scope in [CAO_XANH, "9999"] {
        let out = s.cli(&[
            "create-user",
            "--role",
            "grouping_leader",
            "--scope",
            scope,
            "--username",
            "nobody",
        ]);
        assert!(!out.status.success(), "grouping_leader over {scope}");
    }
}

#[test]
fn a_grouping_leader_ranks_its_teams_and_communes_with_ties_and_idle_ones() {
    let s = Server::start_quiet_demo_on(TODAY);
    let (a, b, c) = (
        TEAM.to_owned(),
        team_of(&s, CAO_XANH, TEAM),
        team_of(&s, HA_TU, ""),
    );
    let far = team_of(&s, MONG_CAI_2, "");
    let (mut pa, mut pb, mut pf) = (s.enroll(&a), s.enroll(&b), s.enroll(&far));
    push(&s, &mut pa, "vneid_activation", 2); // 6 points
    push(&s, &mut pb, "digital_signature", 3); // 6 points
    push(&s, &mut pf, "vneid_activation", 5); // elsewhere
    let token = s.login_as("grouping_leader", HA_LONG);

    let teams = board(&s, &token, "grouping", HA_LONG, "teams");
    assert_eq!(teams["scope"]["name"], HA_LONG_NAME);
    let (ra, rb, rc) = (
        row(&teams, &a).unwrap(),
        row(&teams, &b).unwrap(),
        row(&teams, &c).expect("an idle team of the grouping is listed"),
    );
    assert_eq!(
        (ra["rank"].as_i64(), rb["rank"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(ra["score"], 6.0);
    assert_eq!(ra["active_members"], 1);
    assert!(rc["rank"].is_null() && rc["score"] == 0.0, "{rc}");
    assert!(row(&teams, &far).is_none(), "a team of another grouping");

    let communes = board(&s, &token, "grouping", HA_LONG, "communes");
    let cao_xanh = row(&communes, CAO_XANH).unwrap();
    assert_eq!(
        (cao_xanh["rank"].as_i64(), &cao_xanh["score"]),
        (Some(1), &12.0.into())
    );
    let ha_tu = row(&communes, HA_TU).unwrap();
    assert!(ha_tu["rank"].is_null() && ha_tu["score"] == 0.0, "{ha_tu}");
    assert!(row(&communes, MONG_CAI_2).is_none());
    assert!(!communes.to_string().contains("Móng Cái"), "{communes}");

    let summary = s
        .get(
            &format!(
                "/v1/reports/summary?unit_kind=grouping&unit={HA_LONG}&period=month&date={}",
                today_vn()
            ),
            Some(&token),
        )
        .expect(200);
    assert_eq!(summary.body["totals"]["vneid_activation"], 2);
    assert_eq!(summary.body["totals"]["digital_signature"], 3);

    // The province ranks the groupings: Hạ Long with its 12 points, Móng Cái with 15.
    let admin = s.login_as("province_admin", PROVINCE);
    let groupings = board(&s, &admin, "province", PROVINCE, "groupings");
    assert_eq!(row(&groupings, HA_LONG).unwrap()["score"], 12.0);
    assert_eq!(row(&groupings, HA_LONG).unwrap()["rank"], 2);
    assert_eq!(row(&groupings, "194").unwrap()["rank"], 1);
    // … which the grouping leader may not read.
    s.get(
        "/v1/reports/leaderboard?scope_kind=province&scope=22&of=groupings&period=month",
        Some(&token),
    )
    .expect_error(403, "out_of_scope");

    // Its communes' ranking as CSV: its names only.
    let csv = s.download(
        &format!(
            "/v1/reports/leaderboard?scope_kind=grouping&scope={HA_LONG}&of=communes&period=month&format=csv"
        ),
        &token,
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.contains("Phường Cao Xanh") && text.contains("Phường Hà Tu"),
        "{text}"
    );
    assert!(!text.contains("Móng Cái"), "{text}");
    s.assert_tallies_verify();
}
