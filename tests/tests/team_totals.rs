//! One definition of a team's total (issue 7, item 7): what the team's members recorded,
//! wherever they recorded it. A phone's pull, the team's summary and its leaderboard row
//! agree, even where a commune team and a village team share a village.

use langso_tests::harness::{Phone, Server, today_vn};
use serde_json::Value;

const VNEID: &str = "vneid_activation";
const SIGNATURE: &str = "digital_signature";
/// A commune team: it covers every village of its commune, those with their own team too.
/// The commune team of Phường Cao Xanh (06658) on today's map; the demo without its
/// history, so the month's totals are this test's alone.
const COMMUNE_TEAM: &str = "T01454";

/// A village team of `COMMUNE_TEAM`'s commune and the village the two teams share.
fn village_team_sharing_a_village(s: &Server) -> (String, String) {
    let commune = s.commune_of(COMMUNE_TEAM);
    let team = s
        .teams()
        .into_iter()
        .find(|t| t["level"] == "village" && t["commune_code"] == commune.as_str())
        .expect("a village team in the commune");
    let village = team["village_ids"][0].as_str().unwrap().to_owned();
    let commune_team = s.team(COMMUNE_TEAM);
    assert!(
        commune_team["village_ids"]
            .as_array()
            .unwrap()
            .contains(&Value::from(village.as_str())),
        "the commune team covers the village team's village"
    );
    (team["id"].as_str().unwrap().to_owned(), village)
}

fn record(s: &Server, p: &mut Phone, kind: &str, village: &str, count: i64) {
    let e = p.event(kind, village, count);
    let r = s.push(p, &[e]).expect(200);
    assert_eq!(r.statuses(), ["accepted"], "{}", r.body);
}

/// The team's totals as the phone, the team's summary and its commune leaderboard see them,
/// for `today` and `month`.
fn three_views(s: &Server, phone: &Phone, leader: &str, period: (&str, &str)) -> [Value; 3] {
    let (pull_key, period) = period;
    let team = &phone.team_id;
    let pulled = s.pull(&phone.access_token, None, Some(1)).expect(200);
    let date = today_vn();
    let summary = s
        .get(
            &format!("/v1/reports/summary?unit_kind=team&unit={team}&period={period}&date={date}"),
            Some(leader),
        )
        .expect(200);
    let board = s
        .get(
            &format!(
                "/v1/reports/leaderboard?scope_kind=commune&scope={}&of=teams&period={period}&date={date}",
                s.commune_of(COMMUNE_TEAM)
            ),
            Some(leader),
        )
        .expect(200);
    let row = board.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == team.as_str())
        .unwrap_or_else(|| panic!("no row for {team} in {}", board.body))
        .clone();
    [
        pulled.body["team_totals"][pull_key]["totals"].clone(),
        summary.body["totals"].clone(),
        row["totals"].clone(),
    ]
}

#[test]
fn a_phones_team_totals_are_its_members_work_as_its_summary_and_leaderboard_row_say() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let (village_team, shared) = village_team_sharing_a_village(&s);
    let mut commune_phone = s.enroll(COMMUNE_TEAM);
    let mut village_phone = s.enroll(&village_team);
    record(&s, &mut commune_phone, VNEID, &shared, 2);
    record(&s, &mut commune_phone, SIGNATURE, &shared, 1);
    record(&s, &mut village_phone, VNEID, &shared, 3);
    let leader = s.login_as("commune_leader", &s.commune_of(COMMUNE_TEAM));

    for period in [("today", "day"), ("month", "month")] {
        let [pulled, summary, row] = three_views(&s, &commune_phone, &leader, period);
        assert_eq!(
            pulled[VNEID], 2,
            "{period:?}: the members' work, not the village's 5"
        );
        assert_eq!(pulled[SIGNATURE], 1, "{period:?}");
        assert_eq!(pulled, summary, "{period:?}: pull and summary");
        assert_eq!(pulled, row, "{period:?}: pull and leaderboard");

        let [pulled, summary, row] = three_views(&s, &village_phone, &leader, period);
        assert_eq!(pulled[VNEID], 3, "{period:?}");
        assert!(pulled.get(SIGNATURE).is_none(), "{period:?}: {pulled}");
        assert_eq!(pulled, summary, "{period:?}: pull and summary");
        assert_eq!(pulled, row, "{period:?}: pull and leaderboard");
    }
}
