//! The outbox's events: recorded, selected for a push batch, updated from push results,
//! pruned once acknowledged and past the retention window.

use crate::error::Result;
use langso_domain::EventId;
use rusqlite::{Connection, Row, Transaction, params};
use serde::Serialize;

/// What the server said about an event (its last word; `Pending` until it said anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventState {
    Pending,
    /// Rejected for a reason that may stop being true (see [`may_wait`]): pushed again at
    /// each later sync until settled otherwise, or final (`Rejected`) once its retention
    /// window is over. Not a problem for the user yet; never blocks the queue.
    Waiting,
    Accepted,
    Duplicate,
    Rejected,
    Conflict,
}

impl EventState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Waiting => "waiting",
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Waiting,
            Self::Accepted,
            Self::Duplicate,
            Self::Rejected,
            Self::Conflict,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Stored on the server (and counted) exactly once.
    pub fn is_stored(self) -> bool {
        matches!(self, Self::Accepted | Self::Duplicate)
    }
}

/// One event the device holds.
#[derive(Clone, Debug, Serialize)]
pub struct HeldEvent {
    pub event_id: EventId,
    pub device_id: String,
    pub seq: u64,
    pub kind: String,
    pub village_id: String,
    pub count: i64,
    pub occurred_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrects: Option<EventId>,
    pub recorded_at: String,
    /// This device's clock minus the server's, ms, as the engine knew it at `record()`
    /// (from the last answer); sent as `clock_offset_ms` so the server can place the event
    /// even if the clock changes before the push. None for events recorded by older engines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_offset_ms: Option<i64>,
    pub state: EventState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub clock_corrected: bool,
    /// Covered by the server's `acked_through_seq`.
    pub acked: bool,
    pub dismissed: bool,
}

const COLUMNS: &str = "event_id, device_id, seq, kind, village_id, count, occurred_at, note, \
    corrects, recorded_at, status, code, message, clock_corrected, acked_ms IS NOT NULL, dismissed, \
    clock_offset_ms";

fn held(r: &Row<'_>) -> rusqlite::Result<HeldEvent> {
    let id = |s: String| EventId::parse(&s);
    Ok(HeldEvent {
        event_id: id(r.get(0)?).unwrap_or(EventId(uuid::Uuid::nil())),
        device_id: r.get(1)?,
        seq: r.get::<_, i64>(2)? as u64,
        kind: r.get(3)?,
        village_id: r.get(4)?,
        count: r.get(5)?,
        occurred_at: r.get(6)?,
        note: r.get(7)?,
        corrects: r.get::<_, Option<String>>(8)?.and_then(id),
        recorded_at: r.get(9)?,
        clock_offset_ms: r.get(16)?,
        state: EventState::parse(&r.get::<_, String>(10)?).unwrap_or(EventState::Pending),
        code: r.get(11)?,
        message: r.get(12)?,
        clock_corrected: r.get(13)?,
        acked: r.get(14)?,
        dismissed: r.get(15)?,
    })
}

pub fn insert(tx: &Transaction<'_>, e: &HeldEvent) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (device_id, seq, event_id, kind, village_id, count, occurred_at,
             note, corrects, recorded_at, clock_offset_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        e.device_id,
        e.seq as i64,
        e.event_id.to_string(),
        e.kind,
        e.village_id,
        e.count,
        e.occurred_at,
        e.note,
        e.corrects.map(|c| c.to_string()),
        e.recorded_at,
        e.clock_offset_ms,
    ])?;
    Ok(())
}

/// The next events to push: pending, of the current enrollment, in seq order.
pub fn pending(conn: &Connection, device: &str, limit: usize) -> Result<Vec<HeldEvent>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE device_id = ?1 AND status = 'pending'
         ORDER BY seq LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![device, limit as i64], held)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn all(conn: &Connection) -> Result<Vec<HeldEvent>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM events ORDER BY id"))?;
    let rows = stmt.query_map([], held)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn one(conn: &Connection, id: &EventId) -> Result<Option<HeldEvent>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM events WHERE event_id = ?1"))?
        .query_row([id.to_string()], held)
        .optional()?)
}

