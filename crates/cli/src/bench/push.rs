//! `langso bench push`: many devices push realistic batches, straight into the store and
//! through the real HTTP server on loopback, each on a fresh database with the report
//! aggregates and with the sync core alone (events, tallies, rejections: the aggregates
//! switched off by [`Store::skip_aggregates_for_benchmark`]), all in one run, so the
//! aggregates' cost is a ratio measured under the same load.

use anyhow::{Context, Result, anyhow, bail};
use chrono::{Duration, Utc};
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::{BatchId, DeviceId, EventId, TeamId};
use langso_store::{PushRequest, Store, TeamInfo};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

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
    let store = crate::commands::demo(&dir.join(name), langso_domain::demo::DEFAULT_SEED)?;
    let teams: Vec<TeamInfo> = store
        .teams()?
        .into_iter()
        .filter(|t| t.level == "commune")
        .collect();
    if teams.len() < devices {
        bail!(
            "the demo has {} commune teams; use --devices ≤ that",
            teams.len()
        );
    }
    Ok((store, teams.into_iter().take(devices).collect()))
}

/// The shape of one benchmark run.
#[derive(Clone, Copy)]
struct Shape {
    devices: usize,
    size: usize,
    batches: usize,
    workers: Option<usize>,
}

impl Shape {
    fn total(&self) -> usize {
        self.devices * self.size * self.batches
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
fn store_alone(dir: &Path, name: &str, shape: Shape, core_only: bool) -> Result<f64> {
    let (store, teams) = fresh(dir, name, shape, core_only)?;
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    let mut work = Vec::new();
    for (i, team) in teams.iter().enumerate() {
        let code = store.create_invite(&TeamId::parse(&team.id).context("team id")?, None)?;
        let device = rt.block_on(store.enroll(&code, "bench"))?.device_id;
        work.push((
            device,
            batches_for(team, shape.batches, shape.size, i as u64 + 1),
        ));
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
    let rate = shape.total() as f64 / started.elapsed().as_secs_f64();
    check_stored(&store, shape.total())?;
    Ok(rate)
}

/// What an end-to-end measurement gives: events/s and the sorted push latencies (ms).
struct EndToEnd {
    rate: f64,
    latencies: Vec<f64>,
}

/// Through the real HTTP server on loopback. Leaves the database closed at `dir/name`.
fn end_to_end(dir: &Path, name: &str, shape: Shape, core_only: bool) -> Result<EndToEnd> {
    let (store, teams) = fresh(dir, name, shape, core_only)?;
    let (addr, handle) = super::spawn_loopback_server(&store, shape.workers)?;
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
        let bodies: Vec<String> = batches_for(team, shape.batches, shape.size, i as u64 + 1)
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
                s.spawn(move || push_all(&url, &token, bodies))
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| anyhow!("thread panicked"))??);
        }
        Ok(all)
    })?;
    let rate = shape.total() as f64 / started.elapsed().as_secs_f64();
    actix_web::rt::System::new().block_on(handle.stop(true));
    latencies.sort_by(|a, b| a.total_cmp(b));
    check_stored(&store, shape.total())?;
    Ok(EndToEnd { rate, latencies })
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
    let stored: i64 =
        store.read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))?;
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

pub fn run(devices: usize, size: usize, batches: usize, workers: Option<usize>) -> Result<()> {
    if size == 0 || size > langso_server::MAX_BATCH_EVENTS {
        bail!("--batch must be 1..={}", langso_server::MAX_BATCH_EVENTS);
    }
    let shape = Shape {
        devices,
        size,
        batches,
        workers,
    };
    let dir = tempfile::tempdir()?;
    let total = shape.total();
    eprintln!("preparing: {devices} devices × {batches} batches × {size} events = {total} events");
    // Alternating, so drift on a shared machine hits both sides alike.
    let store_with = store_alone(dir.path(), "store.db", shape, false)?;
    let store_core = store_alone(dir.path(), "store-core.db", shape, true)?;
    let e2e_with = end_to_end(dir.path(), "e2e.db", shape, false)?;
    let e2e_core = end_to_end(dir.path(), "e2e-core.db", shape, true)?;
    let verified = [
        verify_reopened(&dir.path().join("e2e.db"))?,
        verify_reopened(&dir.path().join("e2e-core.db"))?,
    ];

    outln!(
        "langso bench push: {devices} devices × {batches} batches × {size} events ({total} events), durable commits (WAL, synchronous=FULL)"
    );
    outln!("                          with aggregates   sync core alone   aggregates / core");
    outln!(
        "store alone (events/s):   {store_with:>15.0}   {store_core:>15.0}   {:>17.2}",
        store_with / store_core
    );
    outln!(
        "end to end over HTTP:     {:>15.0}   {:>15.0}   {:>17.2}",
        e2e_with.rate,
        e2e_core.rate,
        e2e_with.rate / e2e_core.rate
    );
    outln!(
        "ratio end-to-end / store: {:>15.2}   {:>15.2}",
        e2e_with.rate / store_with,
        e2e_core.rate / store_core
    );
    for (label, e) in [
        ("with aggregates", &e2e_with),
        ("sync core alone", &e2e_core),
    ] {
        let l = &e.latencies;
        outln!(
            "push latency, {label}: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms  ({} pushes)",
            percentile(l, 0.50),
            percentile(l, 0.99),
            l.last().copied().unwrap_or_default(),
            l.len()
        );
    }
    let ok = |b: bool| if b { "ok" } else { "MISMATCH" };
    outln!(
        "check: {total} events stored in each database; verify: with aggregates {}, core alone (aggregates rebuilt on reopen) {}",
        ok(verified[0]),
        ok(verified[1])
    );
    if verified.contains(&false) {
        bail!("the benchmark's data is not all there");
    }
    Ok(())
}
