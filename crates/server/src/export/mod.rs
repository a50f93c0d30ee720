//! Exports of the reports: CSV (UTF-8 with a BOM, so Excel reads Vietnamese correctly) and
//! XLSX (typed cells: numbers, percentages, dates). Each report is first laid out as a
//! [`Book`] of tables with Vietnamese headings; CSV carries its main table, XLSX every
//! table plus an information sheet (unit, period, "as of", late changes).

mod audit;
mod csv;
mod evidence;
mod layout;
mod print;
pub mod roster;
mod xlsx;

pub use audit::{audit_book, audit_file, audit_time};
pub use evidence::evidence_printable;
pub use layout::{coverage_book, leaderboard_book, summary_book};
pub use print::render as render_printable;

use chrono::NaiveDate;

/// A typed cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    /// A percentage, 0–100 (CSV writes the number; XLSX a percent-formatted fraction).
    Percent(f64),
    Date(NaiveDate),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Empty, Into::into)
    }
}

/// One table: a sheet name, column headings and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A report laid out for export. The first table is the one CSV carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Book {
    /// File name without extension (ASCII).
    pub file_stem: String,
    /// Label / value lines for the information sheet.
    pub info: Vec<(String, Cell)>,
    pub tables: Vec<Table>,
}

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }
}

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The file's bytes, its content type and its file name.
pub fn render(book: &Book, format: Format) -> Result<(Vec<u8>, &'static str, String), String> {
    match format {
        Format::Csv => Ok((
            csv::render(book),
            CSV_TYPE,
            format!("{}.csv", book.file_stem),
        )),
        Format::Xlsx => Ok((
            xlsx::render(book).map_err(|e| e.to_string())?,
            XLSX_TYPE,
            format!("{}.xlsx", book.file_stem),
        )),
        Format::Json => Err("JSON is not an export format".into()),
    }
}
