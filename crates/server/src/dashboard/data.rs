//! Gathers what one dashboard page shows, from the store's reports, for one leader.

use super::IndexQuery;
use super::chart::Point;
use super::i18n::Lang;
use super::page::{BoardRow, KindTotal, LEADING_TEAMS, UnitOption, View, VillageRow};
use crate::error::ApiError;
use crate::leader::Leader;
use chrono::Utc;
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::time::{FIRST_YEAR, LAST_YEAR, parse_day, vn_day};
use langso_store::{Entrants, LeaderboardQuery, RankBy, Store, SummaryQuery};

/// `kind:id`, as the unit picker sends it.
fn parse_unit(s: &str) -> Option<UnitRef> {
    let (kind, id) = s.split_once(':')?;
    Some(UnitRef::new(UnitKind::parse(kind)?, id))
}

/// What a unit's leaderboard ranks: the level below it. The province ranks its districts,
/// or on a map without districts (since 2025-07-01) its groupings of communes, or its
/// communes while no groupings were imported.
fn entrants_of(kind: UnitKind, has_districts: bool, has_groupings: bool) -> Option<Entrants> {
    match kind {
        UnitKind::Province if has_districts => Some(Entrants::Districts),
        UnitKind::Province if has_groupings => Some(Entrants::Groupings),
        UnitKind::Province => Some(Entrants::Communes),
        UnitKind::Grouping | UnitKind::District => Some(Entrants::Communes),
        UnitKind::Commune => Some(Entrants::Teams),
        UnitKind::Team => Some(Entrants::Volunteers),
        UnitKind::Village => None,
    }
}

fn kind_label(lang: Lang, k: &langso_domain::kinds::ActivityKind) -> String {
    match lang {
        Lang::Vi => k.label_vi.clone(),
        Lang::En => k.label_en.clone(),
    }
}

/// The first `limit` rows of the leaderboard of `of` within `scope`.
fn board_rows(
    store: &Store,
    scope: &UnitRef,
    of: Entrants,
    period: Period,
    limit: usize,
) -> Result<Vec<BoardRow>, ApiError> {
    let lb = store.report_leaderboard(&LeaderboardQuery {
        scope: scope.clone(),
        of,
        period,
        rank_by: RankBy::Score,
        now: Utc::now(),
    })?;
    Ok(lb
        .rows
        .iter()
        .take(limit)
        .map(|e| BoardRow {
            rank: e.rank,
            name: e.name.clone(),
            score: e.score,
            active_members: Some(e.active_members),
            change: e.rank_change,
        })
        .collect())
}

