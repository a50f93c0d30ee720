//! Gathers what one dashboard page shows, from the store's reports, for one leader.

use super::IndexQuery;
use super::chart::Point;
use super::compare;
use super::data_more::{board_rows, coverage, downloads, entrants_of, kind_label, units};
use super::i18n::Lang;
use super::view::{Here, KindTotal, LEADING_TEAMS, Pace, Target, View};
use crate::error::ApiError;
use crate::leader::Leader;
use chrono::{DateTime, NaiveDate, Utc};
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::time::{FIRST_YEAR, LAST_YEAR, parse_day, vn_day};
use langso_store::{CoverageRow, Entrants, RankBy, Store, Summary, SummaryQuery};

/// `kind:id`, as the unit picker sends it.
fn parse_unit(s: &str) -> Option<UnitRef> {
    let (kind, id) = s.split_once(':')?;
    Some(UnitRef::new(UnitKind::parse(kind)?, id))
}

fn invalid(message: &str) -> ApiError {
    ApiError::bad_request("invalid_query", message.to_owned())
}

/// The unit asked for (the leader's own when none), the period and the measure, checked:
/// a value that is not one is refused (400), never silently replaced.
fn asked(
    who: &Leader,
    q: &IndexQuery,
    today: NaiveDate,
) -> Result<(UnitRef, PeriodKind, NaiveDate, RankBy), ApiError> {
    let unit = match q.unit.as_deref().filter(|u| !u.is_empty()) {
        None => who.scope.clone(),
        Some(u) => {
            parse_unit(u).ok_or_else(|| invalid("a unit is KIND:CODE, e.g. commune:06658"))?
        }
    };
    let kind = match q.period.as_deref().filter(|p| !p.is_empty()) {
        None => PeriodKind::Month,
        Some(p) => PeriodKind::parse(p)
            .filter(|k| *k != PeriodKind::Custom)
            .ok_or_else(|| invalid("a period is day, week, month, quarter or year"))?,
    };
    // An empty date (a cleared date field) means today; any other must be a real day.
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        None => today,
        Some(d) => parse_day(d).ok_or_else(|| {
            invalid(&format!(
                "a date is YYYY-MM-DD with a year from {FIRST_YEAR} to {LAST_YEAR}"
            ))
        })?,
    };
    let rank_by = match q.rank.as_deref().filter(|r| !r.is_empty()) {
        None | Some("score") => RankBy::Score,
        Some(k) => RankBy::Kind(k.to_owned()),
    };
    Ok((unit, kind, date, rank_by))
}

/// The counts a day still needed to reach `target` by its due date, counting from today,
/// or from the day after the period when it is over.
pub fn pace(c: &CoverageRow, period: &Period, today: NaiveDate) -> Pace {
    if c.remaining <= 0 {
        return Pace::Met;
    }
    let Some(due) = c.due_date else {
        return Pace::Open;
    };
    let from = today.min(period.to + chrono::Duration::days(1));
    let days = (due - from).num_days() + 1;
    if days <= 0 {
        Pace::PastDue
    } else {
        Pace::PerDay(c.remaining as f64 / days as f64)
    }
}

fn cards(s: &Summary, lang: Lang, period: &Period, today: NaiveDate) -> Vec<KindTotal> {
    s.kinds
        .iter()
        .map(|k| KindTotal {
            code: k.code.clone(),
            label: kind_label(lang, k),
            total: s.totals.get(&k.code).copied().unwrap_or(0),
            target: s
                .coverage
                .iter()
                .find(|c| c.kind == k.code)
                .map(|c| Target {
                    target: c.target,
                    achieved: c.achieved,
                    percent: c.percent,
                    start: c.start_date,
                    due: c.due_date,
                    pace: pace(c, period, today),
                }),
        })
        .collect()
}

