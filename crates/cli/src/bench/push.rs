//! `langso bench push`: many devices push realistic batches, straight into the store and
//! through the real HTTP server on loopback, each on a fresh database with the report
//! aggregates and with the sync core alone (events, tallies, rejections: the aggregates
//! switched off by [`Store::skip_aggregates_for_benchmark`]), all in one run, so the
//! aggregates' cost is a ratio measured under the same load.

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use clap::Args;
use langso_domain::audit::Actor;
use langso_domain::event::PushClock;
use langso_domain::units::Level;
use langso_domain::{BatchId, DeviceId, TeamId};
use langso_store::{PushRequest, Store, TeamInfo};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

use super::batches::{batches_for, to_json};

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
    teams.sort_by_key(|t| t.level != Level::Commune);
    if teams.len() < devices {
        bail!("the demo has {} teams; use --devices ≤ that", teams.len());
    }
    Ok((store, teams.into_iter().take(devices).collect()))
}

/// `langso bench push` options.
#[derive(Args, Clone, Copy)]
pub struct PushArgs {
    #[arg(long, default_value_t = 64)]
    devices: usize,
    /// Events per push.
    #[arg(long = "batch", default_value_t = 50)]
    size: usize,
    /// Batches each device pushes.
    #[arg(long, default_value_t = 150)]
    batches: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// Rounds, each the four measurements on fresh databases; medians are printed too.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
}

type Shape = PushArgs;

impl PushArgs {
    fn total(&self) -> usize {
        self.devices * self.size * self.batches
    }
}

/// CPU time the store's writer thread has used so far (s), from Linux's per-thread
/// scheduler statistics; None elsewhere. The writer is the ingest bottleneck, so its time
/// per event is the aggregates' cost without the noise of a shared machine.
fn writer_cpu() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        if std::fs::read_to_string(path.join("comm")).ok()?.trim() == "langso-writer" {
            let stat = std::fs::read_to_string(path.join("schedstat")).ok()?;
            ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(ns as f64 / 1e9)
}

/// One measurement: events/s, the writer's CPU µs per event, sorted push latencies (ms;
/// end to end only).
struct Measured {
    rate: f64,
    cpu_us: Option<f64>,
    latencies: Vec<f64>,
}

impl Measured {
    fn new(shape: Shape, secs: f64, cpu_from: Option<f64>, latencies: Vec<f64>) -> Self {
        let total = shape.total() as f64;
        Self {
            rate: total / secs,
            cpu_us: cpu_from
                .zip(writer_cpu())
                .map(|(a, b)| (b - a) * 1e6 / total),
            latencies,
        }
    }
}

/// A fresh demo database for one measurement; `core_only`: aggregates off.
fn fresh(dir: &Path, name: &str, shape: Shape, core_only: bool) -> Result<(Store, Vec<TeamInfo>)> {
    let (store, teams) = prepare(dir, name, shape.devices)?;
    if core_only {
        store.skip_aggregates_for_benchmark()?;
    }
    Ok((store, teams))
}

/// The store alone, same concurrency and data shape, no HTTP or JSON: events/s.
fn store_alone(dir: &Path, name: &str, shape: Shape, core_only: bool) -> Result<Measured> {
    let (store, teams) = fresh(dir, name, shape, core_only)?;
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let mut work = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let code = store.create_invite(
            &Actor::operator(),
            &TeamId::parse(&team.id).context("team id")?,
            None,
        )?;
        let device = rt.block_on(store.enroll(&code, "bench"))?.device_id;
        work.push((
            device,
            batches_for(team, shape.batches, shape.size, i as u64 + 1),
        ));
    }
    let (started, cpu) = (Instant::now(), writer_cpu());
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
    let m = Measured::new(shape, started.elapsed().as_secs_f64(), cpu, Vec::new());
    check_stored(&store, shape.total())?;
    Ok(m)
}

/// Through the real HTTP server on loopback. Leaves the database closed at `dir/name`.
fn end_to_end(dir: &Path, name: &str, shape: Shape, core_only: bool) -> Result<Measured> {
    let (store, teams) = fresh(dir, name, shape, core_only)?;
    let (addr, handle) = super::spawn_loopback_server(&store, shape.workers)?;
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut work = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let code = store.create_invite(
            &Actor::operator(),
            &TeamId::parse(&team.id).context("team id")?,
            None,
        )?;
        let mut res = agent
            .post(&format!("{base}/v1/devices/enroll"))
            .send_json(json!({"code": code, "device_name": "bench"}))?;
        let body: serde_json::Value = res.body_mut().read_json()?;
        let token = body["access_token"]
            .as_str()
            .ok_or_else(|| anyhow!("enroll failed: {body}"))?
            .to_owned();
        let bodies: Vec<String> = batches_for(team, shape.batches, shape.size, i as u64 + 1)
            .iter()
            .map(|b| to_json(b))
            .collect();
        work.push((token, bodies));
    }
    let (started, cpu) = (Instant::now(), writer_cpu());
    let mut latencies: Vec<f64> = std::thread::scope(|s| -> Result<Vec<f64>> {
        let handles: Vec<_> = work
            .into_iter()
            .map(|(token, bodies)| {
                let url = format!("{base}/v1/sync/push");
                s.spawn(move || push_all(&url, &token, bodies))
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| anyhow!("thread panicked"))??);
        }
        Ok(all)
    })?;
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    let m = Measured::new(shape, secs, cpu, latencies);
    actix_web::rt::System::new().block_on(handle.stop(true));
    check_stored(&store, shape.total())?;
    Ok(m)
}