/// Events the user must look at: rejected or conflicting, not dismissed.
pub fn problems(conn: &Connection) -> Result<Vec<HeldEvent>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM events WHERE status IN ('rejected', 'conflict') AND dismissed = 0
         ORDER BY id"
    ))?;
    let rows = stmt.query_map([], held)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (events waiting to go up for `device`, of them `waiting` for the server to be able to
/// judge them, all events held)
pub fn counts(conn: &Connection, device: &str) -> Result<(usize, usize, usize)> {
    let (queued, waiting, held): (i64, i64, i64) = conn.query_row(
        "SELECT coalesce(sum(status = 'pending' AND device_id = ?1), 0),
                coalesce(sum(status = 'waiting' AND device_id = ?1), 0), count(*) FROM events",
        [device],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((queued as usize, waiting as usize, held as usize))
}

/// The rejection codes that may stop being true without the phone changing anything:
/// `unknown_correction_target` (the target is another phone's event not yet pushed, or
/// pushed again after a restore). Every other rejection is final. The server judges a
/// resend with the same `event_id` and `seq` anew (sync protocol §3).
pub fn may_wait(code: Option<&str>) -> bool {
    code == Some("unknown_correction_target")
}

/// Whether the rejection of `id` with `code` should wait rather than be final: a code that
/// may stop being true, unless the correction's target is held here with a final verdict
/// that no later push changes (rejected or conflicting: it will never be stored).
pub fn waits(tx: &Transaction<'_>, id: &EventId, code: Option<&str>) -> Result<bool> {
    if !may_wait(code) {
        return Ok(false);
    }
    let target_dead = tx
        .prepare_cached(
            "SELECT 1 FROM events e JOIN events t ON t.event_id = e.corrects
             WHERE e.event_id = ?1 AND t.status IN ('rejected', 'conflict')",
        )?
        .exists([id.to_string()])?;
    Ok(!target_dead)
}

/// At the start of a sync: waiting events whose retention window is over (acknowledged
/// more than `retention_ms` ago by the server's clock) become final rejections; the others
/// go back to pending, to be pushed again once in this sync. Returns how many became final.
pub fn retry_waiting(
    tx: &Transaction<'_>,
    device: &str,
    server_now_ms: i64,
    retention_ms: i64,
) -> Result<usize> {
    let expired = tx
        .prepare_cached(
            "UPDATE events SET status = 'rejected'
             WHERE device_id = ?1 AND status = 'waiting' AND acked_ms IS NOT NULL
               AND acked_ms <= ?2",
        )?
        .execute(params![device, server_now_ms - retention_ms])?;
    tx.prepare_cached(
        "UPDATE events SET status = 'pending' WHERE device_id = ?1 AND status = 'waiting'",
    )?
    .execute([device])?;
    Ok(expired)
}

/// Records the server's verdict on one pushed event.
pub fn set_result(
    tx: &Transaction<'_>,
    id: &EventId,
    state: EventState,
    code: Option<&str>,
    message: Option<&str>,
    clock_corrected: bool,
) -> Result<bool> {
    let n = tx
        .prepare_cached(
            "UPDATE events SET status = ?2, code = ?3, message = ?4, clock_corrected = ?5
             WHERE event_id = ?1 AND status = 'pending'",
        )?
        .execute(params![
            id.to_string(),
            state.as_str(),
            code,
            message,
            clock_corrected
        ])?;
    Ok(n == 1)
}

/// Stamps, with the server's time, events newly covered by `acked_through_seq`.
pub fn mark_acked(tx: &Transaction<'_>, device: &str, acked: i64, server_ms: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE events SET acked_ms = ?3 WHERE device_id = ?1 AND seq <= ?2 AND acked_ms IS NULL",
    )?
    .execute(params![device, acked, server_ms])?;
    Ok(())
}

/// After a server restore: every event of this enrollment still held goes up again, except
/// conflicts (the protocol says never to resend those). Returns how many.
pub fn requeue_for_restore(tx: &Transaction<'_>, device: &str) -> Result<usize> {
    Ok(tx
        .prepare_cached(
            "UPDATE events SET status = 'pending', code = NULL, message = NULL,
                 clock_corrected = 0, acked_ms = NULL
             WHERE device_id = ?1 AND status IN ('accepted', 'duplicate', 'rejected', 'waiting')",
        )?
        .execute([device])?)
}

/// Deletes what the server acknowledged (seq ≤ `acked`) more than `retention_ms` ago by the
/// server's clock, and is final: stored, or a dismissed rejection. Never anything pending.
pub fn prune(
    tx: &Transaction<'_>,
    device: &str,
    acked: i64,
    server_now_ms: i64,
    retention_ms: i64,
) -> Result<usize> {
    Ok(tx
        .prepare_cached(
            "DELETE FROM events
             WHERE device_id = ?1 AND seq <= ?2 AND acked_ms IS NOT NULL AND acked_ms <= ?3
               AND (status IN ('accepted', 'duplicate') OR (dismissed = 1 AND status <> 'pending'))",
        )?
        .execute(params![device, acked, server_now_ms - retention_ms])?)
}

/// Marks, while it waits, an event carried over from a former enrollment that the server
/// had stored: a `conflict` for it under the new enrollment means "stored under the former
/// one" (the same event, counted once), not different content.
const CARRIED_STORED: &str = "carried_stored";

/// Re-enrollment (issue 7, item 3): every event of a former enrollment the device still
/// holds, except final rejections and conflicts (waiting ones included), moves to the new device with new seqs (the
/// server numbers seqs per device) and goes up again: unanswered ones, and stored ones
/// within the retention window too, in case the server lost them to a restore. Returns the
/// next free seq.
pub fn carry_over(tx: &Transaction<'_>, new_device: &str) -> Result<u64> {
    let rows: Vec<(i64, bool)> = tx
        .prepare(
            "SELECT id, status IN ('accepted', 'duplicate') FROM events
             WHERE device_id <> ?1 AND status IN ('pending', 'waiting', 'accepted', 'duplicate')
             ORDER BY id",
        )?
        .query_map([new_device], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut seq = 0u64;
    for (id, stored) in rows {
        seq += 1;
        tx.execute(
            "UPDATE events SET device_id = ?1, seq = ?2, status = 'pending', message = NULL,
                 code = CASE WHEN ?3 THEN ?4 END, clock_corrected = 0, acked_ms = NULL
             WHERE id = ?5",
            params![new_device, seq as i64, stored, CARRIED_STORED, id],
        )?;
    }
    Ok(seq + 1)
}

/// Whether `id` is a carried-over event the server had stored (see [`carry_over`]).
pub fn carried_stored(conn: &Connection, id: &EventId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM events WHERE event_id = ?1 AND code = ?2")?
        .exists(params![id.to_string(), CARRIED_STORED])?)
}

pub fn dismiss(tx: &Transaction<'_>, id: &EventId) -> Result<bool> {
    Ok(tx.execute(
        "UPDATE events SET dismissed = 1 WHERE event_id = ?1 AND status IN ('rejected', 'conflict')",
        [id.to_string()],
    )? == 1)
}
