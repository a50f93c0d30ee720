//! Restores and the server lock through the real `langso` binary (issue 7, items 3, 10 and
//! 11): one server per database, `langso restore` beside a running server, what old tokens
//! and cursors get from a restored server, and `server_time` in token answers.

use langso_tests::harness::{Phone, Server, langso_bin};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn backup(server: &Server, name: &str) -> PathBuf {
    let out = server.db.with_file_name(name);
    server.cli_ok(&["backup", "--out", out.to_str().unwrap()]);
    out
}

fn generation(server: &Server) -> String {
    let r = server.get("/readyz", None).expect(200);
    r.body["generation"].as_str().unwrap().to_owned()
}

/// Puts `backup` in place by hand, as the old procedure did (the generation is the one the
/// backup carries).
fn copy_in(server: &mut Server, backup: &Path) {
    server.kill();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", server.db.display()));
    }
    std::fs::copy(backup, &server.db).unwrap();
    server.restart();
}

fn restore(server: &mut Server, backup: &Path) {
    server.kill();
    server.cli_ok(&["restore", "--from", backup.to_str().unwrap()]);
    server.restart();
}

#[test]
fn a_second_server_on_the_same_database_refuses_with_exit_code_3() {
    let server = Server::start_demo();
    let mut second = Command::new(langso_bin())
        .args(["serve", "--db"])
        .arg(&server.db)
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = second.kill();
            let _ = second.wait();
            panic!("a second server on the same database kept running");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();

    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("in use by a running langso server"),
        "{stderr}"
    );
    server.get("/healthz", None).expect(200);
}

#[test]
fn restore_refuses_while_the_server_runs_and_other_commands_keep_working() {
    let server = Server::start_demo();
    let backup = backup(&server, "backup.db");
    let before = generation(&server);

    let out = server.cli(&["restore", "--from", backup.to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stop it first"), "{stderr}");
    assert_eq!(generation(&server), before, "nothing was restored");
    let phone = server.enroll("T00001");
    server.push(&phone, &[]).expect(200);
    server.assert_tallies_verify();
}

#[test]
fn each_restore_gives_a_new_generation_and_keeps_the_replaced_database() {
    let mut server = Server::start_demo();
    let backup = backup(&server, "backup.db");
    let mut phone = server.enroll("T00001");
    let village = phone.village().to_owned();
    let e = phone.event("vneid_activation", &village, 1);
    server.push(&phone, &[e]).expect(200);

    restore(&mut server, &backup);
    let first = generation(&server);
    restore(&mut server, &backup);
    let second = generation(&server);

    assert_ne!(first, second);
    let dir = server.db.parent().unwrap();
    let kept: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.contains("langso.db.replaced-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    let events = |p: &Path| -> i64 {
        rusqlite::Connection::open(p)
            .unwrap()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    let mut counts: Vec<i64> = kept.iter().map(|p| events(p)).collect();
    counts.sort();
    // Beside the demo's history, which the backup holds too.
    assert_eq!(
        counts[1] - counts[0],
        1,
        "the first replaced file has the pushed event: {counts:?}"
    );
}

#[test]
fn a_file_that_is_not_a_langso_database_is_refused() {
    let mut server = Server::start_demo();
    server.kill();
    let notes = server.db.with_file_name("notes.txt");
    std::fs::write(&notes, "not a database").unwrap();

    let out = server.cli(&["restore", "--from", notes.to_str().unwrap()]);

    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not a Langso database"), "{stderr}");
    server.restart();
    server.enroll("T00001");
}

#[test]
fn tokens_from_before_a_restore_are_token_expired_and_a_refresh_brings_the_device_back() {
    let mut server = Server::start_demo();
    let before = server.enroll("T00001");
    let backup = backup(&server, "backup.db");
    let after = server.enroll("T00001");

    restore(&mut server, &backup);

    for phone in [&before, &after] {
        server.push(phone, &[]).expect_error(401, "token_expired");
        server
            .pull(&phone.access_token, None, None)
            .expect_error(401, "token_expired");
        let pair = server.refresh(&phone.refresh_token).expect(200);
        assert_eq!(pair.body["device_id"], phone.device_id.as_str());
        assert_eq!(pair.body["member_id"], phone.member_id.as_str());
        let mut back: Phone = phone.clone();
        back.access_token = pair.body["access_token"].as_str().unwrap().to_owned();
        let village = back.village().to_owned();
        let e = back.event("vneid_activation", &village, 1);
        server.push(&back, &[e]).expect(200);
    }
    server.assert_tallies_verify();
}

#[test]
fn a_pull_cursor_ahead_of_the_restored_change_log_is_a_reset() {
    let mut server = Server::start_demo();
    let backup = backup(&server, "backup.db");
    copy_in(&mut server, &backup);
    let phone = server.enroll("T00001");
    let snapshot = server
        .pull(&phone.access_token, None, Some(1000))
        .expect(200);
    let cursor = snapshot.body["next_cursor"].as_str().unwrap().to_owned();
    let mut villages = phone.villages.clone();
    villages.pop();
    let mut args = vec!["team-villages", "--team", "T00001"];
    args.extend(villages.iter().map(String::as_str));
    server.cli_ok(&args);
    let change = server
        .pull(&phone.access_token, Some(&cursor), None)
        .expect(200);
    assert!(!change.body["changes"].as_array().unwrap().is_empty());
    let ahead = change.body["next_cursor"].as_str().unwrap().to_owned();

    // The same backup again: the same generation, but a shorter change log.
    copy_in(&mut server, &backup);
    let phone = server.enroll("T00001");
    let page = server
        .pull(&phone.access_token, Some(&ahead), Some(1000))
        .expect(200);

    assert_eq!(page.body["reset"], true);
    let ids: Vec<&str> = page.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"T00001"), "a new snapshot: {ids:?}");
}

#[test]
fn token_answers_carry_the_server_time() {
    let server = Server::start_demo();
    let phone = server.enroll("T00001");
    let code = server.invite("T00001");

    let enrolled = server.enroll_raw(&code, "phone").expect(200);
    let refreshed = server.refresh(&phone.refresh_token).expect(200);

    for r in [enrolled, refreshed] {
        let t =
            chrono::DateTime::parse_from_rfc3339(r.body["server_time"].as_str().unwrap()).unwrap();
        let skew = chrono::Utc::now()
            .signed_duration_since(t)
            .num_seconds()
            .abs();
        assert!(skew < 60, "{t}");
    }
}
