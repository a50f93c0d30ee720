//! A sheet's rows as typed roster rows, with the problems of each cell and the
//! duplicates between rows.

use super::cells::{self, CellError, MemberRole};
use super::columns::{self, Field};
use super::sheet::{self, Sheet};
use super::{Origin, Problem, Roster, Skipped, Table, TableKind};
use crate::units::Level;
use std::collections::{BTreeMap, HashMap};

/// A village row. Fields a cell problem left unreadable hold a default; a roster with any
/// problem is never stored, so defaults never reach the database.
#[derive(Clone, Debug, PartialEq)]
pub struct VillageRow {
    pub at: Origin,
    pub code: String,
    pub name: String,
    pub commune_code: String,
    pub population: i64,
    pub households: i64,
    /// None: not given (targets then take 70% of the population).
    pub adults: Option<i64>,
}

/// A team row: the villages it covers by their codes, and its leader's member code.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamRow {
    pub at: Origin,
    pub code: String,
    pub name: String,
    pub commune_code: String,
    pub village_codes: Vec<String>,
    pub leader: Option<String>,
    /// `village` or `commune`; None: a village team if it covers one village, else commune.
    pub level: Option<Level>,
}

/// A member row (a volunteer: never a citizen).
#[derive(Clone, Debug, PartialEq)]
pub struct MemberRow {
    pub at: Origin,
    pub code: String,
    pub name: String,
    pub team_code: String,
    pub role: MemberRole,
    pub active: bool,
}

/// One data row's cells by field, with the problems met reading them.
struct RowReader<'a> {
    cells: HashMap<&'static str, &'a str>,
    headings: &'a BTreeMap<&'static str, String>,
    at: Origin,
    problems: Vec<Problem>,
}

impl RowReader<'_> {
    fn take<T: Default>(&mut self, field: &str, parse: impl Fn(&str) -> Result<T, CellError>) -> T {
        let raw = self.cells.get(field).copied().unwrap_or("");
        parse(raw).unwrap_or_else(|e| {
            self.push(field, e);
            T::default()
        })
    }

    /// A problem of this row's `field`.
    fn push(&mut self, field: &str, (code, message): CellError) {
        self.problems.push(Problem {
            source: self.at.source.clone(),
            row: Some(self.at.row),
            column: self.headings.get(field).cloned().unwrap_or_default(),
            code,
            message,
        });
    }

    fn required_count(&mut self, field: &str) -> i64 {
        self.take(field, |raw| {
            cells::count(raw)?.ok_or(("missing_value", "a number is required here".into()))
        })
    }
}

