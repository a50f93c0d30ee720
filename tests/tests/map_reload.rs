//! Re-importing a hierarchy version that is already loaded (issue 8, acceptance finding
//! 1): the same file again changes nothing and says so; a changed file (a commune dropped,
//! a name changed) is refused naming what differs, and the map in force keeps its units.

use langso_tests::harness::Server;
use serde_json::Value;
use std::path::PathBuf;

/// Phường Hà Tu on the 2025 map.
const HA_TU: &str = "06652";

fn data(file: &str) -> String {
    format!("{}/../data/quang-ninh/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// The 2025 file changed by `edit`, written next to the server's database.
fn changed_2025(s: &Server, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let text = std::fs::read_to_string(data("quang-ninh-admin-units-2025.json")).unwrap();
    let mut file: Value = serde_json::from_str(&text).unwrap();
    edit(&mut file);
    let path = s.db.with_file_name(name);
    std::fs::write(&path, serde_json::to_string(&file).unwrap()).unwrap();
    path
}

/// `units --level commune` of the current map: its codes.
fn communes(s: &Server) -> Vec<String> {
    s.cli_ok(&["units", "--level", "commune"])
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect()
}

/// Runs `import-units FILE` (no `--current`); (success, stderr).
fn import(s: &Server, file: &str, current: bool) -> (bool, String) {
    let mut args = vec!["import-units", file];
    if current {
        args.push("--current");
    }
    let out = s.cli(&args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_changed_file_for_a_loaded_version_is_refused_and_the_map_stays() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let before = communes(&s);
    let dropped = changed_2025(&s, "dropped.json", |f| {
        f["communes"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["code"] != HA_TU);
        f["mapping"]
            .as_array_mut()
            .unwrap()
            .retain(|m| m["new_code"] != HA_TU);
        f["totals"]["communes"] = 53.into();
        f["totals"]["by_type"]["Phường"] = 29.into();
    });
    let renamed = changed_2025(&s, "renamed.json", |f| {
        for c in f["communes"].as_array_mut().unwrap() {
            if c["code"] == HA_TU {
                c["name"] = "Phường Hà Tu Mới".into();
            }
        }
    });

    let (ok, why) = import(&s, dropped.to_str().unwrap(), false);
    assert!(!ok, "{why}");
    assert!(
        why.contains("already loaded with different content"),
        "{why}"
    );
    assert!(
        why.contains(&format!("1 unit(s) removed: {HA_TU}")),
        "{why}"
    );
    assert!(why.contains("another key"), "{why}");
    assert!(!why.contains("not current"), "{why}");
    let (ok, why) = import(&s, renamed.to_str().unwrap(), false);
    assert!(!ok, "{why}");
    assert!(
        why.contains(&format!(
            "{HA_TU} renamed 'Phường Hà Tu' → 'Phường Hà Tu Mới'"
        )),
        "{why}"
    );
    let (ok, why) = import(&s, dropped.to_str().unwrap(), true);
    assert!(!ok, "{why}");
    assert!(
        why.contains(&format!("1 unit(s) removed: {HA_TU}")),
        "{why}"
    );

    assert_eq!(communes(&s), before);
    assert!(before.iter().any(|c| c == HA_TU));
    let names = s.cli_ok(&["units", "--level", "commune"]);
    assert!(
        names.contains("Phường Hà Tu\n") || names.contains("Phường Hà Tu\t"),
        "{names}"
    );
    assert!(!names.contains("Mới"), "{names}");
    s.assert_tallies_verify();
}

#[test]
fn the_same_file_again_is_a_no_op_and_says_which_version_is_current() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let before = communes(&s);

    let (ok, current) = import(&s, &data("quang-ninh-admin-units-2025.json"), false);
    let (ok_old, older) = import(&s, &data("quang-ninh-admin-units-2024-11.json"), false);
    let builtin = s.cli(&["import-units", "--builtin", "quang-ninh-2025"]);

    assert!(ok, "{current}");
    assert!(
        current
            .contains("hierarchy 2025-07-01: already loaded, unchanged; it is the current version"),
        "{current}"
    );
    assert!(!current.contains("not current"), "{current}");
    assert!(ok_old, "{older}");
    assert!(
        older.contains("hierarchy 2024-11-01: already loaded, unchanged; not current"),
        "{older}"
    );
    assert!(builtin.status.success());
    assert!(String::from_utf8_lossy(&builtin.stderr).contains("already loaded, unchanged"));
    assert_eq!(communes(&s), before);
    s.assert_tallies_verify();
}
