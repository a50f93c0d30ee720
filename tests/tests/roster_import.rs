//! `langso import-roster` on a database that has only the administrative map, as a province
//! goes live: real-shaped files (a BOM, semicolons, Vietnamese headings, NFD names, blank
//! trailing rows, an ID-number column, an XLSX sheet), every problem by row and column, all
//! or nothing, idempotent, deactivation instead of deletion, and the XLSX round trip.

use langso_tests::harness::langso_bin;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const VILLAGES: &str = "\u{feff}STT;Mã thôn;Tên thôn;Mã xã;Dân số;Số hộ;Người lớn?\r\n\
    1;HK-01;Khu Mo\u{302}\u{323}t;06649;1.250;310;880\r\n\
    2;HK-02;Khu Hai;06649;980;240;\r\n\
    3;HP-01;Khu Hà Phong 1;6652;700;180;500\r\n\
    ;;;;;;\r\n\
    ;;;;;;\r\n";

const TEAMS: &str = "Mã tổ,Tên tổ,Mã xã,Mã thôn phụ trách,Tổ trưởng\n\
    TO-HK-1,Tổ CNS khu Một,06649,HK-01,TV-001\n\
    TO-HK,Tổ CNS phường Hà Khánh,06649,\"HK-01;HK-02\",TV-003\n\
    TO-HP-1,Tổ CNS khu Hà Phong 1,06652,HP-01,TV-004\n";

