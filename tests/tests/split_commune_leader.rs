//! A split commune's leader in the map-switch plan (issue 8, acceptance finding 4): when
//! the old commune's code continues in the new map (Xã Đông Ngũ, 06877, split in 2025 with
//! the successor keeping its code) the plan says the leader is kept there, and the leader's
//! access matches (`/v1/me` and the commune's reports answer 200); when no successor keeps
//! the code (Phường Hà Khẩu, 06655) the plan says NOT CARRIED and the API 403
//! `scope_not_on_map`.

use langso_tests::harness::{LEADER_PASSWORD, Server, today_vn};
use serde_json::Value;

/// Xã Đông Ngũ: split in 2025 between 06862 and 06877, the latter keeping its code.
const DONG_NGU: &str = "06877";
/// Phường Hà Khẩu: split in 2025 between 06661 and 06706; neither keeps 06655.
const HA_KHAU: &str = "06655";

fn data(file: &str) -> String {
    format!("{}/../data/quang-ninh/{file}", env!("CARGO_MANIFEST_DIR"))
}

fn token(s: &Server, username: &str) -> String {
    s.login(username, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// The plan's line about `username`'s leader (JSON).
fn leader_line<'a>(plan: &'a Value, username: &str) -> &'a Value {
    plan["leaders"]
        .as_array()
        .expect("leaders")
        .iter()
        .find(|l| l["subject"].as_str().unwrap_or("").contains(username))
        .unwrap_or_else(|| panic!("{username} in {plan}"))
}

fn summary(commune: &str) -> String {
    format!(
        "/v1/reports/summary?unit_kind=commune&unit={commune}&period=year&date={}",
        today_vn()
    )
}

#[test]
fn a_split_communes_leader_is_kept_where_its_code_continues() {
    let s = Server::start_quiet_demo_on("quang-ninh-2024-11");
    let dong_ngu = s.new_leader("commune_leader", DONG_NGU);
    let ha_khau = s.new_leader("commune_leader", HA_KHAU);
    let file = data("quang-ninh-admin-units-2025.json");

    let text = s.cli_ok(&["import-units", &file, "--current", "--dry-run"]);
    let plan: Value =
        serde_json::from_str(&s.cli_ok(&["import-units", &file, "--current", "--json"]))
            .expect("plan JSON");

    let kept = leader_line(&plan, &dong_ngu);
    assert_eq!(kept["to"], DONG_NGU, "{plan}");
    let note = kept["note"].as_str().unwrap();
    assert!(
        note.starts_with(
            "kept: 06877 continues as Xã Đông Ngũ (also holds villages of 06868, 06883); \
             split between "
        ),
        "{note}"
    );
    assert!(
        note.ends_with("rescope with `langso rescope-user` if that is wrong"),
        "{note}"
    );
    let line = text
        .lines()
        .find(|l| l.contains(&dong_ngu))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("{DONG_NGU} -> {DONG_NGU} (kept: ")),
        "{line}"
    );
    assert!(!line.contains("NOT CARRIED"), "{line}");
    let gone = leader_line(&plan, &ha_khau);
    assert!(gone["to"].is_null(), "{plan}");
    let line = text.lines().find(|l| l.contains(&ha_khau)).unwrap();
    assert!(line.contains("NOT CARRIED"), "{line}");

    let t = token(&s, &dong_ngu);
    let me = s.get("/v1/me", Some(&t)).expect(200);
    assert_eq!(me.body["scope"]["id"], DONG_NGU, "{}", me.body);
    s.get(&summary(DONG_NGU), Some(&t)).expect(200);
    let t = token(&s, &ha_khau);
    s.get(&summary(HA_KHAU), Some(&t))
        .expect_error(403, "scope_not_on_map");
}
