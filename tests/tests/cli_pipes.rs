//! A reader that stops reading (`langso teams --json | head`) ends every command quietly:
//! exit status 141 (as a tool killed by SIGPIPE), no error on stderr, never a panic.

use langso_tests::harness::{Server, langso_bin};
use std::io::Read;
use std::process::{Command, Stdio};

/// Runs `langso args…` with its standard output closed before it writes.
fn with_closed_stdout(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(langso_bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run langso");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn commands_whose_reader_went_away_end_quietly() {
    let s = Server::start_demo();
    let db = s.db.to_str().unwrap();
    for args in [
        vec!["teams", "--db", db, "--json"],
        vec!["verify", "--db", db],
        vec!["invite", "--db", db, "--team", "T00001"],
        vec![
            "create-user",
            "--db",
            db,
            "--role",
            "province_admin",
            "--scope",
            "22",
            "--username",
            "pipe.test",
        ],
    ] {
        let (code, stderr) = with_closed_stdout(&args);
        assert_eq!(code, Some(141), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}
