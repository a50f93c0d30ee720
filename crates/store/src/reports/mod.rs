//! Leaders' reports over the aggregates of migration 003: a unit's series, totals,
//! coverage of its targets and late changes; leaderboards; per-village coverage tables.
//!
//! Each report is read in one read transaction (one snapshot) and says `as_of` when it
//! was computed. A closed period's figures change only through late events, which the
//! report shows (`late`), so its figures as they stood at the close can always be derived.

mod along;
mod catalogue;
mod coverage;
mod entrants;
mod evidence;
mod leaderboard;
mod resolve;
mod sums;
mod targets;

pub use coverage::{CoverageCell, CoverageRow, CoverageTable, VillageCoverage};
pub use evidence::{
    CommuneEvidence, EvidenceFigures, EvidenceQuery, EvidenceReport, EvidenceTotal, RuleSet,
    TeamEvidence,
};
pub use leaderboard::{Entrants, Entry, Leaderboard, LeaderboardQuery, RankBy};
pub use targets::{TargetScope, TargetSetting};

use crate::{Result, Store, StoreError};
pub(crate) use catalogue::Catalogue;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::{DayRange, Granularity, Period, PeriodKind};
use langso_domain::ranking::round_points;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::time::{day_from_number, day_number};
pub(crate) use resolve::{Resolved, resolve, unknown};
use rusqlite::{Connection, OptionalExtension};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
pub(crate) use sums::team_totals;

/// Per kind code totals; zero totals are left out.
pub type Totals = BTreeMap<String, i64>;

pub(crate) fn utc_ms<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// The unit a report is about, with its size (villages' sums for areas and teams).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitSummary {
    pub kind: UnitKind,
    pub id: String,
    pub name: String,
    pub population: i64,
    pub households: i64,
    /// What targets with basis `adults` are measured against (not in the answer).
    #[serde(skip)]
    pub adults: langso_domain::targets::Adults,
}

/// A report's period as answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodInfo {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Vietnamese label, e.g. "Tháng 11/2026".
    pub label: String,
    /// The period ended before `as_of`: its figures change only through late events.
    pub closed: bool,
}

impl PeriodInfo {
    fn new(p: &Period, now: DateTime<Utc>) -> Self {
        Self {
            kind: p.kind,
            from: p.from,
            to: p.to,
            label: p.label_vi(),
            closed: p.is_closed(now),
        }
    }
}

/// One point of a series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub totals: Totals,
    pub score: f64,
}

/// What arrived after a closed period ended: the net change it made to the period's
/// totals (per kind) and how many events it was. Totals at the close = totals − these.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Late {
    pub events: i64,
    pub totals: Totals,
    pub score: f64,
}

/// Series, totals, coverage and late changes of one unit over one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub unit: UnitSummary,
    pub period: PeriodInfo,
    pub granularity: Granularity,
    #[serde(serialize_with = "utc_ms")]
    pub as_of: DateTime<Utc>,
    pub kinds: Vec<ActivityKind>,
    pub series: Vec<Point>,
    pub totals: Totals,
    pub score: f64,
    pub coverage: Vec<CoverageRow>,
    /// Present for closed periods only.
    pub late: Option<Late>,
}

#[derive(Clone, Debug)]
pub struct SummaryQuery {
    pub unit: UnitRef,
    pub period: Period,
    /// None: the period's default granularity.
    pub granularity: Option<Granularity>,
    /// The server's time: `as_of`, and whether the period is closed.
    pub now: DateTime<Utc>,
    /// A hierarchy version (its key, `2024-09-01`) to sum a commune, district or province
    /// along, as a report was filed before a map switch; None: the current one.
    pub hierarchy: Option<String>,
}

pub(crate) fn current_key(c: &Connection) -> Result<String> {
    c.query_row("SELECT key FROM current_version", [], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound("no hierarchy imported yet".into()))
}

pub(crate) fn late_of(
    c: &Connection,
    cat: &Catalogue,
    r: &Resolved,
    p: &Period,
    now: DateTime<Utc>,
) -> Result<Option<Late>> {
    if !p.is_closed(now) {
        return Ok(None);
    }
    let (mut by_id, mut events, mut points) = (HashMap::new(), 0, 0.0);
    for part in cat.steady_parts(p.range()) {
        let rows = sums::late(c, &r.late, part)?;
        let part_totals: HashMap<i64, i64> = rows.iter().map(|(k, v)| (*k, v.0)).collect();
        points += cat.points_on(&part_totals, day_number(part.from));
        events += rows.values().map(|v| v.1).sum::<i64>();
        for (k, t) in part_totals {
            *by_id.entry(k).or_default() += t;
        }
    }
    Ok(Some(Late {
        events,
        score: round_points(points),
        totals: cat.totals(&by_id),
    }))
}

