//! Schemathesis against the live server (issue 7, item 10): every check of `st run
//! --checks all`, once with a device's token and once with the province administrator's,
//! must find no server error and no mismatch between api-spec/openapi.yaml and what the
//! real binary does.
//!
//! `st` comes from `LANGSO_SCHEMATHESIS` (set by .ci/run, which installs the pinned
//! version) or from PATH. Without it the test fails: run `.ci/run`.

use langso_tests::harness::Server;
use langso_tests::spec::spec_path;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The version .ci/run installs; another one may generate other cases or check otherwise.
const PINNED: &str = "4.32.5";

/// Seconds each run may spend: fuzzing and stateful testing repeat until it is spent, so
/// the two runs take about twice this (within ~4 minutes on 2 cores, server included).
const MAX_SECONDS: &str = "90";

/// The `st` executable: `LANGSO_SCHEMATHESIS`, else `st` on PATH.
fn st() -> PathBuf {
    let st =
        std::env::var_os("LANGSO_SCHEMATHESIS").map_or_else(|| PathBuf::from("st"), PathBuf::from);
    let version = Command::new(&st).arg("--version").output();
    let Ok(out) = version.as_ref() else {
        panic!(
            "schemathesis (`{}`) is not installed: run .ci/run, which installs schemathesis \
             {PINNED} and sets LANGSO_SCHEMATHESIS",
            st.display()
        );
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(PINNED),
        "`{}` is {}, the test is pinned to schemathesis {PINNED}: run .ci/run",
        st.display(),
        text.trim()
    );
    st
}

/// This test's schemathesis settings and hooks, beside the workspace's tests.
fn settings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis")
}

/// One `st run` with `token` against `server`.
fn run(st: &Path, server: &Server, token: &str, env: &[(&str, &str)]) -> Output {
    let dir = settings_dir();
    let report = server_dir(server).join("st-report");
    Command::new(st)
        .arg("--no-color")
        .arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .arg("run")
        .arg(spec_path())
        .args(["--url", &server.url])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "all"])
        // Replaced by hooks.py's positive_data_acceptance_beyond_schema (see there).
        .args(["--exclude-checks", "positive_data_acceptance"])
        .args(["--max-examples", "25", "--max-time", MAX_SECONDS])
        .args(["--workers", "2", "--request-timeout", "30"])
        .arg("--report-dir")
        .arg(&report)
        .env("SCHEMATHESIS_HOOKS", dir.join("hooks.py"))
        .envs(env.iter().copied())
        .current_dir(server_dir(server))
        .output()
        .expect("run schemathesis")
}

fn server_dir(server: &Server) -> PathBuf {
    server
        .db
        .parent()
        .expect("the database is in a directory")
        .to_path_buf()
}

/// Whether a failed run failed only inside Schemathesis itself: a "Runtime Error" of its
/// own (e.g. Hypothesis's `FlakyFailure` from a cache race between its two workers while
/// it generates cases) and no failure found against the server.
fn tool_error_only(out: &Output) -> bool {
    let text = String::from_utf8_lossy(&out.stdout);
    !out.status.success()
        && !text.contains("=== FAILURES ===")
        && text.contains("Runtime Error")
        && text.contains("hypothesis.errors")
}

/// [`run`], once more when the first run broke inside Schemathesis (never when it found a
/// failure of the server: that is reported as it is).
fn run_once_more_on_tool_error(
    st: &Path,
    server: &Server,
    token: &str,
    env: &[(&str, &str)],
) -> Output {
    let out = run(st, server, token, env);
    if !tool_error_only(&out) {
        return out;
    }
    println!(
        "schemathesis broke inside itself (not a finding); running it again:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    run(st, server, token, env)
}

#[track_caller]
fn assert_passed(who: &str, out: &Output) {
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "schemathesis with the {who}'s token found failures ({}):\n{report}",
        out.status
    );
    println!("schemathesis with the {who}'s token:\n{report}");
}

#[test]
fn schemathesis_finds_no_server_error_and_no_mismatch_with_the_spec() {
    let st = st();
    let server = Server::start_demo();
    let team = server.teams()[0]["id"]
        .as_str()
        .expect("a team id")
        .to_owned();
    let phone = server.enroll(&team);
    // A device the leader's run may revoke, so that path is tested on a real device.
    let spare = server.enroll(&team);
    let leader = server.login_as("province_admin", "22");
    let env = [
        ("LANGSO_ST_TEAM", team.as_str()),
        ("LANGSO_ST_DEVICE", spare.device_id.as_str()),
    ];

    let device_run = run_once_more_on_tool_error(&st, &server, &phone.access_token, &env);
    assert_passed("device", &device_run);
    let leader_run = run_once_more_on_tool_error(&st, &server, &leader, &env);
    assert_passed("province administrator", &leader_run);
    server.assert_tallies_verify();
}
