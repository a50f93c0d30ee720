//! `langso bench reports`: the demo data plus a generated history (10 million events by
//! default), then the reports leaders wait for at month end, timed: a commune's team
//! leaderboard for a month, a grouping's (former district's), the province's groupings and
//! a province roll-up for a year, among others.

use crate::activity::Activity;
use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::time::vn_day;
use langso_store::{BulkEvent, Entrants, LeaderboardQuery, RankBy, Store, SummaryQuery};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct ReportsArgs {
    /// Events of generated history.
    #[arg(long, default_value_t = 10_000_000)]
    events: u64,
    /// Timed runs of each report.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Keep the database here; if it already holds a history, reuse it (no generation).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Skip `verify` (recomputing every aggregate from the event log) after loading.
    #[arg(long)]
    skip_verify: bool,
}

const CHUNK: usize = 500_000;

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 1).expect("a date")
}

/// Generates and loads the history: `n` events from 2025-10-01 to yesterday, spread over
/// every member's device (see [`crate::activity`]).
fn load_history(store: &Store, n: u64) -> Result<()> {
    let mut activity = Activity::new(store, store.bench_devices()?, 20_221_109)?;
    let today = vn_day(Utc::now());
    let days = (today - first_day()).num_days().max(1) as u64;
    let started = Instant::now();
    let mut loaded = 0u64;
    while loaded < n {
        let size = CHUNK.min((n - loaded) as usize);
        let mut chunk: Vec<BulkEvent> = Vec::with_capacity(size);
        for i in 0..size {
            let at = loaded + i as u64;
            let day = first_day() + Duration::days((at * days / n) as i64);
            let e = activity.event(day, &chunk);
            chunk.push(e);
        }
        loaded += size as u64;
        store.bulk_load(chunk)?;
        eprintln!(
            "loaded {loaded} / {n} events ({:.0} events/s)",
            loaded as f64 / started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// Runs `f` `runs` times after 3 warm-up runs; prints and returns (first, p50, p99) ms.
fn time(name: &str, runs: usize, mut f: impl FnMut() -> Result<usize>) -> Result<(f64, f64, f64)> {
    let t = Instant::now();
    let bytes = f()?;
    let first = t.elapsed().as_secs_f64() * 1000.0;
    for _ in 0..3 {
        f()?;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&ms, 0.5), percentile(&ms, 0.99));
    outln!(
        "{name:<58} first {first:>7.1} ms  p50 {p50:>6.2} ms  p99 {p99:>6.2} ms  max {:>6.2} ms  ({bytes} B JSON)",
        ms.last().copied().unwrap_or_default()
    );
    Ok((first, p50, p99))
}

fn open_or_build(path: &Path, events: u64) -> Result<Store> {
    let fresh = !path.exists();
    let store = if fresh {
        crate::commands::demo(path, langso_domain::demo::DEFAULT_SEED)?
    } else {
        crate::commands::open(path)?
    };
    let stored: i64 = store.event_count()?;
    if fresh || stored == 0 {
        let t = Instant::now();
        load_history(&store, events)?;
        eprintln!("history loaded in {:.0} s", t.elapsed().as_secs_f64());
    } else {
        eprintln!("reusing {} with {stored} events", path.display());
    }
    Ok(store)
}

pub fn run(args: ReportsArgs) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| dir.path().join("reports.db"));
    let store = open_or_build(&path, args.events)?;
    if !args.skip_verify {
        let t = Instant::now();
        let diffs = store.verify()?;
        eprintln!(
            "verify: {} differences ({:.0} s)",
            diffs.len(),
            t.elapsed().as_secs_f64()
        );
        if !diffs.is_empty() {
            bail!(
                "aggregates differ from the event log: {:?}",
                &diffs[..diffs.len().min(5)]
            );
        }
    }
    let langso_store::RowCounts {
        events,
        teams,
        members,
    } = store.row_counts()?;
    // The commune with the most teams (today's map has no districts: below, the grouping,
    // a former district, with the most communes stands in for one).
    let commune = store
        .teams()?
        .iter()
        .map(|t| t.commune_code.clone())
        .fold(
            std::collections::HashMap::<String, usize>::new(),
            |mut m, d| {
                *m.entry(d).or_default() += 1;
                m
            },
        )
        .into_iter()
        .max_by_key(|(code, n)| (*n, std::cmp::Reverse(code.clone())))
        .context("no commune")?;
    let now: DateTime<Utc> = Utc::now();
    let today = vn_day(now);
    let last_month = Period::containing(
        PeriodKind::Month,
        langso_domain::time::month_start(today) - Duration::days(1),
    );
    let year = Period::containing(PeriodKind::Year, today);
    let twelve = Period::custom(
        langso_domain::time::month_start(last_month.from - Duration::days(330)),
        last_month.to,
    )?;
    outln!(
        "langso bench reports: {events} events, {teams} teams, {members} members; {} runs each, after 3 warm-up runs",
        args.runs
    );
    let lb = |scope: UnitRef, of, period| LeaderboardQuery {
        scope,
        of,
        period,
        rank_by: RankBy::Score,
        now,
    };
    let dq = lb(
        UnitRef::new(UnitKind::Commune, commune.0.as_str()),
        Entrants::Teams,
        last_month,
    );
    time(
        &format!(
            "commune {} ({} teams) team leaderboard, {}",
            commune.0,
            commune.1,
            last_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&dq)?)),
    )?;
    let grouping = store
        .groupings(None)?
        .1
        .into_iter()
        .max_by_key(|g| (g.communes.len(), std::cmp::Reverse(g.code.clone())))
        .context("no grouping on the current map (the demo makes the former districts ones)")?;
    let gq = lb(
        UnitRef::new(UnitKind::Grouping, grouping.code.as_str()),
        Entrants::Teams,
        last_month,
    );
    time(
        &format!(
            "grouping {} ({} communes) team leaderboard, {}",
            grouping.code,
            grouping.communes.len(),
            last_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&gq)?)),
    )?;
    // The dashboard's default: this month so far (days, not whole months, are read).
    let this_month = Period::containing(PeriodKind::Month, today);
    let tq = lb(gq.scope.clone(), Entrants::Teams, this_month);
    time(
        &format!(
            "grouping {} team leaderboard, this month ({})",
            grouping.code,
            this_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&tq)?)),
    )?;
    let province = UnitRef::new(UnitKind::Province, "22");
    let mq = lb(province.clone(), Entrants::Communes, this_month);
    time(
        &format!(
            "communes of the province leaderboard, this month ({})",
            this_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&mq)?)),
    )?;
    let pq = lb(province.clone(), Entrants::Groupings, last_month);
    time(
        &format!(
            "groupings of the province leaderboard, {}",
            last_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&pq)?)),
    )?;
    for p in [year, twelve] {
        let q = SummaryQuery {
            unit: province.clone(),
            period: p,
            granularity: None,
            now,
            hierarchy: None,
        };
        time(
            &format!("province roll-up (series, totals, coverage), {}", p.key()),
            args.runs,
            || Ok(json_len(&store.report_summary(&q)?)),
        )?;
    }
    let team = store
        .teams()?
        .into_iter()
        .find(|t| t.commune_code == commune.0)
        .context("a team")?;
    let vq = lb(
        UnitRef::new(UnitKind::Team, team.id.as_str()),
        Entrants::Volunteers,
        last_month,
    );
    time(
        &format!(
            "team {} volunteer leaderboard, {}",
            team.id,
            last_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&vq)?)),
    )?;
    let cq = lb(province.clone(), Entrants::Communes, last_month);
    time(
        &format!("communes of the province leaderboard, {}", last_month.key()),
        args.runs,
        || Ok(json_len(&store.report_leaderboard(&cq)?)),
    )?;
    let yq = lb(province.clone(), Entrants::Communes, year);
    time(
        &format!("communes of the province leaderboard, {}", year.key()),
        args.runs.min(50),
        || Ok(json_len(&store.report_leaderboard(&yq)?)),
    )?;
    let cov = UnitRef::new(UnitKind::Commune, commune.0.as_str());
    time(
        &format!(
            "commune {} per-village coverage, {}",
            commune.0,
            last_month.key()
        ),
        args.runs,
        || Ok(json_len(&store.report_coverage(&cov, &last_month, now)?)),
    )?;
    drop(dir);
    Ok(())
}

/// Serialising to JSON is part of what a leader waits for.
fn json_len<T: serde::Serialize>(v: &T) -> usize {
    serde_json::to_vec(v).map_or(0, |v| v.len())
}
