//! Reports laid out for printing and signing (the evidence report, issue 9): title lines, one
//! table, notes and a signatures block. CSV writes them as rows around the table (the same
//! formula-injection protection as every CSV, see `csv`); XLSX as one sheet set up for
//! printing: A4 landscape, fit to the page width, the heading row repeated on every page.

use super::csv::{cell_text, line, neutralised};
use super::xlsx::{formats, write};
use super::{CSV_TYPE, Format, Table, XLSX_TYPE};
use rust_xlsxwriter::{Format as XFormat, FormatAlign, FormatBorder, Workbook, XlsxError};

/// A table with what a printed, signed page carries around it.
#[derive(Clone, Debug, PartialEq)]
pub struct Printable {
    /// File name without extension (ASCII).
    pub file_stem: String,
    /// Lines above the table; the first is the title.
    pub title: Vec<String>,
    pub table: Table,
    /// Lines under the table (rule, late events, sources).
    pub notes: Vec<String>,
    /// Signature blocks side by side: (who signs, how), e.g. ("Người lập biểu", "(Ký, ghi rõ
    /// họ tên)").
    pub signatures: Vec<(String, String)>,
    /// The place-and-date line above the signatures.
    pub dated: String,
}

fn csv(p: &Printable) -> Vec<u8> {
    let mut out = String::from('\u{feff}');
    let one = |out: &mut String, text: &str| line(out, std::iter::once(neutralised(text)));
    for t in &p.title {
        one(&mut out, t);
    }
    out.push_str("\r\n");
    line(&mut out, p.table.columns.iter().map(|c| neutralised(c)));
    for row in &p.table.rows {
        line(&mut out, row.iter().map(cell_text));
    }
    out.push_str("\r\n");
    for n in &p.notes {
        one(&mut out, n);
    }
    out.push_str("\r\n");
    let width = p.table.columns.len().max(p.signatures.len());
    let spread = |pick: &dyn Fn(&(String, String)) -> String| -> Vec<String> {
        let mut cells = vec![String::new(); width];
        for (i, s) in p.signatures.iter().enumerate() {
            cells[signature_column(i, p.signatures.len(), width)] = neutralised(&pick(s));
        }
        cells
    };
    let mut dated = vec![String::new(); width];
    dated[width - 1] = neutralised(&p.dated);
    line(&mut out, dated.into_iter());
    line(&mut out, spread(&|s| s.0.clone()).into_iter());
    line(&mut out, spread(&|s| s.1.clone()).into_iter());
    out.into_bytes()
}

/// Where the `i`th of `n` signature blocks goes across `width` columns: the first at the
/// left, the last at the right.
fn signature_column(i: usize, n: usize, width: usize) -> usize {
    match n {
        0 | 1 => width - 1,
        _ => i * (width - 1) / (n - 1),
    }
}

fn xlsx(p: &Printable) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let title = XFormat::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let centre = XFormat::new().set_align(FormatAlign::Center);
    let bold_centre = centre.clone().set_bold();
    let heading = XFormat::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Minh chứng")?;
    let last = p.table.columns.len().max(1) as u16 - 1;
    for (i, t) in p.title.iter().enumerate() {
        let fmt = if i == 0 { &title } else { &centre };
        ws.merge_range(i as u32, 0, i as u32, last, t, fmt)?;
    }
    let head = p.title.len() as u32 + 1;
    for (c, h) in p.table.columns.iter().enumerate() {
        ws.write_string_with_format(head, c as u16, h, &heading)?;
        ws.set_column_width(c as u16, h.chars().count().clamp(6, 18) as f64 + 2.0)?;
    }
    ws.set_row_height(head, 45)?;
    for (r, row) in p.table.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write(ws, head + 1 + r as u32, c as u16, cell, &f)?;
        }
    }
    let mut r = head + p.table.rows.len() as u32 + 2;
    for n in &p.notes {
        ws.write_string(r, 0, n)?;
        r += 1;
    }
    r += 1;
    let width = usize::from(last) + 1;
    ws.write_string_with_format(r, last, &p.dated, &centre)?;
    for (i, (who, how)) in p.signatures.iter().enumerate() {
        let c = signature_column(i, p.signatures.len(), width) as u16;
        ws.write_string_with_format(r + 1, c, who, &bold_centre)?;
        ws.write_string_with_format(r + 2, c, how, &centre)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(head, head)?;
    ws.set_print_center_horizontally(true);
    ws.set_freeze_panes(head + 1, 0)?;
    wb.save_to_buffer()
}

/// The file's bytes, its content type and its file name.
pub fn render(p: &Printable, format: Format) -> Result<(Vec<u8>, &'static str, String), String> {
    match format {
        Format::Csv => Ok((csv(p), CSV_TYPE, format!("{}.csv", p.file_stem))),
        Format::Xlsx => Ok((
            xlsx(p).map_err(|e| e.to_string())?,
            XLSX_TYPE,
            format!("{}.xlsx", p.file_stem),
        )),
        Format::Json => Err("JSON is not an export format".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Cell;

    #[test]
    fn signatures_go_left_and_right_and_text_is_neutralised() {
        let p = Printable {
            file_stem: "x".into(),
            title: vec!["=TIÊU ĐỀ".into()],
            table: Table {
                name: "t".into(),
                columns: vec!["a".into(), "b".into(), "c".into()],
                rows: vec![vec![Cell::from("-x"), Cell::Int(-1), Cell::Empty]],
            },
            notes: vec!["ghi chú".into()],
            signatures: vec![("A".into(), "(a)".into()), ("B".into(), "(b)".into())],
            dated: "ngày".into(),
        };
        let text = String::from_utf8(csv(&p)).unwrap();
        assert_eq!(
            text,
            "\u{feff}'=TIÊU ĐỀ\r\n\r\na,b,c\r\n'-x,-1,\r\n\r\nghi chú\r\n\r\n,,ngày\r\nA,,B\r\n(a),,(b)\r\n"
        );
        assert!(xlsx(&p).is_ok());
    }
}
