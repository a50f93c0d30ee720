//! The demo database, built once (issue 8): `langso demo` runs once per binary, map, events
//! and day; every test starts from a copy.

use super::{Server, agent, langso_bin, spawn_serve};
use chrono::Utc;
use langso_domain::time::vn_day;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The built-in map with districts that demos for district leaders end on: the 171-commune
/// map of 2024-11 (today's map has none; its grouping leaders: grouping_leaders.rs).
pub const MAP_WITH_DISTRICTS: &str = "quang-ninh-2024-11";

impl Server {
    /// Seeds a fresh database with `langso demo` and starts `langso serve` on a free port.
    pub fn start_demo() -> Self {
        Self::start_demo_with(&[])
    }

    /// [`Server::start_demo`] with more `langso serve` arguments.
    pub fn start_demo_with(extra: &[&str]) -> Self {
        Self::start_demo_on("quang-ninh-2025", extra)
    }

    /// [`Server::start_demo_with`] on a demo whose history ends on built-in map `map`
    /// (`langso demo --map`): `quang-ninh-2024-09` or `-2024-11` for a map with districts.
    pub fn start_demo_on(map: &str, extra: &[&str]) -> Self {
        Self::start_demo_from(map, None, extra)
    }

    fn start_demo_from(map: &str, events: Option<usize>, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("langso.db");
        copy_demo(map, events, &db);
        let (child, url) = spawn_serve(&db, &dir.path().join("server.log"), extra);
        Self {
            url,
            db,
            child: Some(child),
            agent: agent(),
            dir,
        }
    }

    /// [`Server::start_demo_on`] without the demo's history (`langso demo --events 0`):
    /// teams and members on the map, no phones, no events, for tests that count from zero.
    pub fn start_quiet_demo_on(map: &str) -> Self {
        Self::start_demo_from(map, Some(0), &[])
    }
}

/// Copies the database `langso demo --map MAP [--events N]` builds to `db`. The demo (by
/// default 40,000 events over three maps) is built once per `langso` binary, map, events and
/// day, under the binary's directory in `demo-templates/`, and shared by every test of
/// every test binary.
pub fn copy_demo(map: &str, events: Option<usize>, db: &Path) {
    let template = demo_template(map, events);
    for suffix in ["", "-wal", ".key"] {
        let from = PathBuf::from(format!("{}{suffix}", template.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", db.display()));
            std::fs::copy(&from, &to).expect("copy the demo database");
        }
    }
}

fn demo_template(map: &str, events: Option<usize>) -> PathBuf {
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let bin = langso_bin();
    let built = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let root = bin.parent().expect("bin dir").join("demo-templates");
    let name = match events {
        Some(n) => format!("{map}-{n}-events-{built}-{}", vn_day(Utc::now())),
        None => format!("{map}-{built}-{}", vn_day(Utc::now())),
    };
    let dir = root.join(&name);
    if dir.join("langso.db").exists() {
        return dir.join("langso.db");
    }
    std::fs::create_dir_all(&root).expect("create demo-templates");
    let tmp = tempfile::tempdir_in(&root).expect("temp dir for the demo");
    let mut demo = Command::new(&bin);
    demo.args(["demo", "--map", map, "--db"])
        .arg(tmp.path().join("langso.db"));
    if let Some(n) = events {
        demo.args(["--events", &n.to_string()]);
    }
    let out = demo.output().expect("run langso demo");
    assert!(
        out.status.success(),
        "langso demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another test binary may have finished first: then its copy serves.
    let kept = tmp.keep();
    if std::fs::rename(&kept, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&kept);
    }
    for old in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        let n = old.file_name().to_string_lossy().into_owned();
        let stale = !n.contains(&format!("-{built}-"));
        if n.starts_with(map) && stale && !n.starts_with(".tmp") {
            let _ = std::fs::remove_dir_all(old.path());
        }
    }
    dir.join("langso.db")
}
