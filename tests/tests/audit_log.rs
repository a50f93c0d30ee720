//! The audit log through the real binary (issue 9, "Who changed what"): administrative acts
//! over the CLI and the API are recorded with who, when, from where and the values before
//! and after; only the province administrator reads it (JSON pages, CSV, XLSX, `langso
//! audit`); it cannot be edited, and `langso verify` finds an entry changed by hand.

use langso_tests::harness::{LEADER_PASSWORD, PROVINCE, Server};
use serde_json::{Value, json};

const TEAM: &str = "T00001";

fn target(value: i64) -> Value {
    json!({"kind": "digital_signature", "basis": "count", "value": value,
           "due_date": "2026-12-31", "note": "Kế hoạch"})
}

fn entries(s: &Server, token: &str, query: &str) -> Vec<Value> {
    let r = s
        .get(&format!("/v1/admin/audit?{query}"), Some(token))
        .expect(200);
    r.body["entries"].as_array().expect("entries").clone()
}

#[test]
fn acts_over_the_api_and_the_cli_are_recorded_with_who_where_and_the_values() {
    let s = Server::start_demo();
    let admin_name = s.new_leader("province_admin", PROVINCE);
    let admin = s.login(&admin_name, LEADER_PASSWORD).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    s.post("/v1/targets", Some(&admin), &target(500))
        .expect(200);
    s.post("/v1/targets", Some(&admin), &target(650))
        .expect(200);
    s.cli_ok(&["invite", "--team", TEAM]);

    let targets = entries(&s, &admin, "action=target");
    let last = targets.last().expect("a target.set entry");
    assert_eq!(last["action"], "target.set");
    assert_eq!(last["subject"], "target:default/digital_signature");
    assert_eq!(
        (last["who"].as_str(), last["via"].as_str()),
        (Some(admin_name.as_str()), Some("api"))
    );
    assert_eq!(last["addr"], "127.0.0.1");
    assert_eq!(
        (
            last["before"]["value"].as_f64(),
            last["after"]["value"].as_f64()
        ),
        (Some(500.0), Some(650.0))
    );
    assert!(chrono::DateTime::parse_from_rfc3339(last["at"].as_str().unwrap()).is_ok());

    let created = entries(&s, &admin, "action=user.create&limit=1000");
    let mine = created
        .iter()
        .find(|e| e["subject"] == format!("user:{admin_name}"))
        .expect("the admin's creation is recorded");
    assert!(
        mine["who"].as_str().unwrap().starts_with("operator"),
        "{mine}"
    );
    assert_eq!(
        (mine["via"].as_str(), mine["addr"].as_str()),
        (Some("cli"), None)
    );
    assert_eq!(mine["after"]["role"], "province_admin");
    let invites = entries(&s, &admin, "action=invite.create&limit=1000");
    assert!(
        invites
            .iter()
            .any(|e| e["subject"] == format!("team:{TEAM}"))
    );

    // Nothing secret is written: not the password, not a code, not a hash of one.
    let all = s
        .get("/v1/admin/audit?limit=1000", Some(&admin))
        .expect(200)
        .body
        .to_string();
    assert!(
        !all.contains(LEADER_PASSWORD) && !all.contains("code_hash") && !all.contains("$argon2")
    );
}

#[test]
fn only_the_province_administrator_reads_it_in_pages_and_downloads() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let leader = s.login_as("team_leader", TEAM);
    s.get("/v1/admin/audit", Some(&leader))
        .expect_error(403, "role_required");
    s.get("/v1/admin/audit", None).expect(401);
    s.get("/v1/admin/audit?limit=0", Some(&admin))
        .expect_error(400, "invalid_query");
    s.get("/v1/admin/audit?since=yesterday", Some(&admin))
        .expect_error(400, "invalid_query");

    let first = s.get("/v1/admin/audit?limit=1", Some(&admin)).expect(200);
    let cursor = first.body["next_after_id"].as_i64().expect("a next page");
    let second = s
        .get(
            &format!("/v1/admin/audit?limit=1&after_id={cursor}"),
            Some(&admin),
        )
        .expect(200);
    assert_eq!(second.body["entries"][0]["id"].as_i64(), Some(cursor + 1));
    let future = s
        .get("/v1/admin/audit?since=2099-01-01", Some(&admin))
        .expect(200);
    assert_eq!(
        (
            future.body["entries"].as_array().map(Vec::len),
            &future.body["next_after_id"]
        ),
        (Some(0), &Value::Null)
    );

    let csv = s.download("/v1/admin/audit?format=csv&action=user", &admin);
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.contains("Thao tác") && text.contains("user.create"),
        "{text}"
    );
    let xlsx = s.download("/v1/admin/audit?format=xlsx", &admin);
    assert!(xlsx.content_disposition.contains("nhat-ky-quan-tri.xlsx"));

    // A day given as `until` keeps that whole day: today's acts are between today and today.
    let today = langso_tests::harness::today_vn().to_string();
    let day = s.cli_ok(&[
        "audit", "--since", &today, "--until", &today, "--action", "user",
    ]);
    assert!(day.lines().count() >= 4, "{day}");
    let q = format!("since={today}&until={today}&action=user");
    assert!(entries(&s, &admin, &q).len() >= 4);

    let lines = s.cli_ok(&["audit", "--action", "user.set_password"]);
    assert!(
        lines.lines().count() >= 2
            && lines
                .lines()
                .all(|l| l.contains(" user.set_password user:")),
        "{lines}"
    );
}

#[test]
fn the_log_cannot_be_edited_and_verify_finds_an_entry_changed_by_hand() {
    let mut s = Server::start_demo();
    s.cli_ok(&["invite", "--team", TEAM]);
    s.kill();
    let db = rusqlite::Connection::open(&s.db).unwrap();
    let refused = db.execute("UPDATE audit_log SET who = 'someone else'", []);
    assert!(refused.unwrap_err().to_string().contains("append-only"));
    assert!(db.execute("DELETE FROM audit_log", []).is_err());
    let verified = s.cli(&["verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );

    db.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET after = '{\"member\":null,\"expires_ms\":1}' WHERE action = 'invite.create';",
    )
    .unwrap();
    drop(db);
    let broken = s.cli(&["verify"]);
    let out = String::from_utf8_lossy(&broken.stdout);
    assert_eq!(broken.status.code(), Some(1), "{out}");
    assert!(
        out.contains("BROKEN audit_chain: audit entry")
            && out.contains("was changed after it was written"),
        "{out}"
    );
}
