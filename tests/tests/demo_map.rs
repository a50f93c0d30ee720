//! The demo runs on today's map (issue 8): `langso demo` builds history over the 177-,
//! 171- and 54-commune maps and ends on the 2025 map, every village placed in it, with
//! activity in each map's time, one team for every village plus one a commune, at least
//! 7 members a team, every member with a phone of their own.

use langso_tests::harness::{Server, langso_bin, today_vn};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const PROVINCE: &str = "22";

fn db_of(s: &Server) -> Connection {
    Connection::open(&s.db).unwrap()
}

fn one(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The communes of the 2025 map (code → name), read from the database.
fn communes_2025(c: &Connection) -> BTreeMap<String, String> {
    let mut stmt = c
        .prepare(
            "SELECT u.code, u.name FROM units u JOIN hierarchy_versions h ON h.id = u.version_id
             WHERE h.key = '2025-07-01' AND u.level = 'commune'",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn totals(
    s: &Server,
    token: &str,
    kind: &str,
    unit: &str,
    from: &str,
    to: &str,
) -> BTreeMap<String, i64> {
    let r = s
        .get(
            &format!("/v1/reports/summary?unit_kind={kind}&unit={unit}&from={from}&to={to}"),
            Some(token),
        )
        .expect(200);
    serde_json::from_value(r.body["totals"].clone()).expect("totals by kind")
}

#[test]
fn langso_demo_ends_on_the_2025_map_with_every_village_placed_and_verify_ok() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = std::process::Command::new(langso_bin())
        .args(["demo", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("1452 villages, 1506 teams, 11255 members"),
        "{err}"
    );
    let c = Connection::open(&db).unwrap();
    let current: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'current_hierarchy'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(current, "2025-07-01");
    let versions = one(&c, "SELECT count(*) FROM hierarchy_versions");
    assert_eq!(versions, 3, "the 177-, 171- and 54-commune maps");
    let unplaced = one(
        &c,
        "SELECT count(*) FROM villages v WHERE NOT EXISTS (
           SELECT 1 FROM village_placements p JOIN hierarchy_versions h ON h.id = p.version_id
           JOIN units u ON u.version_id = h.id AND u.code = p.commune_code AND u.level = 'commune'
           WHERE p.village_id = v.id AND h.key = '2025-07-01')",
    );
    assert_eq!(unplaced, 0, "every village has a commune of the 2025 map");
    // The former districts are groupings of today's communes, each commune in one.
    let groupings = std::process::Command::new(langso_bin())
        .args(["units", "--level", "grouping", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&groupings.stdout);
    assert!(groupings.status.success(), "{listed}");
    assert_eq!(listed.lines().count(), 13, "{listed}");
    assert!(listed.contains("Thành phố Hạ Long (cũ)"), "{listed}");
    let in_groupings = one(
        &c,
        "SELECT count(DISTINCT commune_code) FROM grouping_communes",
    );
    assert_eq!(in_groupings, 54);
    assert_eq!(one(&c, "SELECT count(*) FROM villages"), 1452);
    drop(c);
    let verify = std::process::Command::new(langso_bin())
        .args(["verify", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let units = std::process::Command::new(langso_bin())
        .args(["units", "--level", "commune", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&units.stdout).lines().count(), 54);
}

#[test]
fn the_history_has_activity_under_each_of_the_three_maps() {
    let s = Server::start_demo();
    let token = s.login_as("province_admin", PROVINCE);
    let today = today_vn().to_string();
    let periods = [
        ("2024-09-01", "2024-10-31"),
        ("2024-11-01", "2025-06-30"),
        ("2025-07-01", today.as_str()),
    ];
    let mut events = Vec::new();
    for (from, to) in periods {
        let t = totals(&s, &token, "province", PROVINCE, from, to);
        let n: i64 = t.values().sum();
        assert!(n > 0, "activity from {from} to {to}: {t:?}");
        events.push(n);
    }
    assert!(
        events[2] > events[0] + events[1],
        "most activity is on today's map: {events:?}"
    );
}

#[test]
fn the_province_totals_are_the_sum_of_its_54_communes() {
    let s = Server::start_demo();
    let token = s.login_as("province_admin", PROVINCE);
    let communes = communes_2025(&db_of(&s));
    assert_eq!(communes.len(), 54);
    for (from, to) in [("2024-09-01", "2025-06-30"), ("2025-07-01", "2026-06-30")] {
        let province = totals(&s, &token, "province", PROVINCE, from, to);
        assert!(!province.is_empty());
        let mut sum: BTreeMap<String, i64> = BTreeMap::new();
        for code in communes.keys() {
            for (k, v) in totals(&s, &token, "commune", code, from, to) {
                *sum.entry(k).or_default() += v;
            }
        }
        assert_eq!(province, sum, "{from}..{to}");
    }
}

#[test]
fn teams_are_one_a_village_and_one_a_commune_with_at_least_seven_members_each() {
    let s = Server::start_demo();
    let c = db_of(&s);
    let small = one(
        &c,
        "SELECT count(*) FROM teams t WHERE (SELECT count(*) FROM members m WHERE m.team_id = t.id) < 7",
    );
    assert_eq!(small, 0, "no team with fewer than 7 members");
    let per_village = one(
        &c,
        "SELECT count(*) FROM villages v WHERE (SELECT count(*) FROM team_villages tv
           JOIN teams t ON t.id = tv.team_id WHERE tv.village_id = v.id AND t.level = 'village') != 1",
    );
    assert_eq!(per_village, 0, "every village has exactly one village team");
    let teams: Vec<Value> = s.teams();
    let communes = communes_2025(&c);
    let commune_teams: BTreeSet<String> = teams
        .iter()
        .filter(|t| t["level"] == "commune")
        .map(|t| t["commune_code"].as_str().unwrap().to_owned())
        .collect();
    let all: BTreeSet<String> = communes.keys().cloned().collect();
    assert_eq!(commune_teams, all, "one commune team for each 2025 commune");
    assert_eq!(teams.iter().filter(|t| t["level"] == "commune").count(), 54);
    for t in &teams {
        let code = t["commune_code"].as_str().unwrap();
        assert!(communes.contains_key(code), "team {} in {code}", t["id"]);
    }
    let name = |sql: &str| one(&c, sql);
    assert_eq!(
        name("SELECT count(*) FROM members WHERE name LIKE 'Điện thoại%'"),
        0
    );
    assert_eq!(
        name("SELECT count(*) FROM members m WHERE m.id NOT IN (SELECT member_id FROM devices)"),
        0,
        "every member has a phone bound to them"
    );
    assert_eq!(
        name("SELECT count(*) FROM members WHERE role = 'leader'"),
        1506
    );
}

#[test]
fn a_demo_ending_on_an_older_map_keeps_its_districts() {
    let s = Server::start_demo_on("quang-ninh-2024-11", &[]);
    let c = db_of(&s);
    let current: String = c
        .query_row(
            "SELECT value FROM meta WHERE key = 'current_hierarchy'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(current, "2024-11-01");
    let teams = s.teams();
    assert_eq!(
        teams.iter().filter(|t| t["level"] == "commune").count(),
        171
    );
    assert!(teams.iter().all(|t| t["district_code"].is_string()));
}

#[test]
fn the_simulator_runs_on_the_2025_map_with_each_phone_bound_to_a_roster_member() {
    let s = Server::start_demo();
    let out = std::process::Command::new(langso_bin())
        .args(["simulate", "--server", &s.url, "--db"])
        .arg(&s.db)
        .args(["--devices", "40", "--seed", "5"])
        .env("LANGSO_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("\n0 lost, 0 double-counted"), "{stdout}");
    let c = db_of(&s);
    let simulated = one(
        &c,
        "SELECT count(*) FROM devices WHERE name LIKE 'simulated phone %'",
    );
    assert_eq!(simulated, 40);
    let unbound = one(
        &c,
        "SELECT count(*) FROM devices d JOIN members m ON m.id = d.member_id
         WHERE d.name LIKE 'simulated phone %' AND (m.unassigned = 1 OR m.team_id != d.team_id)",
    );
    assert_eq!(
        unbound, 0,
        "every simulated phone is bound to a roster member of its team"
    );
    let off_map = one(
        &c,
        "SELECT count(*) FROM events e JOIN devices d ON d.id = e.device_id
         WHERE d.name LIKE 'simulated phone %' AND NOT EXISTS (
           SELECT 1 FROM village_placements p JOIN hierarchy_versions h ON h.id = p.version_id
           WHERE p.village_id = e.village_id AND h.key = '2025-07-01')",
    );
    assert_eq!(
        off_map, 0,
        "every simulated event is in a village of the 2025 map"
    );
    assert!(
        one(
            &c,
            "SELECT count(*) FROM events e JOIN devices d ON d.id = e.device_id
             WHERE d.name LIKE 'simulated phone %'"
        ) > 0
    );
}

#[test]
fn langso_demo_refuses_a_database_that_holds_villages_and_changes_nothing() {
    let s = Server::start_demo();
    let before = db_of(&s)
        .query_row(
            "SELECT (SELECT value FROM meta WHERE key = 'current_hierarchy'),
                    (SELECT count(*) FROM events)",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap();

    let out = s.cli(&["demo"]);

    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already holds villages"), "{err}");
    let after = db_of(&s)
        .query_row(
            "SELECT (SELECT value FROM meta WHERE key = 'current_hierarchy'),
                    (SELECT count(*) FROM events)",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap();
    assert_eq!(after, before, "the map stays today's, the history whole");
}
