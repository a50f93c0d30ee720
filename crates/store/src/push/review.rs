//! The review of what a revoked device pushed (issue 9): each kept batch is counted or
//! discarded, once, with a reason.
//!
//! Counting runs the batch's events through the push path itself ([`super::apply_loaded`]),
//! as if the device had not been revoked: the same validation, the same duplicate and
//! conflict rules (counting what was stored already changes nothing), tallies and report
//! aggregates updated in the same transaction as the decision and its audit entry. Events
//! are placed against the time the batch was received, as they would have been then.
//! Malformed items stay rejected and are not replayed.

use super::group::{Deltas, GroupContext};
use super::{EventResult, PushJob, apply_loaded};
use crate::{Result, Store, StoreError, audit, now_ms};
use chrono::{DateTime, Utc};
use langso_domain::audit::Actor;
use langso_domain::event::{PushClock, RawEvent};
use langso_domain::{BatchId, DeviceId, EventId, TeamId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Value, json};

/// A reason is 1 to this many characters (after trimming).
pub const MAX_REASON_CHARS: usize = 500;

/// What the reviewer decided for a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuarantineDecision {
    /// Its events go through the push path and count.
    Count,
    /// Nothing of it counts; it stays on record as discarded.
    Discard,
}

impl QuarantineDecision {
    /// As stored and shown: `counted` or `discarded`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "counted",
            Self::Discard => "discarded",
        }
    }
}

/// One batch a revoked device pushed, kept for review.
#[derive(Clone, Debug)]
pub struct QuarantinedBatch {
    /// The review's handle on the batch (`/v1/quarantine/{id}/…`).
    pub id: i64,
    pub device_id: DeviceId,
    pub batch_id: BatchId,
    pub received_ms: i64,
    /// The items as kept: events (text fields cut) and malformed items.
    pub items: Value,
    /// `counted` or `discarded`; None while awaiting review.
    pub decision: Option<String>,
    pub decided_ms: Option<i64>,
    pub reason: Option<String>,
    /// Who decided: the leader's username, or `operator` / `operator:<os user>` (the CLI).
    pub decided_by: Option<String>,
}

/// A decision and, for a count, each event's result as a push would have answered.
#[derive(Clone, Debug)]
pub struct ReviewOutcome {
    pub batch: QuarantinedBatch,
    pub results: Vec<EventResult>,
}

const COLUMNS: &str = "q.id, d.device_id, q.batch_id, q.received_ms, q.payload, q.decision,
    q.decided_ms, q.reason, q.decided_by";

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<QuarantinedBatch> {
    let bad = |i| rusqlite::Error::InvalidColumnType(i, "uuid".into(), rusqlite::types::Type::Blob);
    let device: Vec<u8> = r.get(1)?;
    let batch: Vec<u8> = r.get(2)?;
    let payload: String = r.get(4)?;
    Ok(QuarantinedBatch {
        id: r.get(0)?,
        device_id: DeviceId::from_slice(&device).ok_or_else(|| bad(1))?,
        batch_id: BatchId::from_slice(&batch).ok_or_else(|| bad(2))?,
        received_ms: r.get(3)?,
        items: serde_json::from_str(&payload).unwrap_or(Value::Array(Vec::new())),
        decision: r.get(5)?,
        decided_ms: r.get(6)?,
        reason: r.get(7)?,
        decided_by: r.get(8)?,
    })
}

fn load_batch(c: &Connection, id: i64) -> Result<Option<QuarantinedBatch>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM quarantine q JOIN devices d ON d.id = q.device_id WHERE q.id = ?1"
    ))?
    .query_row([id], batch_row)
    .optional()?)
}

fn no_batch(id: i64) -> StoreError {
    StoreError::NotFound(format!("no quarantined batch {id}"))
}

/// The reason, trimmed, if it is 1 to [`MAX_REASON_CHARS`] characters without control
/// characters.
fn valid_reason(reason: &str) -> Result<String> {
    let r = langso_domain::text::nfc(reason.trim());
    let n = r.chars().count();
    if n == 0 || n > MAX_REASON_CHARS || r.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "a reason is required: 1 to {MAX_REASON_CHARS} characters, no control characters"
        )));
    }
    Ok(r)
}

/// A kept event back as the phone sent it (text fields as kept); None for a malformed item.
fn raw_event(v: &Value) -> Option<RawEvent> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let id = |k: &str| v.get(k).and_then(Value::as_str).and_then(EventId::parse);
    Some(RawEvent {
        event_id: id("event_id")?,
        seq: v.get("seq")?.as_u64()?,
        kind: text("kind")?,
        village_id: text("village_id")?,
        count: v.get("count")?.as_i64()?,
        occurred_at: text("occurred_at")?,
        note: text("note"),
        corrects: id("corrects"),
        clock_offset_ms: v.get("clock_offset_ms").and_then(Value::as_i64),
    })
}

