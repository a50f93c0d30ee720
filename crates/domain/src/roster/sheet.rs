//! Roster files as grids of text: CSV (UTF-8 with or without a byte-order mark, comma,
//! semicolon or tab separated, RFC 4180 quoting, as Excel writes "CSV UTF-8" in Vietnamese
//! settings) and XLSX (every worksheet, read with calamine). Row `i` of a grid is the
//! spreadsheet's row `i + 1`, whatever row the headings are on ([`heading_row`]).

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use std::io::Cursor;

/// One sheet (or CSV file) as text cells: `rows[0]` is spreadsheet row 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// Where it comes from as people name it: `villages.csv`, or `roster.xlsx › Thôn`.
    pub source: String,
    pub rows: Vec<Vec<String>>,
    /// Whether it is one sheet of a workbook (an unrecognised one is skipped, not an error).
    pub in_workbook: bool,
}

/// How many rows from the top of a sheet may come before its heading row: provinces'
/// files often open with a title block ("DANH SÁCH THÀNH VIÊN TỔ …", a date, a blank row).
pub const HEADING_SEARCH_ROWS: usize = 10;

/// The index in `rows` of the heading row: the first of the first
/// [`HEADING_SEARCH_ROWS`] rows that `is_heading` accepts.
pub fn heading_row(rows: &[Vec<String>], is_heading: impl Fn(&[String]) -> bool) -> Option<usize> {
    rows.iter()
        .take(HEADING_SEARCH_ROWS)
        .position(|r| is_heading(r))
}

/// Why a file could not be read at all: a stable code and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// `unreadable_spreadsheet` (an XLSX, by name or content, that is not a readable
    /// workbook: truncated, corrupt, a ZIP of something else) or `unreadable_file` (not
    /// UTF-8 text, an old .xls).
    pub code: &'static str,
    pub message: String,
}

impl ReadError {
    fn file(message: impl Into<String>) -> Self {
        Self {
            code: "unreadable_file",
            message: message.into(),
        }
    }

    fn spreadsheet(message: impl Into<String>) -> Self {
        Self {
            code: "unreadable_spreadsheet",
            message: message.into(),
        }
    }
}

/// Whether a file is meant as a workbook: its bytes are a ZIP (`PK\x03\x04`, or the
/// empty and spanned archives' `PK\x05\x06`, `PK\x07\x08`), or its name says .xlsx
/// (or .xlsm, .xltx). Such a file is never read as CSV.
fn is_workbook(name: &str, bytes: &[u8]) -> bool {
    let zip = [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"]
        .iter()
        .any(|m| bytes.starts_with(*m));
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    zip || matches!(ext.as_deref(), Some("xlsx" | "xlsm" | "xltx"))
}

/// Reads one uploaded file into its sheets, by content and by name: a ZIP or a `.xlsx`
/// name is read as a workbook (and refused as `unreadable_spreadsheet` if it is none),
/// anything else as CSV text.
pub fn read(name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    if is_workbook(name, bytes) {
        return read_xlsx(name, bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(ReadError::file(
            "an old Excel 97–2003 (.xls) file: save it as .xlsx or as CSV UTF-8",
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ReadError::file(
            "not UTF-8 text: in Excel choose \"Save as… CSV UTF-8 (Comma delimited)\", or upload the .xlsx",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(vec![Sheet {
        source: name.to_owned(),
        rows: parse_csv(text),
        in_workbook: false,
    }])
}

fn read_xlsx(name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, ReadError> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        ReadError::spreadsheet(format!(
            "not a readable .xlsx workbook ({e}): the file is damaged or cut short, or not \
             an Excel workbook; save it again from Excel (or as CSV UTF-8) and upload that"
        ))
    })?;
    let mut sheets = Vec::new();
    for sheet in wb.sheet_names() {
        let range = wb
            .worksheet_range(&sheet)
            .map_err(|e| ReadError::spreadsheet(format!("sheet '{sheet}' cannot be read ({e})")))?;
        let mut rows: Vec<Vec<String>> = Vec::new();
        let (top, left) = range.start().unwrap_or((0, 0));
        for (r, c, cell) in range.used_cells() {
            let (r, c) = (top as usize + r, left as usize + c);
            if rows.len() <= r {
                rows.resize(r + 1, Vec::new());
            }
            if rows[r].len() <= c {
                rows[r].resize(c + 1, String::new());
            }
            rows[r][c] = cell_text(cell);
        }
        sheets.push(Sheet {
            source: format!("{name} › {sheet}"),
            rows,
            in_workbook: true,
        });
    }
    Ok(sheets)
}

/// A cell as the text a person sees: whole numbers without a decimal point (Excel stores
/// every number as a float), booleans as `true`/`false`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// The separator of a CSV text: whichever of `;`, `,` and tab occurs most often outside
/// quotes in its first line (`,` when none does).
fn separator(text: &str) -> char {
    let (mut counts, mut quoted) = ([0usize; 3], false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|i| (counts[*i], *i == 1)).unwrap_or(1);
    if counts[best] == 0 {
        ','
    } else {
        [';', ',', '\t'][best]
    }
}

/// RFC 4180 with the separator detected: quoted fields may hold separators, doubled
/// quotes and line breaks; CRLF, LF and CR all end a record. Not the `csv` crate: it skips
/// blank lines, and problems must carry the row numbers Excel shows, where a blank line is
/// a row of its own.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let sep = separator(text);
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            c if c == sep => row.push(std::mem::take(&mut field)),
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_or_an_xlsx_name_is_never_read_as_csv() {
        for (name, bytes) in [
            ("m.xlsx", &b"Ma thanh vien,Ho va ten\n"[..]),
            ("m.csv", &b"PK\x03\x04\x14\x00truncated"[..]),
            ("m", &b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"[..]),
        ] {
            assert_eq!(
                read(name, bytes).unwrap_err().code,
                "unreadable_spreadsheet",
                "{name}"
            );
        }
    }

    #[test]
    fn the_heading_row_is_found_below_a_title_block() {
        let rows = parse_csv("DANH SÁCH\n\nMã thôn,Tên thôn\nV1,A\n");
        assert_eq!(
            heading_row(&rows, |r| r.iter().any(|c| c == "Mã thôn")),
            Some(2)
        );
    }

    #[test]
    fn semicolons_quotes_and_line_breaks_inside_quotes() {
        let rows = parse_csv("a;b;c\r\n\"x;1\";\"say \"\"hi\"\"\";\"two\nlines\"\r\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1], vec!["x;1", "say \"hi\"", "two\nlines"]);
    }

    #[test]
    fn the_separator_is_the_commonest_in_the_heading() {
        assert_eq!(parse_csv("a,b\n1,2")[1], vec!["1", "2"]);
        assert_eq!(parse_csv("a;b\n1,5;2")[1], vec!["1,5", "2"]);
        assert_eq!(parse_csv("a\tb\n1\t2")[1], vec!["1", "2"]);
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_other_encodings_refused() {
        let sheets = read("v.csv", "\u{feff}Mã thôn,Tên thôn\n".as_bytes()).unwrap();
        assert_eq!(sheets[0].rows[0][0], "Mã thôn");
        assert!(
            read("v.csv", b"M\xe3 th\xf4n")
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
    }
}