/// Members: (code, name, citizen ID the province added, team, role).
const MEMBERS: [[&str; 5]; 5] = [
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
fn members_xlsx(rows: &[[&str; 5]]) -> Vec<u8> {
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
struct Province {
    dir: TempDir,
    db: PathBuf,
}

impl Province {
    fn new() -> Self {
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

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn langso(&self, args: &[&str], files: &[&PathBuf]) -> Output {
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
    fn import(&self, extra: &[&str], files: &[&PathBuf]) -> (bool, Value) {
        let mut args = vec!["import-roster", "--json"];
        args.extend(extra);
        let out = self.langso(&args, files);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.success(), report)
    }

    fn good_files(&self) -> Vec<PathBuf> {
        vec![
            self.file("thon.csv", VILLAGES.as_bytes()),
            self.file("to.csv", TEAMS.as_bytes()),
            self.file("thanh-vien.xlsx", &members_xlsx(&MEMBERS)),
        ]
    }

    fn sql<T: rusqlite::types::FromSql>(&self, q: &str) -> T {
        Connection::open(&self.db)
            .unwrap()
            .query_row(q, [], |r| r.get(0))
            .unwrap()
    }
}

fn counts(report: &Value, table: &str) -> [u64; 4] {
    let c = &report[table];
    ["created", "updated", "unchanged", "left_out"].map(|k| c[k].as_u64().unwrap())
}

/// (source, row, column, code) of every problem (row None: the whole file).
fn problems(report: &Value) -> Vec<(String, Option<u64>, String, String)> {
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
fn roster_rows(p: &Province) -> String {
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

#[test]
fn a_renamed_village_keeps_its_id_and_a_member_left_out_is_deactivated_not_deleted() {
    let p = Province::new();
    let files = p.good_files();
    assert!(p.import(&[], &files.iter().collect::<Vec<_>>()).0);
    let id: String = p.sql("SELECT village_id FROM villages WHERE code = 'HK-02'");

    let villages = p.file(
        "thon2.csv",
        VILLAGES.replace("Khu Hai", "Khu Hai Mới").as_bytes(),
    );
    let members = p.file("tv2.xlsx", &members_xlsx(&MEMBERS[..4]));
    let teams = &files[1];
    let (ok, r) = p.import(&[], &[&villages, teams, &members]);
    assert!(ok, "{r:#}");
    assert_eq!(counts(&r, "villages"), [0, 1, 2, 0]);
    assert_eq!(counts(&r, "members"), [0, 0, 4, 1]);
    let renamed: (String, String) = Connection::open(&p.db)
        .unwrap()
        .query_row(
            "SELECT village_id, name FROM villages WHERE code = 'HK-02'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(renamed, (id, "Khu Hai Mới".to_owned()));
    let active: i64 = p.sql("SELECT active FROM members WHERE code = 'TV-005'");
    assert_eq!(active, 0, "kept, inactive");
}

#[test]
fn the_exported_roster_imports_back_unchanged_and_an_empty_template_is_refused() {
    let p = Province::new();
    let files = p.good_files();
    assert!(p.import(&[], &files.iter().collect::<Vec<_>>()).0);
    let out = p.dir.path().join("export.xlsx");
    let o = p.langso(&["export-roster", "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = roster_rows(&p);
    let (ok, r) = p.import(&[], &[&out]);
    assert!(ok, "{r:#}");
    assert_eq!(counts(&r, "villages"), [0, 0, 3, 0]);
    assert_eq!(counts(&r, "teams"), [0, 0, 3, 0]);
    assert_eq!(counts(&r, "members"), [0, 0, 5, 0]);
    assert_eq!(roster_rows(&p), before);

    let template = p.dir.path().join("template.xlsx");
    let o = p.langso(
        &[
            "export-roster",
            "--template",
            "--out",
            template.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success());
    let (ok, r) = p.import(&[], &[&template]);
    assert!(!ok, "an empty roster would deactivate everyone");
    let codes: Vec<String> = problems(&r).into_iter().map(|p| p.3).collect();
    assert_eq!(codes, vec!["empty_table"; 3]);
}

/// A value that is one member's id and another member's roster code names no one for sure:
/// `invite --member` refuses it rather than bind a phone to the wrong person.
#[test]
fn a_member_id_that_is_another_members_code_is_refused() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let taken: String = p.sql("SELECT member_id FROM members WHERE code = 'TV-002'");
    let team: String = p.sql("SELECT team_id FROM teams WHERE code = 'TO-HK-1'");
    let mut rows = MEMBERS.to_vec();
    rows.push(["TV-006", "Đỗ Thị Giang", "", "TO-HK-1", "Thành viên"]);
    let newcomer = [taken.as_str(), "Vũ Văn Hải", "", "TO-HK-1", "Thành viên"];
    rows.push(newcomer);
    let members = p.file("thanh-vien-2.xlsx", &members_xlsx(&rows));
    let (ok, report) = p.import(&[], &[&members]);
    assert!(ok, "{report}");
    let invites = || p.sql::<i64>("SELECT count(*) FROM invites");
    let before = invites();
    let out = p.langso(&["invite", "--team", &team, "--member", &taken], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("one member's id and another member's roster code"),
        "{err}"
    );
    assert_eq!(invites(), before, "no code was made");
    // The roster code alone names the person.
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-002"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The operator's placements file may name a village by the province's own code.
#[test]
fn a_placements_file_names_villages_by_their_roster_code() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let file = p.file(
        "placements.csv",
        b"village_code,commune_code\nHK-01,06652\n",
    );
    let out = p.langso(
        &[
            "import-units",
            "--builtin",
            "quang-ninh-2024-11",
            "--current",
            "--placements",
        ],
        &[&file],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let placed: String = p.sql(
        "SELECT p.commune_code FROM village_placements p JOIN villages v ON v.id = p.village_id
         JOIN hierarchy_versions h ON h.id = p.version_id
         WHERE v.code = 'HK-01' AND h.key = '2024-11-01'",
    );
    assert_eq!(placed, "06652");
}

/// A member a roster left out has left the team: no code binds a phone to them until a
/// roster lists them as active again.
#[test]
fn a_member_who_left_the_roster_gets_no_invite_until_listed_again() {
    let p = Province::new();
    let files = p.good_files();
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let team: String = p.sql("SELECT team_id FROM teams WHERE code = 'TO-HP-1'");
    let without = p.file("thanh-vien-3.xlsx", &members_xlsx(&MEMBERS[..4]));
    let (ok, report) = p.import(&[], &[&without]);
    assert!(ok, "{report}");
    let invites = || p.sql::<i64>("SELECT count(*) FROM invites");
    let before = invites();
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-005"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has left the team's roster"), "{err}");
    assert_eq!(invites(), before, "no code was made");
    let (ok, _) = p.import(&[], &files.iter().collect::<Vec<_>>());
    assert!(ok);
    let out = p.langso(&["invite", "--team", &team, "--member", "TV-005"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
