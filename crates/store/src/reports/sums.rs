//! Sums over the report aggregates. A day range is split into leading days, whole months
//! and trailing days (`split_by_months`), so a year reads twelve monthly rows per key and
//! kind instead of 365 daily ones.

use super::{Catalogue, Totals};
use crate::Result;
use langso_domain::periods::{DayRange, split_by_months};
use langso_domain::time::day_number;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use std::collections::{HashMap, HashSet};

/// A pair of aggregate tables (daily and monthly) and the column they are keyed by.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Agg {
    pub days: &'static str,
    pub months: &'static str,
    pub key: &'static str,
}

pub(crate) const VILLAGES: Agg = Agg {
    days: "tallies",
    months: "village_months",
    key: "village_id",
};
/// Teams: whole months from `team_months`, days from their members' `member_days` rows
/// (keyed team first, so a team's days are one range; migration 014 keeps no daily rows
/// per team).
pub(crate) const TEAMS: Agg = Agg {
    days: "(SELECT team_id, day, kind_id, total FROM member_days)",
    months: "team_months",
    key: "team_id",
};
/// Districts and provinces of the current map, by code.
pub(crate) const AREAS: Agg = Agg {
    days: "area_days",
    months: "area_months",
    key: "code",
};
/// Communes of the current map, by code: whole months from `area_months`, days from their
/// villages' `tallies` (migration 014 keeps no daily rows per commune).
pub(crate) const COMMUNES: Agg = Agg {
    days: "(SELECT p.commune_code AS code, t.day AS day, t.kind_id AS kind_id, t.total AS total
            FROM tallies t JOIN village_placements p ON p.village_id = t.village_id
            WHERE p.version_id = (SELECT id FROM current_version))",
    months: "area_months",
    key: "code",
};
/// Members, filtered by team (the leading key column) and grouped by member.
pub(crate) const MEMBERS: Agg = Agg {
    days: "member_days",
    months: "member_months",
    key: "team_id",
};

/// A key of an aggregate table: a rowid (villages, teams, members) or a unit code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    Int(i64),
    Text(String),
}

impl Key {
    pub fn value(&self) -> Value {
        match self {
            Self::Int(i) => Value::Integer(*i),
            Self::Text(t) => Value::Text(t.clone()),
        }
    }
}

impl rusqlite::types::FromSql for Key {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        match v {
            rusqlite::types::ValueRef::Integer(i) => Ok(Self::Int(i)),
            other => other.as_str().map(|s| Self::Text(s.to_owned())),
        }
    }
}

/// Per key, per kind id totals.
pub(crate) type ByKey = HashMap<Key, HashMap<i64, i64>>;

/// `?, ?, …` for `n` values.
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// A UNION ALL of one SELECT per part of `range`: `select` may use `{d}` for the table's
/// day column (`day` or `month`); `filter` is a WHERE fragment with `keys` as its
/// parameters. Whole months are used only when `months` allows.
pub(crate) fn union(
    agg: Agg,
    select: &str,
    filter: &str,
    keys: &[Value],
    range: DayRange,
    months: bool,
) -> (String, Vec<Value>) {
    let parts = if months {
        let s = split_by_months(range);
        vec![(s.head, false), (s.months, true), (s.tail, false)]
    } else {
        vec![(Some(range), false)]
    };
    let mut sql = Vec::new();
    let mut params = Vec::new();
    for (part, monthly) in parts {
        let Some(r) = part else { continue };
        let (table, d) = if monthly {
            (agg.months, "month")
        } else {
            (agg.days, "day")
        };
        sql.push(format!(
            "SELECT {} FROM {table} WHERE {filter} AND {d} BETWEEN ? AND ?",
            select.replace("{d}", d)
        ));
        params.extend_from_slice(keys);
        params.push(Value::Integer(day_number(r.from)));
        params.push(Value::Integer(day_number(r.to)));
    }
    (sql.join(" UNION ALL "), params)
}

/// (bucket day, kind id, total) rows of some keys over `range` (one row per key: a
/// caller sums them, e.g. a grouping's communes); `months` lets whole months be read from
/// the monthly table, whose rows then carry the month's first day.
pub(crate) fn series_rows(
    c: &Connection,
    agg: Agg,
    keys: &[Key],
    range: DayRange,
    months: bool,
) -> Result<Vec<(i64, i64, i64)>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<Value> = keys.iter().map(Key::value).collect();
    let filter = match keys.len() {
        1 => format!("{} = ?", agg.key),
        n => format!("{} IN ({})", agg.key, marks(n)),
    };
    let (sql, params) = union(agg, "{d}, kind_id, total", &filter, &keys, range, months);
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per key and kind totals over `range` for many keys at once.
pub(crate) fn totals_by_key(
    c: &Connection,
    agg: Agg,
    keys: &[Key],
    range: DayRange,
) -> Result<ByKey> {
    let keys: Vec<Value> = keys.iter().map(Key::value).collect();
    let filter = format!("{} IN ({})", agg.key, marks(keys.len()));
    grouped(c, agg, agg.key, &filter, &keys, range)
}

