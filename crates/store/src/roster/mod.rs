//! Roster imports (issue 8, "Real rosters"): villages, teams and members from the files a
//! province keeps, read by `langso_domain::roster`, checked against the database and
//! applied all or nothing, by code.
//!
//! - A row whose code the database knows updates that row (a renamed village keeps its id,
//!   so its events and history); a new code creates a row with the next public id.
//! - A table given is complete: a member it leaves out is deactivated (never deleted: their
//!   events and devices stay; the report's warnings say how many), a team it leaves out stops
//!   covering its villages, but never so that a village a team covered is covered by none
//!   (`village_without_team`, a problem). Villages it leaves out are kept as they are.
//! - A team's villages change with history (`reference::cover`/`uncover`, issue 7 item 6),
//!   at the import's time, and phones see the change on their next pull.
//! - A member moved to another team takes their phones along from the import on; what the
//!   phones recorded before stays with the old team (`devices`).
//! - Importing the same files again changes nothing, not even the pull change log.

mod apply;
pub(crate) mod current;
mod devices;
mod plan;
mod state;

use crate::{Result, Store};
use langso_domain::audit::Actor;
use langso_domain::roster::{Problem, Roster, Skipped};
use serde::Serialize;

pub use current::{CurrentRoster, RosterMember, RosterTeam, RosterVillage};
pub use devices::MovedDevice;

/// What an import did (or, with problems or in a dry run, would do) to one table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Rows of the database the roster leaves out: villages kept as they are, teams whose
    /// coverage ends, active members deactivated.
    pub left_out: usize,
}

/// The answer to an import: its problems (none when it was applied) and what changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RosterReport {
    /// Only checked and counted, never applied (`--dry-run`, `dry_run=true`).
    pub dry_run: bool,
    /// Whether the database now holds the roster (false with any problem, or a dry run).
    pub applied: bool,
    /// Every problem, by file, row (heading = 1) and column; the import needs none.
    pub problems: Vec<Problem>,
    /// Columns not read: unknown ones, and personal data (never stored, shown or logged).
    pub skipped_columns: Vec<Skipped>,
    /// Things to know that do not stop the import.
    pub warnings: Vec<String>,
    pub villages: Changes,
    pub teams: Changes,
    pub members: Changes,
    /// (team, village) coverages that begin and end.
    pub coverage_started: usize,
    pub coverage_ended: usize,
    /// The phones of members the roster moves to another team: they move along (what
    /// they recorded before stays with the old team; see `devices`).
    pub devices_moved: Vec<MovedDevice>,
}

impl RosterReport {
    fn new(roster: &Roster, dry_run: bool) -> Self {
        Self {
            dry_run,
            problems: roster.problems.clone(),
            skipped_columns: roster.skipped.clone(),
            ..Default::default()
        }
    }
}

/// The report of `roster` against the database behind `c`, and the plan to apply it.
fn check(
    c: &rusqlite::Connection,
    roster: &Roster,
    dry_run: bool,
) -> Result<(RosterReport, plan::Plan, state::State)> {
    let state = state::State::load(c)?;
    let mut report = RosterReport::new(roster, dry_run);
    let plan = plan::plan(roster, &state, &mut report);
    report.problems.sort();
    if report.problems.is_empty() {
        report.devices_moved = devices::planned(c, &plan, &state)?;
    }
    Ok((report, plan, state))
}

/// The audit entry of an applied roster: what it changed, in counts.
fn audit_import(tx: &rusqlite::Connection, actor: &Actor, r: &RosterReport) -> Result<()> {
    let after = serde_json::json!({
        "villages": r.villages, "teams": r.teams, "members": r.members,
        "coverage_started": r.coverage_started, "coverage_ended": r.coverage_ended,
        "devices_moved": r.devices_moved.len(),
    });
    crate::audit::append(tx, actor, "roster.import", "roster", None, Some(after))
}

impl Store {
    /// Checks a roster against the database and, unless `dry_run` or any problem is found,
    /// applies it in one transaction. `Err` only for storage failures (or no current map).
    pub fn import_roster(
        &self,
        actor: &Actor,
        roster: Roster,
        dry_run: bool,
    ) -> Result<RosterReport> {
        if dry_run {
            return self.read(|c| Ok(check(c, &roster, true)?.0));
        }
        let actor = actor.clone();
        self.write_blocking(move |tx| {
            let (mut report, plan, state) = check(tx, &roster, false)?;
            if report.problems.is_empty() {
                if !plan.is_empty() {
                    apply::apply(tx, &plan, &state)?;
                    devices::apply(tx, &report.devices_moved, crate::now_ms())?;
                }
                if apply::ensure_catalogue(tx)? {
                    report.warnings.push(
                        "the database had no activity catalogue: the default one was loaded".into(),
                    );
                }
                report.applied = true;
                audit_import(tx, &actor, &report)?;
            }
            Ok(report)
        })
    }
}
