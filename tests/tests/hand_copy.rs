//! A database replaced by hand with an older copy keeps its generation, and its change log
//! reuses sequence numbers: a phone's pull cursor from the replaced history must still be
//! recognised as another history and start a new snapshot, or the phone never hears of the
//! reference changes made since.

use langso_tests::harness::Server;

/// Gives `team` one more village of `other`'s, as an operator would.
fn add_village(s: &Server, team: &str, other: &str) {
    let mut villages: Vec<String> = s.team(team)["village_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let extra = s.team(other)["village_ids"][0].as_str().unwrap().to_owned();
    villages.push(extra);
    let mut args = vec!["team-villages", "--team", team];
    args.extend(villages.iter().map(String::as_str));
    s.cli_ok(&args);
}

/// Pulls every page from `cursor`; returns the last cursor and whether a page said reset.
fn pull_all(s: &Server, token: &str, mut cursor: Option<String>) -> (String, bool) {
    let mut reset = false;
    loop {
        let r = s.pull(token, cursor.as_deref(), Some(1000)).expect(200);
        reset |= r.body["reset"].as_bool().unwrap();
        cursor = Some(r.body["next_cursor"].as_str().unwrap().to_owned());
        if !r.body["has_more"].as_bool().unwrap() {
            return (cursor.unwrap(), reset);
        }
    }
}

/// Stops the server, puts `copy` in place by hand (as an operator might, instead of
/// `langso restore`) and starts it again: the copy's generation is kept.
fn copy_in_by_hand(s: &mut Server, copy: &std::path::Path) {
    s.kill();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", s.db.display()));
    }
    std::fs::copy(copy, &s.db).unwrap();
    s.restart();
}

#[test]
fn a_cursor_from_a_history_the_database_no_longer_has_starts_a_new_snapshot() {
    let mut s = Server::start_demo();
    let phone = s.enroll("T00001");
    let copy = s.db.with_file_name("copy.db");
    s.cli_ok(&["backup", "--out", copy.to_str().unwrap()]);

    copy_in_by_hand(&mut s, &copy);
    let token = s.refresh(&phone.refresh_token).expect(200).body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (cursor, _) = pull_all(&s, &token, None);
    add_village(&s, "T00001", "T00002");
    let (cursor, reset) = pull_all(&s, &token, Some(cursor));
    assert!(!reset);

    // The same copy again: same generation, and its change log will reuse the seq the
    // phone's cursor stands at.
    copy_in_by_hand(&mut s, &copy);
    std::thread::sleep(std::time::Duration::from_millis(5));
    add_village(&s, "T00001", "T00003");
    let (_, reset) = pull_all(&s, &token, Some(cursor));
    assert!(
        reset,
        "the cursor's change-log position belongs to the replaced history"
    );
}