pub fn load(store: &Store, who: &Leader, lang: Lang, q: &IndexQuery) -> Result<View, ApiError> {
    let unit = q
        .unit
        .as_deref()
        .and_then(parse_unit)
        .unwrap_or_else(|| who.scope.clone());
    who.require_within(store, &unit)?;
    let now = Utc::now();
    let period_kind = q
        .period
        .as_deref()
        .and_then(PeriodKind::parse)
        .filter(|k| *k != PeriodKind::Custom)
        .unwrap_or(PeriodKind::Month);
    // An empty date (a cleared date field) means today; any other must be a real day.
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        None => vn_day(now),
        Some(d) => parse_day(d).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_query",
                format!("a date is YYYY-MM-DD with a year from {FIRST_YEAR} to {LAST_YEAR}"),
            )
        })?,
    };
    let period = Period::containing(period_kind, date);
    let summary = store.report_summary(&SummaryQuery {
        unit: unit.clone(),
        period,
        granularity: None,
        now,
        hierarchy: None,
    })?;
    let totals = summary
        .kinds
        .iter()
        .map(|k| {
            let cov = summary.coverage.iter().find(|c| c.kind == k.code);
            KindTotal {
                label: kind_label(lang, k),
                total: summary.totals.get(&k.code).copied().unwrap_or(0),
                target: cov.map(|c| c.target),
                coverage_pct: cov.and_then(|c| c.percent),
                left: cov.map(|c| c.remaining),
            }
        })
        .collect();
    let series = summary
        .series
        .iter()
        .map(|p| Point {
            label: if p.from == p.to {
                p.from.format("%d/%m").to_string()
            } else {
                format!("{}–{}", p.from.format("%d/%m"), p.to.format("%d/%m"))
            },
            value: p.score,
        })
        .collect();
    let units: Vec<UnitOption> = store
        .units_under(&who.scope)?
        .into_iter()
        .map(|n| UnitOption {
            kind: n.unit.kind.as_str().to_owned(),
            id: n.unit.id.clone(),
            name: n.name,
        })
        .collect();
    let has = |k: UnitKind| units.iter().any(|u| u.kind == k.as_str());
    let entrants = entrants_of(unit.kind, has(UnitKind::District), has(UnitKind::Grouping));
    let (board_title, board) = match entrants {
        None => (String::new(), Vec::new()),
        Some(of) => (
            summary.unit.name.clone(),
            board_rows(store, &unit, of, period, usize::MAX)?,
        ),
    };
    // A grouping (a former district) ranks its communes, and its leading teams below.
    let team_board = if unit.kind == UnitKind::Grouping {
        board_rows(store, &unit, Entrants::Teams, period, LEADING_TEAMS)?
    } else {
        Vec::new()
    };
    let (coverage_kinds, villages) = if unit.kind == UnitKind::Province {
        (Vec::new(), Vec::new())
    } else {
        let table = store.report_coverage(&unit, &period, now)?;
        let kinds: Vec<String> = table.kinds.iter().map(|k| kind_label(lang, k)).collect();
        let rows = table
            .rows
            .iter()
            .map(|r| VillageRow {
                name: r.name.clone(),
                population: r.population,
                cells: table
                    .kinds
                    .iter()
                    .map(|k| {
                        r.cells
                            .iter()
                            .find(|c| c.kind == k.code)
                            .and_then(|c| c.percent)
                    })
                    .collect(),
            })
            .collect();
        (kinds, rows)
    };
    let base = format!(
        "unit_kind={}&unit={}&period={}&date={}",
        unit.kind.as_str(),
        unit.id,
        period_kind.as_str(),
        date
    );
    let mut downloads = vec![
        (
            "CSV".to_owned(),
            format!("/v1/reports/summary?{base}&format=csv"),
        ),
        (
            "XLSX".to_owned(),
            format!("/v1/reports/summary?{base}&format=xlsx"),
        ),
    ];
    if unit.kind != UnitKind::Province {
        let t = lang.t();
        downloads.push((
            format!("{} CSV", t.villages_coverage),
            format!("/v1/reports/coverage?{base}&format=csv"),
        ));
    }
    if let Some(of) = entrants {
        let lb = format!(
            "scope_kind={}&scope={}&of={}&period={}&date={}",
            unit.kind.as_str(),
            unit.id,
            of.as_str(),
            period_kind.as_str(),
            date
        );
        let t = lang.t();
        downloads.push((
            format!("{} CSV", t.leaderboard),
            format!("/v1/reports/leaderboard?{lb}&format=csv"),
        ));
        downloads.push((
            format!("{} XLSX", t.leaderboard),
            format!("/v1/reports/leaderboard?{lb}&format=xlsx"),
        ));
        if unit.kind == UnitKind::Grouping {
            // A grouping leader ranks its communes on the page and its teams here.
            let teams = lb.replace("&of=communes&", "&of=teams&");
            downloads.push((
                format!("{} (teams) CSV", t.leaderboard),
                format!("/v1/reports/leaderboard?{teams}&format=csv"),
            ));
        }
    }
    Ok(View {
        lang,
        username: who.username.clone(),
        units,
        unit_kind: unit.kind.as_str().to_owned(),
        unit_id: unit.id.clone(),
        unit_name: summary.unit.name.clone(),
        period: period_kind.as_str().to_owned(),
        date: date.to_string(),
        period_label: summary.period.label.clone(),
        as_of: summary
            .as_of
            .with_timezone(&langso_domain::time::vn_offset())
            .format("%H:%M %d/%m/%Y")
            .to_string(),
        late_events: summary.late.as_ref().map_or(0, |l| l.events),
        score: summary.score,
        totals,
        series,
        board_title,
        board,
        team_board,
        coverage_kinds,
        villages,
        downloads,
    })
}
