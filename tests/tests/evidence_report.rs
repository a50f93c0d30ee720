//! The evidence a province pays teams by (issue 9): `GET /v1/reports/evidence` equals a
//! recompute from the event log (late events, a correction and two teams on the edge of
//! the rule included), and its exports are printable.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use langso_domain::time::day_number;
use langso_tests::harness::{Phone, Server, today_vn, vn_rfc3339};
use langso_tests::reports::{TEAM, TODAY};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The month before this one: closed, so everything pushed for it now is late.
fn last_month() -> NaiveDate {
    let first = today_vn().with_day(1).unwrap();
    (first - Duration::days(1)).with_day(1).unwrap()
}

/// An event of `kind` on `day` (noon, Vietnam time) in the phone's village.
fn on(p: &mut Phone, day: NaiveDate, kind: &str, count: i64) -> Value {
    let village = p.village().to_owned();
    let mut e = p.event(kind, &village, count);
    let noon = Utc.from_utc_datetime(&day.and_hms_opt(5, 0, 0).unwrap());
    e["occurred_at"] = vn_rfc3339(noon).into();
    e
}

/// A phone of the `nth` active roster member of `team` (a code bound to the member).
fn roster_phone(s: &Server, team: &str, nth: usize) -> Phone {
    let all: Vec<Value> =
        serde_json::from_str(&s.cli_ok(&["members", "--team", team, "--json"])).unwrap();
    let member = all
        .iter()
        .filter(|m| m["unassigned"] == false && m["active"] == true)
        .nth(nth)
        .expect("a roster member");
    let code = member["code"].as_str().unwrap();
    let invite = s.cli_ok(&["invite", "--team", team, "--member", code]);
    let r = s.enroll_raw(invite.trim(), "test phone").expect(200);
    let text = |k: &str| r.body[k].as_str().unwrap().to_owned();
    let info = s.team(team);
    let villages = info["village_ids"].as_array().unwrap().iter();
    Phone {
        device_id: text("device_id"),
        team_id: text("team_id"),
        member_id: text("member_id"),
        access_token: text("access_token"),
        refresh_token: text("refresh_token"),
        next_seq: 1,
        villages: villages.map(|v| v.as_str().unwrap().to_owned()).collect(),
    }
}

fn push(s: &Server, p: &Phone, events: &[Value]) {
    let r = s.push(p, events).expect(200);
    assert!(r.statuses().iter().all(|s| *s == "accepted"), "{}", r.body);
}

/// One team's month recomputed from `events` (live events only) and the roster tables.
#[derive(Debug, Default, PartialEq)]
struct Oracle {
    members: i64,
    active: BTreeSet<i64>,
    days: BTreeSet<i64>,
    totals: BTreeMap<String, i64>,
    late_events: i64,
    villages: i64,
    households: i64,
}

