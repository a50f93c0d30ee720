//! People, not phones (issue 8): an enrolment names the member, never the phone; a member
//! keeps one history over several phones; a leader lists a team's members with their
//! devices, moves a device to another member, and merges an unassigned member into a
//! roster member. Reports count people, and `langso verify` holds after every change.

use langso_tests::harness::{Phone, Server, today_vn};
use serde_json::{Value, json};

const TEAM: &str = "T00001";
const KIND: &str = "vneid_activation";

/// `langso members --team T --json`.
fn members(s: &Server, team: &str) -> Vec<Value> {
    serde_json::from_str(&s.cli_ok(&["members", "--team", team, "--json"])).unwrap()
}

fn member<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter()
        .find(|m| m["member_id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed"))
}

/// A member's devices other than the phone the demo gave it for its history.
fn own_devices(m: &Value) -> Vec<Value> {
    m["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["name"].as_str().unwrap().starts_with("demo phone "))
        .cloned()
        .collect()
}

/// The first two roster members of `team`.
fn roster_pair(s: &Server, team: &str) -> (String, String) {
    let list = members(s, team);
    let id = |i: usize| list[i]["member_id"].as_str().unwrap().to_owned();
    (id(0), id(1))
}

/// Enrolls a phone named `name` with `code`; the answer's body and the phone.
fn enroll(s: &Server, code: &str, name: &str) -> (Value, Phone) {
    let r = s.enroll_raw(code, name).expect(200);
    let text = |k: &str| r.body[k].as_str().unwrap().to_owned();
    let villages = s.team(TEAM)["village_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let phone = Phone {
        device_id: text("device_id"),
        team_id: text("team_id"),
        member_id: text("member_id"),
        access_token: text("access_token"),
        refresh_token: text("refresh_token"),
        next_seq: 1,
        villages,
    };
    (r.body, phone)
}

fn invite_for(s: &Server, member: &str) -> String {
    s.cli_ok(&["invite", "--team", TEAM, "--member", member])
        .trim()
        .to_owned()
}

/// Pushes one event of `count` activations; returns it.
fn record(s: &Server, phone: &mut Phone, count: i64) -> Value {
    let v = phone.village().to_owned();
    let e = phone.event(KIND, &v, count);
    s.push(phone, std::slice::from_ref(&e)).expect(200);
    e
}

/// This month's volunteers' leaderboard of TEAM: member id → (activations, active members).
fn board(s: &Server, token: &str) -> Vec<(String, i64, i64)> {
    let r = s
        .get(
            &format!(
                "/v1/reports/leaderboard?scope_kind=team&scope={TEAM}&of=volunteers&period=month&date={}",
                today_vn()
            ),
            Some(token),
        )
        .expect(200);
    r.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap().to_owned(),
                row["totals"][KIND].as_i64().unwrap_or(0),
                row["active_members"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn total_of(board: &[(String, i64, i64)], member: &str) -> i64 {
    board.iter().filter(|r| r.0 == member).map(|r| r.1).sum()
}

#[test]
fn a_member_code_names_the_member_and_the_phone_keeps_its_own_name() {
    let s = Server::start_demo();
    let (lan, _) = roster_pair(&s, TEAM);
    let roster_name = member(&members(&s, TEAM), &lan)["name"]
        .as_str()
        .unwrap()
        .to_owned();

    let (answer, phone) = enroll(&s, &invite_for(&s, &lan), "Điện thoại của Phương");

    assert_eq!(answer["member_id"], lan.as_str());
    assert_eq!(answer["member_name"], roster_name.as_str());
    assert_eq!(answer["member_unassigned"], false);
    let listed = members(&s, TEAM);
    let m = member(&listed, &lan);
    assert_eq!(m["name"], roster_name.as_str(), "the member keeps its name");
    assert_eq!(own_devices(m)[0]["device_id"], phone.device_id.as_str());
    assert_eq!(own_devices(m)[0]["name"], "Điện thoại của Phương");
    assert!(
        listed.iter().all(|m| m["name"] != "Điện thoại của Phương"),
        "no member is named after the phone"
    );
}

#[test]
fn an_unbound_code_makes_an_unassigned_member_never_named_after_the_phone() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);

    let (answer, phone) = enroll(&s, &s.invite(TEAM), "Điện thoại của Phương");

    assert_eq!(answer["member_unassigned"], true);
    let id = answer["member_id"].as_str().unwrap();
    assert_eq!(answer["member_name"], format!("Chưa gán {id}").as_str());
    let r = s
        .get(&format!("/v1/teams/{TEAM}/members"), Some(&leader))
        .expect(200);
    let list = r.body["members"].as_array().unwrap();
    let m = member(list, id);
    assert_eq!(m["unassigned"], true);
    assert_eq!(m["devices"][0]["device_id"], phone.device_id.as_str());
    assert_eq!(m["last_push_at"], Value::Null);
    assert!(list.iter().all(|m| m["name"] != "Điện thoại của Phương"));
}

#[test]
fn a_member_on_a_second_phone_is_one_person_with_one_history() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);
    let (lan, _) = roster_pair(&s, TEAM);
    let (_, mut old_phone) = enroll(&s, &invite_for(&s, &lan), "old phone");
    record(&s, &mut old_phone, 3);

    let (answer, mut new_phone) = enroll(&s, &invite_for(&s, &lan), "new phone");
    record(&s, &mut new_phone, 2);

    assert_eq!(answer["member_id"], lan.as_str());
    let rows = board(&s, &leader);
    assert_eq!(rows.iter().filter(|r| r.0 == lan).count(), 1, "{rows:?}");
    assert_eq!(total_of(&rows, &lan), 5);
    assert_eq!(rows.iter().find(|r| r.0 == lan).unwrap().2, 1, "one person");
    let listed = members(&s, TEAM);
    let m = member(&listed, &lan);
    assert_eq!(own_devices(m).len(), 2);
    assert!(m["last_push_at"].is_string());
    s.assert_tallies_verify();
}

