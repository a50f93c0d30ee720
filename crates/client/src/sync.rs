//! `sync()`: the engine's state machine.
//!
//! ```text
//! TOKEN ─▶ PUSH (batches, seq order) ─▶ PRUNE ─▶ PULL (pages from the cursor) ─▶ DONE
//!              ▲                                     │
//!              └──── generation changed: requeue ◀───┘ (at most 3 rounds)
//! ```
//!
//! Each step commits its outcome in one local transaction before the next request, so a
//! sync killed anywhere resumes from the last committed step; pushes are idempotent, so a
//! step repeated after a lost answer costs only a `duplicate`.

use crate::config::Point;
use crate::engine::{Engine, device_clock, rfc3339};
use crate::error::{Error, Result};
use crate::events::{self, EventState};
use crate::http::{Method, Stats};
use crate::outbox::State;
use crate::reference;
use crate::tokens::parse_time;
use crate::wire::{self, PullAnswer, PushAnswer};
use langso_domain::EventId;
use langso_domain::time::vn_offset;
use serde::Serialize;
use std::time::{Duration, Instant};

/// What one `sync()` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// Events sent (an event resent after a lost answer counts again).
    pub pushed: usize,
    pub batches: usize,
    pub accepted: usize,
    pub duplicate: usize,
    /// Final rejections: answered now, or waiting ones whose retention window ended.
    pub rejected: usize,
    /// Rejections that may stop being true (`unknown_correction_target`): kept and pushed
    /// again at the next sync.
    pub waiting: usize,
    pub conflict: usize,
    /// Reference changes applied.
    pub pulled: usize,
    /// Acknowledged events deleted after the retention window.
    pub pruned: usize,
    pub refreshed: bool,
    /// The server was restored from a backup: held events were pushed again.
    pub generation_changed: bool,
    pub requeued: usize,
    /// Events still waiting after this sync (0 unless some arrived meanwhile).
    pub queued: usize,
    pub requests: u32,
    pub retries: u32,
    pub waited_ms: u128,
    pub elapsed_ms: u128,
    /// Round trip of each push request (the attempt that got the answer).
    #[serde(skip)]
    pub push_latencies: Vec<Duration>,
}

enum Pulled {
    Done,
    Restored,
}

/// Whether an answer shows the server's database was replaced by an older copy since the
/// last answer: another generation (any `langso restore`), or this device's
/// `acked_through_seq` lower than it was (a copy put in place by hand, which keeps the
/// generation). Either way every held event goes up again and reference data is pulled
/// from scratch.
fn server_restored(s: &State, generation: &str, acked_through_seq: i64) -> bool {
    let other = s.generation.as_ref().is_some_and(|g| g != generation);
    other || acked_through_seq < s.acked_seq
}

