//! A roster that moves a member to another team, over HTTP on a live server: the member's
//! phone moves along (the dry run and the import list it), its next push counts for the
//! new team while what it recorded before stays with the old one, its next pull starts a
//! snapshot of the new team's data, and every tally still equals its recompute.

use langso_tests::harness::{PROVINCE, Phone, Resp, Server, today_vn};
use serde_json::Value;
use std::collections::BTreeMap;

const FROM: &str = "T00001";

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

/// Another village team that shares no village with [`FROM`].
fn other_team(s: &Server) -> (String, String) {
    let from = s.team(FROM);
    let theirs = from["village_ids"].as_array().unwrap();
    s.teams()
        .into_iter()
        .find(|t| {
            t["id"] != FROM
                && t["level"] == "village"
                && t["village_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|v| !theirs.contains(v))
        })
        .map(|t| {
            let village = t["village_ids"][0].as_str().unwrap().to_owned();
            (str_of(&t, "id").to_owned(), village)
        })
        .expect("another village team")
}

/// A phone enrolled with a code bound to roster member `code` of [`FROM`].
fn phone_of(s: &Server, code: &str) -> Phone {
    let invite = s.cli_ok(&["invite", "--team", FROM, "--member", code]);
    let r = s
        .enroll_raw(invite.trim(), "Điện thoại 0912345678 của Lan")
        .expect(200);
    Phone {
        device_id: str_of(&r.body, "device_id").to_owned(),
        team_id: FROM.to_owned(),
        member_id: str_of(&r.body, "member_id").to_owned(),
        access_token: str_of(&r.body, "access_token").to_owned(),
        refresh_token: str_of(&r.body, "refresh_token").to_owned(),
        next_seq: 1,
        villages: vec![s.team(FROM)["village_ids"][0].as_str().unwrap().to_owned()],
    }
}

/// Every roster member as `langso members` lists them, `moved` in team `to`.
fn members_csv(s: &Server, moved: &str, to: &str) -> String {
    let all: Vec<Value> = serde_json::from_str(&s.cli_ok(&["members", "--json"])).unwrap();
    let mut csv = String::from("member_code,full_name,team_code,role,active\n");
    for m in all.iter().filter(|m| m["unassigned"] == false) {
        let team = if m["code"] == moved {
            to
        } else {
            str_of(m, "team_id")
        };
        csv.push_str(&format!(
            "{},{},{team},{},1\n",
            str_of(m, "code"),
            str_of(m, "name"),
            str_of(m, "role")
        ));
    }
    csv
}

fn upload(s: &Server, token: &str, query: &str, csv: &str) -> Resp {
    let auth = format!("Bearer {token}");
    s.send(
        "POST",
        &format!("/v1/admin/roster{query}"),
        &[("content-type", "text/csv"), ("authorization", &auth)],
        Some(csv.as_bytes()),
    )
    .resp
    .expect(200)
}

/// A team's totals by kind this year, as the province reads them.
fn team_totals(s: &Server, token: &str, team: &str) -> BTreeMap<String, i64> {
    let q = format!(
        "/v1/reports/summary?unit_kind=team&unit={team}&period=year&date={}",
        today_vn()
    );
    serde_json::from_value(s.get(&q, Some(token)).expect(200).body["totals"].clone()).unwrap()
}

fn added(before: &BTreeMap<String, i64>, kind: &str, n: i64) -> BTreeMap<String, i64> {
    let mut after = before.clone();
    *after.entry(kind.to_owned()).or_default() += n;
    after
}

#[test]
fn a_member_moved_by_the_roster_takes_their_phone_and_its_past_stays() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let (to, to_village) = other_team(&s);
    let members: Vec<Value> =
        serde_json::from_str(&s.cli_ok(&["members", "--team", FROM, "--json"])).unwrap();
    let lan = members
        .iter()
        .find(|m| m["unassigned"] == false && m["active"] == true)
        .expect("a roster member of the team");
    let code = str_of(lan, "code").to_owned();
    let mut phone = phone_of(&s, &code);
    let kind = "vneid_activation";

    let home = phone.village().to_owned();
    let before = phone.event(kind, &home, 3);
    s.push(&phone, std::slice::from_ref(&before)).expect(200);
    let cursor = s.pull(&phone.access_token, None, Some(1000)).expect(200);
    let cursor = str_of(&cursor.body, "next_cursor").to_owned();
    let (from_then, to_then) = (team_totals(&s, &admin, FROM), team_totals(&s, &admin, &to));

    let csv = members_csv(&s, &code, &to);
    // The member's phones (the demo gave them one; this is another) are listed, the
    // phone number in a name masked.
    let mine = serde_json::json!({
        "device_id": phone.device_id,
        "name": "Điện thoại 0912***678 của Lan",
        "member_code": code,
        "from_team": FROM,
        "to_team": to,
    });
    let dry = upload(&s, &admin, "?dry_run=true", &csv);
    let listed = dry.body["devices_moved"].as_array().unwrap().clone();
    assert!(listed.contains(&mine), "{}", dry.body);
    assert!(listed.iter().all(|d| d["member_code"] == code.as_str()));
    let devices = |team: &str| {
        s.get(&format!("/v1/teams/{team}/devices"), Some(&admin))
            .expect(200)
            .body
            .to_string()
    };
    assert!(
        devices(FROM).contains(&phone.device_id),
        "the dry run moves nothing"
    );
    let done = upload(&s, &admin, "", &csv);
    assert_eq!(
        done.body["devices_moved"],
        Value::Array(listed),
        "{}",
        done.body
    );
    assert_eq!(done.body["applied"], true);
    assert!(devices(&to).contains(&phone.device_id));
    assert!(!devices(FROM).contains(&phone.device_id));

    // The phone's next push, in a village of its new team, counts for the new team; what
    // it recorded before stays with the old one.
    let after = phone.event(kind, &to_village, 5);
    let r = s.push(&phone, &[after]).expect(200);
    assert_eq!(r.statuses(), ["accepted"], "{}", r.body);
    assert_eq!(team_totals(&s, &admin, &to), added(&to_then, kind, 5));
    assert_eq!(team_totals(&s, &admin, FROM), from_then);
    // Sent again, an event from before the move is settled, counted once.
    let r = s.push(&phone, &[before]).expect(200);
    assert_eq!(r.statuses(), ["duplicate"], "{}", r.body);

    // Its next pull starts over with the new team's villages.
    let pulled = s
        .pull(&phone.access_token, Some(&cursor), Some(1000))
        .expect(200);
    assert_eq!(pulled.body["reset"], true, "{}", pulled.body);
    assert!(
        pulled.body.to_string().contains(&to_village),
        "{}",
        pulled.body
    );
    s.assert_tallies_verify();

    // The same roster again moves nothing.
    let again = upload(&s, &admin, "", &csv);
    assert_eq!(again.body["devices_moved"], serde_json::json!([]));

    // The old team's revoked record of the phone's past cannot be un-revoked (it made the
    // phone's every push a 503 before: the writer met a past row that was not revoked).
    let old = s
        .get(&format!("/v1/teams/{FROM}/devices"), Some(&admin))
        .expect(200);
    let past = old.body["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "Điện thoại 0912***678 của Lan" && !d["revoked_at"].is_null())
        .expect("the past record on the old team");
    let path = format!("/v1/devices/{}/unrevoke", str_of(past, "device_id"));
    s.post(&path, Some(&admin), &serde_json::json!({}))
        .expect_error(409, "device_moved");
    let later = phone.event(kind, &to_village, 1);
    s.push(&phone, &[later]).expect(200);
    s.assert_tallies_verify();
}

/// `kind`'s total changed by `n` (a zero total left out, as reports leave it out).
fn changed(before: &BTreeMap<String, i64>, kind: &str, n: i64) -> BTreeMap<String, i64> {
    let mut after = added(before, kind, n);
    after.retain(|_, v| *v != 0);
    after
}

#[test]
fn work_a_phone_queued_before_its_member_moved_counts_for_the_old_team() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let (to, to_village) = other_team(&s);
    let members: Vec<Value> =
        serde_json::from_str(&s.cli_ok(&["members", "--team", FROM, "--json"])).unwrap();
    let code = members
        .iter()
        .find(|m| m["unassigned"] == false && m["active"] == true)
        .map(|m| str_of(m, "code").to_owned())
        .expect("a roster member of the team");
    let mut phone = phone_of(&s, &code);
    let home = phone.village().to_owned();
    let pushed = phone.event("vneid_activation", &home, 3);
    s.push(&phone, std::slice::from_ref(&pushed)).expect(200);
    // Recorded offline before the roster moves the member, pushed after: an event in the
    // old team's village and a correction of the pushed one (3 → 1).
    let queued = phone.event("digital_signature", &home, 2);
    let fix = phone.correction(&pushed, 1);
    let (from_then, to_then) = (team_totals(&s, &admin, FROM), team_totals(&s, &admin, &to));
    upload(&s, &admin, "", &members_csv(&s, &code, &to));

    let r = s.push(&phone, &[queued.clone(), fix.clone()]).expect(200);

    assert_eq!(r.statuses(), ["accepted", "accepted"], "{}", r.body);
    assert_eq!(r.body["acked_through_seq"], 3, "{}", r.body);
    let expected = changed(
        &added(&from_then, "digital_signature", 2),
        "vneid_activation",
        -2,
    );
    assert_eq!(team_totals(&s, &admin, FROM), expected);
    assert_eq!(team_totals(&s, &admin, &to), to_then);
    // Sent again (its acknowledgement lost), it is the same phone's event: a plain duplicate.
    let r = s.push(&phone, &[queued]).expect(200);
    assert_eq!(r.statuses(), ["duplicate"], "{}", r.body);
    assert_eq!(r.body["results"][0]["code"], Value::Null, "{}", r.body);
    // After the move, the phone voids its own correction: it counts where its target did.
    let void = phone.correction(&fix, 0);
    let r = s.push(&phone, &[void]).expect(200);
    assert_eq!(r.statuses(), ["accepted"], "{}", r.body);
    let expected = changed(&expected, "vneid_activation", -1);
    assert_eq!(team_totals(&s, &admin, FROM), expected);
    assert_eq!(team_totals(&s, &admin, &to), to_then);
    // A new event reusing a seq the phone used before the move is refused, as on any phone.
    let reuse = Phone::event_at_seq(1, "vneid_activation", &to_village, 1);
    let r = s.push(&phone, &[reuse]).expect(200);
    assert_eq!(r.statuses(), ["rejected"], "{}", r.body);
    assert_eq!(
        r.body["results"][0]["code"], "seq_already_used",
        "{}",
        r.body
    );
    assert_eq!(team_totals(&s, &admin, &to), to_then);
    s.assert_tallies_verify();
}