#[test]
fn a_phone_handed_on_counts_for_its_new_member_and_its_past_stays_with_who_recorded_it() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);
    let (lan, nam) = roster_pair(&s, TEAM);
    let (_, mut phone) = enroll(&s, &invite_for(&s, &lan), "shared phone");
    record(&s, &mut phone, 3);

    let r = s
        .post(
            &format!("/v1/devices/{}/member", phone.device_id),
            Some(&leader),
            &json!({"member_id": nam}),
        )
        .expect(200);
    record(&s, &mut phone, 2);

    assert_eq!(r.body["past_events"], "stay");
    assert_eq!(r.body["events_moved"], 0);
    let rows = board(&s, &leader);
    assert_eq!(total_of(&rows, &lan), 3, "{rows:?}");
    assert_eq!(total_of(&rows, &nam), 2, "{rows:?}");
    let listed = members(&s, TEAM);
    assert!(own_devices(member(&listed, &lan)).is_empty());
    assert_eq!(
        own_devices(member(&listed, &nam))[0]["device_id"],
        phone.device_id.as_str()
    );
    s.assert_tallies_verify();
}

#[test]
fn a_move_that_corrects_a_wrong_binding_takes_the_past_along() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);
    let (lan, nam) = roster_pair(&s, TEAM);
    let (_, mut phone) = enroll(&s, &invite_for(&s, &lan), "Nam's phone");
    let first = record(&s, &mut phone, 3);
    let fix = phone.correction(&first, 4);
    s.push(&phone, &[fix]).expect(200);
    record(&s, &mut phone, 1);

    let r = s
        .post(
            &format!("/v1/devices/{}/member", phone.device_id),
            Some(&leader),
            &json!({"member_id": nam, "past_events": "follow"}),
        )
        .expect(200);

    assert_eq!(r.body["events_moved"], 3, "every event it stored");
    let rows = board(&s, &leader);
    assert_eq!(total_of(&rows, &lan), 0, "{rows:?}");
    assert_eq!(total_of(&rows, &nam), 5, "{rows:?}");
    s.assert_tallies_verify();
}