/// The trend's bars: days (or weeks, months) still to come have no value.
fn series(s: &Summary, today: NaiveDate) -> Vec<Point> {
    s.series
        .iter()
        .map(|p| Point {
            label: if p.from == p.to {
                p.from.format("%d/%m").to_string()
            } else {
                format!("{}–{}", p.from.format("%d/%m"), p.to.format("%d/%m"))
            },
            value: (p.from <= today).then_some(p.score),
        })
        .collect()
}

fn summary(
    store: &Store,
    unit: &UnitRef,
    period: Period,
    now: DateTime<Utc>,
) -> Result<Summary, ApiError> {
    Ok(store.report_summary(&SummaryQuery {
        unit: unit.clone(),
        period,
        granularity: None,
        now,
        hierarchy: None,
    })?)
}

pub fn load(store: &Store, who: &Leader, lang: Lang, q: &IndexQuery) -> Result<View, ApiError> {
    let now = Utc::now();
    let today = vn_day(now);
    let (unit, period_kind, date, rank_by) = asked(who, q, today)?;
    let period = Period::containing(period_kind, date);
    who.require_within(store, &unit)?;
    let s = summary(store, &unit, period, now)?;
    let before = summary(store, &unit, period.previous(), now)?.score;
    let rank_code = match &rank_by {
        RankBy::Score => "score".to_owned(),
        RankBy::Kind(k) => k.clone(),
    };
    let here = Here {
        period: period_kind.as_str().to_owned(),
        date: date.to_string(),
        lang,
        rank_by: rank_code.clone(),
    };
    let (units, teams_left_out, search) = units(store, who, q.q.as_deref())?;
    let has = |k: UnitKind| units.iter().any(|u| u.kind == k.as_str());
    let entrants = entrants_of(unit.kind, has(UnitKind::District), has(UnitKind::Grouping));
    let board = match entrants {
        None => Vec::new(),
        Some(of) => board_rows(store, &unit, of, period, &rank_by, &here, usize::MAX)?,
    };
    // A grouping (a former district) ranks its communes, and its leading teams below.
    let team_board = if unit.kind == UnitKind::Grouping {
        board_rows(
            store,
            &unit,
            Entrants::Teams,
            period,
            &rank_by,
            &here,
            LEADING_TEAMS,
        )?
    } else {
        Vec::new()
    };
    let (coverage_kinds, communes) = if unit.kind == UnitKind::Province {
        (Vec::new(), Vec::new())
    } else {
        coverage(store, &unit, &period, now, &here)?
    };
    let measure = match &rank_by {
        RankBy::Score => lang.t().score.to_owned(),
        RankBy::Kind(code) => s
            .kinds
            .iter()
            .find(|k| &k.code == code)
            .map_or_else(|| code.clone(), |k| kind_label(lang, k)),
    };
    Ok(View {
        lang,
        username: who.username.clone(),
        admin: who.role == langso_domain::scope::Role::ProvinceAdmin,
        units,
        teams_left_out,
        search,
        unit_kind: unit.kind.as_str().to_owned(),
        unit_id: unit.id.clone(),
        unit_name: s.unit.name.clone(),
        period: here.period.clone(),
        date: here.date.clone(),
        period_label: compare::label(lang, &period),
        comparison: compare::sentence(lang, &period, s.score, before),
        as_of: s
            .as_of
            .with_timezone(&langso_domain::time::vn_offset())
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        late_events: s.late.as_ref().map_or(0, |l| l.events),
        score: s.score,
        totals: cards(&s, lang, &period, today),
        series: series(&s, today),
        board_title: if entrants.is_some() {
            s.unit.name.clone()
        } else {
            String::new()
        },
        measure,
        kinds: s
            .kinds
            .iter()
            .map(|k| (k.code.clone(), kind_label(lang, k)))
            .collect(),
        rank_by: rank_code,
        board,
        team_board,
        coverage_kinds,
        communes,
        downloads: downloads(lang, &unit, &here, entrants),
    })
}
