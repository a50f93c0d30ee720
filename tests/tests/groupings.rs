//! Groupings of communes (issue 8, "Levels are data"): on today's 54-commune map, the
//! former districts derived from the 2025 file's successions are a report, leaderboard and
//! leader scope. Through the real binary: a grouping leader's progress and leaderboards
//! are the sums of its communes, anything outside it is 403, and groupings stay with their
//! map (a bad file, or none: groupings_absent_or_bad.rs).

use langso_tests::harness::{LEADER_PASSWORD, Phone, Server, today_vn};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;

const PROVINCE: &str = "22";
/// Phường Yết Kiêu: abolished on 2024-11-01 with no successor in the file; its villages
/// need the operator's placement on the way to today's map.
const YET_KIEU: &str = "06682";
/// Former Thành phố Hạ Long's code, and so its grouping's.
const HA_LONG: &str = "193";
const HA_LONG_NAME: &str = "Thành phố Hạ Long (cũ)";
/// Communes of the 177-commune demo: two in Hạ Long (Hà Khánh, Hà Phong), one in Móng Cái.
const IN_HA_LONG: [&str; 2] = ["06649", "06652"];
const IN_MONG_CAI: &str = "06709";

type Totals = BTreeMap<String, i64>;

/// A village team of `commune` in the demo.
fn team_in(s: &Server, commune: &str) -> String {
    s.teams()
        .into_iter()
        .find(|t| t["level"] == "village" && t["commune_code"] == commune)
        .and_then(|t| t["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a village team in {commune}"))
}

