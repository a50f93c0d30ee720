//! The per-team figures of the evidence report, each one read from an aggregate (never the
//! event log): activity days from `member_days`, active members from `member_days` and
//! `member_month_totals`, totals from `team_months`, late changes from `team_late`, and the
//! roster (members, villages, households) from its own tables.

use super::super::sums::{self, ByKey, Key, TEAMS, marks};
use crate::Result;
use langso_domain::periods::DayRange;
use langso_domain::time::day_number;
use rusqlite::{Connection, params_from_iter};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Per team (rowid): a set of something (days, members, villages).
pub(crate) type Sets = HashMap<i64, BTreeSet<i64>>;

/// Per team (rowid), per kind id: (net change, arrivals) of late changes.
pub(crate) type LateByTeam = HashMap<i64, HashMap<i64, (i64, i64)>>;

fn params(teams: &[i64], range: DayRange) -> Vec<i64> {
    let mut p = teams.to_vec();
    p.push(day_number(range.from));
    p.push(day_number(range.to));
    p
}

fn pairs(c: &Connection, sql: &str, p: &[i64]) -> Result<Sets> {
    let mut out = Sets::new();
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map(params_from_iter(p), |r| Ok((r.get(0)?, r.get(1)?)))?;
    for row in rows {
        let (team, x): (i64, i64) = row?;
        out.entry(team).or_default().insert(x);
    }
    Ok(out)
}

/// The days (day numbers) on which each team recorded at least one live event: the days of
/// its `member_days` rows with `events > 0` (one range per team: the table is keyed team
/// first).
pub(crate) fn activity_days(c: &Connection, teams: &[i64], range: DayRange) -> Result<Sets> {
    if teams.is_empty() {
        return Ok(Sets::new());
    }
    let n = teams.len();
    let sql = format!(
        "SELECT DISTINCT team_id, day FROM member_days
         WHERE team_id IN ({}) AND day BETWEEN ?{} AND ?{} AND events > 0",
        marks(n),
        n + 1,
        n + 2
    );
    pairs(c, &sql, &params(teams, range))
}

/// The roster members (rowids) of each team with at least one live event in the range:
/// the set "members on the roster" counts, so a placeholder a phone enrolled without a
/// member makes (migration 011) is not an active member of a payment document (its
/// events still count in the totals).
pub(crate) fn active_members(c: &Connection, teams: &[i64], range: DayRange) -> Result<Sets> {
    let mut out = Sets::new();
    let mut placeholder = c.prepare_cached("SELECT unassigned FROM members WHERE id = ?1")?;
    for (team, member) in sums::active_members(c, teams, range)? {
        let unassigned: bool = placeholder.query_row([member], |r| r.get(0))?;
        if !unassigned {
            out.entry(team).or_default().insert(member);
        }
    }
    Ok(out)
}

/// Per team and kind id totals over the range (whole months from `team_months`).
pub(crate) fn totals(c: &Connection, teams: &[i64], range: DayRange) -> Result<ByKey> {
    let keys: Vec<Key> = teams.iter().map(|t| Key::Int(*t)).collect();
    if keys.is_empty() {
        return Ok(ByKey::new());
    }
    sums::totals_by_key(c, TEAMS, &keys, range)
}

/// Per team and kind id, the (net change, arrivals) that reached the range's days after its
/// last day: the team's late changes (`team_late`, migration 014).
pub(crate) fn late(c: &Connection, teams: &[i64], range: DayRange) -> Result<LateByTeam> {
    let mut out = LateByTeam::new();
    if teams.is_empty() {
        return Ok(out);
    }
    let n = teams.len();
    let sql = format!(
        "SELECT team_id, kind_id, sum(total), sum(arrivals) FROM team_late
         WHERE team_id IN ({}) AND day BETWEEN ?{a} AND ?{b} AND rday > ?{b}
         GROUP BY team_id, kind_id",
        marks(n),
        a = n + 1,
        b = n + 2
    );
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params(teams, range)), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    for row in rows {
        let (team, kind, total, arrivals): (i64, i64, i64, i64) = row?;
        out.entry(team).or_default().insert(kind, (total, arrivals));
    }
    Ok(out)
}

/// The villages (rowid → households) each team covers on the roster (`team_villages`).
pub(crate) fn villages(c: &Connection, teams: &[i64]) -> Result<(Sets, HashMap<i64, i64>)> {
    let (mut sets, mut households) = (Sets::new(), HashMap::new());
    if teams.is_empty() {
        return Ok((sets, households));
    }
    let mut stmt = c.prepare(&format!(
        "SELECT tv.team_id, v.id, v.households FROM team_villages tv
         JOIN villages v ON v.id = tv.village_id WHERE tv.team_id IN ({})",
        marks(teams.len())
    ))?;
    let rows = stmt.query_map(params_from_iter(teams), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (team, village, h): (i64, i64, i64) = row?;
        sets.entry(team).or_default().insert(village);
        households.insert(village, h);
    }
    Ok((sets, households))
}

/// The names of the current map's communes among `codes`.
pub(crate) fn commune_names(
    c: &Connection,
    codes: &HashSet<&str>,
) -> Result<HashMap<String, String>> {
    let mut stmt = c.prepare_cached(
        "SELECT u.code, u.name FROM units u JOIN current_version h ON h.id = u.version_id
         WHERE u.level = 'commune'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    let mut out = HashMap::new();
    for row in rows {
        let (code, name) = row?;
        if codes.contains(code.as_str()) {
            out.insert(code, name);
        }
    }
    Ok(out)
}
