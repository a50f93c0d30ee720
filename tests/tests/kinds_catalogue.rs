//! The activity catalogue is the province's (issue 9): the province administrator adds and
//! edits kinds over the API, phones holding a cursor receive the change in their next pull,
//! a deactivated kind still takes events recorded before the deactivation, and only the
//! province administrator may touch the catalogue. Real binary, real SQLite.

use chrono::{Duration, Utc};
use langso_tests::harness::{PROVINCE, Server, vn_rfc3339};
use langso_tests::reports::{TEAM, TODAY};
use serde_json::{Value, json};

fn bdhvs() -> Value {
    json!({
        "code": "bdhvs_cert",
        "label_vi": "Chứng nhận Bình dân học vụ số",
        "label_en": "Digital-literacy certificate (Bình dân học vụ số)",
        "unit_vi": "người",
        "unit_en": "person",
        "weight": 4,
        "active": true
    })
}

fn kind_changes(r: &Value, code: &str) -> Vec<Value> {
    r["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["entity"] == "kind" && c["id"] == code)
        .cloned()
        .collect()
}

/// Pulls to the end of the snapshot; returns the cursor.
fn pull_all(s: &Server, token: &str) -> String {
    let mut cursor: Option<String> = None;
    loop {
        let r = s.pull(token, cursor.as_deref(), Some(1000)).expect(200);
        cursor = Some(r.body["next_cursor"].as_str().expect("cursor").to_owned());
        if r.body["has_more"] == false {
            return cursor.unwrap();
        }
    }
}

#[test]
fn an_added_kind_reaches_a_phone_holding_a_cursor_and_takes_events() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut phone = s.enroll(TEAM);
    let cursor = pull_all(&s, &phone.access_token);
    let admin = s.login_as("province_admin", PROVINCE);

    let added = s
        .post("/v1/admin/kinds", Some(&admin), &bdhvs())
        .expect(201);
    assert_eq!(
        added.body["unit"], "người / person",
        "older phones read one unit"
    );
    assert_eq!(added.body["weights"][0]["weight"], 4.0);

    let r = s.pull(&phone.access_token, Some(&cursor), None).expect(200);
    let got = kind_changes(&r.body, "bdhvs_cert");
    assert_eq!(got.len(), 1, "{}", r.body);
    assert_eq!(got[0]["data"]["label_vi"], "Chứng nhận Bình dân học vụ số");
    let v = phone.village().to_owned();
    let e = phone.event("bdhvs_cert", &v, 3);
    assert_eq!(s.push(&phone, &[e]).expect(200).statuses(), ["accepted"]);

    let list = s.get("/v1/admin/kinds", Some(&admin)).expect(200);
    assert!(
        list.body["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["code"] == "bdhvs_cert")
    );
}

#[test]
fn an_edit_reaches_phones_in_their_next_pull() {
    let s = Server::start_quiet_demo_on(TODAY);
    let phone = s.enroll(TEAM);
    let cursor = pull_all(&s, &phone.access_token);
    let admin = s.login_as("province_admin", PROVINCE);

    let body = json!({"label_en": "VNeID level 2", "unit_vi": "tài khoản định danh"});
    let r = s.send_json(
        "PATCH",
        "/v1/admin/kinds/vneid_activation",
        Some(&admin),
        &body.to_string(),
    );
    let r = r.expect(200);
    assert_eq!(r.body["unit"], "tài khoản định danh / account");

    let r = s.pull(&phone.access_token, Some(&cursor), None).expect(200);
    let got = kind_changes(&r.body, "vneid_activation");
    assert_eq!(got[0]["data"]["label_en"], "VNeID level 2", "{}", r.body);
    assert_eq!(got[0]["data"]["unit_vi"], "tài khoản định danh");

    // The edit is audited with the changed fields only, before and after.
    let audit = s
        .get("/v1/admin/audit?action=kind", Some(&admin))
        .expect(200);
    let e = &audit.body["entries"][0];
    assert_eq!(
        (e["action"].as_str(), e["subject"].as_str()),
        (Some("kind.edit"), Some("kind:vneid_activation"))
    );
    assert_eq!(
        e["before"]["label_en"],
        "VNeID install and level-2 e-ID activation"
    );
    assert_eq!(e["after"]["label_en"], "VNeID level 2");
    assert!(
        e["after"].get("code").is_none() && e["after"].get("weight").is_none(),
        "{e}"
    );

    // PUT takes the whole kind; the weight in force today, sent again, plans nothing.
    let mut whole = bdhvs();
    let put = |b: &Value| {
        s.send_json(
            "PUT",
            "/v1/admin/kinds/digital_signature",
            Some(&admin),
            &b.to_string(),
        )
    };
    put(&whole).expect_error(400, "invalid_kind");
    whole["code"] = json!("digital_signature");
    whole["weight"] = json!(2);
    let r = put(&whole).expect(200);
    assert_eq!(r.body["label_vi"], "Chứng nhận Bình dân học vụ số");
    assert_eq!(
        r.body["weights"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
}

#[test]
fn a_deactivated_kind_takes_events_recorded_before_and_refuses_later_ones() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut phone = s.enroll(TEAM);
    let admin = s.login_as("province_admin", PROVINCE);
    let v = phone.village().to_owned();
    let mut before = phone.event("e_health_book", &v, 1);
    before["occurred_at"] = json!(vn_rfc3339(Utc::now() - Duration::hours(2)));
    let after = phone.event("e_health_book", &v, 1);

    let off = json!({"active": false});
    s.send_json(
        "PATCH",
        "/v1/admin/kinds/e_health_book",
        Some(&admin),
        &off.to_string(),
    )
    .expect(200);
    // `after` happens now, after the deactivation.
    let mut after = after;
    after["occurred_at"] = json!(vn_rfc3339(Utc::now()));

    let r = s.push(&phone, &[before.clone(), after.clone()]).expect(200);
    assert_eq!(r.result_for(&before)["status"], "accepted");
    assert_eq!(r.result_for(&after)["status"], "rejected");
    assert_eq!(r.result_for(&after)["code"], "unknown_kind");

    let on = json!({"active": true});
    s.send_json(
        "PATCH",
        "/v1/admin/kinds/e_health_book",
        Some(&admin),
        &on.to_string(),
    )
    .expect(200);
    let again = phone.event("e_health_book", &v, 1);
    assert_eq!(
        s.push(&phone, &[again]).expect(200).statuses(),
        ["accepted"]
    );
    s.assert_tallies_verify();
}

#[test]
fn only_the_province_admin_touches_the_catalogue() {
    let s = Server::start_quiet_demo_on(TODAY);
    let leader = s.login_as("team_leader", TEAM);
    s.get("/v1/admin/kinds", Some(&leader))
        .expect_error(403, "role_required");
    s.post("/v1/admin/kinds", Some(&leader), &bdhvs())
        .expect_error(403, "role_required");
    let patch = json!({"weight": 9});
    s.send_json(
        "PATCH",
        "/v1/admin/kinds/vneid_activation",
        Some(&leader),
        &patch.to_string(),
    )
    .expect_error(403, "role_required");
    s.get("/v1/admin/kinds", None).expect(401);
    let admin = s.login_as("province_admin", PROVINCE);
    let list = s.get("/v1/admin/kinds", Some(&admin)).expect(200);
    let vneid = &list.body["kinds"][0];
    assert_eq!(
        (vneid["code"].as_str(), vneid["weight"].as_f64()),
        (Some("vneid_activation"), Some(3.0))
    );
}

#[test]
fn bad_kinds_are_refused_and_change_nothing() {
    let s = Server::start_quiet_demo_on(TODAY);
    let admin = s.login_as("province_admin", PROVINCE);
    let before = s.get("/v1/admin/kinds", Some(&admin)).expect(200).body;
    let with = |k: &str, v: Value| {
        let mut b = bdhvs();
        b[k] = v;
        b
    };
    for bad in [
        with("code", json!("BDHVS")),
        with("code", json!("bdhvs__cert")),
        with("code", json!("_bdhvs")),
        with("weight", json!(-1)),
        with("weight", json!(1e300)),
        with("label_vi", json!("   ")),
        with("label_en", json!("a\u{0007}b")),
    ] {
        s.post("/v1/admin/kinds", Some(&admin), &bad)
            .expect_error(400, "invalid_kind");
    }
    s.post(
        "/v1/admin/kinds",
        Some(&admin),
        &with("code", json!("vneid_activation")),
    )
    .expect_error(409, "kind_exists");
    let patch = |path: &str, b: Value| s.send_json("PATCH", path, Some(&admin), &b.to_string());
    patch("/v1/admin/kinds/no_such_kind", json!({"weight": 1})).expect_error(404, "unknown_kind");
    patch("/v1/admin/kinds/vneid_activation", json!({})).expect_error(400, "invalid_kind");
    patch(
        "/v1/admin/kinds/vneid_activation",
        json!({"weight_from": "2026-01-01"}),
    )
    .expect_error(400, "invalid_kind");
    patch(
        "/v1/admin/kinds/vneid_activation",
        json!({"weight": 2, "weight_from": "1 May"}),
    )
    .expect_error(400, "invalid_kind");
    let after = s.get("/v1/admin/kinds", Some(&admin)).expect(200).body;
    assert_eq!(before, after);
}

#[test]
fn the_cli_lists_adds_edits_and_deactivates() {
    let s = Server::start_quiet_demo_on(TODAY);
    s.cli_ok(&[
        "kinds",
        "add",
        "--code",
        "bdhvs_cert",
        "--label-vi",
        "Chứng nhận BDHVS",
        "--label-en",
        "BDHVS certificate",
        "--unit-vi",
        "người",
        "--unit-en",
        "person",
        "--weight",
        "4",
    ]);
    s.cli_ok(&[
        "kinds",
        "edit",
        "--code",
        "bdhvs_cert",
        "--weight",
        "6",
        "--from",
        "2026-01-01",
    ]);
    s.cli_ok(&["kinds", "deactivate", "--code", "bdhvs_cert"]);
    let list: Value =
        serde_json::from_str(&s.cli_ok(&["kinds", "list", "--json"])).expect("JSON list");
    let k = list
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "bdhvs_cert")
        .expect("the added kind");
    assert_eq!(k["active"], false);
    assert_eq!(
        k["weights"][1],
        json!({"from": "2026-01-01", "weight": 6.0})
    );
    let bad = s.cli(&[
        "kinds",
        "add",
        "--code",
        "Bad",
        "--label-vi",
        "x",
        "--label-en",
        "x",
        "--unit-vi",
        "x",
        "--weight",
        "1",
    ]);
    assert!(!bad.status.success());
    let bad = s.cli(&[
        "kinds",
        "edit",
        "--code",
        "vneid_activation",
        "--weight",
        "-2",
    ]);
    assert!(!bad.status.success());
}
