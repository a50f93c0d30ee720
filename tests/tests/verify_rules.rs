//! `langso verify` proves more than tallies: each rule it checks is broken here on purpose,
//! one at a time, and verify must name it and exit 1.

use langso_tests::harness::Server;
use rusqlite::Connection;

/// A server with a phone that pushed events and a correction, so every rule has rows.
fn server_with_history() -> Server {
    let s = Server::start_demo();
    let mut phone = s.enroll("T00001");
    let village = phone.village().to_owned();
    let e1 = phone.event("vneid_activation", &village, 2);
    let e2 = phone.event("digital_signature", &village, 1);
    s.push(&phone, &[e1.clone(), e2]).expect(200);
    let c = phone.correction(&e1, 3);
    s.push(&phone, &[c]).expect(200);
    let villages: Vec<String> = phone.villages.iter().skip(1).cloned().collect();
    let mut args = vec!["team-villages", "--team", "T00001"];
    args.extend(villages.iter().map(String::as_str));
    s.cli_ok(&args);
    s.assert_tallies_verify();
    s
}

fn break_and_verify(sql: &str, rule: &str) {
    let s = server_with_history();
    Connection::open(&s.db).unwrap().execute_batch(sql).unwrap();
    let out = s.cli(&["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{rule}: {stdout}");
    assert!(
        stdout.contains(&format!("BROKEN {rule}:")),
        "verify names {rule}: {stdout}"
    );
}

#[test]
fn an_acknowledged_seq_ahead_of_what_is_stored_is_found() {
    break_and_verify("UPDATE devices SET acked_seq = acked_seq + 2", "acked_seq");
}

#[test]
fn a_correction_its_target_does_not_know_is_found() {
    break_and_verify(
        "UPDATE events SET superseded_by = NULL WHERE superseded_by IS NOT NULL",
        "correction_link",
    );
}

#[test]
fn an_event_on_a_day_other_than_its_placed_time_is_found() {
    break_and_verify(
        "UPDATE events SET day = day + 1 WHERE id = (SELECT min(id) FROM events)",
        "placed_day",
    );
}

#[test]
fn a_village_without_a_commune_in_the_current_map_is_found() {
    break_and_verify(
        "DELETE FROM village_placements WHERE village_id = (SELECT min(id) FROM villages)",
        "village_placement",
    );
}

#[test]
fn coverage_without_its_history_is_found() {
    break_and_verify(
        "DELETE FROM team_village_history WHERE to_ms IS NULL
           AND team_id = (SELECT min(team_id) FROM team_villages)",
        "coverage_history",
    );
}

#[test]
fn a_change_log_that_contradicts_the_coverage_is_found() {
    break_and_verify(
        "INSERT INTO changes (entity, entity_key, op, team_id, at_ms)
         SELECT 'village', v.village_id, 'delete', tv.team_id, 0
         FROM team_villages tv JOIN villages v ON v.id = tv.village_id LIMIT 1",
        "change_log",
    );
}

#[test]
fn a_row_referring_to_a_missing_row_is_found() {
    break_and_verify(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM kinds WHERE id = (SELECT kind_id FROM events LIMIT 1);",
        "foreign_key",
    );
}

#[test]
fn verify_and_backup_of_a_mistyped_path_fail_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("langso.bd");
    let run = |args: &[&str]| {
        std::process::Command::new(langso_tests::harness::langso_bin())
            .args(args)
            .output()
            .unwrap()
    };
    let m = missing.to_str().unwrap();
    let out = run(&["verify", "--db", m]);
    assert_eq!(out.status.code(), Some(2), "verify of nothing is not ok");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
    let backup = dir.path().join("b.db");
    let out = run(&["backup", "--db", m, "--out", backup.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!missing.exists(), "no database was created");
    assert!(!backup.exists(), "no empty backup was written");
}
