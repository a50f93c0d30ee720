//! `langso bench push`: many devices push realistic batches to the real HTTP server on
//! loopback; the store's own ingest rate is measured in the same run as the baseline.

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use clap::Subcommand;
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::{BatchId, DeviceId, EventId, TeamId};
use langso_store::{PushRequest, Store, TeamInfo};
use serde_json::json;
use std::time::Instant;

mod sync;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Concurrent devices pushing batches: events/s and p50/p99 latency, against the store alone.
    Push {
        #[arg(long, default_value_t = 64)]
        devices: usize,
        #[arg(long, default_value_t = 50)]
        batch: usize,
        /// Batches each device pushes.
        #[arg(long, default_value_t = 150)]
        batches: usize,
        /// HTTP worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// One device's queue of recorded events (10,000 by default) synced to a loopback
    /// server through the client engine: the time it takes.
    Sync(sync::SyncArgs),
    /// Reports over the demo data plus a generated history (10M events): a commune's
    /// team leaderboard for a month and a province roll-up for a year, p50/p99.
    Reports(crate::bench_reports::ReportsArgs),
}

pub fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Push {
            devices,
            batch,
            batches,
            workers,
        } => push(devices, batch, batches, workers),
        BenchCommand::Sync(args) => sync::run(args),
        BenchCommand::Reports(args) => crate::bench_reports::run(args),
    }
}

/// Starts the real HTTP server on a free loopback port, in its own thread; stop it with
/// `actix_web::rt::System::new().block_on(handle.stop(true))`.
fn spawn_loopback_server(
    store: &Store,
    workers: Option<usize>,
) -> Result<(std::net::SocketAddr, actix_web::dev::ServerHandle)> {
    let mut config = langso_server::Config {
        listen: "127.0.0.1:0".into(),
        ..Default::default()
    };
    if let Some(w) = workers {
        config.workers = w;
    }
    let s = crate::loopback::spawn(store, config)?;
    Ok((s.addr, s.handle))
}

