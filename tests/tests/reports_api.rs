//! Leaders' reports over HTTP: summaries, leaderboards, coverage, scope checks and bad
//! parameters, every JSON answer checked against the spec (exports: reports_exports.rs;
//! the scope matrix: reports_scope_matrix.rs; targets: reports_targets.rs).

use chrono::{Duration, Utc};
use langso_tests::harness::{PROVINCE, Server, today_vn, vn_rfc3339};
use langso_tests::reports::{MAP_WITH_DISTRICTS, TEAM, TODAY, push};
use serde_json::Value;

/// Two teams of one commune and a third of another commune of the same district.
fn teams(s: &Server) -> (String, String, String) {
    let all = s.teams();
    let district = s.district_of(TEAM);
    let commune = s.commune_of(TEAM);
    let mut same = all
        .iter()
        .filter(|t| t["commune_code"] == commune.as_str() && t["id"] != TEAM);
    let other = all
        .iter()
        .find(|t| t["district_code"] == district.as_str() && t["commune_code"] != commune.as_str())
        .expect("another commune in the district");
    (
        TEAM.to_owned(),
        same.next().expect("a second team in the commune")["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        other["id"].as_str().unwrap().to_owned(),
    )
}

fn row<'a>(board: &'a Value, id: &str) -> &'a Value {
    board["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {board}"))
}

#[test]
fn a_district_leader_ranks_the_district_teams_with_ties_and_idle_teams() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let (a, b, c) = teams(&s);
    let (mut pa, mut pb) = (s.enroll(&a), s.enroll(&b));
    push(&s, &mut pa, "vneid_activation", 2); // 6 points
    push(&s, &mut pb, "digital_signature", 3); // 6 points
    let token = s.login_as("district_leader", &s.district_of(TEAM));

    let r = s
        .get(
            &format!(
                "/v1/reports/leaderboard?scope_kind=district&scope={}&of=teams&period=month&date={}",
                s.district_of(TEAM),
                today_vn()
            ),
            Some(&token),
        )
        .expect(200);

    let (ra, rb, rc) = (row(&r.body, &a), row(&r.body, &b), row(&r.body, &c));
    assert_eq!(
        (ra["rank"].as_i64(), rb["rank"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(ra["score"], 6.0);
    assert_eq!(ra["active_members"], 1);
    assert!(rc["rank"].is_null() && rc["score"] == 0.0, "{rc}");
    assert!(ra["previous_rank"].is_null() && ra["rank_change"].is_null());
    assert_eq!(r.body["period"]["closed"], false);
    assert!(r.body["late"].is_null());
    let as_of = chrono::DateTime::parse_from_rfc3339(r.body["as_of"].as_str().unwrap()).unwrap();
    assert!((Utc::now() - as_of.with_timezone(&Utc)).num_seconds().abs() < 60);
}

#[test]
fn a_commune_summary_has_daily_points_totals_and_resolution_09_coverage() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut p = s.enroll(TEAM);
    push(&s, &mut p, "e_health_book", 4);
    let commune = s.commune_of(TEAM);
    let token = s.login_as("commune_leader", &commune);

    let r = s
        .get(
            &format!(
                "/v1/reports/summary?unit_kind=commune&unit={commune}&period=week&date={}",
                today_vn()
            ),
            Some(&token),
        )
        .expect(200);

    let b = &r.body;
    assert_eq!(b["granularity"], "day");
    assert_eq!(b["series"].as_array().unwrap().len(), 7);
    assert_eq!(b["totals"]["e_health_book"], 4);
    let cov: Vec<&str> = b["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        cov,
        ["vneid_activation", "e_payment_account", "e_health_book"]
    );
    let health = &b["coverage"][2];
    assert_eq!(health["target"], b["unit"]["population"]);
    assert_eq!(
        (health["achieved"].as_i64(), health["period_total"].as_i64()),
        (Some(4), Some(4))
    );
}

#[test]
fn events_arriving_after_a_day_ended_are_late_for_that_day() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut p = s.enroll(TEAM);
    let village = p.village().to_owned();
    let mut e = p.event("vneid_activation", &village, 2);
    let yesterday = Utc::now() - Duration::days(1);
    e["occurred_at"] = vn_rfc3339(yesterday).into();
    s.push(&p, &[e]).expect(200);
    let token = s.login_as("team_leader", TEAM);

    let r = s
        .get(
            &format!(
                "/v1/reports/summary?unit_kind=team&unit={TEAM}&period=day&date={}",
                langso_domain::time::vn_day(yesterday)
            ),
            Some(&token),
        )
        .expect(200);

    assert_eq!(r.body["period"]["closed"], true);
    assert_eq!(r.body["totals"]["vneid_activation"], 2);
    assert_eq!(r.body["late"]["events"], 1);
    assert_eq!(r.body["late"]["totals"]["vneid_activation"], 2);
}

