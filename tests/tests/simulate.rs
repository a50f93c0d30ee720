//! `langso simulate` at CI size: a few hundred devices with every kind of fault, against
//! the real server. Nothing may be lost or double-counted.

use langso_tests::harness::{Server, langso_bin};
use std::process::Command;

#[test]
fn an_evening_burst_with_faults_loses_nothing_and_counts_nothing_twice() {
    let server = Server::start_demo();
    let out = Command::new(langso_bin())
        .args(["simulate", "--server", &server.url, "--db"])
        .arg(&server.db)
        .args(["--devices", "300", "--seed", "11", "--threads", "32"])
        .env("LANGSO_LOG", "warn")
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
    ] {
        assert!(
            stdout.contains(fault),
            "the summary reports {fault}: {stdout}"
        );
    }
    server.assert_tallies_verify();
}
