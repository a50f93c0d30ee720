//! Operator rough edges (issue 8): `LANGSO_DB` stands in for `--db` in every command that
//! takes one; the administrative maps ship inside the binary (`import-units --builtin`),
//! so the README's commands work outside a checkout; `langso units` lists the current
//! map's units with their codes and names.

use langso_tests::harness::langso_bin;
use std::path::Path;
use std::process::{Command, Output};

/// `langso ARGS` run in `dir` (not a checkout: no data/ beside it), with `LANGSO_DB` set
/// to `db` when given.
fn langso(dir: &Path, db: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(langso_bin());
    c.current_dir(dir).args(args).env_remove("LANGSO_DB");
    if let Some(db) = db {
        c.env("LANGSO_DB", db);
    }
    c.output().expect("run langso")
}

#[track_caller]
fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands `langso help` lists.
fn subcommands(dir: &Path) -> Vec<String> {
    let help = ok(langso(dir, None, &["help"]));
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_that_takes_a_database_reads_langso_db() {
    let dir = tempfile::tempdir().unwrap();
    let mut with_db = Vec::new();
    for sub in subcommands(dir.path()) {
        let help = ok(langso(dir.path(), None, &[&sub, "--help"]));
        if help.contains("--db <DB>") {
            assert!(
                help.contains("[env: LANGSO_DB"),
                "`langso {sub}` ignores LANGSO_DB:\n{help}"
            );
            with_db.push(sub);
        }
    }
    assert!(with_db.len() >= 15, "{with_db:?}");

    let db = dir.path().join("real.db");
    ok(langso(dir.path(), Some(&db), &["demo"]));
    let teams = ok(langso(dir.path(), Some(&db), &["teams", "--json"]));
    assert!(teams.contains("T00001"));
    let code = ok(langso(
        dir.path(),
        Some(&db),
        &["invite", "--team", "T00001"],
    ));
    assert_eq!(code.trim().len(), 11, "{code}");
    ok(langso(
        dir.path(),
        Some(&db),
        &["members", "--team", "T00001"],
    ));
    ok(langso(dir.path(), Some(&db), &["verify"]));
    ok(langso(
        dir.path(),
        Some(&db),
        &["backup", "--out", "copy.db"],
    ));
    assert!(dir.path().join("copy.db").exists());
}

#[test]
fn the_builtin_maps_import_outside_a_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("province.db");

    ok(langso(
        dir.path(),
        Some(&db),
        &["import-units", "--builtin", "quang-ninh-2024-11"],
    ));
    let out = langso(
        dir.path(),
        Some(&db),
        &["import-units", "--builtin", "quang-ninh-2025", "--current"],
    );
    let units = ok(langso(
        dir.path(),
        Some(&db),
        &["units", "--level", "commune"],
    ));

    assert!(String::from_utf8_lossy(&out.stderr).contains("54 communes"));
    assert_eq!(units.lines().count(), 54, "{units}");
    assert!(units.lines().all(|l| l.ends_with("\t22")), "{units}");
    assert!(units.contains("\tĐặc khu\tĐặc khu Vân Đồn\t"), "{units}");
    let wrong = langso(
        dir.path(),
        Some(&db),
        &["import-units", "--builtin", "hanoi"],
    );
    assert!(!wrong.status.success());
    let why = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        why.contains("quang-ninh-2024-09") && why.contains("quang-ninh-2025"),
        "{why}"
    );
}

#[test]
fn units_lists_the_current_map_by_level_and_under_a_unit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(langso(dir.path(), Some(&db), &["demo"]));

    let province = ok(langso(
        dir.path(),
        Some(&db),
        &["units", "--level", "province"],
    ));
    let under = ok(langso(dir.path(), Some(&db), &["units", "--under", "22"]));
    let json = ok(langso(dir.path(), Some(&db), &["units", "--json"]));

    assert_eq!(province.trim(), "22\tprovince\tTỉnh\tTỉnh Quảng Ninh\t-");
    assert!(!under.is_empty());
    // Today's map: the 54 communes lie directly under the province.
    assert_eq!(under.lines().count(), 54, "{under}");
    assert!(under.lines().all(|l| l.ends_with("\t22")), "{under}");
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(list["hierarchy"], "2025-07-01");
    assert_eq!(list["units"].as_array().unwrap().len(), 1 + 54);
    let none = langso(dir.path(), Some(&db), &["units", "--level", "hamlet"]);
    assert!(!none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("its levels"));
    let unknown = langso(dir.path(), Some(&db), &["units", "--under", "99999"]);
    assert!(!unknown.status.success());
}
