//! `langso simulate` at CI size: a few hundred devices with every kind of fault, against
//! the real server. Nothing may be lost or double-counted.

use langso_tests::harness::{Server, langso_bin};
use std::process::Command;

#[test]
fn an_evening_burst_with_faults_loses_nothing_and_counts_nothing_twice() {
    // Self-served: simulate serves the demo database itself, so it also plays storage
    // faults inside group commits, the same backup restored twice and villages moved.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sim.db");
    let demo = Command::new(langso_bin())
        .args(["demo", "--db"])
        .arg(&db)
        .output()
        .expect("run langso demo");
    assert!(demo.status.success());
    let out = Command::new(langso_bin())
        .args(["simulate", "--db"])
        .arg(&db)
        .args(["--devices", "300", "--seed", "11", "--threads", "32"])
        .env("LANGSO_LOG", "off")
        .output()
        .expect("run langso simulate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simulate failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("\n0 lost, 0 double-counted"), "{stdout}");
    assert!(stdout.contains("for 300/300 devices"), "{stdout}");
    for fault in [
        "dropped after commit",
        "sent twice",
        "cut mid-body",
        "killed mid-sync",
        "clocks off",
        "whose clocks changed between record and push",
        "storage faults inside group commits",
        "backup restored twice",
        "villages moved between teams",
    ] {
        assert!(
            stdout.contains(fault),
            "the summary reports {fault}: {stdout}"
        );
    }
    let verify = Command::new(langso_bin())
        .args(["verify", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn an_evening_burst_against_an_external_server_loses_nothing() {
    let server = Server::start_demo();
    let out = Command::new(langso_bin())
        .args(["simulate", "--server", &server.url, "--db"])
        .arg(&server.db)
        .args(["--devices", "100", "--seed", "12", "--threads", "16"])
        .env("LANGSO_LOG", "warn")
        .output()
        .expect("run langso simulate");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "simulate failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("\n0 lost, 0 double-counted"), "{stdout}");
    assert!(stdout.contains("server faults: none"), "{stdout}");
    server.assert_tallies_verify();
}

#[test]
fn simulate_refuses_a_database_with_real_phones_unless_told_in_so_many_words() {
    let server = Server::start_demo();
    let mut phone = server.enroll("T00001");
    let village = phone.village().to_owned();
    let e = phone.event("vneid_activation", &village, 1);
    server.push(&phone, &[e]).expect(200);
    let events = || {
        rusqlite::Connection::open(&server.db)
            .unwrap()
            .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    let stored = events(); // the demo's history and the real phone's event
    let run = |extra: &[&str]| {
        Command::new(langso_bin())
            .args(["simulate", "--server", &server.url, "--db"])
            .arg(&server.db)
            .args(["--devices", "3", "--seed", "3"])
            .args(extra)
            .env("LANGSO_LOG", "warn")
            .output()
            .expect("run langso simulate")
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("1 devices that are not simulated"),
        "{stderr}"
    );
    assert_eq!(events(), stored, "nothing was written");

    let out = run(&["--write-fake-data-into-real-database"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(events() > stored);
}

/// `langso simulate` against `server` and its database, as an operator would run it.
fn simulate_into(server: &Server) -> std::process::Output {
    Command::new(langso_bin())
        .args(["simulate", "--server", &server.url, "--db"])
        .arg(&server.db)
        .args(["--devices", "3", "--seed", "3"])
        .env("LANGSO_LOG", "warn")
        .output()
        .expect("run langso simulate")
}

#[test]
fn simulate_counts_a_real_phone_whose_name_only_resembles_a_simulated_one() {
    let server = Server::start_demo();
    let devices = || -> i64 {
        rusqlite::Connection::open(&server.db)
            .unwrap()
            .query_row("SELECT count(*) FROM devices", [], |r| r.get(0))
            .unwrap()
    };
    let demo_phones = devices();
    for name in ["Simulated Phone of Lan", "simulated phone 7 của Nam"] {
        server
            .enroll_raw(&server.invite("T00001"), name)
            .expect(200);
    }

    let out = simulate_into(&server);

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("2 devices that are not simulated"),
        "{stderr}"
    );
    assert_eq!(devices(), demo_phones + 2, "nothing was written");
}

#[test]
fn simulate_counts_leader_accounts_as_real_data() {
    let server = Server::start_demo();
    server.create_user("commune_leader", &server.commune_of("T00001"), "lan");

    let out = simulate_into(&server);

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("1 leader accounts"), "{stderr}");
}
