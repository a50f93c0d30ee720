//! Leaders' reports over HTTP: summaries, leaderboards, coverage, scope checks, bad
//! parameters and exports (CSV, XLSX), every JSON answer checked against the spec.

use chrono::{Duration, Utc};
use langso_tests::harness::{PROVINCE, Phone, Server, today_vn, vn_rfc3339};
use serde_json::Value;

const TEAM: &str = "T00001";
/// The tests run on the demo without its history, so every figure counts from zero: on
/// today's map (T00001 is the team of V000001 in Phường Cao Xanh), or, for district leaders
/// and district reports, on the 171-commune map of 2024-11, the last with districts (the
/// grouping leader's reports on today's map: grouping_leaders.rs).
const TODAY: &str = "quang-ninh-2025";
const MAP_WITH_DISTRICTS: &str = "quang-ninh-2024-11";

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

fn push(s: &Server, phone: &mut Phone, kind: &str, count: i64) {
    let village = phone.village().to_owned();
    let e = phone.event(kind, &village, count);
    let r = s.push(phone, &[e]).expect(200);
    assert_eq!(r.statuses(), ["accepted"]);
}

/// RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
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

#[test]
fn csv_exports_start_with_a_bom_and_parse_as_one_table() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let mut p = s.enroll(TEAM);
    push(&s, &mut p, "qr_payment_sticker", 5);
    let district = s.district_of(TEAM);
    let token = s.login_as("district_leader", &district);
    let n_teams = s
        .teams()
        .iter()
        .filter(|t| t["district_code"] == district.as_str())
        .count();

    let d = s.download(
        &format!(
            "/v1/reports/leaderboard?scope_kind=district&scope={district}&of=teams&format=csv"
        ),
        &token,
    );

    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert!(
        d.content_disposition
            .starts_with("attachment; filename=\"langso-leaderboard-teams-district-")
    );
    assert!(
        d.content_disposition.ends_with(".csv\""),
        "{}",
        d.content_disposition
    );
    assert_eq!(&d.bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let rows = parse_csv(std::str::from_utf8(&d.bytes[3..]).expect("UTF-8"));
    assert_eq!(rows.len(), 1 + n_teams);
    assert_eq!(
        rows[0][..6],
        [
            "Hạng",
            "Hạng kỳ trước",
            "Thay đổi hạng",
            "Mã",
            "Tên",
            "Điểm"
        ]
    );
    assert!(rows[0].contains(&"Cài đặt, kích hoạt định danh điện tử mức 2 (VNeID)".to_owned()));
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][3].as_str(),
            rows[1][5].as_str()
        ),
        ("1", TEAM, "5")
    );
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));

    let summary = s.download(
        &format!("/v1/reports/summary?unit_kind=district&unit={district}&period=week&format=csv"),
        &token,
    );
    let text = String::from_utf8(summary.bytes).unwrap();
    assert!(text.starts_with("\u{feff}Từ ngày,Đến ngày,"));
    assert_eq!(
        text.split("\r\n").filter(|l| !l.is_empty()).count(),
        1 + 7 + 1,
        "7 days and a total"
    );
    assert!(text.contains("\r\nTổng,,"));
}