/// Adds one sheet to the roster: its table, its problems, its skipped columns.
pub(super) fn add_sheet(roster: &mut Roster, sheet: Sheet) {
    let Some(at) = sheet::heading_row(&sheet.rows, names_columns) else {
        let blank = sheet.rows.iter().flatten().all(|c| c.trim().is_empty());
        if blank && !sheet.in_workbook {
            roster.problems.push(whole(
                &sheet.source,
                "empty_file",
                "the file is empty: no heading row, no rows",
            ));
        } else if !sheet.in_workbook {
            roster.problems.push(whole(
                &sheet.source,
                "unknown_table",
                "none of the first 10 rows names villages, teams or members columns \
                 (Mã thôn, Mã tổ, Mã thành viên, …)",
            ));
        }
        return;
    };
    let heading_row = sheet.rows[at].clone();
    let kind = columns::detect(&heading_row).expect("the heading row names a table");
    let mut headings = BTreeMap::new();
    let mut by_column: Vec<Option<&'static Field>> = Vec::new();
    for h in &heading_row {
        let field = columns::field_of(kind, h);
        match field {
            Some(f) if headings.contains_key(f.name) => {
                roster.problems.push(Problem {
                    row: Some(at as u32 + 1),
                    column: h.trim().to_owned(),
                    ..whole(
                        &sheet.source,
                        "duplicate_column",
                        "another column already holds this field",
                    )
                });
                by_column.push(None);
                continue;
            }
            Some(f) => {
                headings.insert(f.name, h.trim().to_owned());
            }
            None if h.trim().is_empty() => {}
            None => roster.skipped.push(Skipped {
                source: sheet.source.clone(),
                column: h.trim().to_owned(),
                personal: columns::is_personal(h),
            }),
        }
        by_column.push(field);
    }
    for f in columns::fields(kind).iter().filter(|f| f.required) {
        if !headings.contains_key(f.name) {
            roster.problems.push(Problem {
                column: f.vi.to_owned(),
                message: format!(
                    "the {} table needs a column {} ({})",
                    kind.as_str(),
                    f.vi,
                    f.name
                ),
                ..whole(&sheet.source, "missing_column", "")
            });
        }
    }
    let mut readers = Vec::new();
    for (i, cells) in sheet.rows.iter().enumerate().skip(at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue; // blank rows (Excel leaves trailing ones) are not rows
        }
        let cells = by_column
            .iter()
            .zip(cells)
            .filter_map(|(f, c)| f.map(|f| (f.name, c.as_str())))
            .collect();
        let at = Origin {
            source: sheet.source.clone(),
            row: i as u32 + 1,
        };
        readers.push(RowReader {
            cells,
            headings: &headings,
            at,
            problems: Vec::new(),
        });
    }
    let mut problems = Vec::new();
    if readers.is_empty() {
        // An empty table would retire every team or deactivate every member.
        problems.push(whole(
            &sheet.source,
            "empty_table",
            &format!("the {} table has headings but no rows", kind.as_str()),
        ));
    }
    match kind {
        TableKind::Villages => {
            let rows = collect(readers, &mut problems, "village_code", village);
            let dupes = duplicates(&rows, |r: &VillageRow| (&r.code, &r.at, None));
            set(
                &mut roster.villages,
                kind,
                table(&sheet.source, &headings, rows),
                &mut problems,
            );
            problems.extend(
                dupes
                    .into_iter()
                    .map(|d| d.problem(&headings["village_code"])),
            );
        }
        TableKind::Teams => {
            let rows = collect(readers, &mut problems, "team_code", team);
            let dupes = duplicates(&rows, |r: &TeamRow| (&r.code, &r.at, None));
            set(
                &mut roster.teams,
                kind,
                table(&sheet.source, &headings, rows),
                &mut problems,
            );
            problems.extend(dupes.into_iter().map(|d| d.problem(&headings["team_code"])));
        }
        TableKind::Members => {
            let rows = collect(readers, &mut problems, "member_code", member);
            let dupes = duplicates(&rows, |r: &MemberRow| (&r.code, &r.at, Some(&r.team_code)));
            set(
                &mut roster.members,
                kind,
                table(&sheet.source, &headings, rows),
                &mut problems,
            );
            problems.extend(
                dupes
                    .into_iter()
                    .map(|d| d.problem(&headings["member_code"])),
            );
        }
    }
    roster.problems.extend(problems);
}

/// Whether a row is a heading row: it names a table and at least two of its columns (a
/// title or an instructions line names one at most).
fn names_columns(row: &[String]) -> bool {
    columns::detect(row).is_some_and(|kind| {
        row.iter()
            .filter(|h| columns::field_of(kind, h).is_some())
            .count()
            >= 2
    })
}

/// A problem of the whole sheet: no row.
fn whole(source: &str, code: &'static str, message: &str) -> Problem {
    Problem {
        source: source.to_owned(),
        row: None,
        column: String::new(),
        code,
        message: message.to_owned(),
    }
}

fn table<R>(source: &str, headings: &BTreeMap<&'static str, String>, rows: Vec<R>) -> Table<R> {
    Table {
        source: source.to_owned(),
        headings: headings.clone(),
        rows,
    }
}