fn summary(c: &Connection, q: &SummaryQuery) -> Result<Summary> {
    if let Some(key) = &q.hierarchy
        && *key != current_key(c)?
    {
        return along::summary(c, q, key);
    }
    let cat = Catalogue::load(c)?;
    let r = resolve(c, &q.unit)?.ok_or_else(|| unknown(&q.unit))?;
    let g = q
        .granularity
        .unwrap_or_else(|| q.period.default_granularity());
    let months = g.month_aligned() && cat.steady_parts(q.period.range()).len() == 1;
    let rows = sums::series_rows(c, r.agg, &r.keys, q.period.range(), months)?;
    let (series, totals, score) = series(&cat, &q.period, g, rows)?;
    Ok(Summary {
        coverage: coverage::for_unit(c, &cat, &r, &q.unit, q.period.to, &totals)?,
        late: late_of(c, &cat, &r, &q.period, q.now)?,
        unit: r.summary,
        period: PeriodInfo::new(&q.period, q.now),
        granularity: g,
        as_of: q.now,
        kinds: cat.list(),
        series,
        score,
        totals,
    })
}

/// A summary's series (one point per sub-period of granularity `g`), totals and score,
/// from (day, kind id, total) rows: a row's day is its own, or its month's first day when
/// read from the monthly table, which a caller does only when no weight changes within the
/// period (each row is weighed with the weights of its day).
pub(crate) fn series(
    cat: &Catalogue,
    period: &Period,
    g: Granularity,
    rows: Vec<(i64, i64, i64)>,
) -> Result<(Vec<Point>, Totals, f64)> {
    let points = period
        .points(g)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let starts: Vec<i64> = points.iter().map(|p| day_number(p.from)).collect();
    let mut buckets: Vec<HashMap<i64, i64>> = vec![HashMap::new(); points.len()];
    let mut scores = vec![0.0; points.len()];
    for (day, kind, total) in rows {
        let i = starts.partition_point(|s| *s <= day).saturating_sub(1);
        *buckets[i].entry(kind).or_default() += total;
        scores[i] += cat.weight_on(kind, day) * total as f64;
    }
    let mut all: HashMap<i64, i64> = HashMap::new();
    let series = points
        .iter()
        .zip(buckets.iter().zip(&scores))
        .map(|(p, (b, score))| {
            for (k, t) in b {
                *all.entry(*k).or_default() += t;
            }
            Point {
                from: p.from,
                to: p.to,
                score: round_points(*score),
                totals: cat.totals(b),
            }
        })
        .collect();
    Ok((series, cat.totals(&all), round_points(scores.iter().sum())))
}

/// Per-kind totals of a resolved unit over a range.
pub(crate) fn period_totals(
    c: &Connection,
    cat: &Catalogue,
    r: &Resolved,
    range: DayRange,
) -> Result<Totals> {
    sums::totals_of(c, cat, r.agg, &r.keys, range)
}

/// Runs `f` in one read transaction, so every query of a report sees the same snapshot.
pub(crate) fn snapshot<T>(c: &Connection, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    let tx = c.unchecked_transaction()?;
    let out = f(&tx)?;
    tx.finish()?;
    Ok(out)
}

/// The first day of the epoch: coverage counts from here when a target has no start.
pub(crate) fn epoch() -> NaiveDate {
    day_from_number(0)
}

impl Store {
    /// Series (one point per sub-period), totals, coverage of targets and late changes of
    /// a village, team, commune, district or province.
    pub fn report_summary(&self, q: &SummaryQuery) -> Result<Summary> {
        self.read(|c| snapshot(c, |c| summary(c, q)))
    }

    /// Whether a unit exists (for callers that answer 404 before reading).
    pub fn unit_exists(&self, u: &UnitRef) -> Result<bool> {
        self.read(|c| Ok(resolve(c, u)?.is_some()))
    }

    /// The catalogue's kinds, in id order.
    pub fn kinds(&self) -> Result<Vec<ActivityKind>> {
        self.read(|c| Ok(Catalogue::load(c)?.list()))
    }
}
