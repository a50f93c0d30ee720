//! `langso import-groupings FILE` as a province's office runs it: every problem of the file
//! is reported in one round, each by its spreadsheet row and column (an unknown commune
//! code too), and a file whose headings sit below a title block reads.

use langso_tests::harness::langso_bin;
use std::path::PathBuf;
use std::process::{Command, Output};
use tempfile::TempDir;

/// A database on today's map (54 communes, 2025-07-01) and nothing else.
struct Map {
    dir: TempDir,
    db: PathBuf,
}

impl Map {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("langso.db");
        let map = Self { dir, db };
        let out = map.langso(&["import-units", "--builtin", "quang-ninh-2025", "--current"]);
        assert!(out.status.success(), "{}", stderr(&out));
        map
    }

    fn langso(&self, args: &[&str]) -> Output {
        Command::new(langso_bin())
            .args(args)
            .arg("--db")
            .arg(&self.db)
            .output()
            .unwrap()
    }

    fn import(&self, name: &str, text: &str) -> Output {
        let file = self.dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        self.langso(&["import-groupings", file.to_str().unwrap()])
    }

    fn groupings(&self) -> String {
        let out = self.langso(&["units", "--level", "grouping", "--json"]);
        String::from_utf8(out.stdout).unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn every_problem_of_a_groupings_file_comes_in_one_round_each_with_its_row() {
    let map = Map::new();
    let before = map.groupings();
    // Row 2: a bad kind; row 3: a commune not on today's map; row 5: another one, on a
    // row that is otherwise right.
    let out = map.import(
        "cum.csv",
        "Mã cụm,Tên cụm,Loại,Mã xã\n\
         C1,Cụm 1,Cụm,06652\n\
         C1,Cụm 1,cluster,99999\n\
         C2,Cụm 2,cluster,06658\n\
         C2,Cụm 2,cluster,06649\n",
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    for says in [
        "row 2, column kind",
        "row 3, column commune_code: '99999' is not a commune of the current map (unknown_commune)",
        "row 5, column commune_code: '06649' is not a commune of the current map (unknown_commune)",
        "3 problem(s); nothing was changed",
    ] {
        assert!(err.contains(says), "{says:?} not in:\n{err}");
    }
    assert_eq!(map.groupings(), before, "nothing changed");
}

#[test]
fn a_missing_column_and_the_other_columns_problems_come_together() {
    let map = Map::new();
    let out = map.import(
        "cum.csv",
        "grouping_code,kind,commune_code\nC1,Cụm,06652\nC2,cluster,12345\n",
    );
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    for says in [
        "file, column grouping_name: no 'grouping_name' column",
        "row 2, column kind",
        "row 3, column commune_code: '12345' is not a commune",
    ] {
        assert!(err.contains(says), "{says:?} not in:\n{err}");
    }
    assert!(!err.contains("row 0"), "{err}");
}

#[test]
fn headings_below_a_title_block_are_found_and_rows_keep_their_numbers() {
    let map = Map::new();
    let title = "DANH SÁCH CỤM XÃ, PHƯỜNG TỈNH QUẢNG NINH;;;\n;;;\n\
                 Mã cụm;Tên cụm;Loại;Mã xã\n";
    let out = map.import(
        "tieu-de.csv",
        &format!("{title}C1;Cụm 1;cluster;06652\nC1;Cụm 1;cluster;00001\n"),
    );
    let err = stderr(&out);
    assert!(
        err.contains("row 5, column commune_code: '00001' is not a commune"),
        "{err}"
    );
    let out = map.import(
        "tieu-de.csv",
        &format!("{title}C1;Cụm 1;cluster;06652\nC1;Cụm 1;cluster;06658\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let now = map.groupings();
    assert!(
        now.contains("\"06652\"") && now.contains("\"06658\""),
        "{now}"
    );
}
