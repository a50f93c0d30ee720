//! The qualifying rule of the evidence report (issue 9): set by the province administrator
//! (`PUT /v1/admin/evidence-rule`, `langso evidence-rule set`), by month, so a past month
//! keeps the rule it was judged by; bad input changes nothing; the report keeps the other
//! reports' scope rules.

use chrono::{Datelike, Duration};
use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server, today_vn};
use langso_tests::reports::{TEAM, TODAY};
use serde_json::json;

const RULE: &str = "/v1/admin/evidence-rule";

fn month(offset: i64) -> String {
    let first = today_vn().with_day(1).unwrap();
    let d = if offset < 0 {
        (first - Duration::days(1)).with_day(1).unwrap()
    } else {
        (first + Duration::days(32 * offset)).with_day(1).unwrap()
    };
    d.format("%Y-%m").to_string()
}

#[test]
fn only_the_province_admin_sets_the_rule_and_a_judged_past_month_keeps_its_own() {
    let s = Server::start_quiet_demo_on(TODAY);
    let admin_name = s.new_leader("province_admin", PROVINCE);
    let admin = s.login(&admin_name, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let commune = s.login_as("commune_leader", &s.commune_of(TEAM));
    let body = json!({"min_activity_days": 4, "min_active_members": 3});

    s.put(RULE, Some(&commune), &body)
        .expect_error(403, "role_required");
    s.put(RULE, None, &body).expect(401);
    let set = s.put(RULE, Some(&admin), &body).expect(200);
    assert_eq!(set.body["rule"]["from"], month(0));
    assert!(set.body["replaced"].is_null());
    // Last month had no rule: the first rule may be back-dated to it.
    let back = json!({"min_activity_days": 2, "min_active_members": 2, "from": month(-1)});
    s.put(RULE, Some(&admin), &back).expect(200);
    // Now last month has one: changing it is refused, and nothing changes.
    let again = json!({"min_activity_days": 9, "min_active_members": 9, "from": month(-1)});
    s.put(RULE, Some(&admin), &again)
        .expect_error(400, "invalid_evidence_rule");
    for bad in [
        json!({"min_activity_days": 32, "min_active_members": 1}),
        json!({"min_activity_days": 1, "min_active_members": 1, "from": "2026-13"}),
        json!({"min_activity_days": -1, "min_active_members": 1}),
        json!({"min_activity_days": 1}),
        json!({"min_activity_days": 1.5, "min_active_members": 1}),
        json!({"min_activity_days": 1, "min_active_members": 1e300}),
    ] {
        let r = s.put(RULE, Some(&admin), &bad);
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }
    let replaced = s
        .put(
            RULE,
            Some(&admin),
            &json!({"min_activity_days": 5.0, "min_active_members": 3}),
        )
        .expect(200);
    assert_eq!(replaced.body["replaced"]["min_activity_days"], 4);

    let rules = s.get(RULE, Some(&commune)).expect(200);
    assert_eq!(
        rules.body["rules"],
        json!([
            {"from": month(-1), "min_activity_days": 2, "min_active_members": 2},
            {"from": month(0), "min_activity_days": 5, "min_active_members": 3},
        ])
    );
    assert_eq!(rules.body["in_force"]["min_activity_days"], 5);
    // Three rules set, three entries: the refused ones wrote none.
    let audit = s
        .get("/v1/admin/audit?action=evidence_rule", Some(&admin))
        .expect(200);
    let entries = audit.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{entries:?}");
    let last = entries.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["subject"].as_str()),
        (
            Some("evidence_rule.set"),
            Some(format!("evidence_rule:{}", month(0)).as_str())
        )
    );
    assert_eq!(
        (last["who"].as_str(), last["via"].as_str()),
        (Some(admin_name.as_str()), Some("api"))
    );
    assert_eq!(
        (
            last["before"]["min_activity_days"].as_i64(),
            last["after"]["min_activity_days"].as_i64()
        ),
        (Some(4), Some(5))
    );
}

