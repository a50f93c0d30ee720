//! A groupings file: CSV (UTF-8 with or without BOM, comma or semicolon, as the roster
//! files; or an XLSX's first sheet) with one row per commune:
//! `grouping_code, grouping_name, kind, commune_code`. Vietnamese headings `Mã cụm`,
//! `Tên cụm`, `Loại`, `Mã xã` are accepted too, below a title block if the file has one.
//! Rows are numbered as a spreadsheet shows them.

use super::{Grouping, valid_kind};
use crate::roster::cells;
use crate::roster::columns::folded;
use crate::roster::sheet;
use crate::text::quote;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One problem of a groupings file: where (row, column heading) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupingProblem {
    /// Spreadsheet row, as the spreadsheet numbers it (a title block above the headings
    /// counts); None for the file as a whole.
    pub row: Option<usize>,
    /// The column's field name (`grouping_code`, …); empty for a whole row or file.
    pub column: String,
    /// Stable snake_case code: `unreadable_file`, `unreadable_spreadsheet`,
    /// `missing_column`, `missing_value`, `invalid_code`, `invalid_name`, `invalid_kind`,
    /// `unknown_commune` (not a commune of the map), `inconsistent_grouping`,
    /// `duplicate_commune`, `empty_file`.
    pub code: String,
    pub reason: String,
}

/// The columns: field name and the folded headings that name it.
const COLUMNS: [(&str, &[&str]); 4] = [
    ("grouping_code", &["grouping code", "ma cum", "ma nhom"]),
    ("grouping_name", &["grouping name", "ten cum", "ten nhom"]),
    ("kind", &["kind", "loai", "loai cum"]),
    ("commune_code", &["commune code", "ma xa"]),
];

fn problem(
    row: Option<usize>,
    column: &str,
    code: &str,
    reason: impl Into<String>,
) -> GroupingProblem {
    GroupingProblem {
        row,
        column: column.to_owned(),
        code: code.to_owned(),
        reason: reason.into(),
    }
}

/// The column index of each field a heading row names.
fn columns(head: &[String]) -> [Option<usize>; 4] {
    let mut out = [None; 4];
    for (i, h) in head.iter().enumerate() {
        let h = folded(h);
        for (f, (field, aliases)) in COLUMNS.iter().enumerate() {
            if folded(field) == h || aliases.contains(&h.as_str()) {
                out[f] = Some(i);
            }
        }
    }
    out
}

/// Reads one cell: its value, or the problem's code and reason.
type CellCheck = fn(&str) -> Result<String, cells::CellError>;

/// What the rows read so far make: groupings by code, and where each was first seen.
#[derive(Default)]
struct Reading {
    problems: Vec<GroupingProblem>,
    groups: BTreeMap<String, Grouping>,
    first_row: HashMap<String, usize>,
    placed: HashMap<(String, String), (String, usize)>,
}

impl Reading {
    /// Checks one data row (spreadsheet row `n`): every cell's problem, an unknown
    /// commune, then its fit with the rows before it.
    fn row(
        &mut self,
        n: usize,
        cell: impl Fn(usize) -> Option<String>,
        known: &dyn Fn(&str) -> bool,
    ) {
        let checks: [CellCheck; 4] = [cells::code, cells::name, kind, cells::commune_code];
        let mut ok: Vec<Option<String>> = Vec::new();
        for (f, check) in checks.iter().enumerate() {
            // A missing column is reported once, as a file problem.
            let got = cell(f).map(|raw| check(&raw));
            if let Some(Err((code, reason))) = &got {
                self.problems
                    .push(problem(Some(n), COLUMNS[f].0, code, reason.clone()));
            }
            ok.push(got.and_then(Result::ok));
        }
        if let Some(commune) = ok[3].as_ref().filter(|c| !known(c)) {
            self.problems.push(problem(
                Some(n),
                "commune_code",
                "unknown_commune",
                format!("'{commune}' is not a commune of the current map"),
            ));
        }
        if let [Some(code), Some(name), Some(kind), Some(commune)] = &ok[..] {
            self.place(n, code, name, kind, commune);
        }
    }

    fn place(&mut self, n: usize, code: &str, gname: &str, gkind: &str, commune: &str) {
        let g = self.groups.entry(code.to_owned()).or_insert_with(|| {
            self.first_row.insert(code.to_owned(), n);
            Grouping {
                code: code.to_owned(),
                name: gname.to_owned(),
                kind: gkind.to_owned(),
                communes: Vec::new(),
            }
        });
        if g.name != gname || g.kind != gkind {
            let column = if g.kind != gkind {
                "kind"
            } else {
                "grouping_name"
            };
            let why = format!(
                "grouping '{}' has another name or kind on row {}",
                quote(code),
                self.first_row[code]
            );
            self.problems
                .push(problem(Some(n), column, "inconsistent_grouping", why));
            return;
        }
        let key = (gkind.to_owned(), commune.to_owned());
        if let Some((other, row)) = self.placed.get(&key) {
            let why = format!(
                "commune '{commune}' is already in grouping '{}' of kind '{gkind}' (row {row})",
                quote(other)
            );
            self.problems
                .push(problem(Some(n), "commune_code", "duplicate_commune", why));
            return;
        }
        self.placed.insert(key, (code.to_owned(), n));
        g.communes.push(commune.to_owned());
    }
}

