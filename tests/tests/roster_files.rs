//! Roster files as provinces' offices send them, through the real binary and over HTTP:
//! a problem of the whole file has no row (null in JSON, `file:` in the CLI), a damaged or
//! mis-named workbook is an unreadable spreadsheet (never read as CSV), and headings may
//! sit below a title block, rows keeping the spreadsheet's numbers.

use langso_tests::harness::{PROVINCE, Server};
use langso_tests::roster::dry_run;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const TEAM: &str = "T00001";

/// (row, column, code) of every problem of a report.
fn problems(report: &Value) -> Vec<(Option<u64>, String, String)> {
    report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems in {report}"))
        .iter()
        .map(|p| {
            (
                p["row"].as_u64(),
                p["column"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A members workbook whose sheet opens with a title block: the title on row 1, a blank
/// row 2, the headings on row 3, then `rows` (member code, name) of team [`TEAM`].
fn titled_members_xlsx(rows: &[[&str; 2]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "DANH SÁCH THÀNH VIÊN TỔ CNSCĐ XÃ HÀ KHÁNH")
        .unwrap();
    for (c, h) in ["Mã thành viên", "Họ và tên", "Mã tổ"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (r, [code, name]) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, *name).unwrap();
        ws.write_string(r, 2, TEAM).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn problems_of_a_whole_file_have_no_row_over_http_or_in_the_cli() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);

    let r = dry_run(
        &s,
        &admin,
        "text/csv",
        "Mã thành viên,Mã tổ\nTV-1,T00001\n".as_bytes(),
    )
    .expect_error(422, "invalid_roster");
    let got = problems(&r.body["report"]);
    assert!(
        got.contains(&(None, "Họ và tên".into(), "missing_column".into())),
        "{got:?}"
    );
    let r = dry_run(&s, &admin, "text/csv", b"").expect_error(422, "invalid_roster");
    assert_eq!(
        problems(&r.body["report"]),
        [(None, "".into(), "empty_file".into())]
    );
    let r = dry_run(
        &s,
        &admin,
        "text/csv",
        "Mã thành viên,Họ và tên,Mã tổ\n".as_bytes(),
    )
    .expect_error(422, "invalid_roster");
    assert_eq!(
        problems(&r.body["report"]),
        [(None, "".into(), "empty_table".into())]
    );

    let file = s.db.with_file_name("thanh-vien.csv");
    std::fs::write(&file, "Mã thành viên,Mã tổ\nTV-1,T00001\n").unwrap();
    let out = s.cli(&["import-roster", "--dry-run", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        text.contains("thanh-vien.csv file, column Họ và tên: the members table needs a column"),
        "{text}"
    );
    assert!(
        !text.contains("row 0") && !text.contains("row 1,"),
        "{text}"
    );
}

#[test]
fn a_damaged_or_misnamed_workbook_is_an_unreadable_spreadsheet_never_csv() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);
    let whole = titled_members_xlsx(&[["TV-1", "Nguyễn Văn An"]]);
    let cut_short = &whole[..whole.len() / 2];
    let empty_zip = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    for body in [cut_short, &empty_zip[..]] {
        let r = dry_run(&s, &admin, XLSX, body).expect_error(422, "invalid_roster");
        assert_eq!(
            problems(&r.body["report"]),
            [(None, "".into(), "unreadable_spreadsheet".into())]
        );
    }
    // Bytes that are a ZIP sent as CSV, and CSV text in a file named .xlsx: by content and
    // by name, each is a workbook that cannot be read.
    let r = dry_run(&s, &admin, "text/csv", cut_short).expect_error(422, "invalid_roster");
    assert_eq!(problems(&r.body["report"])[0].2, "unreadable_spreadsheet");
    let misnamed = s.db.with_file_name("thanh-vien.xlsx");
    std::fs::write(
        &misnamed,
        "Mã thành viên,Họ và tên,Mã tổ\nTV-1,Nguyễn Văn An,T00001\n",
    )
    .unwrap();
    let out = s.cli(&["import-roster", "--dry-run", misnamed.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("thanh-vien.xlsx file: not a readable .xlsx workbook")
            && text.contains("(unreadable_spreadsheet)"),
        "{text}"
    );
}

#[test]
fn headings_below_a_title_block_are_found_and_rows_keep_their_numbers() {
    let s = Server::start_demo();
    let admin = s.login_as("province_admin", PROVINCE);

    let good = titled_members_xlsx(&[["TV-1", "Nguyễn Văn An"], ["TV-2", "Trần Thị Bình"]]);
    let r = dry_run(&s, &admin, XLSX, &good).expect(200);
    assert_eq!(r.body["members"]["created"], 2, "{}", r.body);

    // Row 5 of the sheet (title, blank, headings, TV-1, then this one).
    let bad = titled_members_xlsx(&[["TV-1", "Nguyễn Văn An"], ["TV-2", "0912345678"]]);
    let r = dry_run(&s, &admin, XLSX, &bad).expect_error(422, "invalid_roster");
    assert_eq!(
        problems(&r.body["report"]),
        [(Some(5), "Họ và tên".into(), "personal_number".into())]
    );

    let csv = "DANH SÁCH THÀNH VIÊN TỔ CNSCĐ XÃ HÀ KHÁNH;;\n;;\n\
               Mã thành viên;Họ và tên;Mã tổ\nTV-1;Nguyễn Văn An;T00001\nTV-2;Trần Thị Bình;T99999\n";
    let r = dry_run(&s, &admin, "text/csv", csv.as_bytes()).expect_error(422, "invalid_roster");
    assert_eq!(
        problems(&r.body["report"]),
        [(Some(5), "Mã tổ".into(), "unknown_team".into())]
    );
}
