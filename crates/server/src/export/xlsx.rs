//! XLSX with typed cells: an information sheet, then one sheet per table with a bold,
//! frozen heading row and an autofilter.

use super::{Book, Cell};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

pub(super) struct Formats {
    pub bold: Format,
    int: Format,
    num: Format,
    percent: Format,
    date: Format,
}

pub(super) fn write(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    c: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match c {
        Cell::Text(t) => ws.write_string(row, col, t)?,
        Cell::Int(i) => ws.write_number_with_format(row, col, *i as f64, &f.int)?,
        Cell::Num(n) => ws.write_number_with_format(row, col, *n, &f.num)?,
        Cell::Percent(p) => ws.write_number_with_format(row, col, *p / 100.0, &f.percent)?,
        Cell::Date(d) => {
            use chrono::Datelike;
            let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
            ws.write_datetime_with_format(row, col, &date, &f.date)?
        }
        Cell::Empty => ws,
    };
    Ok(())
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// The cell formats every sheet uses.
pub(super) fn formats() -> Formats {
    Formats {
        bold: Format::new().set_bold(),
        int: Format::new().set_num_format("#,##0"),
        num: Format::new().set_num_format("#,##0.00"),
        percent: Format::new().set_num_format("0.0%"),
        date: Format::new().set_num_format("dd/mm/yyyy"),
    }
}

pub fn render(book: &Book) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let info = wb.add_worksheet();
    info.set_name("Thông tin")?;
    info.set_column_width(0, 34)?;
    info.set_column_width(1, 40)?;
    for (i, (label, value)) in book.info.iter().enumerate() {
        info.write_string_with_format(i as u32, 0, label, &f.bold)?;
        write(info, i as u32, 1, value, &f)?;
    }
    for t in &book.tables {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.name))?;
        for (c, heading) in t.columns.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, heading, &f.bold)?;
            let width = heading.chars().count().clamp(10, 40) as f64 + 2.0;
            ws.set_column_width(c, width)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write(ws, r as u32 + 1, c as u16, cell, &f)?;
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if !t.columns.is_empty() {
            ws.autofilter(0, 0, t.rows.len() as u32, t.columns.len() as u16 - 1)?;
        }
    }
    wb.save_to_buffer()
}
