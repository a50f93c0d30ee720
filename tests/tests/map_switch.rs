//! The administrative map changes, history follows (issue 8): a database with activity
//! switched 177 → 171 → 54 communes through the real binary, with a server running on it.
//! Every village is placed, the province's totals do not move, each 2025 commune's totals
//! are the sum over its villages, verify passes; a dry run changes nothing; the operator's
//! placements file moves a provisional village; leaders are carried or listed.

use langso_tests::harness::{LEADER_PASSWORD, Phone, Server, today_vn};
use langso_tests::map_switch::{
    DONG_NGU, HA_KHAU, HOA_LAC, PROVINCE, YET_KIEU, a_leader_whose_unit_is_gone_is_told_so,
    communes_are_their_villages, current, data, filed, placements, record,
    reports_along_the_old_map_reproduce_them, stdout, sum, team_in, totals,
};
use serde_json::Value;
use std::collections::BTreeMap;

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
