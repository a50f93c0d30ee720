//! Rosters from the files a province keeps (issue 8, "Real rosters"): villages, teams and
//! members, one CSV file or XLSX sheet each, with English or Vietnamese headings.
//!
//! This module reads files into typed rows and finds every problem a file shows by itself
//! (a missing column, a cell that is not a number, a duplicate code, a member in two teams,
//! a phone number where a name belongs), each with its spreadsheet row (as the
//! spreadsheet numbers it: a title block above the headings counts) and column as the file
//! writes it; a problem of the whole file or sheet has no row. Problems that need the database (an unknown commune
//! code, a village no team covers) are the store's (`langso_store`, `roster`).
//!
//! Codes are the province's own: `village_code`, `team_code` and `member_code` are matched
//! with what earlier rosters gave (or, for rows no roster named yet, with the public ids
//! `V000123`, `T00012`, `M000123`), so a roster exported from Langso imports back.
//! Columns of personal data (ID or phone numbers, …) are skipped unread: see
//! [`columns::is_personal`].

pub mod cells;
pub mod columns;
mod rows;
pub mod sheet;

pub use cells::MemberRole;
pub use rows::{MemberRow, TeamRow, VillageRow};

use serde::Serialize;
use std::collections::BTreeMap;

/// The three tables of a roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Villages,
    Teams,
    Members,
}

impl TableKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Villages => "villages",
            Self::Teams => "teams",
            Self::Members => "members",
        }
    }
}

/// Where a row comes from: the file (or `file › sheet`) and its spreadsheet row number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub source: String,
    /// Spreadsheet row, as the spreadsheet numbers it (row 1 is the first line of the
    /// file, whatever title rows come before the headings).
    pub row: u32,
}

/// One problem of a roster: where, which column, what and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub source: String,
    /// Spreadsheet row, as the spreadsheet numbers it; None for the file or sheet as a
    /// whole (unreadable, no heading row, no rows, a missing column).
    pub row: Option<u32>,
    /// The column's heading as the file writes it (or the expected heading when it is
    /// missing); empty when the problem is the whole row or file.
    pub column: String,
    /// Stable snake_case reason: `missing_column`, `missing_value`, `not_a_number`,
    /// `duplicate_code`, `member_in_two_teams`, `personal_number`, `unknown_commune`,
    /// `unknown_village`, `unknown_team`, `village_not_covered`, `village_without_team`,
    /// `more_than_population`, `leader_not_in_team`, …
    pub code: &'static str,
    /// Why, in English; never quotes a name.
    pub message: String,
}

/// A column the import skipped: not one it knows, or personal data it must not keep.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub source: String,
    pub column: String,
    /// Personal data (an ID or phone number, …): never stored, shown or logged.
    pub personal: bool,
}

/// One table of a roster, as read from one file or sheet.
#[derive(Clone, Debug, PartialEq)]
pub struct Table<R> {
    pub source: String,
    /// Field name (see [`columns::fields`]) → its heading as the file writes it.
    pub headings: BTreeMap<&'static str, String>,
    /// Rows with a valid code (a row without one is only a problem), in file order.
    pub rows: Vec<R>,
}

impl<R> Table<R> {
    /// The heading the file uses for `field` (the field name if the file has none).
    pub fn column(&self, field: &str) -> String {
        self.headings
            .get(field)
            .cloned()
            .unwrap_or_else(|| field.to_owned())
    }
}

/// A roster read from files: each table present when a file or sheet held it. A table
/// given is the whole of it: a team or member it leaves out is retired or deactivated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Roster {
    pub villages: Option<Table<VillageRow>>,
    pub teams: Option<Table<TeamRow>>,
    pub members: Option<Table<MemberRow>>,
    /// Problems the files show by themselves.
    pub problems: Vec<Problem>,
    pub skipped: Vec<Skipped>,
}

/// Reads roster files (name, bytes), CSV or XLSX, in any order; each file or sheet is
/// recognised by its headings. Never fails: what cannot be read is a [`Problem`].
pub fn read(files: &[(String, Vec<u8>)]) -> Roster {
    let mut roster = Roster::default();
    for (name, bytes) in files {
        match sheet::read(name, bytes) {
            Ok(sheets) => {
                for s in sheets {
                    rows::add_sheet(&mut roster, s);
                }
            }
            Err(why) => roster.problems.push(Problem {
                source: name.clone(),
                row: None,
                column: String::new(),
                code: why.code,
                message: why.message,
            }),
        }
    }
    let none = roster.villages.is_none() && roster.teams.is_none() && roster.members.is_none();
    // Said once: a file that could not be read or named no table already says why.
    if none && roster.problems.is_empty() {
        roster.problems.push(Problem {
            source: files.first().map(|f| f.0.clone()).unwrap_or_default(),
            row: None,
            column: String::new(),
            code: "no_roster",
            message: "no villages, teams or members table found: a heading row (within the \
                      first 10 rows) must name columns such as Mã thôn, Mã tổ or Mã thành viên"
                .into(),
        });
    }
    roster.problems.sort();
    roster
}

#[cfg(test)]
mod tests;
