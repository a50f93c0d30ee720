//! CSV as Excel reads it: a UTF-8 byte-order mark, comma-separated, CRLF line ends,
//! fields quoted when they hold a comma, quote or line break (RFC 4180).
//!
//! **Formula injection** (OWASP "CSV Injection"): a spreadsheet runs a cell that begins
//! with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, and text cells carry
//! what anyone with an enrollment code typed (a device name becomes a volunteer's name).
//! Every *text* cell and heading beginning so is written with a leading `'`, which Excel
//! and LibreOffice show as text. Numbers are typed cells, never text, so a negative
//! number (`-3`, a rank that fell) stays a number.
//!
//! Stored text may hold control characters enrolment no longer accepts (a name enrolled
//! before the rule, an imported unit name): every text cell is written without them.

use super::{Book, Cell};
use langso_domain::text::without_controls;

fn field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// `text` as a spreadsheet shows it and never runs it (see the module doc), without a raw
/// control character (NUL, escape …: U+FFFD instead; tab and line breaks stay).
pub(super) fn neutralised(text: &str) -> String {
    let text = without_controls(text);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.into_owned()
    }
}

pub(super) fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(t) => neutralised(t),
        Cell::Int(i) => i.to_string(),
        Cell::Num(n) | Cell::Percent(n) => format_num(*n),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Empty => String::new(),
    }
}

/// Up to two decimals, no trailing zeros: 12, 12.5, 33.33.
fn format_num(n: f64) -> String {
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

pub(super) fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(out, &c);
    }
    out.push_str("\r\n");
}

/// The book's first table.
pub fn render(book: &Book) -> Vec<u8> {
    let mut out = String::from('\u{feff}');
    if let Some(t) = book.tables.first() {
        line(&mut out, t.columns.iter().map(|c| neutralised(c)));
        for row in &t.rows {
            line(&mut out, row.iter().map(cell_text));
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Table;

    #[test]
    fn text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_are_not() {
        let book = Book {
            file_stem: "x".into(),
            info: vec![],
            tables: vec![Table {
                name: "t".into(),
                columns: vec!["=A1".into(), "n".into()],
                rows: [
                    "=HYPERLINK(\"http://x\")",
                    "+1",
                    "-1",
                    "@SUM(A1)",
                    "\tx",
                    "\rx",
                    "Lan",
                ]
                .iter()
                .map(|t| vec![Cell::from(*t), Cell::Int(-3)])
                .collect(),
            }],
        };
        let text = String::from_utf8(render(&book)).unwrap();
        assert_eq!(
            text,
            "\u{feff}'=A1,n\r\n\"'=HYPERLINK(\"\"http://x\"\")\",-3\r\n'+1,-3\r\n'-1,-3\r\n\
             '@SUM(A1),-3\r\n'\tx,-3\r\n\"'\rx\",-3\r\nLan,-3\r\n"
        );
    }

    #[test]
    fn no_control_character_of_stored_text_is_written_raw() {
        let book = Book {
            file_stem: "x".into(),
            info: vec![],
            tables: vec![Table {
                name: "t".into(),
                columns: vec!["Tên\0".into()],
                rows: vec![vec![Cell::from("Lan\0\u{1b}[31m")], vec![Cell::from("=\0")]],
            }],
        };
        let text = String::from_utf8(render(&book)).unwrap();
        assert_eq!(
            text,
            "\u{feff}Tên\u{fffd}\r\nLan\u{fffd}\u{fffd}[31m\r\n'=\u{fffd}\r\n"
        );
    }

    #[test]
    fn starts_with_a_bom_and_quotes_what_needs_quoting() {
        let book = Book {
            file_stem: "x".into(),
            info: vec![],
            tables: vec![Table {
                name: "t".into(),
                columns: vec!["Tên".into(), "Điểm".into()],
                rows: vec![
                    vec![Cell::from("Thôn \"Nà\", Khau"), Cell::Num(12.5)],
                    vec![Cell::Empty, Cell::Percent(100.0)],
                ],
            }],
        };
        let text = String::from_utf8(render(&book)).unwrap();
        assert_eq!(
            text,
            "\u{feff}Tên,Điểm\r\n\"Thôn \"\"Nà\"\", Khau\",12.5\r\n,100\r\n"
        );
    }
}