/// Makes the 54-commune map of 2025-07-01 current (through 2024-11), placing Yết Kiêu's
/// villages in Phường Bãi Cháy as an operator would; returns the switch's plan (JSON).
fn switch_to_2025(s: &Server) -> Value {
    let c = Connection::open(&s.db).unwrap();
    let villages: Vec<String> = c
        .prepare(
            "SELECT v.village_id FROM villages v JOIN village_placements p ON p.village_id = v.id
             WHERE p.commune_code = ?1",
        )
        .unwrap()
        .query_map([YET_KIEU], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let file = s.db.with_file_name("placements.csv");
    let rows: String = villages.iter().map(|v| format!("{v},06673\n")).collect();
    std::fs::write(&file, format!("village_code,commune_code\n{rows}")).unwrap();
    s.cli_ok(&["import-units", "--builtin", "quang-ninh-2024-11"]);
    let plan = s.cli_ok(&[
        "import-units",
        "--builtin",
        "quang-ninh-2025",
        "--current",
        "--json",
        "--placements",
        file.to_str().unwrap(),
    ]);
    serde_json::from_str(&plan).unwrap()
}

fn year(kind_param: &str, kind: &str, unit: &str) -> String {
    format!(
        "{kind_param}={kind}&unit={unit}&period=year&date={}",
        today_vn()
    )
}

fn totals(s: &Server, token: &str, kind: &str, unit: &str) -> Totals {
    let r = s
        .get(
            &format!("/v1/reports/summary?{}", year("unit_kind", kind, unit)),
            Some(token),
        )
        .expect(200);
    serde_json::from_value(r.body["totals"].clone()).unwrap()
}

fn board(s: &Server, token: &str, scope_kind: &str, scope: &str, of: &str) -> Value {
    s.get(
        &format!(
            "/v1/reports/leaderboard?scope_kind={scope_kind}&scope={scope}&of={of}&period=year&date={}",
            today_vn()
        ),
        Some(token),
    )
    .expect(200)
    .body
}

fn add(sum: &mut Totals, t: &Totals) {
    for (k, v) in t {
        *sum.entry(k.clone()).or_default() += v;
    }
}

fn row_totals(row: &Value) -> Totals {
    serde_json::from_value(row["totals"].clone()).unwrap()
}

fn record(s: &Server, phone: &mut Phone, count: i64) {
    let village = phone.village().to_owned();
    let events = [
        phone.event("vneid_activation", &village, count),
        phone.event("digital_signature", &village, 1),
    ];
    s.push(phone, &events).expect(200);
}

#[test]
fn a_former_district_leader_ranks_its_communes_and_teams_and_sees_nothing_else() {
    // The demo's teams and members without its history: the test counts from zero.
    let s = Server::start_quiet_demo_on("quang-ninh-2024-09");
    let teams: Vec<String> = IN_HA_LONG
        .iter()
        .chain([&IN_MONG_CAI])
        .map(|c| team_in(&s, c))
        .collect();
    switch_to_2025(&s);
    let mut phones: Vec<Phone> = teams.iter().map(|t| s.enroll(t)).collect();
    for (i, p) in phones.iter_mut().enumerate() {
        record(&s, p, 2 + i as i64);
    }

    s.cli_ok(&["import-groupings", "--former-districts"]);
    let listed = s.cli_ok(&["units", "--level", "grouping"]);
    assert!(
        listed.contains(&format!(
            "{HA_LONG}\tgrouping\tformer_district\t{HA_LONG_NAME}\t"
        )),
        "{listed}"
    );
    assert_eq!(listed.lines().count(), 13, "{listed}");
    let communes: Vec<String> = listed
        .lines()
        .find(|l| l.starts_with(&format!("{HA_LONG}\t")))
        .unwrap()
        .rsplit('\t')
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    assert_eq!(communes.len(), 12);

    let province = s.login_as("province_admin", PROVINCE);
    let lan = s.login_as("grouping_leader", HA_LONG);

    // Progress: the grouping's figures are its communes' summed, and not the province's.
    let mut sum = Totals::new();
    for c in &communes {
        add(&mut sum, &totals(&s, &province, "commune", c));
    }
    let mine = totals(&s, &lan, "grouping", HA_LONG);
    assert!(!mine.is_empty());
    assert_eq!(mine, sum);
    assert_ne!(mine, totals(&s, &province, "province", PROVINCE));

    // Leaderboard of its communes: its 12 communes, each with its own figures.
    let b = board(&s, &lan, "grouping", HA_LONG, "communes");
    assert_eq!(b["scope"]["name"], HA_LONG_NAME);
    let rows = b["rows"].as_array().unwrap();
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, communes.iter().map(String::as_str).collect::<Vec<_>>());
    for r in rows {
        let id = r["id"].as_str().unwrap();
        assert_eq!(row_totals(r), totals(&s, &province, "commune", id), "{id}");
    }

    // Leaderboard of its teams: the two Hạ Long teams that worked are there, the Móng Cái
    // one is not, and the teams' figures add up to the grouping's.
    let b = board(&s, &lan, "grouping", HA_LONG, "teams");
    let rows = b["rows"].as_array().unwrap();
    let mut teams_sum = Totals::new();
    for r in rows {
        add(&mut teams_sum, &row_totals(r));
    }
    assert_eq!(teams_sum, mine);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&teams[0].as_str()) && ids.contains(&teams[1].as_str()));
    assert!(!ids.contains(&teams[2].as_str()));

    // The province ranks the former districts, each with its communes' figures.
    let b = board(&s, &province, "province", PROVINCE, "groupings");
    let rows = b["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 13);
    let ha_long = rows.iter().find(|r| r["id"] == HA_LONG).unwrap();
    assert_eq!(ha_long["name"], HA_LONG_NAME);
    assert_eq!(row_totals(ha_long), mine);
    assert_eq!(ha_long["rank"], 1, "{b}");
    assert_eq!(ha_long["active_members"], 2);
    let mut all = Totals::new();
    for r in rows {
        add(&mut all, &row_totals(r));
    }
    assert_eq!(all, totals(&s, &province, "province", PROVINCE));

    // Inside: its communes and teams. Outside: 403 out_of_scope; unknown: 404.
    let inside = s.team(&teams[0])["commune_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let outside = s.team(&teams[2])["commune_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(communes.contains(&inside) && !communes.contains(&outside));
    let summary = |kind: &str, unit: &str| {
        s.get(
            &format!("/v1/reports/summary?{}", year("unit_kind", kind, unit)),
            Some(&lan),
        )
    };
    summary("commune", &inside).expect(200);
    summary("team", &teams[0]).expect(200);
    summary("commune", &outside).expect_error(403, "out_of_scope");
    summary("team", &teams[2]).expect_error(403, "out_of_scope");
    summary("grouping", "194").expect_error(403, "out_of_scope");
    summary("province", PROVINCE).expect_error(403, "out_of_scope");
    summary("grouping", "999").expect_error(404, "unknown_unit");
    s.get(
        &format!("/v1/reports/leaderboard?scope_kind=commune&scope={outside}&of=teams&period=year"),
        Some(&lan),
    )
    .expect_error(403, "out_of_scope");

    // Exports work for a grouping.
    let csv = s.download(
        &format!(
            "/v1/reports/leaderboard?scope_kind=grouping&scope={HA_LONG}&of=teams&period=year&format=csv"
        ),
        &lan,
    );
    assert_eq!(csv.status, 200);
    assert!(
        csv.content_disposition.contains("grouping-193"),
        "{}",
        csv.content_disposition
    );

    // The dashboard: the grouping's page ranks its communes; nothing of Móng Cái.
    let username = s.new_leader("grouping_leader", HA_LONG);
    let cookie = format!(
        "langso_session={}",
        s.cookie_login(&username, LEADER_PASSWORD)
            .session_cookie()
            .unwrap()
    );
    let (status, page) = s.send_get_with_cookie("/", &cookie);
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(HA_LONG_NAME) && page.contains("Phường Bãi Cháy"),
        "{page}"
    );
    assert!(!page.contains("Móng Cái"), "{page}");
    // Below the communes, its leading teams: the two that worked.
    let leading = &page[page.find("Tổ dẫn đầu").expect("a leading teams board")..];
    for t in &teams[..2] {
        let name = s.team(t)["name"].as_str().unwrap().to_owned();
        assert!(leading.contains(&name), "{name} among the leading teams");
    }
    let (status, _) = s.send_get_with_cookie(&format!("/?unit=commune:{outside}"), &cookie);
    assert_eq!(status, 403);

    // The province's page on a map without districts ranks the former districts.
    let admin = s.new_leader("province_admin", PROVINCE);
    let cookie = format!(
        "langso_session={}",
        s.cookie_login(&admin, LEADER_PASSWORD)
            .session_cookie()
            .unwrap()
    );
    let (status, page) = s.send_get_with_cookie("/", &cookie);
    assert_eq!(status, 200);
    let board = &page[page.find("id=\"leaderboard\"").expect("a leaderboard")..];
    assert!(board.contains(HA_LONG_NAME), "{board}");
    assert!(
        page.contains("of=groupings"),
        "the download ranks groupings too"
    );
    s.assert_tallies_verify();
}

