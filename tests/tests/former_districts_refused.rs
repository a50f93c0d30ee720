//! `import-groupings --former-districts` on a map that still has districts (issue 8,
//! acceptance finding 3): the 2024-11 map's districts are its own level, so deriving
//! "former districts" there (which made 4 groupings of only the 5 merged communes) is
//! refused with a clear message and changes nothing; on the 2025 map it still works.

use langso_tests::harness::Server;
use serde_json::Value;

/// The groupings of the current map, as `langso units --level grouping --json` lists them.
fn groupings(s: &Server) -> usize {
    let list: Value =
        serde_json::from_str(&s.cli_ok(&["units", "--level", "grouping", "--json"])).expect("JSON");
    list["groupings"].as_array().map_or(0, Vec::len)
}

#[test]
fn former_districts_on_a_map_with_districts_are_refused() {
    let s = Server::start_quiet_demo_on("quang-ninh-2024-11");
    let before = groupings(&s);

    let dry = s.cli(&["import-groupings", "--former-districts", "--dry-run"]);
    let real = s.cli(&["import-groupings", "--former-districts"]);

    for out in [&dry, &real] {
        assert!(!out.status.success());
        let why = String::from_utf8_lossy(&out.stderr);
        assert!(
            why.contains("the current map (2024-11-01) still has districts"),
            "{why}"
        );
        assert!(why.contains("province, district, commune"), "{why}");
        assert!(why.contains("Nothing was changed"), "{why}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    }
    assert_eq!(groupings(&s), before);
}

#[test]
fn former_districts_on_a_map_without_districts_are_derived() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");

    let out = s.cli_ok(&["import-groupings", "--former-districts", "--dry-run"]);

    assert_eq!(out.lines().count(), 13, "{out}");
}
