//! Rosters and people together on a live server: the province admin's roster upload over
//! HTTP (`POST /v1/admin/roster`), roster codes in `langso invite --member`, and the
//! unassigned members that enrolments made, which no roster lists and no roster
//! deactivates.
use langso_tests::harness::{PROVINCE, Server};
use serde_json::Value;

const TEAM: &str = "T00001";

/// `langso members --json`: every member listed (unassigned ones included).
fn members(server: &Server) -> Vec<Value> {
    serde_json::from_str(&server.cli_ok(&["members", "--json"])).unwrap()
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

/// The members file a province would send back: every roster member as it stands, plus
/// `extra` rows.
fn members_csv(all: &[Value], extra: &str) -> String {
    let mut csv = String::from("member_code,full_name,team_code,role,active\n");
    for m in all.iter().filter(|m| m["unassigned"] == false) {
        csv.push_str(&format!(
            "{},{},{},{},1\n",
            s(m, "code"),
            s(m, "name"),
            s(m, "team_id"),
            s(m, "role")
        ));
    }
    csv.push_str(extra);
    csv
}

fn upload(server: &Server, token: &str, query: &str, csv: &str) -> langso_tests::harness::Resp {
    let auth = format!("Bearer {token}");
    server
        .send(
            "POST",
            &format!("/v1/admin/roster{query}"),
            &[("content-type", "text/csv"), ("authorization", &auth)],
            Some(csv.as_bytes()),
        )
        .resp
}

fn counts(report: &Value) -> [u64; 4] {
    ["created", "updated", "unchanged", "left_out"].map(|k| {
        report["members"][k]
            .as_u64()
            .unwrap_or_else(|| panic!("members.{k} in {report}"))
    })
}

#[test]
fn a_roster_upload_keeps_unassigned_members_and_its_codes_bind_invites() {
    let server = Server::start_demo();
    // A phone enrolled the old way: an unassigned member no roster lists.
    let old_way = server
        .enroll_raw(&server.invite(TEAM), "Điện thoại của Phương")
        .expect(200);
    let placeholder = s(&old_way.body, "member_id").to_owned();
    let before = members(&server);
    let roster_members = before.iter().filter(|m| m["unassigned"] == false).count() as u64;
    let csv = members_csv(&before, &format!("TV-HOA,Nguyễn Thị Hoa,{TEAM},member,1\n"));

    // Only the province admin may upload; a team leader changes nothing.
    let leader = server.login_as("team_leader", TEAM);
    upload(&server, &leader, "", &csv).expect_error(403, "role_required");
    let admin = server.login_as("province_admin", PROVINCE);
    let dry = upload(&server, &admin, "?dry_run=true", &csv).expect(200);
    assert_eq!(counts(&dry.body), [1, 0, roster_members, 0], "{}", dry.body);
    assert_eq!(
        members(&server).len(),
        before.len(),
        "a dry run changes nothing"
    );

    let done = upload(&server, &admin, "", &csv).expect(200);
    assert_eq!(
        counts(&done.body),
        [1, 0, roster_members, 0],
        "{}",
        done.body
    );
    let after = members(&server);
    let find = |key: &str, value: &str| {
        after
            .iter()
            .find(|m| m[key] == value)
            .unwrap_or_else(|| panic!("no member with {key} {value}"))
            .clone()
    };
    let kept = find("member_id", &placeholder);
    assert_eq!(
        kept["active"], true,
        "an unassigned member is on no roster: {kept}"
    );
    assert_eq!(kept["unassigned"], true);
    let hoa = find("code", "TV-HOA");
    assert_eq!(s(&hoa, "name"), "Nguyễn Thị Hoa");

    // The same file again changes nothing.
    let again = upload(&server, &admin, "", &csv).expect(200);
    assert_eq!(counts(&again.body), [0, 0, roster_members + 1, 0]);

    // A member who left (`active` 0) is on the roster no more: the team counts one fewer.
    let on_roster = || {
        let commune = server.commune_of(TEAM);
        let board = server
            .get(
                &format!("/v1/reports/leaderboard?scope_kind=commune&scope={commune}&of=teams&period=month"),
                Some(&admin),
            )
            .expect(200);
        board.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == TEAM)
            .unwrap()["members"]
            .as_i64()
            .unwrap()
    };
    let before_leaving = on_roster();
    let left = csv.replace(
        &format!("TV-HOA,Nguyễn Thị Hoa,{TEAM},member,1"),
        &format!("TV-HOA,Nguyễn Thị Hoa,{TEAM},member,0"),
    );
    assert_eq!(
        counts(&upload(&server, &admin, "", &left).expect(200).body),
        [0, 1, roster_members, 0]
    );
    assert_eq!(on_roster(), before_leaving - 1);
    upload(&server, &admin, "", &csv).expect(200);
    assert_eq!(on_roster(), before_leaving);

    // The roster's code binds an invite; the enrolment answer names the person.
    let code = server.cli_ok(&["invite", "--team", TEAM, "--member", "TV-HOA"]);
    let phone = server.enroll_raw(code.trim(), "Samsung A05").expect(200);
    assert_eq!(s(&phone.body, "member_id"), s(&hoa, "member_id"));
    assert_eq!(s(&phone.body, "member_name"), "Nguyễn Thị Hoa");
    let hoa = members(&server)
        .into_iter()
        .find(|m| m["code"] == "TV-HOA")
        .unwrap();
    assert_eq!(hoa["devices"].as_array().unwrap().len(), 1, "{hoa}");

    // A code that names no member is refused with a clear error.
    let out = server.cli(&["invite", "--team", TEAM, "--member", "TV-NONE"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no member with code or id 'TV-NONE'"));
    server.assert_tallies_verify();
}