#[test]
fn the_cli_sets_and_lists_rules_and_refuses_bad_input_with_a_clear_error() {
    let s = Server::start_quiet_demo_on(TODAY);

    let out = s.cli_ok(&[
        "evidence-rule",
        "set",
        "--min-activity-days",
        "6",
        "--min-active-members",
        "4",
    ]);
    let bad = s.cli(&[
        "evidence-rule",
        "set",
        "--min-activity-days",
        "40",
        "--min-active-members",
        "4",
    ]);
    let bad_month = s.cli(&[
        "evidence-rule",
        "set",
        "--min-activity-days",
        "4",
        "--min-active-members",
        "4",
        "--from",
        "june",
    ]);
    let list = s.cli_ok(&["evidence-rule", "list"]);

    assert!(
        out.contains(&format!(
            "from {}: at least 6 activity days and 4 active members",
            month(0)
        )),
        "{out}"
    );
    assert!(
        !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("min_activity_days")
    );
    assert!(
        !bad_month.status.success()
            && String::from_utf8_lossy(&bad_month.stderr).contains("YYYY-MM")
    );
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("6 activity days"));
    let admin = s.login_as("province_admin", PROVINCE);
    let audit = s
        .get("/v1/admin/audit?action=evidence_rule", Some(&admin))
        .expect(200);
    let entries = audit.body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "only the rule set: {entries:?}");
    assert_eq!(entries[0]["via"], "cli");
    assert!(entries[0]["before"].is_null() && entries[0]["after"]["min_active_members"] == 4);
}

#[test]
fn the_report_has_the_other_reports_scope_rules_and_refuses_what_is_not_a_month_of_teams() {
    let s = Server::start_quiet_demo_on(TODAY);
    let own = s.login_as("team_leader", TEAM);
    let other_team = s
        .teams()
        .into_iter()
        .find(|t| t["commune_code"] != s.commune_of(TEAM).as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = |q: &str| format!("/v1/reports/evidence?{q}");

    s.get(
        &at(&format!("unit_kind=team&unit={other_team}")),
        Some(&own),
    )
    .expect_error(403, "out_of_scope");
    s.get(
        &at(&format!("unit_kind=commune&unit={}", s.commune_of(TEAM))),
        Some(&own),
    )
    .expect_error(403, "out_of_scope");
    s.get(
        &at("unit_kind=team&unit=T99999"),
        Some(&s.login_as("province_admin", PROVINCE)),
    )
    .expect_error(404, "unknown_unit");
    s.get(
        &at(&format!("unit_kind=team&unit={TEAM}&period=week")),
        Some(&own),
    )
    .expect_error(400, "invalid_period");
    // A month not begun is refused, not a list of teams "not qualifying".
    let next_year = langso_tests::harness::today_vn() + chrono::Duration::days(366);
    s.get(
        &format!("/v1/reports/evidence?unit_kind=team&unit={TEAM}&date={next_year}"),
        Some(&own),
    )
    .expect_error(400, "invalid_period");
    s.get(
        &at(&format!("unit_kind=team&unit={TEAM}&format=pdf")),
        Some(&own),
    )
    .expect_error(400, "invalid_format");
    s.get(&at(&format!("unit_kind=team&unit={TEAM}")), None)
        .expect(401);
    let village = s.enroll(TEAM).village().to_owned();
    s.get(
        &at(&format!("unit_kind=village&unit={village}")),
        Some(&own),
    )
    .expect(400);
    s.get(&at(&format!("unit_kind=team&unit={TEAM}")), Some(&own))
        .expect(200);
    let province = s.login_as("province_admin", PROVINCE);
    let all = s
        .get(
            &at(&format!("unit_kind=province&unit={PROVINCE}")),
            Some(&province),
        )
        .expect(200);
    assert_eq!(
        all.body["communes"].as_array().unwrap().len(),
        54,
        "every commune of today's map"
    );
}
