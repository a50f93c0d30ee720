//! Reports along an earlier hierarchy version (`hierarchy=KEY`, issue 8): a commune,
//! district or province summed as the map stood before a switch, to reproduce a report as
//! it was filed. Events are never rewritten by a switch, and every version keeps its
//! village placements, so a unit of version K is exactly the villages K placed in it: its
//! figures are the sums of those villages' rows (`tallies`, `village_months`).
//!
//! Such a report carries series and totals; `coverage` is empty (targets follow today's
//! map) and `late` is null (late changes are kept per unit of today's map).

use super::resolve::{SIZE, size_of};
use super::sums::{VILLAGES, union};
use super::{Catalogue, PeriodInfo, Summary, SummaryQuery, UnitSummary, series};
use crate::{Result, StoreError};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::Adults;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

/// A unit of an earlier version: its name and the villages (rowids) placed in it.
pub(crate) struct AlongUnit {
    pub name: String,
    pub villages: Vec<i64>,
}

/// The id of hierarchy version `key`; `NotFound` if no such version was imported.
fn version_id(c: &Connection, key: &str) -> Result<i64> {
    c.query_row(
        "SELECT id FROM hierarchy_versions WHERE key = ?1",
        [key],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("no hierarchy version '{key}'")))
}

/// Resolves a commune, district or province of version `key`: None if that version has no
/// such unit; `Invalid` for a village or a team (they belong to no version).
pub(crate) fn resolve(c: &Connection, key: &str, u: &UnitRef) -> Result<Option<AlongUnit>> {
    if matches!(u.kind, UnitKind::Village | UnitKind::Team) {
        return Err(StoreError::Invalid(format!(
            "hierarchy applies to communes, districts and the province, not to a {}",
            u.kind.as_str()
        )));
    }
    let version = version_id(c, key)?;
    let name: Option<String> = c
        .query_row(
            "SELECT name FROM units WHERE version_id = ?1 AND code = ?2 AND level = ?3",
            params![version, u.id, u.kind.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    let Some(name) = name else {
        return Ok(None);
    };
    // A commune's villages; a district's communes' villages; every village the version
    // placed for the province (a file holds one province).
    let under = match u.kind {
        UnitKind::Commune => "p.commune_code = ?2",
        UnitKind::District => "cu.parent_code = ?2",
        _ => "?2 IS NOT NULL",
    };
    let mut stmt = c.prepare(&format!(
        "SELECT p.village_id FROM village_placements p
         JOIN units cu ON cu.version_id = p.version_id AND cu.code = p.commune_code
                       AND cu.level = 'commune'
         WHERE p.version_id = ?1 AND {under} ORDER BY p.village_id"
    ))?;
    let villages = stmt
        .query_map(params![version, u.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(AlongUnit { name, villages }))
}

/// The summary of `q.unit` along version `key`.
pub(crate) fn summary(c: &Connection, q: &SummaryQuery, key: &str) -> Result<Summary> {
    let unit = resolve(c, key, &q.unit)?.ok_or_else(|| {
        StoreError::NotFound(format!(
            "no {} '{}' in hierarchy version {key}",
            q.unit.kind.as_str(),
            q.unit.id
        ))
    })?;
    let cat = Catalogue::load(c)?;
    let g = q
        .granularity
        .unwrap_or_else(|| q.period.default_granularity());
    let months = g.month_aligned() && cat.steady_parts(q.period.range()).len() == 1;
    let rows = village_rows(c, &unit.villages, q, months)?;
    let (series, totals, score) = series(&cat, &q.period, g, rows)?;
    let (population, households, adults) = size(c, &unit.villages)?;
    Ok(Summary {
        unit: UnitSummary {
            kind: q.unit.kind,
            id: q.unit.id.clone(),
            name: unit.name,
            population,
            households,
            adults,
        },
        period: PeriodInfo::new(&q.period, q.now),
        granularity: g,
        as_of: q.now,
        kinds: cat.list(),
        series,
        score,
        totals,
        coverage: Vec::new(),
        late: None,
    })
}

/// (bucket day, kind id, total) rows of the villages' tallies over the period, read a
/// chunk of villages at a time (bound parameters stay far under SQLite's limit).
fn village_rows(
    c: &Connection,
    villages: &[i64],
    q: &SummaryQuery,
    months: bool,
) -> Result<Vec<(i64, i64, i64)>> {
    let mut out = Vec::new();
    for chunk in villages.chunks(500) {
        let keys: Vec<Value> = chunk.iter().map(|v| Value::Integer(*v)).collect();
        let marks = vec!["?"; keys.len()].join(", ");
        let filter = format!("{} IN ({marks})", VILLAGES.key);
        let (sql, params) = union(
            VILLAGES,
            "{d}, kind_id, total",
            &filter,
            &keys,
            q.period.range(),
            months,
        );
        let mut stmt = c.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(params), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Population, households and adults of the villages (as they are recorded today).
fn size(c: &Connection, villages: &[i64]) -> Result<(i64, i64, Adults)> {
    let mut stmt = c.prepare_cached(&format!("SELECT {SIZE} FROM villages v WHERE v.id = ?1"))?;
    let mut sum = (0, 0, Adults::default());
    for v in villages {
        let (p, h, a) = stmt.query_row([v], size_of)?;
        sum.0 += p;
        sum.1 += h;
        sum.2 += a;
    }
    Ok(sum)
}

impl crate::Store {
    /// The villages (public ids) version `key` placed in a commune, district or province:
    /// None if the version has no such unit. Lets the server check a leader's scope for a
    /// report along an earlier version (the leader must see every one of them).
    pub fn villages_along(&self, key: &str, u: &UnitRef) -> Result<Option<Vec<String>>> {
        self.read(|c| {
            let Some(unit) = resolve(c, key, u)? else {
                return Ok(None);
            };
            let mut stmt = c.prepare_cached("SELECT village_id FROM villages WHERE id = ?1")?;
            let ids = unit
                .villages
                .iter()
                .map(|v| Ok(stmt.query_row([v], |r| r.get(0))?))
                .collect::<Result<_>>()?;
            Ok(Some(ids))
        })
    }
}
