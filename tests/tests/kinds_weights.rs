//! Weights have effective dates (issue 9): a change effective this month leaves last
//! month's leaderboard exactly as it was, and a change effective mid-period weighs each day
//! of the period with the weight in force that day, in leaderboards and summaries alike.

use chrono::{Datelike, NaiveDate};
use langso_tests::harness::{PROVINCE, Phone, Server, today_vn};
use langso_tests::reports::{TEAM, TODAY};
use serde_json::{Value, json};

/// One vneid_activation event of `count` on `day` (10:00 local time; None: now).
fn push_on(s: &Server, phone: &mut Phone, day: Option<NaiveDate>, count: i64) {
    let v = phone.village().to_owned();
    let mut e = phone.event("vneid_activation", &v, count);
    if let Some(day) = day {
        e["occurred_at"] = json!(format!("{day}T10:00:00.000+07:00"));
    }
    let r = s.push(phone, &[e]).expect(200);
    assert_eq!(r.statuses(), ["accepted"], "{}", r.body);
}

fn board(s: &Server, token: &str, date: NaiveDate) -> Value {
    let path = format!(
        "/v1/reports/leaderboard?scope_kind=province&scope={PROVINCE}&of=teams&period=month&date={date}"
    );
    s.get(&path, Some(token)).expect(200).body
}

fn team_score(board: &Value) -> f64 {
    board["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["id"] == TEAM)
        .expect("the team's row")["score"]
        .as_f64()
        .expect("score")
}

fn summary_score(s: &Server, token: &str, date: NaiveDate) -> f64 {
    let path = format!("/v1/reports/summary?unit_kind=team&unit={TEAM}&period=month&date={date}");
    s.get(&path, Some(token)).expect(200).body["score"]
        .as_f64()
        .expect("score")
}

fn set_weight(s: &Server, token: &str, weight: f64, from: NaiveDate) {
    let body = json!({"weight": weight, "weight_from": from.to_string()});
    s.send_json(
        "PATCH",
        "/v1/admin/kinds/vneid_activation",
        Some(token),
        &body.to_string(),
    )
    .expect(200);
}

#[test]
fn past_periods_keep_their_scores_and_a_mid_period_change_splits_them() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut phone = s.enroll(TEAM);
    let admin = s.login_as("province_admin", PROVINCE);
    let this_month = today_vn().with_day(1).unwrap();
    let last_month = (this_month - chrono::Duration::days(1))
        .with_day(1)
        .unwrap();
    let (early, mid, late) = (
        last_month.with_day(5).unwrap(),
        last_month.with_day(15).unwrap(),
        last_month.with_day(20).unwrap(),
    );
    push_on(&s, &mut phone, Some(early), 2);
    push_on(&s, &mut phone, Some(late), 3);
    push_on(&s, &mut phone, None, 1);
    let before = board(&s, &admin, last_month);
    assert_eq!(team_score(&before), 15.0, "5 at the default weight 3");

    set_weight(&s, &admin, 10.0, this_month);
    let after = board(&s, &admin, last_month);
    let strip = |mut b: Value| {
        b["as_of"] = Value::Null;
        b["kinds"] = Value::Null;
        b
    };
    assert_eq!(strip(before), strip(after), "last month is as it was");
    assert_eq!(team_score(&board(&s, &admin, today_vn())), 10.0);

    // From the 15th of last month on: the 5th keeps 3, the 20th and this month take 5.
    set_weight(&s, &admin, 5.0, mid);
    assert_eq!(
        team_score(&board(&s, &admin, last_month)),
        2.0 * 3.0 + 3.0 * 5.0
    );
    assert_eq!(summary_score(&s, &admin, last_month), 21.0);
    assert_eq!(team_score(&board(&s, &admin, today_vn())), 5.0);

    let year = format!(
        "/v1/reports/summary?unit_kind=team&unit={TEAM}&period=year&date={}",
        today_vn()
    );
    let y = s.get(&year, Some(&admin)).expect(200).body;
    let expected = if last_month.year() == today_vn().year() {
        26.0
    } else {
        5.0
    };
    assert_eq!(
        y["score"], expected,
        "a year read by months still weighs each day"
    );
}