#[test]
fn xlsx_exports_are_spreadsheets_with_an_information_sheet() {
    let s = Server::start_quiet_demo_on(TODAY);
    let commune = s.commune_of(TEAM);
    let token = s.login_as("commune_leader", &commune);

    for (path, stem) in [
        (
            format!("/v1/reports/coverage?unit_kind=commune&unit={commune}&format=xlsx"),
            "langso-coverage-commune-",
        ),
        (
            format!("/v1/reports/summary?unit_kind=commune&unit={commune}&format=xlsx"),
            "langso-summary-commune-",
        ),
        (
            format!(
                "/v1/reports/leaderboard?scope_kind=commune&scope={commune}&of=teams&format=xlsx"
            ),
            "langso-leaderboard-teams-commune-",
        ),
    ] {
        let d = s.download(&path, &token);

        assert_eq!(d.status, 200, "{path}");
        assert_eq!(
            d.content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(d.content_disposition.contains(stem) && d.content_disposition.ends_with(".xlsx\""));
        assert_eq!(&d.bytes[..4], b"PK\x03\x04", "a zip archive");
        let has = |name: &str| d.bytes.windows(name.len()).any(|w| w == name.as_bytes());
        assert!(has("[Content_Types].xml") && has("xl/workbook.xml"));
        assert!(
            has("xl/worksheets/sheet2.xml"),
            "information sheet and a table"
        );
    }
}

#[test]
fn exports_are_refused_like_json_outside_the_scope() {
    let s = Server::start_quiet_demo_on(TODAY);
    let token = s.login_as("team_leader", TEAM);
    let d = s.download(
        &format!("/v1/reports/summary?unit_kind=province&unit={PROVINCE}&format=csv"),
        &token,
    );
    assert_eq!(d.status, 403);
    let body: Value = serde_json::from_slice(&d.bytes).unwrap();
    assert_eq!(body["code"], "out_of_scope");
}

// ---- scope matrix: every report endpoint × every role × own / sibling / parent / other

// Demo fixture (deterministic seed, the 171-commune map), as in tests/tests/scope_matrix.rs:
// communes 06649 and 06652 in district 193; 06709 in district 194.
const TEAM_A: &str = "T00001"; // village team of V000001, commune 06649
const TEAM_A2: &str = "T00002"; // a sibling village team in 06649
const TEAM_D2: &str = "T01485"; // commune team of 06709, district 194
const VILLAGE_A: &str = "V000001";
const C1: &str = "06649";
const C2: &str = "06652";
const D1: &str = "193";
const D2: &str = "194";

/// (kind, id) of units a role may read.
type Visible = &'static [(&'static str, &'static str)];

/// (role, scope, what it may read).
const MATRIX: [(&str, &str, Visible); 4] = [
    (
        "team_leader",
        TEAM_A,
        &[("team", TEAM_A), ("village", VILLAGE_A)],
    ),
    (
        "commune_leader",
        C1,
        &[("team", TEAM_A), ("village", VILLAGE_A), ("commune", C1)],
    ),
    (
        "district_leader",
        D1,
        &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
        ],
    ),
    (
        "province_admin",
        PROVINCE,
        &[
            ("team", TEAM_A),
            ("village", VILLAGE_A),
            ("commune", C1),
            ("commune", C2),
            ("district", D1),
            ("district", D2),
            ("province", PROVINCE),
        ],
    ),
];

const UNITS: [(&str, &str); 7] = [
    ("team", TEAM_A),
    ("village", VILLAGE_A),
    ("commune", C1),
    ("commune", C2),
    ("district", D1),
    ("district", D2),
    ("province", PROVINCE),
];

/// The leaderboards each kind of scope can rank.
fn boards(kind: &str) -> &'static [&'static str] {
    match kind {
        "team" => &["volunteers"],
        "commune" => &["teams"],
        "district" => &["teams", "communes"],
        "province" => &["teams", "communes", "districts"],
        _ => &[],
    }
}

#[test]
fn every_report_endpoint_answers_each_role_exactly_and_leaks_nothing() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    for team in [TEAM_A, TEAM_A2, TEAM_D2] {
        let mut p = s.enroll(team);
        push(&s, &mut p, "vneid_activation", 1);
    }
    let name = |t: &str| s.team(t)["name"].as_str().unwrap().to_owned();
    let mut checked = 0;
    for (role, scope, visible) in MATRIX {
        let token = s.login_as(role, scope);
        // Names of teams and units outside the scope that no body may carry.
        let mut foreign: Vec<String> = Vec::new();
        for t in [TEAM_A2, TEAM_D2] {
            let sees = match role {
                "team_leader" => false,
                "commune_leader" | "district_leader" => t == TEAM_A2,
                _ => true,
            };
            if !sees {
                foreign.extend([t.to_owned(), name(t)]);
            }
        }
        if !visible.contains(&("district", D2)) {
            foreign.push("Thành phố Móng Cái".into());
        }
        if !visible.contains(&("commune", C2)) {
            foreign.push("Phường Hà Phong".into());
        }
        for (kind, id) in UNITS {
            let expected = if visible.contains(&(kind, id)) {
                200
            } else {
                403
            };
            let mut paths = vec![
                format!("/v1/reports/summary?unit_kind={kind}&unit={id}"),
                format!("/v1/reports/coverage?unit_kind={kind}&unit={id}"),
            ];
            for of in boards(kind) {
                paths.push(format!(
                    "/v1/reports/leaderboard?scope_kind={kind}&scope={id}&of={of}"
                ));
            }
            for path in paths {
                let r = s.get(&path, Some(&token));
                assert_eq!(r.status, expected, "{role} GET {path}: {}", r.body);
                if expected == 403 {
                    assert_eq!(r.code(), "out_of_scope");
                }
                let body = r.body.to_string();
                for f in &foreign {
                    assert!(
                        !body.contains(f.as_str()),
                        "{role} GET {path} names {f:?}: {body}"
                    );
                }
                checked += 1;
            }
        }
        for path in [
            "/v1/reports/summary?unit_kind=district&unit=999".to_owned(),
            "/v1/reports/coverage?unit_kind=village&unit=V999999".to_owned(),
            "/v1/reports/leaderboard?scope_kind=team&scope=T99999&of=volunteers".to_owned(),
        ] {
            s.get(&path, Some(&token)).expect_error(404, "unknown_unit");
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * (7 * 2 + 1 + 1 + 2 + 3 + 3) + 4 * 3);
}

