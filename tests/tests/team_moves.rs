//! A village moved to another team: events are judged against the team's villages at the
//! time they happened (with a grace after the move), and count for the team that did the
//! work, however late the phone syncs.

use chrono::{Duration, Utc};
use langso_tests::harness::{Phone, Server, today_vn, vn_rfc3339};
use serde_json::Value;

/// A village team and another team of the same commune that does not cover its village.
fn two_teams(s: &Server) -> (String, String, String) {
    let teams = s.teams();
    let a = teams
        .iter()
        .find(|t| t["level"] == "village")
        .expect("a village team");
    let village = a["village_ids"][0].as_str().unwrap().to_owned();
    let b = teams
        .iter()
        .find(|t| {
            t["commune_code"] == a["commune_code"]
                && t["id"] != a["id"]
                && !t["village_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|v| v == village.as_str())
        })
        .expect("another team of the commune");
    let id = |t: &Value| t["id"].as_str().unwrap().to_owned();
    (id(a), id(b), village)
}

fn villages(s: &Server, team: &str) -> Vec<String> {
    s.team(team)["village_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Moves `village` from team `from` to team `to` with the operator's command.
fn move_village(s: &Server, village: &str, from: &str, to: &str) {
    let keep: Vec<String> = villages(s, from)
        .into_iter()
        .filter(|v| v != village)
        .collect();
    let mut args = vec!["team-villages", "--team", from];
    args.extend(keep.iter().map(String::as_str));
    s.cli_ok(&args);
    let mut gain = villages(s, to);
    gain.push(village.to_owned());
    let mut args = vec!["team-villages", "--team", to];
    args.extend(gain.iter().map(String::as_str));
    s.cli_ok(&args);
}

fn event_at(phone: &mut Phone, village: &str, count: i64, ago: Duration) -> Value {
    let mut e = phone.event("vneid_activation", village, count);
    e["occurred_at"] = vn_rfc3339(Utc::now() - ago).into();
    e
}

fn team_total(s: &Server, token: &str, team: &str) -> i64 {
    s.get(
        &format!(
            "/v1/reports/summary?unit_kind=team&unit={team}&period=custom&from={}&to={}",
            today_vn() - Duration::days(10),
            today_vn()
        ),
        Some(token),
    )
    .expect(200)
    .body["totals"]["vneid_activation"]
        .as_i64()
        .unwrap_or(0)
}

#[test]
fn work_done_before_a_village_moved_counts_for_the_team_that_did_it() {
    let s = Server::start_demo();
    let (a, b, village) = two_teams(&s);
    let mut phone_a = s.enroll(&a);
    let mut phone_b = s.enroll(&b);
    // Recorded offline while the village was team A's.
    let before: Vec<Value> = (0..2)
        .map(|_| event_at(&mut phone_a, &village, 3, Duration::hours(2)))
        .collect();

    move_village(&s, &village, &a, &b);

    let r = s.push(&phone_a, &before).expect(200);
    assert_eq!(r.statuses(), ["accepted", "accepted"], "{}", r.body);
    // After the move, within the grace: team A's phone has not pulled the move yet.
    let late = event_at(&mut phone_a, &village, 1, Duration::minutes(1));
    assert_eq!(
        s.push(&phone_a, &[late]).expect(200).statuses(),
        ["accepted"]
    );
    // Team B covers the village from the move on, with the same grace before it: paper
    // records of the last days count, work long before the move does not.
    let too_early = event_at(&mut phone_b, &village, 5, Duration::days(8));
    let r = s.push(&phone_b, &[too_early]).expect(200);
    assert_eq!(r.results()[0]["code"], "village_not_in_team");
    let from_paper = event_at(&mut phone_b, &village, 2, Duration::days(3));
    assert_eq!(
        s.push(&phone_b, &[from_paper]).expect(200).statuses(),
        ["accepted"]
    );
    let now_b = event_at(&mut phone_b, &village, 4, Duration::zero());
    assert_eq!(
        s.push(&phone_b, &[now_b]).expect(200).statuses(),
        ["accepted"]
    );

    let admin = s.login_as("province_admin", "22");
    assert_eq!(team_total(&s, &admin, &a), 7, "team A did 3 + 3 + 1");
    assert_eq!(team_total(&s, &admin, &b), 6, "team B did 2 + 4");
    let village_total = s.totals(&phone_b, "village", &village);
    assert_eq!(village_total.get("vneid_activation"), Some(&(7 + 4)));
    s.assert_tallies_verify();
}
