//! A groupings file: CSV (UTF-8 with or without BOM, comma or semicolon, as the roster
//! files; or an XLSX's first sheet) with one row per commune:
//! `grouping_code, grouping_name, kind, commune_code`. Vietnamese headings `Mã cụm`,
//! `Tên cụm`, `Loại`, `Mã xã` are accepted too. Rows are numbered as a spreadsheet shows
//! them (the heading is row 1).

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
    /// Spreadsheet row (the heading is 1); 0 for the file as a whole.
    pub row: usize,
    /// The column's field name (`grouping_code`, …); empty for a whole row or file.
    pub column: String,
    /// Stable snake_case code: `unreadable_file`, `missing_column`, `missing_value`,
    /// `invalid_code`, `invalid_name`, `invalid_kind`, `inconsistent_grouping`,
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

fn problem(row: usize, column: &str, code: &str, reason: impl Into<String>) -> GroupingProblem {
    GroupingProblem {
        row,
        column: column.to_owned(),
        code: code.to_owned(),
        reason: reason.into(),
    }
}

/// The column index of each field, from the heading row.
fn columns(head: &[String]) -> Result<[usize; 4], Vec<GroupingProblem>> {
    let mut out = [usize::MAX; 4];
    for (i, h) in head.iter().enumerate() {
        let h = folded(h);
        for (f, (field, aliases)) in COLUMNS.iter().enumerate() {
            if folded(field) == h || aliases.contains(&h.as_str()) {
                out[f] = i;
            }
        }
    }
    let missing: Vec<GroupingProblem> = COLUMNS
        .iter()
        .zip(out)
        .filter(|(_, i)| *i == usize::MAX)
        .map(|((field, _), _)| problem(1, field, "missing_column", format!("no '{field}' column")))
        .collect();
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// Reads a groupings file into groupings (in code order, communes in code order), or
/// every problem found. Commune codes are checked against a map by the store, not here.
/// A commune may sit in groupings of different kinds, but in one grouping of a kind.
pub fn parse_csv(name: &str, bytes: &[u8]) -> Result<Vec<Grouping>, Vec<GroupingProblem>> {
    let sheets =
        sheet::read(name, bytes).map_err(|e| vec![problem(0, "", "unreadable_file", e)])?;
    let rows = sheets
        .into_iter()
        .next()
        .map(|s| s.rows)
        .unwrap_or_default();
    let Some((head, body)) = rows.split_first() else {
        return Err(vec![problem(
            0,
            "",
            "empty_file",
            "the file has no heading row",
        )]);
    };
    let cols = columns(head)?;
    let mut problems = Vec::new();
    let mut groups: BTreeMap<String, Grouping> = BTreeMap::new();
    let mut first_row: HashMap<String, usize> = HashMap::new();
    let mut placed: HashMap<(String, String), (String, usize)> = HashMap::new();
    for (i, row) in body.iter().enumerate() {
        let n = i + 2;
        let cell = |f: usize| row.get(cols[f]).map_or("", String::as_str);
        if (0..4).all(|f| cell(f).trim().is_empty()) {
            continue;
        }
        let fields = (
            cells::code(cell(0)),
            cells::name(cell(1)),
            kind(cell(2)),
            cells::commune_code(cell(3)),
        );
        let (code, gname, gkind, commune) = match fields {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            (a, b, c, d) => {
                for (f, r) in [(0, a.err()), (1, b.err()), (2, c.err()), (3, d.err())] {
                    if let Some((code, reason)) = r {
                        problems.push(problem(n, COLUMNS[f].0, code, reason));
                    }
                }
                continue;
            }
        };
        let g = groups.entry(code.clone()).or_insert_with(|| {
            first_row.insert(code.clone(), n);
            Grouping {
                code: code.clone(),
                name: gname.clone(),
                kind: gkind.clone(),
                communes: Vec::new(),
            }
        });
        if g.name != gname || g.kind != gkind {
            problems.push(problem(
                n,
                if g.kind != gkind {
                    "kind"
                } else {
                    "grouping_name"
                },
                "inconsistent_grouping",
                format!(
                    "grouping '{}' has another name or kind on row {}",
                    quote(&code),
                    first_row[&code]
                ),
            ));
            continue;
        }
        if let Some((other, row)) = placed.get(&(gkind.clone(), commune.clone())) {
            problems.push(problem(
                n,
                "commune_code",
                "duplicate_commune",
                format!(
                    "commune '{commune}' is already in grouping '{}' of kind '{gkind}' (row {row})",
                    quote(other)
                ),
            ));
            continue;
        }
        placed.insert((gkind, commune.clone()), (code, n));
        g.communes.push(commune);
    }
    if problems.is_empty() && groups.is_empty() {
        problems.push(problem(
            0,
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
        let gs = parse_csv("cum.csv", text.as_bytes()).unwrap();
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
        let errs = parse_csv("g.csv", text.as_bytes()).unwrap_err();
        let got: Vec<(usize, &str, &str)> = errs
            .iter()
            .map(|p| (p.row, p.column.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "grouping_name", "inconsistent_grouping"),
                (4, "kind", "invalid_kind"),
                (5, "commune_code", "duplicate_commune"),
                (6, "grouping_code", "missing_value"),
            ]
        );
    }

    #[test]
    fn a_missing_column_or_an_empty_file_is_refused() {
        let errs =
            parse_csv("g.csv", b"grouping_code,kind,commune_code\nC1,cluster,1\n").unwrap_err();
        assert_eq!(errs[0].code, "missing_column");
        assert_eq!(errs[0].column, "grouping_name");
        let errs =
            parse_csv("g.csv", b"grouping_code,grouping_name,kind,commune_code\n").unwrap_err();
        assert_eq!(errs[0].code, "empty_file");
    }
}
