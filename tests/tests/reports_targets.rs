//! Report targets: set with the CLI or by the province administrator over HTTP, and shown
//! in the coverage of summaries.

use langso_tests::harness::{PROVINCE, Server};
use langso_tests::reports::{MAP_WITH_DISTRICTS, TEAM, TODAY, push};

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