/// Reads a groupings file into groupings (in code order, communes in code order), or
/// every problem the file has, all in one answer: each cell's, each commune code that
/// `known` (the communes of the map the groupings are for) refuses, and the missing
/// columns together with the problems of the columns present. The heading row may come
/// below a title block (within the first rows, see `sheet::heading_row`); rows keep the
/// spreadsheet's numbers. A commune may sit in groupings of different kinds, but in one
/// grouping of a kind.
pub fn parse_csv(
    name: &str,
    bytes: &[u8],
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<Grouping>, Vec<GroupingProblem>> {
    let sheets =
        sheet::read(name, bytes).map_err(|e| vec![problem(None, "", e.code, e.message)])?;
    let rows = sheets
        .into_iter()
        .next()
        .map(|s| s.rows)
        .unwrap_or_default();
    let names_two = |r: &[String]| columns(r).iter().flatten().count() >= 2;
    let Some(at) = sheet::heading_row(&rows, names_two).or_else(|| {
        rows.iter()
            .position(|r| r.iter().any(|c| !c.trim().is_empty()))
    }) else {
        return Err(vec![problem(
            None,
            "",
            "empty_file",
            "the file has no heading row",
        )]);
    };
    let cols = columns(&rows[at]);
    let mut reading = Reading::default();
    for ((field, _), col) in COLUMNS.iter().zip(cols) {
        if col.is_none() {
            let why = format!("no '{field}' column in the heading row (row {})", at + 1);
            reading
                .problems
                .push(problem(None, field, "missing_column", why));
        }
    }
    for (i, row) in rows.iter().enumerate().skip(at + 1) {
        let cell = |f: usize| cols[f].map(|c| row.get(c).cloned().unwrap_or_default());
        if (0..4).all(|f| cell(f).is_none_or(|c| c.trim().is_empty())) {
            continue;
        }
        reading.row(i + 1, cell, known);
    }
    let Reading {
        mut problems,
        groups,
        ..
    } = reading;
    if problems.is_empty() && groups.is_empty() {
        problems.push(problem(
            None,
            "",
            "empty_file",
            "the file has no grouping rows",
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(groups
        .into_values()
        .map(|mut g| {
            g.communes.sort();
            g
        })
        .collect())
}

fn kind(raw: &str) -> Result<String, cells::CellError> {
    let k = raw.trim();
    if valid_kind(k) {
        Ok(k.to_owned())
    } else {
        Err((
            "invalid_kind",
            format!(
                "'{}' is not a grouping kind: lower-case a-z, 0-9 and '_' (e.g. former_district, cluster)",
                quote(k)
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_bom_semicolons_and_vietnamese_headings_reads() {
        let text = "\u{feff}Mã cụm;Tên cụm;Loại;Mã xã\nC1;Cụm 1;cluster;6652\nC1;Cụm 1;cluster;06658\n\nC2;Cụm 2;cluster;06661\n;;;\n";
        let gs = parse_csv("cum.csv", text.as_bytes(), &|_| true).unwrap();
        assert_eq!(gs.len(), 2);
        assert_eq!(gs[0].communes, vec!["06652", "06658"]);
        assert_eq!((gs[1].code.as_str(), gs[1].name.as_str()), ("C2", "Cụm 2"));
    }

    #[test]
    fn every_problem_is_reported_by_row_and_column() {
        let text = "grouping_code,grouping_name,kind,commune_code\n\
                    C1,Cụm 1,cluster,06652\n\
                    C1,Cụm khác,cluster,06658\n\
                    C2,Cụm 2,Cụm,06661\n\
                    C3,Cụm 3,cluster,06652\n\
                    ,Cụm 4,cluster,06664\n";
        let errs = parse_csv("g.csv", text.as_bytes(), &|c| c != "06664").unwrap_err();
        let got: Vec<(Option<usize>, &str, &str)> = errs
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(3), "grouping_name", "inconsistent_grouping"),
                (Some(4), "kind", "invalid_kind"),
                (Some(5), "commune_code", "duplicate_commune"),
                (Some(6), "grouping_code", "missing_value"),
                (Some(6), "commune_code", "unknown_commune"),
            ]
        );
    }

    #[test]
    fn a_missing_column_or_an_empty_file_is_refused() {
        let all = &|_: &str| true;
        let errs = parse_csv(
            "g.csv",
            b"grouping_code,kind,commune_code\nC1,Loai,1\n",
            all,
        )
        .unwrap_err();
        assert_eq!(
            (errs[0].row, errs[0].code.as_str()),
            (None, "missing_column")
        );
        assert_eq!(errs[0].column, "grouping_name");
        assert_eq!((errs[1].row, errs[1].column.as_str()), (Some(2), "kind"));
        let errs = parse_csv(
            "g.csv",
            b"grouping_code,grouping_name,kind,commune_code\n",
            all,
        )
        .unwrap_err();
        assert_eq!(errs[0].code, "empty_file");
    }
}
