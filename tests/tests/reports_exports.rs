//! Report exports over HTTP: CSV with a byte-order mark, XLSX with an information sheet,
//! and refusals outside the scope answered like JSON.

use langso_tests::harness::{PROVINCE, Server};
use langso_tests::reports::{MAP_WITH_DISTRICTS, TEAM, TODAY, push};
use serde_json::Value;

/// RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn csv_exports_start_with_a_bom_and_parse_as_one_table() {
    let s = Server::start_quiet_demo_on(MAP_WITH_DISTRICTS);
    let mut p = s.enroll(TEAM);
    push(&s, &mut p, "qr_payment_sticker", 5);
    let district = s.district_of(TEAM);
    let token = s.login_as("district_leader", &district);
    let n_teams = s
        .teams()
        .iter()
        .filter(|t| t["district_code"] == district.as_str())
        .count();

    let d = s.download(
        &format!(
            "/v1/reports/leaderboard?scope_kind=district&scope={district}&of=teams&format=csv"
        ),
        &token,
    );

    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, "text/csv; charset=utf-8");
    assert!(
        d.content_disposition
            .starts_with("attachment; filename=\"langso-leaderboard-teams-district-")
    );
    assert!(
        d.content_disposition.ends_with(".csv\""),
        "{}",
        d.content_disposition
    );
    assert_eq!(&d.bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let rows = parse_csv(std::str::from_utf8(&d.bytes[3..]).expect("UTF-8"));
    assert_eq!(rows.len(), 1 + n_teams);
    assert_eq!(
        rows[0][..6],
        [
            "Hạng",
            "Hạng kỳ trước",
            "Thay đổi hạng",
            "Mã",
            "Tên",
            "Điểm"
        ]
    );
    assert!(rows[0].contains(&"Cài đặt, kích hoạt định danh điện tử mức 2 (VNeID)".to_owned()));
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][3].as_str(),
            rows[1][5].as_str()
        ),
        ("1", TEAM, "5")
    );
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));

    let summary = s.download(
        &format!("/v1/reports/summary?unit_kind=district&unit={district}&period=week&format=csv"),
        &token,
    );
    let text = String::from_utf8(summary.bytes).unwrap();
    assert!(text.starts_with("\u{feff}Từ ngày,Đến ngày,"));
    assert_eq!(
        text.split("\r\n").filter(|l| !l.is_empty()).count(),
        1 + 7 + 1,
        "7 days and a total"
    );
    assert!(text.contains("\r\nTổng,,"));
}

#[test]
fn xlsx_exports_are_spreadsheets_with_an_information_sheet() {
    let s = Server::start_quiet_demo_on(TODAY);
    let commune = s.commune_of(TEAM);
    let token = s.login_as("commune_leader", &commune);

    for (path, stem) in [
        (
            format!("/v1/reports/coverage?unit_kind=commune&unit={commune}&format=xlsx"),
            "langso-coverage-commune-",
        ),
        (
            format!("/v1/reports/summary?unit_kind=commune&unit={commune}&format=xlsx"),
            "langso-summary-commune-",
        ),
        (
            format!(
                "/v1/reports/leaderboard?scope_kind=commune&scope={commune}&of=teams&format=xlsx"
            ),
            "langso-leaderboard-teams-commune-",
        ),
    ] {
        let d = s.download(&path, &token);

        assert_eq!(d.status, 200, "{path}");
        assert_eq!(
            d.content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(d.content_disposition.contains(stem) && d.content_disposition.ends_with(".xlsx\""));
        assert_eq!(&d.bytes[..4], b"PK\x03\x04", "a zip archive");
        let has = |name: &str| d.bytes.windows(name.len()).any(|w| w == name.as_bytes());
        assert!(has("[Content_Types].xml") && has("xl/workbook.xml"));
        assert!(
            has("xl/worksheets/sheet2.xml"),
            "information sheet and a table"
        );
    }
}

#[test]
fn exports_are_refused_like_json_outside_the_scope() {
    let s = Server::start_quiet_demo_on(TODAY);
    let token = s.login_as("team_leader", TEAM);
    let d = s.download(
        &format!("/v1/reports/summary?unit_kind=province&unit={PROVINCE}&format=csv"),
        &token,
    );
    assert_eq!(d.status, 403);
    let body: Value = serde_json::from_slice(&d.bytes).unwrap();
    assert_eq!(body["code"], "out_of_scope");
}