/// A small deterministic generator, so both runs push the same shape of data.
struct Mix(u64);
impl Mix {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// One device's batches as phones shape them: a few of the team's villages, the last few
/// days, time-ordered (UUIDv7) ids, seqs from 1.
fn batches_for(team: &TeamInfo, n_batches: usize, size: usize, salt: u64) -> Vec<Vec<RawEvent>> {
    let kinds: Vec<String> = langso_domain::kinds::default_catalogue()
        .into_iter()
        .map(|k| k.code)
        .collect();
    let mut mix = Mix(salt);
    let now = Utc::now();
    let villages: Vec<&String> = team.village_ids.iter().take(3).collect();
    let mut seq = 0u64;
    (0..n_batches)
        .map(|_| {
            (0..size)
                .map(|_| {
                    seq += 1;
                    let at = now - Duration::minutes(mix.next(3 * 24 * 60) as i64);
                    RawEvent {
                        event_id: EventId(uuid::Uuid::now_v7()),
                        seq,
                        kind: kinds[mix.next(kinds.len())].clone(),
                        village_id: villages[mix.next(villages.len())].clone(),
                        count: 1 + mix.next(3) as i64,
                        occurred_at: at
                            .with_timezone(&langso_domain::time::vn_offset())
                            .to_rfc3339(),
                        note: None,
                        corrects: None,
                        clock_offset_ms: None,
                    }
                })
                .collect()
        })
        .collect()
}

fn to_json(events: &[RawEvent]) -> String {
    let events: Vec<_> = events
        .iter()
        .map(|e| {
            json!({"event_id": e.event_id, "seq": e.seq, "kind": e.kind, "village_id": e.village_id,
            "count": e.count, "occurred_at": e.occurred_at})
        })
        .collect();
    json!({"batch_id": uuid::Uuid::now_v7(), "device_clock": Utc::now().to_rfc3339(), "events": events})
        .to_string()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn prepare(dir: &std::path::Path, name: &str, devices: usize) -> Result<(Store, Vec<TeamInfo>)> {
    // The demo without its history: what is stored at the end is the benchmark's alone.
    let store = crate::demo::build(
        &dir.join(name),
        langso_domain::demo::DEFAULT_SEED,
        crate::demo::TODAY,
        0,
    )?;
    // Commune teams first (they cover many villages), then village teams.
    let mut teams: Vec<TeamInfo> = store
        .teams()?
        .into_iter()
        .filter(|t| !t.village_ids.is_empty())
        .collect();
    teams.sort_by_key(|t| t.level != "commune");
    if teams.len() < devices {
        bail!("the demo has {} teams; use --devices ≤ that", teams.len());
    }
    Ok((store, teams.into_iter().take(devices).collect()))
}

fn push(devices: usize, size: usize, n_batches: usize, workers: Option<usize>) -> Result<()> {
    if size == 0 || size > langso_server::MAX_BATCH_EVENTS {
        bail!("--batch must be 1..={}", langso_server::MAX_BATCH_EVENTS);
    }
    let dir = tempfile::tempdir()?;
    let total = devices * size * n_batches;
    eprintln!(
        "preparing: {devices} devices × {n_batches} batches × {size} events = {total} events"
    );

    // Baseline: the store alone, same concurrency, same data shape, no HTTP or JSON.
    let (store, teams) = prepare(dir.path(), "store.db", devices)?;
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let mut work = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let code = store.create_invite(&TeamId::parse(&team.id).context("team id")?, None)?;
        let device = rt.block_on(store.enroll(&code, "bench"))?.device_id;
        work.push((device, batches_for(team, n_batches, size, i as u64 + 1)));
    }
    let started = Instant::now();
    let iat = Utc::now().timestamp_millis();
    std::thread::scope(|s| -> Result<()> {
        let handles: Vec<_> = work
            .into_iter()
            .map(|(device, batches): (DeviceId, _)| {
                let store = store.clone();
                s.spawn(move || -> Result<()> {
                    for events in batches {
                        let out = store.push_blocking(PushRequest {
                            device,
                            token_iat_ms: iat,
                            batch_id: BatchId(uuid::Uuid::now_v7()),
                            clock: PushClock {
                                received_at: Utc::now(),
                                offset: Duration::zero(),
                            },
                            events,
                            malformed: Vec::new(),
                        })?;
                        if out
                            .results
                            .iter()
                            .any(|r| r.status != langso_store::EventStatus::Accepted)
                        {
                            bail!("an event was not accepted");
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| anyhow!("thread panicked"))?)
    })?;
    let store_secs = started.elapsed().as_secs_f64();
    let store_rate = total as f64 / store_secs;
    drop(store);

    // End to end: the real HTTP server on loopback.
    let (store, teams) = prepare(dir.path(), "e2e.db", devices)?;
    let (addr, handle) = spawn_loopback_server(&store, workers)?;
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut work = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let code = store.create_invite(&TeamId::parse(&team.id).context("team id")?, None)?;
        let mut res = agent
            .post(&format!("{base}/v1/devices/enroll"))
            .send_json(json!({"code": code, "device_name": "bench"}))?;
        let body: serde_json::Value = res.body_mut().read_json()?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| anyhow!("enroll failed: {body}"))?
            .to_owned();
        let bodies: Vec<String> = batches_for(team, n_batches, size, i as u64 + 1)
            .iter()
            .map(|b| to_json(b))
            .collect();
        work.push((token, bodies));
    }
    let started = Instant::now();
    let mut latencies: Vec<f64> = std::thread::scope(|s| -> Result<Vec<f64>> {
        let handles: Vec<_> = work
            .into_iter()
            .map(|(token, bodies)| {
                let url = format!("{base}/v1/sync/push");
                s.spawn(move || -> Result<Vec<f64>> {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let auth = format!("Bearer {token}");
                    let mut lat = Vec::with_capacity(bodies.len());
                    for body in bodies {
                        let t = Instant::now();
                        let mut res = agent
                            .post(&url)
                            .header("authorization", &auth)
                            .header("content-type", "application/json")
                            .send(body.as_str())?;
                        let text = res.body_mut().read_to_string()?;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                        if res.status() != 200
                            || text.contains("\"rejected\"")
                            || text.contains("\"conflict\"")
                        {
                            bail!("push failed: {} {text}", res.status());
                        }
                    }
                    Ok(lat)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| anyhow!("thread panicked"))??);
        }
        Ok(all)
    })?;
    let e2e_secs = started.elapsed().as_secs_f64();
    let e2e_rate = total as f64 / e2e_secs;
    actix_web::rt::System::new().block_on(handle.stop(true));
    latencies.sort_by(|a, b| a.total_cmp(b));
    let diffs = store.verify()?;
    let stored: i64 =
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))?;

    outln!(
        "langso bench push: {devices} devices × {n_batches} batches × {size} events ({total} events), durable commits (WAL, synchronous=FULL)"
    );
    outln!("store alone (baseline):   {store_rate:>10.0} events/s  ({store_secs:.2} s)");
    outln!("end to end over HTTP:     {e2e_rate:>10.0} events/s  ({e2e_secs:.2} s)");
    outln!("ratio end-to-end / store: {:>10.2}", e2e_rate / store_rate);
    outln!(
        "push latency:             p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms  ({} pushes)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        latencies.len()
    );
    outln!(
        "check: {stored} events stored (expected {total}), verify: {}",
        if diffs.is_empty() { "ok" } else { "MISMATCH" }
    );
    if stored as usize != total || !diffs.is_empty() {
        bail!("the benchmark's data is not all there");
    }
    Ok(())
}
