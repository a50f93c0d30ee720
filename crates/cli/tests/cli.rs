//! The operator commands, run as the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn langso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_langso"))
        .args(args)
        .env("LANGSO_LOG", "warn")
        .output()
        .expect("run langso")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn data(file: &str) -> String {
    format!(
        "{}/../../data/quang-ninh/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn db_in(dir: &Path) -> String {
    dir.join("t.db").to_str().unwrap().to_owned()
}

#[test]
fn all_three_hierarchy_versions_import_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    for (file, summary) in [
        (
            "quang-ninh-admin-units.json",
            "2024-09-01: 13 districts, 177 communes",
        ),
        (
            "quang-ninh-admin-units-2024-11.json",
            "2024-11-01: 13 districts, 171 communes",
        ),
        (
            "quang-ninh-admin-units-2025.json",
            "2025-07-01: 0 districts, 54 communes",
        ),
    ] {
        let out = langso(&["import-units", "--db", &db, &data(file)]);
        assert!(
            out.status.success(),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(summary),
            "{file}"
        );
    }
    // Importing a version again replaces it rather than failing or duplicating.
    let again = langso(&[
        "import-units",
        "--db",
        &db,
        &data("quang-ninh-admin-units.json"),
    ]);
    assert!(again.status.success());
}

#[test]
fn a_malformed_hierarchy_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"province":{"code":"22","name":"X"}}"#).unwrap();
    let out = langso(&[
        "import-units",
        "--db",
        &db_in(dir.path()),
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("parsing"));
}

#[test]
fn demo_teams_invite_and_verify_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    stdout(&langso(&["demo", "--db", &db]));
    let teams: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&langso(&["teams", "--db", &db, "--json"]))).unwrap();
    assert_eq!(
        teams.len(),
        1506,
        "a team a village and one a commune of today's map"
    );
    let first = &teams[0];
    for field in ["id", "name", "commune_code", "district_code", "village_ids"] {
        assert!(first.get(field).is_some(), "teams --json lacks {field}");
    }

    let code = stdout(&langso(&["invite", "--db", &db, "--team", "T00002"]));
    let code = code.trim_end();
    assert_eq!(code.lines().count(), 1, "the code is alone on stdout");
    assert!(
        code.len() == 11 && code.chars().nth(5) == Some('-'),
        "code shape XXXXX-XXXXX, got {code:?}"
    );

    let unknown = langso(&["invite", "--db", &db, "--team", "T09999"]);
    assert!(!unknown.status.success());

    let verify = langso(&["verify", "--db", &db]);
    assert!(stdout(&verify).starts_with("ok"));
}

#[test]
fn revoking_an_unknown_device_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let imported = langso(&[
        "import-units",
        "--db",
        &db,
        &data("quang-ninh-admin-units.json"),
    ]);
    assert!(imported.status.success());
    let out = langso(&[
        "revoke-device",
        "--db",
        &db,
        &uuid::Uuid::new_v4().to_string(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no device"));
}

#[test]
fn operator_commands_refuse_a_database_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let id = uuid::Uuid::new_v4().to_string();
    for args in [
        vec!["revoke-device", "--db", &db, &id],
        vec!["teams", "--db", &db, "--json"],
        vec!["invite", "--db", &db, "--team", "T00001"],
        vec!["rotate-key", "--db", &db],
    ] {
        let out = langso(&args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("no database at"),
            "{args:?}"
        );
    }
    assert!(!std::path::Path::new(&db).exists(), "nothing was created");
}

#[test]
fn operator_commands_never_turn_an_empty_or_foreign_file_into_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.path().join("other-app.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT);")
        .unwrap();
    let foreign_before = std::fs::read(&foreign).unwrap();
    for db in [&empty, &foreign] {
        let db = db.to_str().unwrap();
        for args in [
            vec!["verify", "--db", db],
            vec!["teams", "--db", db, "--json"],
        ] {
            let out = langso(&args);
            assert!(!out.status.success(), "{args:?} said {}", stdout(&out));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("not a Langso database"),
                "{args:?}"
            );
        }
    }
    assert_eq!(
        std::fs::metadata(&empty).unwrap().len(),
        0,
        "the empty file is untouched"
    );
    assert_eq!(
        std::fs::read(&foreign).unwrap(),
        foreign_before,
        "the other file is untouched"
    );
}
