//! The real `langso` binary on a temp database, driven over HTTP on loopback.
//!
//! Every response the harness receives is checked against api-spec/openapi.yaml by
//! [`crate::spec::assert_conforms`], so each test also proves the wire contract.
//!
//! The server's life and its operator CLI live here; [`resp`] holds what tests send and
//! receive (answers, phones, push bodies), [`http`] the requests, [`dashboard`] the leaders'
//! accounts and pages, and [`demo`] the demo database built once and copied per test. Their
//! items are re-exported, so tests name them all as `harness::…`.

mod accounts;
mod dashboard;
mod demo;
mod form;
mod http;
pub mod keys;
pub mod ops;
mod put;
mod resp;

pub use dashboard::{LEADER_PASSWORD, PROVINCE, form_encode};
pub use demo::{MAP_WITH_DISTRICTS, copy_demo};
pub use http::{Download, FullResp};
pub use resp::{Phone, Resp, batch, jwt_header, str_field};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use langso_domain::time::{vn_day, vn_offset};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use tempfile::TempDir;

/// The `langso` binary cargo built next to this test executable.
pub fn langso_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LANGSO_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("the test executable has a path");
    let mut dir = exe.parent().expect("the test executable is in a directory");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("deps/ has a parent");
    }
    let bin = dir.join(format!("langso{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "the langso binary is missing at {}: run `cargo build -p langso-cli` first",
        bin.display()
    );
    bin
}

/// Now, as a phone in Vietnam writes it: RFC 3339 with +07:00.
pub fn vn_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&vn_offset())
        .to_rfc3339_opts(SecondsFormat::Millis, false)
}

pub fn now_vn() -> String {
    vn_rfc3339(Utc::now())
}

pub fn today_vn() -> NaiveDate {
    vn_day(Utc::now())
}

/// A running `langso serve` on its own temp database with the demo data.
pub struct Server {
    pub url: String,
    pub db: PathBuf,
    child: Option<Child>,
    agent: ureq::Agent,
    dir: TempDir,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into()
}

fn spawn_serve(db: &Path, log_path: &Path, extra: &[&str]) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)
        .expect("open the server log");
    let mut child = Command::new(langso_bin())
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", "127.0.0.1:0", "--workers", "2"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn langso serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    let url = loop {
        line.clear();
        let n = stdout
            .read_line(&mut line)
            .expect("read langso serve stdout");
        if n == 0 {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(log_path).unwrap_or_default();
            panic!("langso serve exited before listening:\n{log}");
        }
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            break addr.to_owned();
        }
    };
    // Keep draining stdout so the server never blocks or fails on a full or closed pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
    });
    (child, url)
}

impl Server {
    /// Stops the server (SIGKILL: no graceful shutdown) and waits for it to exit.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server and starts it again on the same database (the port may change).
    pub fn restart(&mut self) {
        self.restart_with(&[]);
    }

    /// [`Server::restart`] with more `langso serve` arguments.
    pub fn restart_with(&mut self, extra: &[&str]) {
        self.kill();
        let (child, url) = spawn_serve(&self.db, &self.dir.path().join("server.log"), extra);
        self.child = Some(child);
        self.url = url;
        self.agent = agent();
    }

    /// The server's log so far (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    // ---- the operator CLI, on this server's database ----

    /// Runs `langso <args[0]> --db <db> <args[1..]>`.
    pub fn cli(&self, args: &[&str]) -> Output {
        let (sub, rest) = args.split_first().expect("a subcommand");
        Command::new(langso_bin())
            .arg(sub)
            .arg("--db")
            .arg(&self.db)
            .args(rest)
            .output()
            .expect("run langso")
    }

    /// Runs a CLI command that must succeed; returns its stdout.
    #[track_caller]
    pub fn cli_ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "langso {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 stdout")
    }

    /// A fresh enrollment code for `team`.
    pub fn invite(&self, team: &str) -> String {
        self.cli_ok(&["invite", "--team", team]).trim().to_owned()
    }

    pub fn teams(&self) -> Vec<Value> {
        serde_json::from_str(&self.cli_ok(&["teams", "--json"])).expect("teams JSON")
    }

    #[track_caller]
    pub fn team(&self, id: &str) -> Value {
        self.teams()
            .into_iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no team {id}"))
    }

    /// The commune code of `team`.
    pub fn commune_of(&self, team: &str) -> String {
        let t = self.team(team);
        t["commune_code"].as_str().expect("commune_code").to_owned()
    }

    /// `langso verify` on the live database must find every tally equal to its recompute.
    #[track_caller]
    pub fn assert_tallies_verify(&self) {
        let out = self.cli(&["verify"]);
        assert!(
            out.status.success(),
            "langso verify failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