#[test]
fn a_team_leader_ranks_volunteers_and_reads_the_team_villages_coverage() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut p = s.enroll(TEAM);
    push(&s, &mut p, "outreach_session", 1);
    let token = s.login_as("team_leader", TEAM);

    let board = s
        .get(
            &format!("/v1/reports/leaderboard?scope_kind=team&scope={TEAM}&of=volunteers"),
            Some(&token),
        )
        .expect(200);
    let cov = s
        .get(
            &format!("/v1/reports/coverage?unit_kind=team&unit={TEAM}"),
            Some(&token),
        )
        .expect(200);

    let first = &board.body["rows"][0];
    assert_eq!(
        (first["id"].as_str(), first["rank"].as_i64()),
        (Some(p.member_id.as_str()), Some(1))
    );
    assert_eq!(first["active_members"], 1);
    let villages = s.team(TEAM)["village_ids"].as_array().unwrap().len();
    assert_eq!(cov.body["rows"].as_array().unwrap().len(), villages);
}

#[test]
fn scope_is_checked_on_the_unit_asked_for() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let district = s.district_of(TEAM);
    let other = s
        .teams()
        .into_iter()
        .find(|t| t["district_code"].as_str().is_some_and(|d| d != district))
        .unwrap();
    let other_district = other["district_code"].as_str().unwrap();
    let dl = s.login_as("district_leader", &district);
    let tl = s.login_as("team_leader", TEAM);
    let commune = s.commune_of(TEAM);

    let q = |kind: &str, id: &str| format!("/v1/reports/summary?unit_kind={kind}&unit={id}");
    s.get(&q("district", other_district), Some(&dl))
        .expect_error(403, "out_of_scope");
    s.get(&q("province", PROVINCE), Some(&dl))
        .expect_error(403, "out_of_scope");
    s.get(&q("district", "999"), Some(&dl))
        .expect_error(404, "unknown_unit");
    s.get(&q("commune", &commune), Some(&tl))
        .expect_error(403, "out_of_scope");
    s.get(
        &format!("/v1/reports/coverage?unit_kind=commune&unit={commune}"),
        Some(&tl),
    )
    .expect_error(403, "out_of_scope");
    s.get(
        &format!("/v1/reports/leaderboard?scope_kind=province&scope={PROVINCE}&of=districts"),
        Some(&dl),
    )
    .expect_error(403, "out_of_scope");
    s.get(&q("district", &district), None)
        .expect_error(401, "missing_token");
    let phone = s.enroll(TEAM);
    s.get(&q("district", &district), Some(&phone.access_token))
        .expect(401);
}

#[test]
fn bad_parameters_answer_400_with_a_code() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let token = s.login_as("province_admin", PROVINCE);
    let summary = |q: &str| {
        s.get(
            &format!("/v1/reports/summary?unit_kind=province&unit={PROVINCE}&{q}"),
            Some(&token),
        )
    };
    summary("period=fortnight").expect_error(400, "invalid_period");
    summary("period=month&from=2026-01-01&to=2026-01-31").expect_error(400, "invalid_period");
    summary("from=2026-02-01&to=2026-01-01").expect_error(400, "invalid_range");
    summary("from=2020-01-01&to=2026-01-01").expect_error(400, "range_too_large");
    summary("granularity=hour").expect_error(400, "invalid_granularity");
    summary("period=year&granularity=day&date=2026-06-01").expect(200);
    summary("from=2024-01-01&to=2026-01-01&granularity=day")
        .expect_error(400, "invalid_granularity");
    summary("format=pdf").expect_error(400, "invalid_format");
    summary("colour=red").expect_error(400, "invalid_query");
    summary("date=yesterday").expect_error(400, "invalid_query");
    s.get("/v1/reports/summary?unit_kind=hamlet&unit=1", Some(&token))
        .expect_error(400, "invalid_unit_kind");
    let lb = |q: &str| s.get(&format!("/v1/reports/leaderboard?{q}"), Some(&token));
    lb(&format!(
        "scope_kind=province&scope={PROVINCE}&of=volunteers"
    ))
    .expect_error(400, "invalid_leaderboard");
    lb(&format!("scope_kind=province&scope={PROVINCE}&of=villages"))
        .expect_error(400, "invalid_leaderboard");
    lb(&format!(
        "scope_kind=province&scope={PROVINCE}&of=districts&rank_by=smiles"
    ))
    .expect_error(400, "invalid_rank_by");
    let ok = lb(&format!(
        "scope_kind=province&scope={PROVINCE}&of=districts&rank_by=vneid_activation"
    ))
    .expect(200);
    assert_eq!(ok.body["rank_by"], "vneid_activation");
    assert_eq!(ok.body["rows"].as_array().unwrap().len(), 13);
}