/// Puts a table in its place; a second table of the same kind is a problem.
fn set<R>(slot: &mut Option<Table<R>>, kind: TableKind, t: Table<R>, problems: &mut Vec<Problem>) {
    match slot {
        Some(first) => problems.push(whole(
            &t.source,
            "duplicate_table",
            &format!(
                "a second {} table (the first is {}): give each table once",
                kind.as_str(),
                first.source
            ),
        )),
        None => *slot = Some(t),
    }
}

/// Reads each row; rows whose own code is unreadable are dropped (their problem stays).
fn collect<R>(
    readers: Vec<RowReader<'_>>,
    problems: &mut Vec<Problem>,
    code_field: &str,
    read: impl Fn(&mut RowReader<'_>, String) -> R,
) -> Vec<R> {
    let mut rows = Vec::new();
    for mut r in readers {
        let code = r.take(code_field, |raw| cells::code(raw).map(Some));
        if let Some(code) = code {
            rows.push(read(&mut r, code));
        }
        problems.append(&mut r.problems);
    }
    rows
}

fn village(r: &mut RowReader<'_>, code: String) -> VillageRow {
    let v = VillageRow {
        name: r.take("village_name", cells::name),
        commune_code: r.take("commune_code", cells::commune_code),
        population: r.required_count("population"),
        households: r.required_count("households"),
        adults: r.take("adults", cells::count),
        at: r.at.clone(),
        code,
    };
    for (field, n) in [
        ("households", v.households),
        ("adults", v.adults.unwrap_or(0)),
    ] {
        if let Err(e) = cells::within_population(n, field, v.population) {
            r.push(field, e);
        }
    }
    v
}

fn team(r: &mut RowReader<'_>, code: String) -> TeamRow {
    TeamRow {
        name: r.take("team_name", cells::name),
        commune_code: r.take("commune_code", cells::commune_code),
        village_codes: r.take("village_codes", cells::code_list),
        leader: r.take("leader_member_code", |raw| {
            if raw.trim().is_empty() {
                Ok(None)
            } else {
                cells::code(raw).map(Some)
            }
        }),
        level: r.take("level", cells::level),
        at: r.at.clone(),
        code,
    }
}

fn member(r: &mut RowReader<'_>, code: String) -> MemberRow {
    MemberRow {
        name: r.take("full_name", cells::name),
        team_code: r.take("team_code", cells::code),
        role: r
            .take("role", |raw| cells::role(raw).map(Some))
            .unwrap_or(MemberRole::Member),
        active: r
            .take("active", |raw| cells::active(raw).map(Some))
            .unwrap_or(true),
        at: r.at.clone(),
        code,
    }
}

/// A row repeating an earlier row's code.
struct Duplicate {
    at: Origin,
    code: String,
    first_row: u32,
    /// Both rows name a team and the teams differ: one person in two teams.
    two_teams: bool,
}

impl Duplicate {
    fn problem(self, column: &str) -> Problem {
        let (code, message) = if self.two_teams {
            (
                "member_in_two_teams",
                format!(
                    "member '{}' is also on row {}, in another team: a member belongs to one team",
                    self.code, self.first_row
                ),
            )
        } else {
            (
                "duplicate_code",
                format!("code '{}' is also on row {}", self.code, self.first_row),
            )
        };
        Problem {
            source: self.at.source,
            row: Some(self.at.row),
            column: column.to_owned(),
            code,
            message,
        }
    }
}

fn duplicates<R>(
    rows: &[R],
    key: impl Fn(&R) -> (&String, &Origin, Option<&String>),
) -> Vec<Duplicate> {
    let mut first: HashMap<&String, (u32, Option<&String>)> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        let (code, at, team) = key(r);
        match first.get(code) {
            Some(&(row, t)) => out.push(Duplicate {
                at: at.clone(),
                code: code.clone(),
                first_row: row,
                two_teams: team.is_some() && t != team,
            }),
            None => {
                first.insert(code, (at.row, team));
            }
        }
    }
    out
}
