//! Tally reports and the recompute check. Tallies are derived: the event log is the truth.

use crate::reference::current_version;
use crate::{Result, Store};
use chrono::NaiveDate;
use langso_domain::periods::DayRange;
use langso_domain::time::{day_from_number, day_number, month_start};
use langso_domain::units::Level;
use rusqlite::{Connection, params};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Debug)]
pub struct TallyQuery {
    pub level: Level,
    pub unit: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TallyRow {
    pub unit: String,
    pub day: NaiveDate,
    pub kind: String,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyReport {
    pub totals: BTreeMap<String, i64>,
    pub rows: Vec<TallyRow>,
}

/// A team's totals for a phone (pull's `team_totals`), by kind code; zeros left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamTotals {
    pub today: BTreeMap<String, i64>,
    pub month: BTreeMap<String, i64>,
}

/// A row of `tallies` or of a report aggregate whose stored value differs from the
/// recompute from the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TallyDiff {
    /// `tallies`, or a derived table of migrations 003, 004 and 014 (`team_months`,
    /// `village_late`, …).
    pub table: &'static str,
    /// The row's key other than day and kind: a village id, a team id, a team and member,
    /// a unit code; for the late tables the unit and the arrival day.
    pub unit: String,
    /// The day, or the first day of the month for the monthly tables.
    pub day: NaiveDate,
    pub kind: String,
    /// Which value differs: `total`, `events` or `arrivals`.
    pub column: &'static str,
    pub stored: i64,
    pub recomputed: i64,
}

/// The SQL set of village rowids under a unit of the current hierarchy (?1 = version,
/// ?2 = unit).
fn villages_under(level: Level) -> &'static str {
    match level {
        Level::Village => "SELECT id FROM villages WHERE village_id = ?2 AND ?1 = ?1",
        Level::Commune => {
            "SELECT village_id FROM village_placements WHERE version_id = ?1 AND commune_code = ?2"
        }
        Level::District => {
            "SELECT p.village_id FROM village_placements p JOIN units u
               ON u.version_id = p.version_id AND u.code = p.commune_code
             WHERE p.version_id = ?1 AND u.parent_code = ?2"
        }
        Level::Province => {
            "SELECT village_id FROM village_placements WHERE version_id = ?1 AND ?2 = ?2"
        }
    }
}

pub(crate) fn report(c: &Connection, q: &TallyQuery) -> Result<TallyReport> {
    let sql = format!(
        "SELECT t.day, k.code, sum(t.total) FROM tallies t JOIN kinds k ON k.id = t.kind_id
         WHERE t.village_id IN ({}) AND t.day BETWEEN ?3 AND ?4
         GROUP BY t.day, k.code HAVING sum(t.total) <> 0 ORDER BY t.day, k.code",
        villages_under(q.level)
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows: Vec<TallyRow> = stmt
        .query_map(
            params![
                current_version(c)?,
                q.unit,
                day_number(q.from),
                day_number(q.to)
            ],
            |r| {
                Ok(TallyRow {
                    unit: q.unit.clone(),
                    day: day_from_number(r.get(0)?),
                    kind: r.get(1)?,
                    total: r.get(2)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut totals = BTreeMap::new();
    for r in &rows {
        *totals.entry(r.kind.clone()).or_insert(0) += r.total;
    }
    Ok(TallyReport { totals, rows })
}

impl Store {
    pub fn tallies(&self, q: &TallyQuery) -> Result<TallyReport> {
        self.read(|c| report(c, q))
    }

    /// A team's per-kind totals on `day` and from the first of its month to `day`, read in
    /// one snapshot: what the team's members recorded (the definition every report uses,
    /// see `reports::team_totals`).
    pub fn team_totals(&self, team: i64, day: NaiveDate) -> Result<TeamTotals> {
        self.read(|c| {
            crate::reports::snapshot(c, |c| {
                let month = DayRange {
                    from: month_start(day),
                    to: day,
                };
                Ok(TeamTotals {
                    today: crate::reports::team_totals(c, team, DayRange { from: day, to: day })?,
                    month: crate::reports::team_totals(c, team, month)?,
                })
            })
        })
    }

    /// Recomputes every tally and every report aggregate from the event log and lists each
    /// difference.
    pub fn verify(&self) -> Result<Vec<TallyDiff>> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let load = |sql: &str| -> Result<HashMap<(i64, i64, i64), i64>> {
                let mut stmt = tx.prepare(sql)?;
                let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?)))?;
                Ok(rows
                    .filter(|r| !matches!(r, Ok((_, 0))))
                    .collect::<rusqlite::Result<_>>()?)
            };
            let stored = load("SELECT village_id, day, kind_id, total FROM tallies")?;
            let recomputed = load(
                "SELECT village_id, day, kind_id, sum(count) FROM events WHERE superseded_by IS NULL
                 GROUP BY village_id, day, kind_id",
            )?;
            let mut keys: Vec<_> = stored.keys().chain(recomputed.keys()).copied().collect();
            keys.sort_unstable();
            keys.dedup();
            let mut diffs = Vec::new();
            for key in keys {
                let (s, r) = (stored.get(&key).copied().unwrap_or(0), recomputed.get(&key).copied().unwrap_or(0));
                if s != r {
                    let (village, kind): (String, String) = tx.query_row(
                        "SELECT (SELECT village_id FROM villages WHERE id = ?1), (SELECT code FROM kinds WHERE id = ?2)",
                        params![key.0, key.2],
                        |row| Ok((row.get::<_, Option<String>>(0)?.unwrap_or_default(), row.get::<_, Option<String>>(1)?.unwrap_or_default())),
                    )?;
                    diffs.push(TallyDiff {
                        table: "tallies", unit: village, day: day_from_number(key.1), kind,
                        column: "total", stored: s, recomputed: r,
                    });
                }
            }
            diffs.extend(crate::aggregates::verify(&tx)?);
            Ok(diffs)
        })
    }
}
