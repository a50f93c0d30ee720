//! What a revoked device pushes is refused (`403 device_revoked`) but kept for review, within
//! a bound (migration 008): its access token works up to 15 minutes after the revocation,
//! and a phone (or whoever holds the token) may push as fast as it likes until then.
//!
//! - A batch is kept once per (device, `batch_id`): a resend is not stored again (UNIQUE
//!   index, `ON CONFLICT DO NOTHING`).
//! - A device's kept payloads add up to at most [`QUARANTINE_BYTES_PER_DEVICE`]. A batch
//!   that would go beyond it is refused the same way but not stored; `quarantine_overflow`
//!   counts such pushes per device, and the first one is logged (a warning), no later one.
//!
//! Each text field of a kept payload is already cut (`crate::malformed`), so one 1 MiB
//! push keeps about 1 MiB at most.

use crate::Result;
use crate::malformed;
use crate::push::PushJob;
use rusqlite::{OptionalExtension, Transaction, params};

/// The bytes of quarantine one device may fill: 4 MiB, four full pushes or far more
/// ordinary ones, enough to review what a lost or stolen phone sent. Each row counts its
/// payload (UTF-8 JSON) plus [`QUARANTINE_ROW_BYTES`], so empty batches fill it too.
pub const QUARANTINE_BYTES_PER_DEVICE: i64 = 4 * 1024 * 1024;

/// What one kept row costs beyond its payload (key, ids, times, index entries), counted
/// against [`QUARANTINE_BYTES_PER_DEVICE`] (bytes; ~63 measured, rounded up).
pub const QUARANTINE_ROW_BYTES: i64 = 128;

/// Keeps a revoked device's batch for review, unless it is kept already or the device's
/// quarantine is full. Runs in the push's group transaction, after its savepoint was
/// rolled back.
pub(super) fn quarantine(tx: &Transaction<'_>, job: &PushJob) -> Result<()> {
    let batch = job.batch_id.as_bytes().as_slice();
    let device: Option<i64> = tx
        .prepare_cached("SELECT id FROM devices WHERE device_id = ?1")?
        .query_row([job.device.as_bytes().as_slice()], |r| r.get(0))
        .optional()?;
    let Some(device) = device else {
        return Ok(());
    };
    let kept = tx
        .prepare_cached("SELECT 1 FROM quarantine WHERE device_id = ?1 AND batch_id = ?2")?
        .exists(params![device, batch])?;
    if kept {
        return Ok(());
    }
    let payload = payload(job);
    let bytes = i64::try_from(payload.len())
        .unwrap_or(i64::MAX)
        .saturating_add(QUARANTINE_ROW_BYTES);
    let held: i64 = tx
        .prepare_cached("SELECT coalesce(sum(bytes), 0) FROM quarantine WHERE device_id = ?1")?
        .query_row([device], |r| r.get(0))?;
    let received_ms = job.clock.received_at.timestamp_millis();
    if held.saturating_add(bytes) > QUARANTINE_BYTES_PER_DEVICE {
        return overflow(tx, device, job, received_ms, bytes, held);
    }
    tx.prepare_cached(
        "INSERT INTO quarantine (device_id, batch_id, received_ms, payload, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (device_id, batch_id) DO NOTHING",
    )?
    .execute(params![device, batch, received_ms, payload, bytes])?;
    Ok(())
}

/// The batch's items as kept: events and malformed items, text fields cut.
fn payload(job: &PushJob) -> String {
    let items: Vec<serde_json::Value> = job
        .events
        .iter()
        .map(malformed::event_payload)
        .chain(job.malformed.iter().map(malformed::payload))
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// Counts a push refused without being kept; logs the device's first.
fn overflow(
    tx: &Transaction<'_>,
    device: i64,
    job: &PushJob,
    received_ms: i64,
    bytes: i64,
    held: i64,
) -> Result<()> {
    let first: bool = tx
        .prepare_cached(
            "INSERT INTO quarantine_overflow (device_id, first_ms, last_ms, pushes, bytes)
             VALUES (?1, ?2, ?2, 1, ?3)
             ON CONFLICT (device_id) DO UPDATE SET last_ms = excluded.last_ms,
                 pushes = pushes + 1, bytes = bytes + excluded.bytes
             RETURNING pushes = 1",
        )?
        .query_row(params![device, received_ms, bytes], |r| r.get(0))?;
    if first {
        tracing::warn!(
            device = %job.device,
            batch = %job.batch_id,
            held_bytes = held,
            cap_bytes = QUARANTINE_BYTES_PER_DEVICE,
            "a revoked device's quarantine is full: its further batches are refused \
             (403 device_revoked) and not stored; counted in quarantine_overflow"
        );
    }
    Ok(())
}