/// Counts the batch: its events through the push path as if the device were not revoked.
fn count(tx: &Transaction<'_>, b: &QuarantinedBatch) -> Result<Vec<EventResult>> {
    let (id, team_id, acked): (i64, i64, i64) = tx.query_row(
        "SELECT id, team_id, acked_seq FROM devices WHERE device_id = ?1",
        [b.device_id.as_bytes().as_slice()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let received_at = DateTime::<Utc>::from_timestamp_millis(b.received_ms).unwrap_or_default();
    let events = b.items.as_array().map_or(Vec::new(), |items| {
        items.iter().filter_map(raw_event).collect()
    });
    let job = PushJob {
        device: b.device_id,
        token_iat_ms: i64::MAX,
        batch_id: b.batch_id,
        clock: PushClock {
            received_at,
            offset: chrono::Duration::zero(),
        },
        events,
        malformed: Vec::new(),
    };
    let mut ctx = GroupContext::default();
    let mut deltas = Deltas::default();
    let outcome = apply_loaded(tx, &mut ctx, &job, &mut deltas, (id, team_id, acked))?;
    ctx.absorb(deltas);
    ctx.flush_tallies(tx)?;
    Ok(outcome.results)
}

fn tally(results: &[EventResult]) -> Value {
    let n = |s| results.iter().filter(|r| r.status == s).count();
    use super::EventStatus as S;
    json!({
        "accepted": n(S::Accepted), "duplicate": n(S::Duplicate),
        "conflict": n(S::Conflict), "rejected": n(S::Rejected),
    })
}

impl Store {
    /// The batches the devices of `team` pushed while revoked, oldest first, decided or not.
    /// [`StoreError::NotFound`] for a team that does not exist.
    pub fn team_quarantine(&self, team: &TeamId) -> Result<Vec<QuarantinedBatch>> {
        self.read(|c| {
            crate::reference::team_rowid(c, team)?;
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM quarantine q JOIN devices d ON d.id = q.device_id
                 JOIN teams t ON t.id = d.team_id WHERE t.team_id = ?1
                 ORDER BY q.received_ms, q.id"
            ))?;
            let rows = stmt.query_map([team.as_str()], batch_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// The team of the device that pushed quarantined batch `id` (None: no such batch).
    pub fn quarantine_team(&self, id: i64) -> Result<Option<TeamId>> {
        self.read(|c| {
            let team: Option<String> = c
                .prepare_cached(
                    "SELECT t.team_id FROM quarantine q JOIN devices d ON d.id = q.device_id
                     JOIN teams t ON t.id = d.team_id WHERE q.id = ?1",
                )?
                .query_row([id], |r| r.get(0))
                .optional()?;
            Ok(team.and_then(|t| TeamId::parse(&t)))
        })
    }

    /// Decides quarantined batch `id` once, with a required `reason`: counted (its events
    /// through the push path, results returned) or discarded; the actor is shown as who
    /// decided (`operator…` or a username). A decided batch is [`StoreError::Conflict`]
    /// `already_decided`; a missing reason [`StoreError::Invalid`]. Audited as
    /// `quarantine.count` / `quarantine.discard`.
    pub fn decide_quarantine(
        &self,
        actor: &Actor,
        id: i64,
        decision: QuarantineDecision,
        reason: &str,
    ) -> Result<ReviewOutcome> {
        let reason = valid_reason(reason)?;
        let actor = actor.clone();
        self.write_blocking(move |tx| {
            let batch = load_batch(tx, id)?.ok_or_else(|| no_batch(id))?;
            if let Some(d) = &batch.decision {
                return Err(StoreError::Conflict(
                    "already_decided",
                    format!("quarantined batch {id} was already {d}; it is decided once"),
                ));
            }
            let results = match decision {
                QuarantineDecision::Count => count(tx, &batch)?,
                QuarantineDecision::Discard => Vec::new(),
            };
            tx.execute(
                "UPDATE quarantine SET decision = ?1, decided_ms = ?2, reason = ?3, decided_by = ?4
                 WHERE id = ?5 AND decision IS NULL",
                params![decision.as_str(), now_ms(), reason, actor.who, id],
            )?;
            let mut after = json!({"decision": decision.as_str(), "reason": reason,
                                   "batch_id": batch.batch_id});
            if decision == QuarantineDecision::Count {
                after["results"] = tally(&results);
            }
            let action = match decision {
                QuarantineDecision::Count => "quarantine.count",
                QuarantineDecision::Discard => "quarantine.discard",
            };
            let subject = format!("device:{}", batch.device_id);
            audit::append(
                tx,
                &actor,
                action,
                &subject,
                Some(json!({"decision": null})),
                Some(after),
            )?;
            let batch = load_batch(tx, id)?.ok_or_else(|| no_batch(id))?;
            Ok(ReviewOutcome { batch, results })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_trimmed_and_bounded() {
        assert!(valid_reason("   ").is_err());
        assert!(valid_reason("a\u{0}b").is_err());
        assert!(valid_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
        assert_eq!(valid_reason("  phone found ").unwrap(), "phone found");
    }

    #[test]
    fn a_kept_event_reads_back_and_a_malformed_item_does_not() {
        let v = json!({"event_id": "0190a6e0-0000-7000-8000-000000000001", "seq": 3,
            "kind": "vneid_activation", "village_id": "V000001", "count": 2,
            "occurred_at": "2026-11-01T08:00:00+07:00", "note": null, "corrects": null});
        let raw = raw_event(&v).unwrap();
        assert_eq!((raw.seq, raw.count, raw.note), (3, 2, None));
        assert!(raw_event(&json!({"index": 0, "malformed": "{"})).is_none());
    }
}
