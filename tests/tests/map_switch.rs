//! The administrative map changes, history follows (issue 8): a database with activity
//! switched 177 → 171 → 54 communes through the real binary, with a server running on it.
//! Every village is placed, the province's totals do not move, each 2025 commune's totals
//! are the sum over its villages, verify passes; a dry run changes nothing; the operator's
//! placements file moves a provisional village; leaders are carried or listed.

use langso_tests::harness::{LEADER_PASSWORD, Phone, Server, today_vn};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const PROVINCE: &str = "22";
/// Phường Yết Kiêu: abolished on 2024-11-01, its receiving ward not in the file.
const YET_KIEU: &str = "06682";
/// Phường Hoà Lạc: merged into Phường Trần Phú (06712) on 2024-11-01.
const HOA_LAC: &str = "06718";
/// Xã Đông Ngũ: split in 2025 between 06862 and 06877, the latter keeping its code.
const DONG_NGU: &str = "06877";
/// Phường Hà Khẩu: split in 2025 between 06661 (named first) and 06706; neither keeps 06655.
const HA_KHAU: &str = "06655";

fn data(file: &str) -> String {
    format!("{}/../data/quang-ninh/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// A village team of `commune` in the demo on the 177-commune map.
fn team_in(s: &Server, commune: &str) -> String {
    s.teams()
        .into_iter()
        .find(|t| t["level"] == "village" && t["commune_code"] == commune)
        .and_then(|t| t["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a village team in {commune}"))
}

fn record(s: &Server, phone: &mut Phone, count: i64) {
    let village = phone.village().to_owned();
    let events = [
        phone.event("vneid_activation", &village, count),
        phone.event("digital_signature", &village, 1),
    ];
    s.push(phone, &events).expect(200);
}

fn totals(s: &Server, token: &str, kind: &str, unit: &str) -> BTreeMap<String, i64> {
    let r = s
        .get(
            &format!(
                "/v1/reports/summary?unit_kind={kind}&unit={unit}&period=year&date={}",
                today_vn()
            ),
            Some(token),
        )
        .expect(200);
    serde_json::from_value(r.body["totals"].clone()).expect("totals by kind")
}

/// What a summary report shows of a unit's figures (not `as_of`, coverage or late), along
/// the current map or along version `hierarchy`.
fn filed(s: &Server, token: &str, kind: &str, unit: &str, hierarchy: Option<&str>) -> Value {
    let along = hierarchy.map_or(String::new(), |h| format!("&hierarchy={h}"));
    let r = s
        .get(
            &format!(
                "/v1/reports/summary?unit_kind={kind}&unit={unit}&period=year&date={}{along}",
                today_vn()
            ),
            Some(token),
        )
        .expect(200);
    serde_json::json!({
        "unit": r.body["unit"],
        "totals": r.body["totals"],
        "series": r.body["series"],
        "score": r.body["score"],
    })
}

/// Reports along the 177-commune map after it stopped being current reproduce what they
/// said while it was; the version, the unit and the leader's scope are checked.
fn reports_along_the_old_map_reproduce_them(s: &Server, admin: &str, filed_then: &[Value]) {
    let units = [
        ("district", "193"),
        ("commune", HOA_LAC),
        ("province", PROVINCE),
    ];
    for ((kind, unit), then) in units.iter().zip(filed_then) {
        assert_eq!(
            &filed(s, admin, kind, unit, Some("2024-09-01")),
            then,
            "{kind} {unit}"
        );
    }
    let q = |kind: &str, unit: &str, h: &str| {
        format!(
            "/v1/reports/summary?unit_kind={kind}&unit={unit}&period=year&date={}&hierarchy={h}",
            today_vn()
        )
    };
    s.get(&q("district", "193", "2023-01-01"), Some(admin))
        .expect_error(404, "unknown_hierarchy");
    s.get(&q("district", "999", "2024-09-01"), Some(admin))
        .expect_error(404, "unknown_unit");
    s.get(&q("team", "T00001", "2024-09-01"), Some(admin))
        .expect_error(400, "invalid_query");
}

fn current(db: &Path) -> String {
    Connection::open(db)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'current_hierarchy'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// (village, commune) of every village in the current version, and the villages count.
fn placements(db: &Path) -> (BTreeMap<String, String>, usize) {
    let c = Connection::open(db).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT v.village_id, p.commune_code FROM villages v JOIN village_placements p
             ON p.village_id = v.id JOIN hierarchy_versions h ON h.id = p.version_id
             JOIN meta m ON m.key = 'current_hierarchy' AND m.value = h.key",
        )
        .unwrap();
    let placed = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM villages", [], |r| r.get(0))
        .unwrap();
    (placed, n as usize)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sum(a: &mut BTreeMap<String, i64>, b: &BTreeMap<String, i64>) {
    for (k, v) in b {
        *a.entry(k.clone()).or_default() += v;
    }
}

/// Each commune of the current map totals exactly what its villages total (the demo's
/// history has activity all over the province).
fn communes_are_their_villages(s: &Server, token: &str) {
    let (placed, _) = placements(&s.db);
    let mut expected: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (v, commune) in &placed {
        let t = totals(s, token, "village", v);
        sum(expected.entry(commune.clone()).or_default(), &t);
    }
    let communes: std::collections::BTreeSet<&String> = placed.values().collect();
    for commune in communes {
        let want = expected.remove(commune).unwrap_or_default();
        assert_eq!(
            totals(s, token, "commune", commune),
            want,
            "commune {commune}"
        );
    }
}

/// A leader of an abolished unit gets a clear 403 from the API and a page saying what
/// happened from the dashboard, never raw JSON or "not found".
fn a_leader_whose_unit_is_gone_is_told_so(s: &Server, username: &str) {
    let token = s.login(username, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s.get(
        &format!(
            "/v1/reports/summary?unit_kind=province&unit={PROVINCE}&period=year&date={}",
            today_vn()
        ),
        Some(&token),
    );
    r.expect_error(403, "scope_not_on_map");
    let (status, html) = s.dashboard_page(username, "/");
    assert_eq!(status, 403);
    assert!(
        html.contains("rescope-user") && html.contains("<html"),
        "{html}"
    );
}

#[test]
fn history_follows_the_map_through_177_171_and_54_communes() {
    // The demo whose history ends on the 177-commune map: this test makes the switches.
    let s = Server::start_demo_on("quang-ninh-2024-09", &[]);
    let teams = [YET_KIEU, HOA_LAC, DONG_NGU, HA_KHAU].map(|c| team_in(&s, c));
    let mut phones: Vec<Phone> = teams.iter().map(|t| s.enroll(t)).collect();
    for (i, p) in phones.iter_mut().enumerate() {
        record(&s, p, 3 + i as i64);
    }
    let active: Vec<String> = phones.iter().map(|p| p.village().to_owned()).collect();
    let active: Vec<&str> = active.iter().map(String::as_str).collect();
    let hoa = s.new_leader("commune_leader", HOA_LAC);
    let lan = s.new_leader("district_leader", "193");
    let province = s.login_as("province_admin", PROVINCE);
    let before = totals(&s, &province, "province", PROVINCE);
    assert!(!before.is_empty());
    let filed_then: Vec<Value> = [
        ("district", "193"),
        ("commune", HOA_LAC),
        ("province", PROVINCE),
    ]
    .iter()
    .map(|(kind, unit)| filed(&s, &province, kind, unit, None))
    .collect();
    assert!(filed_then[0]["totals"]["vneid_activation"].as_i64() > Some(0));

    // 177 → 171: Yết Kiêu's villages have no successor, so the switch refuses, naming
    // them, and changes nothing; the operator's file places them.
    let refused = s.cli(&[
        "import-units",
        &data("quang-ninh-admin-units-2024-11.json"),
        "--current",
    ]);
    assert!(!refused.status.success());
    let yet_kieu: Vec<String> = placements(&s.db)
        .0
        .into_iter()
        .filter(|(_, c)| c == YET_KIEU)
        .map(|(v, _)| v)
        .collect();
    for v in &yet_kieu {
        assert!(
            stdout(&refused).contains(v.as_str()),
            "{v} listed: {}",
            stdout(&refused)
        );
    }
    assert_eq!(current(&s.db), "2024-09-01");
    let file = s.db.with_file_name("yet-kieu.csv");
    let rows: String = yet_kieu.iter().map(|v| format!("{v};06673\r\n")).collect();
    std::fs::write(
        &file,
        format!("\u{feff}village_code;commune_code\r\n{rows}"),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    s.cli_ok(&[
        "import-units",
        &data("quang-ninh-admin-units-2024-11.json"),
        "--current",
        "--placements",
        file,
    ]);
    assert_eq!(current(&s.db), "2024-11-01");
    let (placed, n) = placements(&s.db);
    assert_eq!(
        placed.len(),
        n,
        "every village placed in the 171-commune map"
    );
    assert_eq!(
        placed[active[1]], "06712",
        "Hoà Lạc's village follows it into Trần Phú"
    );
    assert_eq!(totals(&s, &province, "province", PROVINCE), before);
    s.assert_tallies_verify();

    // A dry run of 171 → 54 prints the plan and changes nothing.
    let dry = s.cli_ok(&[
        "import-units",
        &data("quang-ninh-admin-units-2025.json"),
        "--current",
        "--dry-run",
    ]);
    assert!(
        dry.contains("dry run") && dry.contains("provisional"),
        "{dry}"
    );
    assert_eq!(current(&s.db), "2024-11-01");
    assert_eq!(placements(&s.db).0, placed);
    assert_eq!(totals(&s, &province, "province", PROVINCE), before);

    // 171 → 54: every village placed, split communes provisionally.
    let plan = s.cli_ok(&[
        "import-units",
        &data("quang-ninh-admin-units-2025.json"),
        "--current",
        "--json",
    ]);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(plan["applied"], true);
    assert_eq!(current(&s.db), "2025-07-01");
    let (placed, n) = placements(&s.db);
    assert_eq!(
        placed.len(),
        n,
        "every village placed in the 54-commune map"
    );
    assert_eq!(
        placed[active[2]], DONG_NGU,
        "Đông Ngũ's villages stay with the successor keeping its code"
    );
    assert_eq!(
        placed[active[3]], "06661",
        "Hà Khẩu's villages go to the first successor named"
    );
    let provisional = plan["provisional"].as_array().unwrap();
    assert!(
        provisional.iter().any(|p| p["village"] == active[3]),
        "{plan}"
    );
    assert_eq!(totals(&s, &province, "province", PROVINCE), before);
    communes_are_their_villages(&s, &province);
    s.assert_tallies_verify();
    reports_along_the_old_map_reproduce_them(&s, &province, &filed_then);

    // Leaders: the commune leader followed Hoà Lạc (06718 → 06712 → 06709 Móng Cái or
    // wherever it went); the district leader was listed, and is rescoped by the operator.
    let carried = plan["leaders"].as_array().unwrap();
    assert!(
        carried
            .iter()
            .any(|l| l["subject"].as_str().unwrap().contains(&lan) && l["to"].is_null()),
        "{plan}"
    );
    let hoa_token = s.login(&hoa, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let hoa_commune = &placed[active[1]];
    assert_eq!(
        totals(&s, &hoa_token, "commune", hoa_commune),
        totals(&s, &province, "commune", hoa_commune)
    );
    // Hoà Lạc's leader may read old Hoà Lạc along the old map, not old district 193.
    assert_eq!(
        filed(&s, &hoa_token, "commune", HOA_LAC, Some("2024-09-01")),
        filed_then[1]
    );
    s.get(
        &format!(
            "/v1/reports/summary?unit_kind=district&unit=193&period=year&date={}&hierarchy=2024-09-01",
            today_vn()
        ),
        Some(&hoa_token),
    )
    .expect_error(403, "out_of_scope");
    a_leader_whose_unit_is_gone_is_told_so(&s, &lan);
    s.cli_ok(&[
        "rescope-user",
        "--username",
        &lan,
        "--role",
        "province_admin",
        "--scope",
        PROVINCE,
    ]);
    let lan_token = s.login(&lan, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(totals(&s, &lan_token, "province", PROVINCE), before);

    // The operator moves the provisional Hà Khẩu village to the other successor.
    let moved = active[3];
    let file = s.db.with_file_name("ha-khau.csv");
    std::fs::write(&file, format!("{moved},06706\n")).unwrap();
    let village_totals = totals(&s, &province, "village", moved);
    let (west, east) = (
        totals(&s, &province, "commune", "06661"),
        totals(&s, &province, "commune", "06706"),
    );
    s.cli_ok(&[
        "switch-map",
        "--to",
        "2025-07-01",
        "--placements",
        file.to_str().unwrap(),
    ]);
    assert_eq!(placements(&s.db).0[moved], "06706");
    let mut east_after = east.clone();
    sum(&mut east_after, &village_totals);
    assert_eq!(totals(&s, &province, "commune", "06706"), east_after);
    let west_after = totals(&s, &province, "commune", "06661");
    assert_eq!(
        west_after.values().sum::<i64>(),
        west.values().sum::<i64>() - village_totals.values().sum::<i64>()
    );
    assert_eq!(totals(&s, &province, "province", PROVINCE), before);
    communes_are_their_villages(&s, &province);
    s.assert_tallies_verify();

    // New work after the switch counts along the new map too.
    record(&s, &mut phones[2], 5);
    let mut expected = before.clone();
    sum(
        &mut expected,
        &BTreeMap::from([
            ("vneid_activation".to_owned(), 5),
            ("digital_signature".to_owned(), 1),
        ]),
    );
    assert_eq!(totals(&s, &province, "province", PROVINCE), expected);
    communes_are_their_villages(&s, &province);
    s.assert_tallies_verify();
}
