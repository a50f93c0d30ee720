//! Coverage: what teams recorded, cumulatively up to the end of the report period (from
//! the target's start date, if it has one), against each target.

use super::sums::{self, Key, VILLAGES};
use super::targets::{self, TargetSetting};
use super::{
    Catalogue, Late, PeriodInfo, Resolved, Totals, UnitSummary, epoch, late_of, resolve, snapshot,
    unknown, utc_ms,
};
use crate::aggregates::PLACES;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::{DayRange, Period};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Adults, Basis, Coverage};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Progress of one unit against its target for one kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageRow {
    pub kind: String,
    pub basis: Basis,
    /// A count (basis `count`) or a share from 0 to 1.
    pub value: f64,
    /// The target in counts for this unit.
    pub target: i64,
    /// Recorded from `start_date` (or the first event) to the end of the period.
    pub achieved: i64,
    pub percent: Option<f64>,
    pub remaining: i64,
    /// Recorded within the period itself.
    pub period_total: i64,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// The province-wide default rule applies (the unit has no target of its own).
    pub is_default: bool,
    pub note: String,
}

/// One village's progress for one kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageCell {
    pub kind: String,
    pub target: i64,
    pub achieved: i64,
    pub percent: Option<f64>,
    pub remaining: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VillageCoverage {
    pub id: String,
    pub name: String,
    pub commune_code: String,
    pub commune_name: String,
    pub population: i64,
    pub households: i64,
    /// One cell per kind of the table that the village has a target for.
    pub cells: Vec<CoverageCell>,
}

/// Per-village coverage of a unit's villages, and the unit's own.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageTable {
    pub unit: UnitSummary,
    pub period: PeriodInfo,
    #[serde(serialize_with = "utc_ms")]
    pub as_of: DateTime<Utc>,
    /// The kinds that have a target somewhere in the table, in catalogue order.
    pub kinds: Vec<ActivityKind>,
    pub rows: Vec<VillageCoverage>,
    /// The unit's own coverage (its own targets, else the defaults, over its population).
    pub total: Vec<CoverageRow>,
    pub late: Option<Late>,
}

/// Distinct start dates of these targets (usually just None).
fn starts<'a>(ts: impl Iterator<Item = &'a TargetSetting>) -> BTreeSet<Option<NaiveDate>> {
    ts.map(|t| t.start_date).collect()
}

fn range(start: Option<NaiveDate>, to: NaiveDate) -> Option<DayRange> {
    let from = start.unwrap_or_else(epoch);
    (from <= to).then(|| DayRange::new(from, to))
}

pub(crate) fn for_unit(
    c: &Connection,
    cat: &Catalogue,
    r: &Resolved,
    u: &UnitRef,
    to: NaiveDate,
    period_totals: &Totals,
) -> Result<Vec<CoverageRow>> {
    let targets = targets::for_unit(c, u)?;
    let mut achieved: HashMap<(Option<NaiveDate>, i64), i64> = HashMap::new();
    for start in starts(targets.values()) {
        let Some(range) = range(start, to) else {
            continue;
        };
        for (_, kind, total) in sums::series_rows(c, r.agg, &r.keys, range, true)? {
            *achieved.entry((start, kind)).or_default() += total;
        }
    }
    let s = &r.summary;
    Ok(cat
        .kinds
        .iter()
        .filter_map(|(id, k)| {
            let t = targets.get(&k.code)?;
            let cov = Coverage::new(
                t.rule.absolute(s.population, s.households, s.adults),
                achieved.get(&(t.start_date, *id)).copied().unwrap_or(0),
            );
            Some(CoverageRow {
                kind: k.code.clone(),
                basis: t.rule.basis,
                value: t.rule.value,
                target: cov.target,
                achieved: cov.achieved,
                percent: cov.percent,
                remaining: cov.remaining,
                period_total: period_totals.get(&k.code).copied().unwrap_or(0),
                start_date: t.start_date,
                due_date: t.due_date,
                is_default: t.is_default,
                note: t.note.clone(),
            })
        })
        .collect())
}

struct Village {
    rowid: i64,
    adults: Adults,
    row: VillageCoverage,
}

