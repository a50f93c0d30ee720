//! One simulated device's life: enrolment and the week's records, the mid-week syncs, the
//! evening sync (killed and resumed if its plan says so), and what it holds at the end.

use super::plan::DevicePlan;
use super::{World, check};
use anyhow::{Result, anyhow};
use langso_client::{Engine, Error, NewEvent, Point};
use langso_domain::EventId;
use langso_domain::audit::Actor;
use langso_domain::time::vn_offset;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Records planned events `from..to` on the device, whose clock is `skew` off; returns
/// their ids (by plan index).
pub fn record(
    engine: &mut Engine,
    plan: &DevicePlan,
    ids: &mut Vec<EventId>,
    to: usize,
    skew: chrono::Duration,
) -> Result<()> {
    for e in &plan.events[ids.len()..to] {
        let recorded = engine.record(NewEvent {
            kind: e.kind.clone(),
            village: e.village.clone(),
            count: e.count,
            note: e.note.clone(),
            corrects: e.corrects.map(|i| ids[i]),
            occurred_at: Some((e.at + skew).with_timezone(&vn_offset())),
        })?;
        ids.push(recorded.event_id);
    }
    Ok(())
}

/// Enrolls the device, records its week, and syncs the early part mid-week.
pub fn setup(w: &World, plan: &DevicePlan) -> Result<Vec<EventId>> {
    let code = w
        .store
        .create_invite(&Actor::operator(), &plan.team, Some(&plan.member))?;
    let mut engine = Engine::open(&w.outbox(plan.index), w.config(plan))?;
    let name = format!("{}{}", langso_store::SIMULATED_DEVICE_PREFIX, plan.index);
    engine.enroll(&w.server, &code, &name)?;
    let mut ids = Vec::with_capacity(plan.events.len());
    record(&mut engine, plan, &mut ids, plan.early, plan.skew)?;
    if plan.early > 0 {
        sync_until_done(&mut engine, 5)?;
    }
    let late = plan.late_skew();
    if late != plan.skew {
        // The clock changed after the last answer, before the rest was recorded: only the
        // boot clock tells the engine the offset at record time.
        drop(engine);
        let mut config = w.config(plan);
        config.clock_offset = late;
        engine = Engine::open(&w.outbox(plan.index), config)?;
    }
    record(&mut engine, plan, &mut ids, plan.events.len(), late)?;
    Ok(ids)
}

pub fn sync_until_done(engine: &mut Engine, tries: usize) -> Result<langso_client::SyncReport> {
    let mut last = None;
    for _ in 0..tries {
        match engine.sync() {
            Ok(r) => return Ok(r),
            Err(e @ Error::Unreachable { .. }) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last.map_or_else(|| anyhow!("no sync attempt"), Into::into))
}

#[derive(Default)]
pub struct Burst {
    pub seconds: f64,
    pub push_ms: Vec<f64>,
    pub killed: bool,
    pub error: Option<String>,
}

/// The evening sync of one device, killed and resumed if its plan says so.
pub fn evening(w: &World, plan: &DevicePlan, proxy: &str) -> Burst {
    let started = Instant::now();
    let mut out = Burst::default();
    let path = w.outbox(plan.index);
    let mut config = w.config(plan);
    config.clock_offset = plan.push_skew();
    if let Some((at, n)) = plan.kill {
        let seen = Arc::new(AtomicUsize::new(0));
        config.interrupt = Some(Arc::new(move |p: Point| {
            p == at && seen.fetch_add(1, Ordering::SeqCst) + 1 == n
        }));
    }
    let mut run = || -> Result<()> {
        let mut engine = Engine::open(&path, config.clone())?;
        if plan.faulty {
            engine.set_server(proxy)?;
        }
        let report = match engine.sync() {
            Err(Error::Interrupted) => {
                // The app died mid-sync; the phone restarts it later, from its file.
                out.killed = true;
                drop(engine);
                let mut config = w.config(plan);
                config.clock_offset = plan.push_skew();
                let mut engine = Engine::open(&path, config)?;
                sync_until_done(&mut engine, 5)?
            }
            Err(Error::Unreachable { .. }) => sync_until_done(&mut engine, 5)?,
            other => other?,
        };
        out.push_ms = report
            .push_latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        Ok(())
    };
    if let Err(e) = run() {
        out.error = Some(format!("device {}: {e:#}", plan.index));
    }
    out.seconds = started.elapsed().as_secs_f64();
    out
}

pub fn end_of(w: &World, plan: &DevicePlan, ids: &[EventId]) -> Result<check::DeviceEnd> {
    let engine = Engine::open(&w.outbox(plan.index), w.config(plan))?;
    let device_id = engine
        .status()?
        .device_id
        .ok_or_else(|| anyhow!("device {} never enrolled", plan.index))?;
    let planned_invalid: HashSet<String> = plan
        .events
        .iter()
        .zip(ids)
        .filter(|(e, _)| e.invalid.is_some())
        .map(|(_, id)| id.to_string())
        .collect();
    Ok(check::DeviceEnd {
        device_id,
        recorded: ids.len(),
        planned_invalid,
        events: engine.events()?,
    })
}