/// Percent-encodes a cursor for a query string (it is opaque: trust nothing about it).
fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Engine {
    /// Pushes everything queued, then pulls reference changes. Any error leaves the outbox
    /// consistent and the next call resumes; nothing queued is ever dropped.
    pub fn sync(&mut self) -> Result<SyncReport> {
        let started = Instant::now();
        let mut report = SyncReport::default();
        let mut stats = Stats::default();
        let result = self.sync_rounds(&mut report, &mut stats);
        report.requests = stats.requests;
        report.retries = stats.retries;
        report.waited_ms = stats.waited.as_millis();
        report.elapsed_ms = started.elapsed().as_millis();
        result?;
        report.queued = self.status()?.queued;
        Ok(report)
    }

    fn sync_rounds(&mut self, report: &mut SyncReport, stats: &mut Stats) -> Result<()> {
        let device = self.state.device_id.clone().ok_or(Error::NotEnrolled)?;
        let (now, retention) = (self.server_now(), self.config.retention);
        report.rejected += self.transact(|tx, _| {
            let (now, retention) = (now.timestamp_millis(), retention.num_milliseconds());
            events::retry_waiting(tx, &device, now, retention)
        })?;
        for _ in 0..3 {
            self.push_all(&device, report, stats)?;
            self.prune(&device, report)?;
            if let Pulled::Done = self.pull_all(&device, report, stats)? {
                let now = self.server_now();
                self.transact(|_, s| {
                    s.last_sync = Some(rfc3339(now.with_timezone(&vn_offset())));
                    Ok(())
                })?;
                return Ok(());
            }
        }
        Err(Error::Server {
            status: 200,
            code: "generation_unstable".into(),
            message: "the server's generation kept changing during one sync".into(),
        })
    }

    fn push_all(&mut self, device: &str, report: &mut SyncReport, stats: &mut Stats) -> Result<()> {
        let mut cap = self.config.batch_max_events.clamp(1, 500);
        let max_bytes = self.config.batch_max_bytes.max(4096);
        loop {
            let pending = events::pending(&self.outbox.conn, device, cap)?;
            if pending.is_empty() {
                return Ok(());
            }
            let mut jsons = Vec::with_capacity(pending.len());
            let mut bytes = wire::PUSH_OVERHEAD;
            for e in &pending {
                let j = wire::event_json(e);
                if !jsons.is_empty() && bytes + j.len() + 1 > max_bytes {
                    break;
                }
                bytes += j.len() + 1;
                jsons.push(j);
            }
            let batch_id = uuid::Uuid::now_v7();
            let offset = self.config.clock_offset;
            let generation = self.state.generation.clone();
            let known = generation.as_deref().map(|g| (g, self.state.acked_seq));
            let body = || {
                let clock = rfc3339(device_clock(offset));
                Some(wire::push_body(&batch_id, &clock, known, &jsons))
            };
            let a = self.authed(Method::Post, "/v1/sync/push", &body, stats, report)?;
            match a.status {
                200 => {}
                413 if jsons.len() > 1 => {
                    cap = (jsons.len() / 2).max(1);
                    continue;
                }
                _ => return Err(a.unexpected()),
            }
            self.interrupt(Point::AnswerReceived)?;
            report.batches += 1;
            report.pushed += jsons.len();
            report.push_latencies.push(a.elapsed);
            let answer: PushAnswer = a.json()?;
            if !self.apply_push(device, &answer, report)? {
                return Err(Error::Server {
                    status: 200,
                    code: "no_progress".into(),
                    message: "a push answer settled none of the batch's events".into(),
                });
            }
        }
    }

    /// Applies a push answer in one transaction. Returns whether anything was settled.
    fn apply_push(
        &mut self,
        device: &str,
        a: &PushAnswer,
        report: &mut SyncReport,
    ) -> Result<bool> {
        let server_time = parse_time(&a.server_time).unwrap_or_else(|| self.server_now());
        let observed = self.observe(server_time);
        self.transact(|tx, s| {
            observed.apply(s);
            let restored = a.reset || server_restored(s, &a.generation, a.acked_through_seq);
            if restored {
                report.generation_changed = true;
                report.requeued += events::requeue_for_restore(tx, device)?;
                s.cursor = None;
            }
            s.generation = Some(a.generation.clone());
            let mut settled = false;
            for r in &a.results {
                let (Some(id), Some(state)) =
                    (EventId::parse(&r.event_id), EventState::parse(&r.status))
                else {
                    continue;
                };
                let code = r.code.as_deref();
                let state = match state {
                    EventState::Pending | EventState::Waiting => continue,
                    // Stored under this phone's former enrollment: the same event, counted
                    // once. Servers since issue 7 say so themselves (`duplicate`, code
                    // `stored_under_previous_enrollment`); older ones answered `conflict`.
                    EventState::Conflict if events::carried_stored(tx, &id)? => {
                        EventState::Duplicate
                    }
                    EventState::Rejected if events::waits(tx, &id, code)? => EventState::Waiting,
                    other => other,
                };
                let msg = r.message.as_deref();
                if events::set_result(tx, &id, state, code, msg, r.clock_corrected)? {
                    // Waiting settles it for this sync: it is not pushed again until the next.
                    settled = true;
                    match state {
                        EventState::Accepted => report.accepted += 1,
                        EventState::Duplicate => report.duplicate += 1,
                        EventState::Rejected => report.rejected += 1,
                        EventState::Waiting => report.waiting += 1,
                        EventState::Conflict => report.conflict += 1,
                        EventState::Pending => {}
                    }
                }
            }
            s.acked_seq = a.acked_through_seq;
            events::mark_acked(
                tx,
                device,
                a.acked_through_seq,
                server_time.timestamp_millis(),
            )?;
            Ok(settled || restored)
        })
    }

    fn prune(&mut self, device: &str, report: &mut SyncReport) -> Result<()> {
        if self.state.generation.is_none() {
            return Ok(());
        }
        let (acked, now) = (self.state.acked_seq, self.server_now().timestamp_millis());
        let retention = self.config.retention.num_milliseconds();
        report.pruned += self.transact(|tx, _| events::prune(tx, device, acked, now, retention))?;
        Ok(())
    }

    fn pull_all(
        &mut self,
        device: &str,
        report: &mut SyncReport,
        stats: &mut Stats,
    ) -> Result<Pulled> {
        let mut cursor_refused = false;
        loop {
            let cursor = self.state.cursor.clone();
            let limit = self.config.pull_limit.clamp(1, 1000);
            let path = match &cursor {
                Some(c) => format!("/v1/sync/pull?cursor={}&limit={limit}", query_escape(c)),
                None => format!("/v1/sync/pull?limit={limit}"),
            };
            let a = self.authed(Method::Get, &path, &|| None, stats, report)?;
            if a.status == 400 && a.error().0 == "invalid_cursor" && !cursor_refused {
                // A cursor the server cannot read: start a fresh snapshot.
                cursor_refused = true;
                self.transact(|_, s| {
                    s.cursor = None;
                    Ok(())
                })?;
                continue;
            }
            if a.status != 200 {
                return Err(a.unexpected());
            }
            self.interrupt(Point::AnswerReceived)?;
            let p: PullAnswer = a.json()?;
            let server_time = parse_time(&p.server_time).unwrap_or_else(|| self.server_now());
            let observed = self.observe(server_time);
            let restored = server_restored(&self.state, &p.generation, p.acked_through_seq);
            if restored {
                report.generation_changed = true;
                self.transact(|tx, s| {
                    report.requeued += events::requeue_for_restore(tx, device)?;
                    s.generation = Some(p.generation.clone());
                    s.cursor = None;
                    observed.apply(s);
                    Ok(())
                })?;
                return Ok(Pulled::Restored);
            }
            self.transact(|tx, s| {
                if cursor.is_none() || p.reset {
                    reference::clear(tx)?;
                }
                for c in &p.changes {
                    reference::apply(tx, c)?;
                }
                s.cursor = Some(p.next_cursor.clone());
                s.generation = Some(p.generation.clone());
                s.team_totals = Some(p.team_totals.to_string());
                observed.apply(s);
                s.acked_seq = p.acked_through_seq;
                events::mark_acked(
                    tx,
                    device,
                    p.acked_through_seq,
                    server_time.timestamp_millis(),
                )
            })?;
            report.pulled += p.changes.len();
            if !p.has_more {
                return Ok(Pulled::Done);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_escaped_for_the_query_string() {
        assert_eq!(query_escape("eyJn-_x"), "eyJn-_x");
        assert_eq!(query_escape("a+b/c="), "a%2Bb%2Fc%3D");
    }
}