fn oracle(db: &std::path::Path, month: NaiveDate) -> HashMap<String, Oracle> {
    let c = Connection::open(db).unwrap();
    let next = (month + Duration::days(32)).with_day(1).unwrap();
    let (from, to) = (day_number(month), day_number(next) - 1);
    // The month closed at 00:00 +07:00 on the next month's first day.
    let closed_ms = Utc
        .from_utc_datetime(&next.and_hms_opt(0, 0, 0).unwrap())
        .timestamp_millis()
        - 7 * 3600 * 1000;
    let mut out: HashMap<String, Oracle> = HashMap::new();
    let mut teams = c
        .prepare(
            "SELECT t.team_id,
                (SELECT count(*) FROM members m WHERE m.team_id = t.id AND m.merged_into IS NULL
                   AND m.active = 1 AND m.unassigned = 0),
                (SELECT count(*) FROM team_villages tv WHERE tv.team_id = t.id),
                (SELECT coalesce(sum(v.households), 0) FROM team_villages tv
                   JOIN villages v ON v.id = tv.village_id WHERE tv.team_id = t.id)
             FROM teams t",
        )
        .unwrap();
    for r in teams
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
    {
        let (id, members, villages, households): (String, i64, i64, i64) = r.unwrap();
        let o = out.entry(id).or_default();
        (o.members, o.villages, o.households) = (members, villages, households);
    }
    let mut events = c
        .prepare(
            "SELECT t.team_id, e.day, coalesce(e.member_id, d.member_id), k.code, e.count,
                    e.superseded_by IS NULL, e.received_ms,
                    (SELECT unassigned FROM members m WHERE m.id = coalesce(e.member_id, d.member_id))
             FROM events e JOIN devices d ON d.id = e.device_id JOIN teams t ON t.id = d.team_id
             JOIN kinds k ON k.id = e.kind_id WHERE e.day BETWEEN ?1 AND ?2",
        )
        .unwrap();
    let rows = events
        .query_map([from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, bool>(7)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (team, day, member, kind, count, live, received, placeholder) = row.unwrap();
        let o = out.entry(team).or_default();
        o.late_events += i64::from(received >= closed_ms);
        if live && count > 0 {
            o.days.insert(day);
            if !placeholder {
                o.active.insert(member); // the roster's members only, as `members` counts
            }
            *o.totals.entry(kind).or_default() += count;
        }
    }
    out
}

fn totals(v: &Value) -> BTreeMap<String, i64> {
    serde_json::from_value(v.clone()).unwrap()
}

#[test]
fn the_month_equals_a_recompute_from_the_event_log_with_late_events_and_the_rule_edges() {
    let s = Server::start_quiet_demo_on(TODAY);
    let commune = s.commune_of(TEAM);
    let other = s
        .teams()
        .into_iter()
        .find(|t| t["commune_code"] == commune.as_str() && t["id"] != TEAM)
        .expect("another team in the commune")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let m = last_month();
    let day = |n: i64| m + Duration::days(n);
    // The first rule, back-dated to last month: at least 2 activity days and 2 active members.
    s.cli_ok(&[
        "evidence-rule",
        "set",
        "--min-activity-days",
        "2",
        "--min-active-members",
        "2",
        "--from",
        &m.format("%Y-%m").to_string(),
    ]);
    // TEAM: two members, two days: exactly at the rule; one event this month that must not count.
    let (mut a1, mut a2) = (roster_phone(&s, TEAM, 0), roster_phone(&s, TEAM, 1));
    // A phone enrolled without a member: its events count, it is no active member.
    let mut p0 = s.enroll(TEAM);
    let e = [on(&mut p0, day(0), "vneid_activation", 1)];
    push(&s, &p0, &e);
    let e = [
        on(&mut a1, day(0), "vneid_activation", 3),
        on(&mut a1, day(1), "digital_signature", 1),
    ];
    push(&s, &a1, &e);
    let e = [on(&mut a2, day(1), "vneid_activation", 2)];
    push(&s, &a2, &e);
    let village = a1.village().to_owned();
    let e = [a1.event("vneid_activation", &village, 5)];
    push(&s, &a1, &e);
    // The other team: three days by one member, one of them corrected to zero: two days,
    // one active member, so it misses the rule by a member.
    let mut b = roster_phone(&s, &other, 0);
    let wrong = on(&mut b, day(4), "outreach_session", 2);
    let e = [
        on(&mut b, day(2), "outreach_session", 1),
        on(&mut b, day(3), "vneid_activation", 4),
        wrong.clone(),
    ];
    push(&s, &b, &e);
    let mut fix = b.correction(&wrong, 0);
    fix["occurred_at"] = wrong["occurred_at"].clone();
    push(&s, &b, &[fix]);
    let token = s.login_as("commune_leader", &commune);

    let r = s
        .get(
            &format!(
                "/v1/reports/evidence?unit_kind=commune&unit={commune}&period=month&date={}",
                day(10)
            ),
            Some(&token),
        )
        .expect(200);

    let want = oracle(&s.db, m);
    let b_ = &r.body;
    assert_eq!(b_["period"]["closed"], true);
    assert_eq!(
        b_["rule"],
        json!({"from": m.format("%Y-%m").to_string(), "min_activity_days": 2, "min_active_members": 2})
    );
    let communes = b_["communes"].as_array().unwrap();
    assert_eq!(communes.len(), 1);
    let teams = communes[0]["teams"].as_array().unwrap();
    assert!(teams.len() >= 2);
    let mut qualifying = 0;
    for t in teams {
        let o = &want[t["id"].as_str().unwrap()];
        let id = &t["id"];
        assert_eq!(t["members"], o.members, "{id}");
        assert_eq!(t["active_members"], o.active.len(), "{id}");
        assert_eq!(t["activity_days"], o.days.len(), "{id}");
        assert_eq!(totals(&t["totals"]), o.totals, "{id}");
        assert_eq!(t["villages"], o.villages, "{id}");
        assert_eq!(t["households"], o.households, "{id}");
        // Everything for last month arrived after it closed: all of it is late.
        assert_eq!(t["late"]["events"], o.late_events, "{id}");
        assert_eq!(totals(&t["late"]["totals"]), o.totals, "{id}");
        let met = o.days.len() >= 2 && o.active.len() >= 2;
        assert_eq!(t["qualifies"], met, "{id}");
        qualifying += i64::from(met);
    }
    let team = |id: &str| teams.iter().find(|t| t["id"] == id).unwrap();
    assert_eq!(
        team(TEAM)["qualifies"],
        true,
        "at the edge: 2 days, 2 members"
    );
    assert_eq!(
        team(TEAM)["totals"]["vneid_activation"],
        6,
        "3 + 2 + the placeholder phone's 1; this month's 5 left out"
    );
    assert_eq!(team(TEAM)["late"]["events"], 4);
    assert_eq!(
        team(TEAM)["active_members"],
        2,
        "the placeholder phone is no active member"
    );
    assert_eq!(
        (
            team(&other)["activity_days"].as_i64(),
            team(&other)["active_members"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(team(&other)["qualifies"], false, "one member short");
    assert_eq!(
        team(&other)["late"]["events"],
        4,
        "the correction arrived late too"
    );
    let total = &communes[0]["total"];
    assert_eq!(total["qualifying_teams"], qualifying);
    assert_eq!(total["teams"], teams.len());
    let days: BTreeSet<i64> = want
        .iter()
        .filter(|(k, _)| teams.iter().any(|t| t["id"] == k.as_str()))
        .flat_map(|(_, o)| o.days.clone())
        .collect();
    assert_eq!(
        total["activity_days"],
        days.len(),
        "days any team was active"
    );
    assert_eq!(total["active_members"], 3);
    assert_eq!(b_["total"], *total, "the commune is the whole unit");
}

#[test]
fn an_open_month_has_no_late_events_and_no_rule_leaves_qualifies_null() {
    let s = Server::start_quiet_demo_on(TODAY);
    let mut p = s.enroll(TEAM);
    let village = p.village().to_owned();
    let e = [p.event("vneid_activation", &village, 1)];
    push(&s, &p, &e);
    let token = s.login_as("team_leader", TEAM);

    let r = s
        .get(
            &format!("/v1/reports/evidence?unit_kind=team&unit={TEAM}"),
            Some(&token),
        )
        .expect(200);

    assert_eq!(r.body["period"]["closed"], false);
    assert!(r.body["rule"].is_null());
    let t = &r.body["communes"][0]["teams"][0];
    assert_eq!(
        (t["id"].as_str(), t["activity_days"].as_i64()),
        (Some(TEAM), Some(1))
    );
    assert!(t["late"].is_null() && t["qualifies"].is_null());
    assert!(r.body["total"]["qualifying_teams"].is_null());
}

#[test]
fn csv_and_xlsx_are_laid_out_for_printing_and_signing() {
    let s = Server::start_quiet_demo_on(TODAY);
    let commune = s.commune_of(TEAM);
    let token = s.login_as("commune_leader", &commune);
    let base = format!(
        "/v1/reports/evidence?unit_kind=commune&unit={commune}&date={}",
        last_month()
    );

    let csv = s.download(&format!("{base}&format=csv"), &token);
    let xlsx = s.download(&format!("{base}&format=xlsx"), &token);

    assert_eq!(csv.status, 200);
    assert!(csv.content_disposition.contains("langso-evidence-commune-"));
    let text = String::from_utf8(csv.bytes).unwrap();
    let month = format!("Tháng {}", last_month().format("%m/%Y"));
    let name = s
        .get(&format!("{base}&format=json"), Some(&token))
        .expect(200)
        .body["unit"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    for needle in [
        "BÁO CÁO MINH CHỨNG HOẠT ĐỘNG",
        "Tỉnh Quảng Ninh",
        name.as_str(),
        month.as_str(),
        "Tên tổ công nghệ số",
        "Số ngày hoạt động",
        "Thành viên hoạt động",
        "Đạt tiêu chí",
        "Người lập biểu",
        &format!("Xác nhận của UBND {name}"),
    ] {
        assert!(text.contains(needle), "CSV lacks {needle:?}:\n{text}");
    }
    assert_eq!(xlsx.status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let sheet = read("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("orientation=\"landscape\""), "landscape");
    assert!(
        sheet.contains("fitToPage=\"1\"") && sheet.contains("fitToHeight=\"0\""),
        "fit to width"
    );
    assert!(
        read("xl/workbook.xml").contains("_xlnm.Print_Titles"),
        "headings repeat"
    );
    assert!(read("xl/sharedStrings.xml").contains("Người lập biểu"));
}