#[test]
fn a_target_set_with_the_cli_shows_in_the_coverage() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut p = s.enroll(TEAM);
    push(&s, &mut p, "digital_signature", 5);
    let commune = s.commune_of(TEAM);
    s.cli_ok(&[
        "target",
        "--unit-kind",
        "commune",
        "--unit",
        &commune,
        "--kind",
        "digital_signature",
        "--value",
        "50",
        "--note",
        "Kế hoạch của xã",
    ]);
    s.cli_ok(&[
        "target",
        "--kind",
        "e_health_book",
        "--basis",
        "households",
        "--value",
        "0.5",
    ]);
    let bad = s.cli(&[
        "target",
        "--kind",
        "e_health_book",
        "--basis",
        "population",
        "--value",
        "2",
    ]);
    assert!(!bad.status.success(), "a share above 1 is refused");
    let token = s.login_as("commune_leader", &commune);

    let r = s
        .get(
            &format!("/v1/reports/summary?unit_kind=commune&unit={commune}"),
            Some(&token),
        )
        .expect(200);

    let cov = r.body["coverage"].as_array().unwrap();
    let sig = cov
        .iter()
        .find(|c| c["kind"] == "digital_signature")
        .expect("the commune's own target");
    assert_eq!(
        (
            sig["target"].as_i64(),
            sig["achieved"].as_i64(),
            sig["remaining"].as_i64()
        ),
        (Some(50), Some(5), Some(45))
    );
    assert_eq!(
        (sig["percent"].as_f64(), sig["is_default"].as_bool()),
        (Some(10.0), Some(false))
    );
    assert_eq!(sig["note"], "Kế hoạch của xã");
    let health = cov.iter().find(|c| c["kind"] == "e_health_book").unwrap();
    assert_eq!(health["basis"], "households");
    let households = r.body["unit"]["households"].as_i64().unwrap();
    assert_eq!(health["target"].as_i64(), Some((households + 1) / 2));
}

#[test]
fn the_province_administrator_sets_targets_and_no_one_else_does() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let district = s.district_of(TEAM);
    let admin = s.login_as("province_admin", PROVINCE);
    let leader = s.login_as("district_leader", &district);
    let body = serde_json::json!({
        "unit_kind": "district", "unit": district, "kind": "digital_signature",
        "basis": "count", "value": 500, "due_date": "2026-12-31", "note": "Kế hoạch năm 2026",
    });

    let r = s.post("/v1/targets", Some(&admin), &body).expect(200);

    assert_eq!(
        (r.body["unit"].as_str(), r.body["value"].as_f64()),
        (Some(district.as_str()), Some(500.0))
    );
    let summary = s
        .get(
            &format!("/v1/reports/summary?unit_kind=district&unit={district}"),
            Some(&leader),
        )
        .expect(200);
    let sig = summary.body["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "digital_signature")
        .expect("the district's own target");
    assert_eq!(
        (sig["target"].as_i64(), sig["due_date"].as_str()),
        (Some(500), Some("2026-12-31"))
    );
    s.post("/v1/targets", Some(&leader), &body)
        .expect_error(403, "role_required");
    let default = serde_json::json!({"kind": "e_health_book", "basis": "households", "value": 0.8});
    s.post("/v1/targets", Some(&admin), &default).expect(200);
    for bad in [
        serde_json::json!({"kind": "e_health_book", "basis": "population", "value": 1.5}),
        serde_json::json!({"kind": "teleportation", "basis": "count", "value": 3}),
        serde_json::json!({"kind": "e_health_book", "basis": "count", "value": 2.5}),
        serde_json::json!({"unit": "201", "kind": "e_health_book", "basis": "count", "value": 2}),
        serde_json::json!({"kind": "e_health_book", "basis": "villages", "value": 2}),
    ] {
        s.post("/v1/targets", Some(&admin), &bad)
            .expect_error(400, "invalid_target");
    }
    let unknown = serde_json::json!({"unit_kind": "commune", "unit": "99999", "kind": "e_health_book", "basis": "count", "value": 2});
    s.post("/v1/targets", Some(&admin), &unknown)
        .expect_error(404, "unknown_unit");
    s.post("/v1/targets", Some(&admin), &serde_json::json!({"kind": 1}))
        .expect_error(400, "invalid_json");
}