#[test]
fn an_unassigned_member_merged_into_a_roster_member_brings_its_phones_and_history() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);
    let (lan, nam) = roster_pair(&s, TEAM);
    let (_, mut lan_phone) = enroll(&s, &invite_for(&s, &lan), "Lan's phone");
    record(&s, &mut lan_phone, 1);
    let (answer, mut stray) = enroll(&s, &s.invite(TEAM), "Điện thoại của Lan");
    let placeholder = answer["member_id"].as_str().unwrap().to_owned();
    record(&s, &mut stray, 4);
    let merge = format!("/v1/teams/{TEAM}/members/{placeholder}/merge");

    let r = s
        .post(&merge, Some(&leader), &json!({"into": lan}))
        .expect(200);
    record(&s, &mut stray, 2);

    assert_eq!(r.body["merged_into"], lan.as_str());
    assert_eq!(r.body["devices_moved"], 1);
    assert_eq!(r.body["events_moved"], 1);
    let rows = board(&s, &leader);
    assert_eq!(total_of(&rows, &lan), 7, "{rows:?}");
    assert!(rows.iter().all(|r| r.0 != placeholder), "{rows:?}");
    let listed = members(&s, TEAM);
    assert!(
        listed
            .iter()
            .all(|m| m["member_id"] != placeholder.as_str())
    );
    assert_eq!(own_devices(member(&listed, &lan)).len(), 2);
    s.assert_tallies_verify();
    // What cannot be merged or moved, and why.
    s.post(&merge, Some(&leader), &json!({"into": nam}))
        .expect_error(409, "member_merged");
    let roster = format!("/v1/teams/{TEAM}/members/{nam}/merge");
    s.post(&roster, Some(&leader), &json!({"into": lan}))
        .expect_error(409, "member_not_unassigned");
    s.post(
        &format!("/v1/devices/{}/member", stray.device_id),
        Some(&leader),
        &json!({"member_id": placeholder}),
    )
    .expect_error(409, "member_merged");
}

#[test]
fn the_operator_merges_and_moves_with_the_cli_and_verify_still_holds() {
    let s = Server::start_demo();
    let leader = s.login_as("team_leader", TEAM);
    let (lan, nam) = roster_pair(&s, TEAM);
    let (answer, mut stray) = enroll(&s, &s.invite(TEAM), "phone");
    let placeholder = answer["member_id"].as_str().unwrap().to_owned();
    record(&s, &mut stray, 4);

    s.cli_ok(&["merge-member", "--member", &placeholder, "--into", &lan]);
    record(&s, &mut stray, 1);
    s.cli_ok(&["move-device", &stray.device_id, "--member", &nam]);
    record(&s, &mut stray, 2);

    let rows = board(&s, &leader);
    assert_eq!(total_of(&rows, &lan), 5, "{rows:?}");
    assert_eq!(total_of(&rows, &nam), 2, "{rows:?}");
    s.assert_tallies_verify();
    let out = s.cli(&["merge-member", "--member", &nam, "--into", &lan]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("roster member"));
}

#[test]
fn leaders_of_other_teams_can_neither_list_nor_move_nor_merge() {
    let s = Server::start_demo();
    let other = s.login_as("team_leader", "T00002");
    let (lan, nam) = roster_pair(&s, TEAM);
    let (_, phone) = enroll(&s, &invite_for(&s, &lan), "phone");

    s.get(&format!("/v1/teams/{TEAM}/members"), Some(&other))
        .expect_error(403, "out_of_scope");
    s.post(
        &format!("/v1/devices/{}/member", phone.device_id),
        Some(&other),
        &json!({"member_id": nam}),
    )
    .expect_error(403, "out_of_scope");
    s.post(
        &format!("/v1/teams/{TEAM}/members/{lan}/merge"),
        Some(&other),
        &json!({"into": nam}),
    )
    .expect_error(403, "out_of_scope");
    let own = s.login_as("team_leader", TEAM);
    s.post(
        &format!("/v1/devices/{}/member", phone.device_id),
        Some(&own),
        &json!({"member_id": "M999999"}),
    )
    .expect_error(404, "unknown_member");
}