/// One device's pushes, one after another: each one's latency (ms).
fn push_all(url: &str, token: &str, bodies: Vec<String>) -> Result<Vec<f64>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let mut lat = Vec::with_capacity(bodies.len());
    for body in bodies {
        let t = Instant::now();
        let mut res = agent
            .post(url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .send(body.as_str())?;
        let text = res.body_mut().read_to_string()?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        if res.status() != 200 || text.contains("\"rejected\"") || text.contains("\"conflict\"") {
            bail!("push failed: {} {text}", res.status());
        }
    }
    Ok(lat)
}

fn check_stored(store: &Store, total: usize) -> Result<()> {
    let stored = store.event_count()?;
    if stored as usize != total {
        bail!("{stored} events stored, {total} pushed");
    }
    Ok(())
}

/// `verify` on the database at `path`, reopened: for one written without aggregates, the
/// open rebuilds them from the event log first (meta 'aggregates' was removed).
fn verify_reopened(path: &Path) -> Result<bool> {
    Ok(Store::open(path)?.verify()?.is_empty())
}

/// One round: the four measurements, alternating so drift on a shared machine hits both
/// sides alike; then `verify` on both end-to-end databases, reopened.
fn round(dir: &Path, n: usize, shape: Shape) -> Result<[Measured; 4]> {
    let name = |what: &str| format!("{what}-{n}.db");
    let m = [
        store_alone(dir, &name("store"), shape, false)?,
        store_alone(dir, &name("store-core"), shape, true)?,
        end_to_end(dir, &name("e2e"), shape, false)?,
        end_to_end(dir, &name("e2e-core"), shape, true)?,
    ];
    for db in [name("e2e"), name("e2e-core")] {
        if !verify_reopened(&dir.join(&db))? {
            bail!("verify found differences in {db}: the benchmark's data is not all there");
        }
    }
    for db in ["store", "store-core", "e2e", "e2e-core"] {
        let _ = std::fs::remove_file(dir.join(name(db)));
    }
    Ok(m)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A round's figures: store with, store core, their ratio, end to end with, core, ratio,
/// writer CPU µs/event with, core, core/with.
type Figures = [f64; 9];

fn figures([sw, sc, ew, ec, cw, cc]: [f64; 6]) -> Figures {
    [sw, sc, sw / sc, ew, ec, ew / ec, cw, cc, cc / cw]
}

/// A table row (the median row: each column's median, ratios included).
fn row(label: &str, m: &Figures) {
    outln!(
        "{label:<7} {:>9.0} {:>9.0} {:>6.2}   {:>9.0} {:>9.0} {:>6.2}   {:>6.1} {:>6.1} {:>6.2}",
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5],
        m[6],
        m[7],
        m[8]
    );
}

pub fn run(shape: PushArgs) -> Result<()> {
    if shape.size == 0 || shape.size > langso_server::MAX_BATCH_EVENTS {
        bail!("--batch must be 1..={}", langso_server::MAX_BATCH_EVENTS);
    }
    if shape.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let PushArgs {
        devices,
        size,
        batches,
        ..
    } = shape;
    let (dir, total) = (tempfile::tempdir()?, shape.total());
    eprintln!("preparing: {devices} devices × {batches} batches × {size} events = {total} events");
    let mut rows: Vec<Figures> = Vec::new();
    let mut last = None;
    for n in 1..=shape.rounds {
        let m = round(dir.path(), n, shape)?;
        let cpu = |m: &Measured| m.cpu_us.unwrap_or(f64::NAN);
        rows.push(figures([
            m[0].rate,
            m[1].rate,
            m[2].rate,
            m[3].rate,
            cpu(&m[0]),
            cpu(&m[1]),
        ]));
        last = Some(m);
    }
    outln!(
        "langso bench push: {devices} devices × {batches} batches × {size} events ({total} events), durable commits (WAL, synchronous=FULL)"
    );
    outln!("events/s; \"with\": with the report aggregates, \"core\": the sync core alone");
    outln!(
        "        store alone                   end to end over HTTP          writer CPU µs/event (store)"
    );
    outln!(
        "round        with      core  ratio        with      core  ratio     with   core  core/with"
    );
    for (i, r) in rows.iter().enumerate() {
        row(&(i + 1).to_string(), r);
    }
    let med: Figures = std::array::from_fn(|c| median(rows.iter().map(|r| r[c]).collect()));
    row("median", &med);
    outln!(
        "aggregates / core (median of the rounds): store alone {:.2}, end to end {:.2}",
        med[2],
        med[5]
    );
    let last = last.ok_or_else(|| anyhow!("no round ran"))?;
    for (label, m) in [("with aggregates", &last[2]), ("sync core alone", &last[3])] {
        let l = &m.latencies;
        outln!(
            "push latency, {label} (last round): p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms  ({} pushes)",
            percentile(l, 0.50),
            percentile(l, 0.99),
            l.last().copied().unwrap_or_default(),
            l.len()
        );
    }
    outln!(
        "check: {total} events stored in every database; verify ok with aggregates and core alone (aggregates rebuilt on reopen)"
    );
    Ok(())
}
