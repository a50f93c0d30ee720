//! What the `langso import-roster` tests share (roster_import.rs, roster_import_changes.rs):
//! real-shaped roster files (a BOM, semicolons, Vietnamese headings, NFD names, blank
//! trailing rows, an ID-number column, an XLSX sheet) and a database with only the
//! administrative map, as a province goes live.

use crate::harness::langso_bin;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// The villages file: a BOM, semicolons, an NFD name, blank trailing rows.
pub const VILLAGES: &str = "\u{feff}STT;Mã thôn;Tên thôn;Mã xã;Dân số;Số hộ;Người lớn?\r\n\
    1;HK-01;Khu Mo\u{302}\u{323}t;06649;1.250;310;880\r\n\
    2;HK-02;Khu Hai;06649;980;240;\r\n\
    3;HP-01;Khu Hà Phong 1;6652;700;180;500\r\n\
    ;;;;;;\r\n\
    ;;;;;;\r\n";

/// The teams file: commas, a quoted list of villages.
pub const TEAMS: &str = "Mã tổ,Tên tổ,Mã xã,Mã thôn phụ trách,Tổ trưởng\n\
    TO-HK-1,Tổ CNS khu Một,06649,HK-01,TV-001\n\
    TO-HK,Tổ CNS phường Hà Khánh,06649,\"HK-01;HK-02\",TV-003\n\
    TO-HP-1,Tổ CNS khu Hà Phong 1,06652,HP-01,TV-004\n";

/// Members: (code, name, citizen ID the province added, team, role).
pub const MEMBERS: [[&str; 5]; 5] = [
    [
        "TV-001",
        "Nguye\u{302}\u{303}n Văn An",
        "001203004567",
        "TO-HK-1",
        "Tổ trưởng",
    ],
    [
        "TV-002",
        "Trần Thị Bình",
        "034195001234",
        "TO-HK-1",
        "Thành viên",
    ],
    ["TV-003", "Lê Văn Cường", "", "TO-HK", "Tổ trưởng"],
    ["TV-004", "Phạm Thị Dung", "", "TO-HP-1", "Tổ trưởng"],
    ["TV-005", "Hoàng Văn Em", "", "TO-HP-1", "Tổ phó"],
];

/// The members as an XLSX workbook with an instructions sheet first, as offices keep it.
pub fn members_xlsx(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("Hướng dẫn").unwrap();
    notes.write_string(0, 0, "Danh sách thành viên tổ").unwrap();
    let ws = wb.add_worksheet();
    ws.set_name("Thành viên").unwrap();
    let headings = [
        "Mã thành viên",
        "Họ và tên",
        "Số CCCD",
        "Mã tổ",
        "Vai trò",
        "Còn hoạt động",
    ];
    for (c, h) in headings.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, m) in rows.iter().enumerate() {
        for (c, v) in m.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
        ws.write_string(r as u32 + 1, 5, "có").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A database with the 2024 map only (no demo data), and a folder for roster files.
pub struct Province {
    /// The folder of the database and the roster files.
    pub dir: TempDir,
    /// The database.
    pub db: PathBuf,
}

impl Default for Province {
    /// [`Province::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl Province {
    /// Imports the 2024 map into a new database; panics if the binary fails.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("langso.db");
        let map = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../data/quang-ninh/quang-ninh-admin-units.json");
        let out = Command::new(langso_bin())
            .args(["import-units", "--current", "--db"])
            .arg(&db)
            .arg(map)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Self { dir, db }
    }

    /// Writes `bytes` to `name` in the folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Runs `langso <args[0]> --db <db> <args[1..]> <files>`.
    pub fn langso(&self, args: &[&str], files: &[&PathBuf]) -> Output {
        let (sub, rest) = args.split_first().unwrap();
        Command::new(langso_bin())
            .arg(sub)
            .arg("--db")
            .arg(&self.db)
            .args(rest)
            .args(files)
            .output()
            .unwrap()
    }

    /// `import-roster --json`: the exit status and the report.
    pub fn import(&self, extra: &[&str], files: &[&PathBuf]) -> (bool, Value) {
        let mut args = vec!["import-roster", "--json"];
        args.extend(extra);
        let out = self.langso(&args, files);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.success(), report)
    }

    /// The villages, teams and members files, all valid.
    pub fn good_files(&self) -> Vec<PathBuf> {
        vec![
            self.file("thon.csv", VILLAGES.as_bytes()),
            self.file("to.csv", TEAMS.as_bytes()),
            self.file("thanh-vien.xlsx", &members_xlsx(&MEMBERS)),
        ]
    }

    /// The first column of the first row of `q`.
    pub fn sql<T: rusqlite::types::FromSql>(&self, q: &str) -> T {
        Connection::open(&self.db)
            .unwrap()
            .query_row(q, [], |r| r.get(0))
            .unwrap()
    }
}

/// (created, updated, unchanged, left_out) of `table` in an import report.
pub fn counts(report: &Value, table: &str) -> [u64; 4] {
    let c = &report[table];
    ["created", "updated", "unchanged", "left_out"].map(|k| c[k].as_u64().unwrap())
}

/// (source, row, column, code) of every problem (row None: the whole file).
pub fn problems(report: &Value) -> Vec<(String, Option<u64>, String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().unwrap().to_owned();
            (s("source"), p["row"].as_u64(), s("column"), s("code"))
        })
        .collect()
}

/// Every roster row, for comparing the database before and after.
pub fn roster_rows(p: &Province) -> String {
    let c = Connection::open(&p.db).unwrap();
    let mut out = String::new();
    for q in [
        "SELECT village_id, code, name, population, households, adults FROM villages ORDER BY id",
        "SELECT team_id, code, name, level, commune_code FROM teams ORDER BY id",
        "SELECT member_id, code, name, role, team_id, active FROM members ORDER BY id",
        "SELECT team_id, village_id, from_ms, to_ms FROM team_village_history ORDER BY 1, 2, 3",
        "SELECT count(*) FROM changes",
    ] {
        let mut s = c.prepare(q).unwrap();
        let n = s.column_count();
        let rows = s
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for r in rows {
            out.push_str(&r.unwrap());
            out.push('\n');
        }
    }
    out
}
