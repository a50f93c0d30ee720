//! `langso import-roster` on a database that has only the administrative map, as a province
//! goes live: real-shaped files (a BOM, semicolons, Vietnamese headings, NFD names, blank
//! trailing rows, an ID-number column, an XLSX sheet), every problem by row and column, all
//! or nothing, idempotent (renames, deactivation, the XLSX round trip, member IDs,
//! placements and invites: roster_import_changes.rs).

use langso_tests::roster_import::{Province, counts, problems, roster_rows};
use std::path::PathBuf;

#[test]
fn a_real_shaped_roster_imports_and_the_same_files_again_change_nothing() {
    let p = Province::new();
    let files = p.good_files();
    let refs: Vec<&PathBuf> = files.iter().collect();
    let (ok, r) = p.import(&[], &refs);
    assert!(ok, "{r:#}");
    assert_eq!(r["applied"], true);
    assert_eq!(counts(&r, "villages"), [3, 0, 0, 0]);
    assert_eq!(counts(&r, "teams"), [3, 0, 0, 0]);
    assert_eq!(counts(&r, "members"), [5, 0, 0, 0]);
    assert_eq!(r["coverage_started"], 4);
    let skipped = r["skipped_columns"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["column"] == "Số CCCD" && s["personal"] == true)
    );
    assert!(
        skipped
            .iter()
            .any(|s| s["column"] == "STT" && s["personal"] == false)
    );

    let name: String = p.sql("SELECT name FROM villages WHERE code = 'HK-01'");
    assert_eq!(name, "Khu Một", "stored NFC");
    let member: String = p.sql("SELECT name FROM members WHERE code = 'TV-001'");
    assert_eq!(member, "Nguyễn Văn An");
    let commune: String = p.sql(
        "SELECT p.commune_code FROM village_placements p JOIN villages v ON v.id = p.village_id
         WHERE v.code = 'HP-01'",
    );
    assert_eq!(commune, "06652", "the zero Excel drops is put back");
    let adults: Option<i64> = p.sql("SELECT adults FROM villages WHERE code = 'HK-02'");
    assert_eq!(adults, None);
    let kinds: i64 = p.sql("SELECT count(*) FROM kinds");
    assert!(
        kinds > 0,
        "a database without a catalogue gets the default one"
    );
    for f in ["langso.db", "langso.db-wal"] {
        let bytes = std::fs::read(p.dir.path().join(f)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("001203004567"), "a citizen ID reached {f}");
    }

    let before = roster_rows(&p);
    let (ok, again) = p.import(&[], &refs);
    assert!(ok, "{again:#}");
    assert_eq!(counts(&again, "villages"), [0, 0, 3, 0]);
    assert_eq!(counts(&again, "teams"), [0, 0, 3, 0]);
    assert_eq!(counts(&again, "members"), [0, 0, 5, 0]);
    assert_eq!(
        (
            again["coverage_started"].as_u64(),
            again["coverage_ended"].as_u64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(
        roster_rows(&p),
        before,
        "the same files again change nothing"
    );
}

#[test]
fn every_problem_is_reported_by_row_and_column_and_nothing_changes() {
    let p = Province::new();
    let villages = p.file(
        "villages.csv",
        "village_code,village_name,commune_code,population,households\n\
         A1,Thôn A,06649,khoảng 800,100\n\
         A2,Thôn B,99999,500,100\n\
         A1,Thôn C,06649,500,100\n\
         A3,0912 345 678,06649,500,100\n\
         A4,Thôn D,06649,500,100\n"
            .as_bytes(),
    );
    let teams = p.file(
        "teams.csv",
        "team_code,team_name,commune_code,village_codes,leader_member_code\n\
         T-A,Tổ A,06649,A1;A2;A3;ZZ,M-9\n"
            .as_bytes(),
    );
    let members = p.file(
        "members.csv",
        "member_code;full_name;team_code;role\n\
         M-1;Nguyễn Văn An;T-A;leader\n\
         M-1;Nguyễn Văn An;T-B;member\n\
         M-2;Trần Bình;T-X;member\n"
            .as_bytes(),
    );
    let (ok, r) = p.import(&[], &[&villages, &teams, &members]);
    assert!(!ok, "a roster with problems fails");
    assert_eq!(r["applied"], false);
    let found = problems(&r);
    let expect = [
        ("villages.csv", 2, "population", "not_a_number"),
        ("villages.csv", 3, "commune_code", "unknown_commune"),
        ("villages.csv", 4, "village_code", "duplicate_code"),
        ("villages.csv", 5, "village_name", "personal_number"),
        ("villages.csv", 6, "village_code", "village_not_covered"),
        ("teams.csv", 2, "village_codes", "unknown_village"),
        ("teams.csv", 2, "leader_member_code", "leader_not_in_team"),
        ("members.csv", 3, "member_code", "member_in_two_teams"),
        ("members.csv", 3, "team_code", "unknown_team"),
        ("members.csv", 4, "team_code", "unknown_team"),
    ];
    for (source, row, column, code) in expect {
        let want = (
            source.to_owned(),
            Some(row),
            column.to_owned(),
            code.to_owned(),
        );
        assert!(found.contains(&want), "missing {want:?} in {found:#?}");
    }
    assert!(
        !r.to_string().contains("0912 345 678"),
        "a phone number is never repeated"
    );
    let villages: i64 = p.sql("SELECT count(*) FROM villages");
    assert_eq!(villages, 0, "all or nothing");
}

#[test]
fn a_dry_run_prints_the_report_and_changes_nothing() {
    let p = Province::new();
    let files = p.good_files();
    let out = p.langso(
        &["import-roster", "--dry-run"],
        &files.iter().collect::<Vec<_>>(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("villages: 3 new"), "{text}");
    assert!(
        text.contains("column Số CCCD skipped (personal data"),
        "{text}"
    );
    assert!(text.contains("dry run: nothing changed"), "{text}");
    let n: i64 = p.sql("SELECT count(*) FROM villages");
    assert_eq!(n, 0);
}