fn villages(c: &Connection, u: &UnitRef) -> Result<Vec<Village>> {
    let filter = match u.kind {
        UnitKind::Village => "v.village_id = ?1".to_owned(),
        UnitKind::Team => "v.id IN (SELECT tv.village_id FROM team_villages tv
                 JOIN teams t ON t.id = tv.team_id WHERE t.team_id = ?1)"
            .to_owned(),
        UnitKind::Grouping => "pl.commune IN (SELECT gc.commune_code FROM grouping_communes gc
                 JOIN groupings g ON g.id = gc.grouping_id
                 JOIN current_version gh ON gh.id = g.version_id
                 WHERE g.code = ?1)"
            .to_owned(),
        k => format!("pl.{} = ?1", k.as_str()),
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT v.id, v.village_id, v.name, v.population, v.households, pl.commune, cu.name,
                v.adults
         FROM ({PLACES}) pl JOIN villages v ON v.id = pl.village_id
         JOIN current_version h
         JOIN units cu ON cu.version_id = h.id AND cu.code = pl.commune
         WHERE {filter} ORDER BY pl.commune, v.village_id"
    ))?;
    let rows = stmt.query_map([&u.id], |r| {
        Ok(Village {
            rowid: r.get(0)?,
            adults: Adults::of_village(r.get(3)?, r.get(7)?),
            row: VillageCoverage {
                id: r.get(1)?,
                name: r.get(2)?,
                population: r.get(3)?,
                households: r.get(4)?,
                commune_code: r.get(5)?,
                commune_name: r.get(6)?,
                cells: Vec::new(),
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn table(c: &Connection, u: &UnitRef, p: &Period, now: DateTime<Utc>) -> Result<CoverageTable> {
    let cat = Catalogue::load(c)?;
    let r = resolve(c, u)?.ok_or_else(|| unknown(u))?;
    let mut villages = villages(c, u)?;
    let (defaults, own) = targets::for_villages(c)?;
    let none = HashMap::new();
    let keys: Vec<Key> = villages.iter().map(|v| Key::Int(v.rowid)).collect();
    let all = defaults
        .values()
        .chain(own.values().flat_map(|m| m.values()));
    let mut achieved = HashMap::new();
    for start in starts(all) {
        if let Some(range) = range(start, p.to) {
            achieved.insert(start, sums::totals_by_key(c, VILLAGES, &keys, range)?);
        }
    }
    let mut used = BTreeSet::new();
    for v in &mut villages {
        let mine = own.get(&v.row.id).unwrap_or(&none);
        for (id, k) in &cat.kinds {
            let Some(t) = mine.get(&k.code).or_else(|| defaults.get(&k.code)) else {
                continue;
            };
            let got = achieved
                .get(&t.start_date)
                .and_then(|m| m.get(&Key::Int(v.rowid)))
                .and_then(|m| m.get(id))
                .copied()
                .unwrap_or(0);
            let cov = Coverage::new(
                t.rule
                    .absolute(v.row.population, v.row.households, v.adults),
                got,
            );
            used.insert(*id);
            v.row.cells.push(CoverageCell {
                kind: k.code.clone(),
                target: cov.target,
                achieved: cov.achieved,
                percent: cov.percent,
                remaining: cov.remaining,
            });
        }
    }
    let period_totals = super::period_totals(c, &cat, &r, p.range())?;
    Ok(CoverageTable {
        total: for_unit(c, &cat, &r, u, p.to, &period_totals)?,
        late: late_of(c, &cat, &r, p, now)?,
        unit: r.summary,
        period: PeriodInfo::new(p, now),
        as_of: now,
        kinds: cat
            .kinds
            .iter()
            .filter(|(id, _)| used.contains(id))
            .map(|(_, k)| k.clone())
            .collect(),
        rows: villages.into_iter().map(|v| v.row).collect(),
    })
}

impl Store {
    /// Per-village coverage of the villages under a unit, with the unit's own coverage.
    pub fn report_coverage(
        &self,
        unit: &UnitRef,
        period: &Period,
        now: DateTime<Utc>,
    ) -> Result<CoverageTable> {
        self.read(|c| snapshot(c, |c| table(c, unit, period, now)))
    }
}