/// Per member and kind totals of one team over `range`.
pub(crate) fn totals_by_member(c: &Connection, team: i64, range: DayRange) -> Result<ByKey> {
    grouped(
        c,
        MEMBERS,
        "member_id",
        "team_id = ?",
        &[Value::Integer(team)],
        range,
    )
}

fn grouped(
    c: &Connection,
    agg: Agg,
    group: &str,
    filter: &str,
    keys: &[Value],
    range: DayRange,
) -> Result<ByKey> {
    let mut out = ByKey::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let (inner, params) = union(
        agg,
        &format!("{group} AS g, kind_id, total"),
        filter,
        keys,
        range,
        true,
    );
    let sql = format!("SELECT g, kind_id, sum(total) FROM ({inner}) GROUP BY g, kind_id");
    let mut stmt = c.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        let total: i64 = r.get(2)?;
        if total != 0 {
            *out.entry(r.get::<_, Key>(0)?)
                .or_default()
                .entry(r.get(1)?)
                .or_default() += total;
        }
    }
    Ok(out)
}

/// The (team, member) pairs of these teams with at least one live event in `range`.
pub(crate) fn active_members(
    c: &Connection,
    teams: &[i64],
    range: DayRange,
) -> Result<HashSet<(i64, i64)>> {
    if teams.is_empty() {
        return Ok(HashSet::new());
    }
    let keys: Vec<Value> = teams.iter().map(|t| Value::Integer(*t)).collect();
    let filter = format!("team_id IN ({}) AND events > 0", marks(keys.len()));
    // Whole months from the all-kinds table: one row per member and month.
    let presence = Agg {
        months: "member_month_totals",
        ..MEMBERS
    };
    let (inner, params) = union(presence, "team_id, member_id", &filter, &keys, range, true);
    let sql = inner.replace(" UNION ALL ", " UNION ");
    let mut stmt = c.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Where a unit's late changes are (migration 014): rows of one late table by key.
#[derive(Clone, Debug)]
pub(crate) struct LateOf {
    /// `village_late`, `team_late` or `area_late`.
    pub table: &'static str,
    pub key: &'static str,
    /// The unit's own key, or (a commune, a grouping) its villages'.
    pub keys: Vec<Key>,
}

impl LateOf {
    pub fn villages(keys: Vec<Key>) -> Self {
        Self {
            table: "village_late",
            key: "village_id",
            keys,
        }
    }
}

/// Late changes of a closed period for some units (one, or a commune's villages), summed:
/// per kind (net change, arrivals), from the rows with a day in `range` that arrived after
/// its last day. Villages and teams (few rows each) are one range scan per unit; a district
/// or the province one index seek per day.
pub(crate) fn late(
    c: &Connection,
    of: &LateOf,
    range: DayRange,
) -> Result<HashMap<i64, (i64, i64)>> {
    let (table, key) = (of.table, of.key);
    let sql = match table {
        "area_late" => format!(
            "WITH RECURSIVE days(d) AS (SELECT ?1 UNION ALL SELECT d + 1 FROM days WHERE d < ?2)
             SELECT l.kind_id, sum(l.total), sum(l.arrivals)
             FROM days CROSS JOIN {table} l
             WHERE l.{key} = ?3 AND l.day = days.d AND l.rday > ?2 GROUP BY l.kind_id"
        ),
        _ => format!(
            "SELECT kind_id, sum(total), sum(arrivals) FROM {table}
             WHERE {key} = ?3 AND day BETWEEN ?1 AND ?2 AND rday > ?2 GROUP BY kind_id"
        ),
    };
    let mut stmt = c.prepare_cached(&sql)?;
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    let (from, to) = (day_number(range.from), day_number(range.to));
    for unit in &of.keys {
        let rows = stmt.query_map(rusqlite::params![from, to, unit.value()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?),
            ))
        })?;
        for row in rows {
            let (kind, (total, arrivals)) = row?;
            let e = out.entry(kind).or_default();
            e.0 += total;
            e.1 += arrivals;
        }
    }
    Ok(out)
}

/// Per-kind totals of some keys of `agg` over `range`, summed.
pub(crate) fn totals_of(
    c: &Connection,
    cat: &Catalogue,
    agg: Agg,
    keys: &[Key],
    range: DayRange,
) -> Result<Totals> {
    let mut by_id = HashMap::new();
    for (_, kind, total) in series_rows(c, agg, keys, range, true)? {
        *by_id.entry(kind).or_default() += total;
    }
    Ok(cat.totals(&by_id))
}

/// A team's per-kind totals over `range`: what its members' devices recorded, wherever they
/// recorded it (`member_days`/`team_months`). The one definition of a team's total: the
/// team's summary, the leaderboards and pull's `team_totals` all read these tables.
pub(crate) fn team_totals(c: &Connection, team: i64, range: DayRange) -> Result<Totals> {
    totals_of(c, &Catalogue::load(c)?, TEAMS, &[Key::Int(team)], range)
}
