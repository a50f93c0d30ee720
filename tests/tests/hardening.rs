//! Small hardening found by the acceptance tester after issue 7, each through the real
//! binary: a revoked device cannot fill the disk, JSON arrays are not objects, device names
//! hold no control characters (and no stored text reaches an export or a page with one), and
//! `unlock-user` of a nobody is an error.

use langso_tests::harness::{LEADER_PASSWORD, Server, batch, now_vn};
use serde_json::{Value, json};
use uuid::Uuid;

const TEAM: &str = "T00001";

fn db(s: &Server) -> rusqlite::Connection {
    rusqlite::Connection::open(&s.db).expect("open the server's database")
}

fn count(s: &Server, sql: &str) -> i64 {
    db(s).query_row(sql, [], |r| r.get(0)).expect(sql)
}

// ---- 1. a revoked device cannot fill the disk ----

/// A batch of 500 items of about 1.9 KB each: close to the 1 MiB a push may carry, and
/// close to that stored (each text field is kept up to 1,000 characters).
fn big_batch() -> Value {
    let events: Vec<Value> = (1..=500)
        .map(|seq| {
            json!({
                "event_id": Uuid::now_v7(), "seq": seq, "kind": "k".repeat(700),
                "village_id": "V000001", "count": 1, "occurred_at": now_vn(),
                "note": "n".repeat(1000),
            })
        })
        .collect();
    batch(&events, &now_vn())
}

#[test]
fn a_revoked_device_is_quarantined_once_per_batch_and_never_beyond_its_byte_cap() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    s.cli_ok(&["revoke-device", &p.device_id]);
    let first = big_batch();

    // The same batch resent three times, then eight more distinct batches (~7.6 MB).
    for _ in 0..3 {
        s.push_batch(&p.access_token, &first)
            .expect_error(403, "device_revoked");
    }
    for _ in 0..8 {
        s.push_batch(&p.access_token, &big_batch())
            .expect_error(403, "device_revoked");
    }

    let first_id = first["batch_id"].as_str().unwrap().to_owned();
    let rows_of_first: i64 = db(&s)
        .query_row(
            "SELECT count(*) FROM quarantine WHERE batch_id = ?1",
            [Uuid::parse_str(&first_id).unwrap().as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows_of_first, 1, "a resent batch is quarantined once");
    let bytes = count(
        &s,
        "SELECT coalesce(sum(length(CAST(payload AS BLOB))), 0) FROM quarantine",
    );
    assert!(bytes > 0, "the first batches are still kept for review");
    assert!(
        bytes <= 4 * 1024 * 1024,
        "{bytes} bytes quarantined for one device, beyond its 4 MiB"
    );
    let log = s.log();
    let full = log.matches("quarantine is full").count();
    assert_eq!(full, 1, "the full quarantine is logged once:\n{log}");
}

#[test]
fn every_quarantined_row_counts_its_own_cost_so_empty_batches_fill_the_cap_too() {
    let s = Server::start_demo();
    let p = s.enroll(TEAM);
    s.cli_ok(&["revoke-device", &p.device_id]);
    for _ in 0..5 {
        let empty = json!({"batch_id": Uuid::now_v7(), "device_clock": now_vn(), "events": []});
        s.push_batch(&p.access_token, &empty)
            .expect_error(403, "device_revoked");
    }
    // 4 MiB / 128 bytes a row: at most 32,768 rows for a device, however small its batches.
    let rows = count(&s, "SELECT count(*) FROM quarantine");
    let least = count(&s, "SELECT min(bytes) FROM quarantine");
    assert_eq!(rows, 5);
    assert!(
        least >= 128,
        "an empty batch counts {least} bytes against the cap"
    );
}

// ---- 2. JSON arrays are not objects ----

/// `[code, name]`, `[refresh_token]` …: what serde's derived structs took as objects.
#[test]
fn a_json_array_is_refused_wherever_a_body_must_be_an_object() {
    let s = Server::start_demo();
    let code = s.invite(TEAM);
    let p = s.enroll(TEAM);
    let admin = s.new_leader("province_admin", "22");
    let login = s.login(&admin, LEADER_PASSWORD).expect(200);
    let (access, refresh) = (
        login.body["access_token"].as_str().unwrap().to_owned(),
        login.body["refresh_token"].as_str().unwrap().to_owned(),
    );
    let set_code = s.create_user("team_leader", TEAM, "lan");
    let push = json!([Uuid::now_v7(), now_vn(), []]);
    let targets = count(&s, "SELECT count(*) FROM targets");
    let cases: [(&str, Option<&str>, Value); 9] = [
        ("/v1/devices/enroll", None, json!([code, "phone of Lan"])),
        ("/v1/devices/token", None, json!([p.refresh_token])),
        ("/v1/sync/push", Some(&p.access_token), push),
        (
            "/v1/auth/set-password",
            None,
            json!(["lan", set_code, LEADER_PASSWORD]),
        ),
        ("/v1/auth/login", None, json!([admin, LEADER_PASSWORD])),
        ("/v1/auth/token", None, json!([refresh])),
        ("/v1/auth/session", None, json!([admin, LEADER_PASSWORD])),
        (
            &format!("/v1/teams/{TEAM}/invites"),
            Some(&access),
            json!([null]),
        ),
        (
            "/v1/targets",
            Some(&access),
            json!([
                "province",
                "22",
                "digital_signature",
                "absolute",
                5,
                null,
                null,
                ""
            ]),
        ),
    ];
    for (path, token, body) in cases {
        let headers: Vec<(&str, String)> = token
            .map(|t| ("authorization", format!("Bearer {t}")))
            .into_iter()
            .chain((path == "/v1/auth/session").then(|| ("origin", s.origin())))
            .collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = s.send("POST", path, &headers, Some(body.to_string().as_bytes()));
        assert_eq!(
            (r.resp.status, r.resp.code()),
            (400, "invalid_json"),
            "POST {path} with {body}: {}",
            r.resp.body
        );
    }
    // Nothing was done: the code still enrolls, the password is still unset.
    s.enroll_raw(&code, "phone of Lan").expect(200);
    s.set_password("lan", &set_code, LEADER_PASSWORD)
        .expect(200);
    assert_eq!(count(&s, "SELECT count(*) FROM targets"), targets);
}

