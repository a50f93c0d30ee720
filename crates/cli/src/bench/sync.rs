//! `langso bench sync`: one device with a long queue (10,000 events: weeks offline) syncs
//! it through the client engine to the real HTTP server on loopback. Figures, not a test.

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use clap::Args;
use langso_client::{Config, Engine, NewEvent};
use langso_domain::audit::Actor;
use langso_domain::time::vn_offset;
use langso_domain::units::Level;
use langso_domain::{KindCode, TeamId, VillageId};
use std::time::Instant;

#[derive(Args)]
pub struct SyncArgs {
    /// Events queued on the device before it syncs.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Runs (each on a fresh database and device); figures for each.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
}

pub fn run(args: SyncArgs) -> Result<()> {
    if args.events == 0 {
        bail!("--events must be at least 1");
    }
    outln!(
        "langso bench sync: one device, {} queued events, durable outbox and server (synchronous=FULL)",
        args.events
    );
    for run in 1..=args.runs.max(1) {
        once(run, args.events, args.workers)?;
    }
    Ok(())
}

fn once(run: usize, n: usize, workers: Option<usize>) -> Result<()> {
    let dir = tempfile::tempdir()?;
    let store = crate::demo::build(
        &dir.path().join("server.db"),
        langso_domain::demo::DEFAULT_SEED,
        crate::demo::TODAY,
        0,
    )?;
    let team = store
        .teams()?
        .into_iter()
        .find(|t| t.level == Level::Commune)
        .ok_or_else(|| anyhow!("no commune team"))?;
    let (addr, handle) = super::spawn_loopback_server(&store, workers)?;
    let code = store.create_invite(
        &Actor::operator(),
        &TeamId::parse(&team.id).context("team id")?,
        None,
    )?;
    let outbox = dir.path().join("device.db");

    // Weeks offline: the queue is recorded first. The first events are recorded durably (an
    // fsync each, as on a phone) to measure record(); the rest without, to save time.
    let durable = n.min(500);
    let mut engine = Engine::open(&outbox, Config::default())?;
    engine.enroll(&format!("http://{addr}"), &code, "bench phone")?;
    let kinds: Vec<KindCode> = langso_domain::kinds::default_catalogue()
        .into_iter()
        .filter_map(|k| KindCode::parse(&k.code))
        .collect();
    let villages: Vec<VillageId> = team
        .village_ids
        .iter()
        .filter_map(|v| VillageId::parse(v))
        .collect();
    let now = Utc::now();
    let event = |i: usize| NewEvent {
        occurred_at: Some(
            (now - Duration::minutes(((n - i) * 30 * 24 * 60 / n) as i64))
                .with_timezone(&vn_offset()),
        ),
        ..NewEvent::new(
            kinds[i % kinds.len()].clone(),
            villages[i % villages.len()].clone(),
            1 + (i % 3) as i64,
        )
    };
    let recording = Instant::now();
    for i in 0..durable {
        engine.record(event(i))?;
    }
    let record_rate = durable as f64 / recording.elapsed().as_secs_f64();
    drop(engine);
    let mut engine = Engine::open(
        &outbox,
        Config {
            durable: false,
            ..Config::default()
        },
    )?;
    for i in durable..n {
        engine.record(event(i))?;
    }
    drop(engine);

    let mut engine = Engine::open(&outbox, Config::default())?;
    let started = Instant::now();
    let report = engine.sync()?;
    let secs = started.elapsed().as_secs_f64();
    actix_web::rt::System::new().block_on(handle.stop(true));

    let stored: i64 = store.event_count()?;
    let mut lat: Vec<f64> = report
        .push_latencies
        .iter()
        .map(|d| d.as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(f64::total_cmp);
    outln!(
        "run {run}: synced {} events in {secs:.3} s ({:.0} events/s): {} batches, push p50 {:.1} ms, max {:.1} ms; then pulled {} changes",
        report.accepted,
        report.accepted as f64 / secs,
        report.batches,
        lat.get(lat.len() / 2).copied().unwrap_or_default(),
        lat.last().copied().unwrap_or_default(),
        report.pulled
    );
    outln!("       (record() with an fsync each, not timed above: {record_rate:.0} events/s)");
    if report.accepted != n
        || stored as usize != n
        || report.queued != 0
        || !store.verify()?.is_empty()
    {
        bail!(
            "not every event arrived once: {} accepted, {stored} stored",
            report.accepted
        );
    }
    Ok(())
}
