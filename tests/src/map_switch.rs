//! What the map switch test shares (map_switch.rs): the communes that show each kind of
//! change, a push, and readings of reports, placements and the current map.

use crate::harness::{LEADER_PASSWORD, Phone, Server, today_vn};
use rusqlite::Connection;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Quảng Ninh's province code.
pub const PROVINCE: &str = "22";
/// Phường Yết Kiêu: abolished on 2024-11-01, its receiving ward not in the file.
pub const YET_KIEU: &str = "06682";
/// Phường Hoà Lạc: merged into Phường Trần Phú (06712) on 2024-11-01.
pub const HOA_LAC: &str = "06718";
/// Xã Đông Ngũ: split in 2025 between 06862 and 06877, the latter keeping its code.
pub const DONG_NGU: &str = "06877";
/// Phường Hà Khẩu: split in 2025 between 06661 (named first) and 06706; neither keeps 06655.
pub const HA_KHAU: &str = "06655";

/// The path of `file` in data/quang-ninh/.
pub fn data(file: &str) -> String {
    format!("{}/../data/quang-ninh/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// A village team of `commune` in the demo on the 177-commune map.
pub fn team_in(s: &Server, commune: &str) -> String {
    s.teams()
        .into_iter()
        .find(|t| t["level"] == "village" && t["commune_code"] == commune)
        .and_then(|t| t["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a village team in {commune}"))
}

/// Pushes `count` VNeID activations and one digital signature in the phone's village.
pub fn record(s: &Server, phone: &mut Phone, count: i64) {
    let village = phone.village().to_owned();
    let events = [
        phone.event("vneid_activation", &village, count),
        phone.event("digital_signature", &village, 1),
    ];
    s.push(phone, &events).expect(200);
}

/// A unit's totals by kind this year, from its summary report.
pub fn totals(s: &Server, token: &str, kind: &str, unit: &str) -> BTreeMap<String, i64> {
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
pub fn filed(s: &Server, token: &str, kind: &str, unit: &str, hierarchy: Option<&str>) -> Value {
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
pub fn reports_along_the_old_map_reproduce_them(s: &Server, admin: &str, filed_then: &[Value]) {
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

/// The key of the current hierarchy version in the database at `db`.
pub fn current(db: &Path) -> String {
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
pub fn placements(db: &Path) -> (BTreeMap<String, String>, usize) {
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

/// A command's standard output, as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Adds `b` into `a`, kind by kind.
pub fn sum(a: &mut BTreeMap<String, i64>, b: &BTreeMap<String, i64>) {
    for (k, v) in b {
        *a.entry(k.clone()).or_default() += v;
    }
}

/// Each commune of the current map totals exactly what its villages total (the demo's
/// history has activity all over the province).
pub fn communes_are_their_villages(s: &Server, token: &str) {
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
pub fn a_leader_whose_unit_is_gone_is_told_so(s: &Server, username: &str) {
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