#[test]
fn a_push_item_that_is_an_array_is_malformed_not_an_event() {
    let s = Server::start_demo();
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let good = p.event("vneid_activation", &v, 1);
    let positional = json!([Uuid::now_v7(), 2, "vneid_activation", v, 1, now_vn()]);
    let before = count(&s, "SELECT count(*) FROM events"); // the demo's history

    let r = s.push(&p, &[good.clone(), positional]).expect(200);

    assert_eq!(r.statuses(), ["accepted", "rejected"], "{}", r.body);
    assert_eq!(r.results()[1]["code"], "malformed_event", "{}", r.body);
    assert!(r.results()[1].get("seq").is_none(), "{}", r.body);
    assert_eq!(count(&s, "SELECT count(*) FROM events"), before + 1);
    assert_eq!(count(&s, "SELECT count(*) FROM rejections"), 0);
}

// ---- 3. control characters in device names and stored text ----

#[test]
fn device_names_with_control_characters_are_refused_and_the_code_kept() {
    let s = Server::start_demo();
    let code = s.invite(TEAM);
    for name in [
        "Lan\u{0}",
        "\u{0}",
        "Điện thoại\u{1}của Lan",
        "Lan\nNam",
        "Lan\tNam",
        "Lan\u{7f}",
        "Lan\u{85}Nam",
        "Lan\u{9f}",
        "\u{1b}[31mLan",
        // Invisible format characters that reorder or hide text.
        "Lan\u{202e}gnp.exe",
        "Lan\u{2066}Nam",
        "\u{200b}Lan",
        "Lan\u{feff}",
        "\u{200f}",
    ] {
        s.enroll_raw(&code, name)
            .expect_error(400, "invalid_device_name");
    }
    // White space at the ends is trimmed, as before; joiners (emoji) stay; the code was
    // never used.
    s.enroll_raw(&code, "\t Điện thoại của Lan \n").expect(200);
    s.enroll_raw(&s.invite(TEAM), "Lan 👩\u{200d}💻")
        .expect(200);
    let name: String = db(&s)
        .query_row(
            "SELECT name FROM devices WHERE name NOT LIKE 'demo phone %' ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "Điện thoại của Lan");
}

/// Control characters a text cell or an HTML page must never carry raw (tab, line feed and
/// carriage return are text).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

#[test]
fn exports_and_the_dashboard_never_emit_a_control_character_from_stored_text() {
    // A district leader's exports: the demo ending on the last map with districts.
    let s = Server::start_demo_on("quang-ninh-2024-11", &[]);
    let mut p = s.enroll(TEAM);
    let v = p.village().to_owned();
    let e = p.event("vneid_activation", &v, 2);
    s.push(&p, &[e]).expect(200);
    // Names stored before this rule, or imported with the administrative units.
    let bad = "|| char(0) || 'ZQZ' || char(1) || char(27) || char(127) || char(133)";
    db(&s)
        .execute_batch(&format!(
            "UPDATE members SET name = name {bad}; UPDATE devices SET name = name {bad};
             UPDATE teams SET name = name {bad}; UPDATE villages SET name = name {bad};
             UPDATE units SET name = name {bad};"
        ))
        .unwrap();
    let district = s.district_of(TEAM);
    let leader = s.new_leader("district_leader", &district);
    let token = s.login(&leader, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let team_token = s.login_as("team_leader", TEAM);
    for (path, token) in [
        (
            format!(
                "/v1/reports/leaderboard?scope_kind=team&scope={TEAM}&of=volunteers&format=csv"
            ),
            &team_token,
        ),
        (
            format!(
                "/v1/reports/leaderboard?scope_kind=district&scope={district}&of=communes&format=csv"
            ),
            &token,
        ),
        (
            format!("/v1/reports/coverage?unit_kind=district&unit={district}&format=csv"),
            &token,
        ),
    ] {
        let d = s.download(&path, token);
        assert_eq!(
            d.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&d.bytes)
        );
        let text = String::from_utf8(d.bytes).unwrap();
        assert!(text.contains("ZQZ"), "{path} shows the names:\n{text}");
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{path}:\n{text:?}");
    }

    let cookie = s
        .cookie_login(&leader, LEADER_PASSWORD)
        .session_cookie()
        .expect("a session cookie");
    let (status, html) = s.send_get_with_cookie("/", &format!("langso_session={cookie}"));
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("ZQZ"), "the page shows the names:\n{html}");
    assert_eq!(
        raw_controls(&html),
        Vec::<char>::new(),
        "the dashboard page:\n{html:?}"
    );
}

// ---- 4. unlock-user of a nobody ----

#[test]
fn unlock_user_of_an_unknown_username_fails_and_of_a_leader_succeeds() {
    let s = Server::start_demo();
    let lan = s.new_leader("team_leader", TEAM);

    let out = s.cli(&["unlock-user", "--username", "nobody"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no leader account 'nobody'"), "{stderr}");
    assert!(!stderr.contains("may log in"), "{stderr}");

    let out = s.cli(&["unlock-user", "--username", &lan]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