#[test]
fn groupings_stay_with_their_map_and_a_switch_lists_their_leaders() {
    let s = Server::start_demo_on("quang-ninh-2024-09", &[]);
    let file = s.db.with_file_name("cum.csv");
    let csv = |commune: &str| {
        format!("grouping_code,grouping_name,kind,commune_code\nG1,Cụm Một,cluster,{commune}\n")
    };
    std::fs::write(&file, csv("06649")).unwrap();
    let file = file.to_str().unwrap().to_owned();
    s.cli_ok(&["import-groupings", &file]);
    let hoa = s.new_leader("grouping_leader", "G1");
    let token = s.login(&hoa, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let summary = || {
        s.get(
            &format!(
                "/v1/reports/summary?{}",
                year("unit_kind", "grouping", "G1")
            ),
            Some(&token),
        )
    };
    summary().expect(200);

    // The switch does not carry the grouping: its leader is listed, and told why.
    let plan = switch_to_2025(&s);
    let listed = plan["leaders"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|l| l["subject"].as_str().unwrap().contains(&hoa)
                && l["to"].is_null()
                && l["note"].as_str().unwrap().contains("import-groupings")),
        "{plan}"
    );
    assert_eq!(s.cli_ok(&["units", "--level", "grouping"]), "");
    summary().expect_error(403, "scope_not_on_map");

    // Groupings of the new map with the same code give the leader a scope again.
    std::fs::write(&file, csv("06658")).unwrap();
    s.cli_ok(&["import-groupings", &file]);
    let r = summary().expect(200);
    assert_eq!(r.body["unit"]["name"], "Cụm Một");
}
