//! Applying one push batch inside the writer's transaction.
//!
//! Idempotency lives in the schema: `events.event_id` and `(device_id, seq)` are UNIQUE and
//! the insert is `ON CONFLICT DO NOTHING`; only when nothing was inserted do we read the
//! stored row to tell `duplicate` from `conflict`.

mod device;
mod group;
mod quarantine;
mod review;

use crate::aggregates::Contribution;
use crate::malformed::{self, Item, MalformedItem};
use crate::resend::reject_or_match;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
pub(crate) use device::Device;
use device::{past_rows, recording_row, seq_held_elsewhere, seq_stored};
pub use group::COVERAGE_GRACE_MS;
pub(crate) use group::GroupContext;
use group::{Deltas, TallyKey};
use langso_domain::event::{PushClock, RawEvent, validate};
use langso_domain::text::quote;
use langso_domain::{DeviceId, EventId, Rejection, RejectionCode};
pub use quarantine::QUARANTINE_BYTES_PER_DEVICE;
use quarantine::quarantine;
pub use review::{QuarantineDecision, QuarantinedBatch, ReviewOutcome};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashSet;

/// One batch as the server hands it over, after the JSON was parsed.
#[derive(Clone, Debug)]
pub struct PushRequest {
    pub device: DeviceId,
    /// Issued-at of the access token, ms: tokens issued before a revocation are refused.
    pub token_iat_ms: i64,
    pub batch_id: langso_domain::BatchId,
    pub clock: PushClock,
    /// The batch's well-formed items, in batch order.
    pub events: Vec<RawEvent>,
    /// The items that could not be read as events, sorted by index: each is answered
    /// `rejected` (`malformed_event`) in its place among `events`.
    pub malformed: Vec<MalformedItem>,
}

pub(crate) type PushJob = PushRequest;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Accepted,
    Duplicate,
    Conflict,
    Rejected,
}

/// The answer for one item of a batch; a push's results are in batch order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventResult {
    /// The event's id; None only for a malformed item whose id could not be read.
    pub event_id: Option<EventId>,
    /// Only for a malformed item: its seq, when it could be read.
    pub seq: Option<i64>,
    pub status: EventStatus,
    pub code: Option<&'static str>,
    pub message: Option<String>,
    /// Accepted, but placed by the server-corrected time because the phone's clock was off.
    pub clock_corrected: bool,
}

#[derive(Clone, Debug)]
pub struct PushOutcome {
    pub results: Vec<EventResult>,
    pub acked_through_seq: i64,
    /// The device's `acked_through_seq` before this push: a phone that saw a higher one
    /// was answered by a database since replaced with an older copy.
    pub acked_before: i64,
    pub server_time: DateTime<Utc>,
}

/// Runs one push in a savepoint. The outer `Err` is a storage fault: SQLite may already have
/// rolled the whole transaction back, so the caller must issue no further statement and
/// abandon the group. The inner `Err` is the push's own refusal (a revoked device or token):
/// its savepoint is rolled back and the rest of the group is unaffected.
pub(crate) fn apply_in_savepoint(
    tx: &Transaction<'_>,
    ctx: &mut GroupContext,
    job: &PushJob,
) -> Result<Result<PushOutcome>> {
    tx.execute_batch("SAVEPOINT push")?;
    let mut deltas = Deltas::default();
    match apply(tx, ctx, job, &mut deltas) {
        Ok(outcome) => {
            tx.execute_batch("RELEASE push")?;
            ctx.absorb(deltas);
            Ok(Ok(outcome))
        }
        Err(e) if e.is_refusal() => {
            tx.execute_batch("ROLLBACK TO push; RELEASE push")?;
            if matches!(e, StoreError::DeviceRevoked) {
                quarantine(tx, job)?;
            }
            Ok(Err(e))
        }
        Err(e) => Err(e),
    }
}

/// Loads the device and refuses revoked devices and revoked tokens.
pub(crate) fn load_device(
    conn: &rusqlite::Connection,
    device: &DeviceId,
    token_iat_ms: i64,
) -> Result<(i64, i64, i64)> {
    let row: Option<(i64, i64, Option<i64>, i64, i64)> = conn
        .prepare_cached(
            "SELECT id, team_id, revoked_ms, tokens_valid_after, acked_seq FROM devices
             WHERE device_id = ?1",
        )?
        .query_row([device.as_bytes().as_slice()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    // No row: the database was restored from a backup older than the device's enrollment.
    // The phone refreshes its token, which re-adopts the device (crate::refresh).
    let (id, team_id, revoked, valid_after, acked) = row.ok_or(StoreError::UnknownDevice)?;
    if revoked.is_some() {
        return Err(StoreError::DeviceRevoked);
    }
    if token_iat_ms < valid_after {
        return Err(StoreError::TokensRevoked);
    }
    Ok((id, team_id, acked))
}

fn apply(
    tx: &Transaction<'_>,
    ctx: &mut GroupContext,
    job: &PushJob,
    deltas: &mut Deltas,
) -> Result<PushOutcome> {
    let loaded = load_device(tx, &job.device, job.token_iat_ms)?;
    apply_loaded(tx, ctx, job, deltas, loaded)
}

/// Applies a batch of the device `(id, team_id, acked_seq)`, already loaded and allowed.
fn apply_loaded(
    tx: &Transaction<'_>,
    ctx: &mut GroupContext,
    job: &PushJob,
    deltas: &mut Deltas,
    (id, team_id, acked): (i64, i64, i64),
) -> Result<PushOutcome> {
    let past = past_rows(tx, id)?;
    let dev = Device { id, team_id, past };
    let items = malformed::in_order(&job.events, &job.malformed);
    let mut results = Vec::with_capacity(items.len());
    let mut processed = HashSet::with_capacity(items.len());
    let received_ms = job.clock.received_at.timestamp_millis();
    for item in items {
        let (result, seq) = match item {
            Item::Event(raw) => {
                let result = match validate(raw, &job.clock) {
                    Ok(draft) => insert_valid(tx, ctx, &dev, job, raw, &draft, deltas)?,
                    Err(rej) => reject_or_match(tx, &dev, job, raw, rej)?,
                };
                (result, i64::try_from(raw.seq).ok())
            }
            Item::Malformed(m) => malformed::reject(tx, dev.id, received_ms, m)?,
        };
        if let Some(seq) = seq {
            processed.insert(seq);
        }
        if matches!(result.status, EventStatus::Rejected | EventStatus::Conflict) {
            ctx.note_rejection(dev.id);
        }
        results.push(result);
    }
    let acked_through_seq = advance_acked(tx, &dev, acked, &processed)?;
    Ok(PushOutcome {
        results,
        acked_through_seq,
        acked_before: acked,
        server_time: Utc::now(),
    })
}

struct Target {
    id: i64,
    device: i64,
    team_id: i64,
    superseded: bool,
    key: TallyKey,
    count: i64,
    /// `events.member_id`: who recorded it, when its device has moved on since.
    member: Option<i64>,
}

fn insert_valid(
    tx: &Transaction<'_>,
    ctx: &mut GroupContext,
    dev: &Device,
    job: &PushJob,
    raw: &RawEvent,
    draft: &langso_domain::EventDraft,
    deltas: &mut Deltas,
) -> Result<EventResult> {
    use RejectionCode as C;
    let c = &draft.content;
    let placed_ms = draft.placed_at.timestamp_millis();
    let Some(kind_id) = ctx.kind(tx, &c.kind, placed_ms)? else {
        let msg = format!(
            "unknown kind '{}' (not in the catalogue, or deactivated before the event happened)",
            quote(&raw.kind)
        );
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::UnknownKind, msg));
    };
    let Some(village_id) = ctx.village(tx, &c.village)? else {
        let msg = format!("unknown village '{}'", quote(&raw.village_id));
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::UnknownVillage, msg));
    };
    let found = match &c.corrects {
        Some(t) => find_target(tx, t)?,
        None => None,
    };
    let (row, team) = recording_row(dev, placed_ms, found.as_ref());
    if !ctx.covered(tx, team, village_id, placed_ms)? {
        let msg = format!(
            "village '{}' was not one of this team's villages when the event happened",
            quote(&raw.village_id)
        );
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::VillageNotInTeam, msg));
    }
    let target = match (&c.corrects, found) {
        (None, _) => None,
        (Some(t), found) => match found {
            None => {
                let msg = format!("correction target {t} is not stored");
                let rej = Rejection::new(C::UnknownCorrectionTarget, msg);
                return reject_or_match(tx, dev, job, raw, rej);
            }
            Some(target) if target.team_id != team => {
                let msg = format!("correction target {t} belongs to another team");
                let rej = Rejection::new(C::ForeignCorrectionTarget, msg);
                return reject_or_match(tx, dev, job, raw, rej);
            }
            Some(target) if target.superseded => {
                let msg = format!(
                    "correction target {t} was already corrected; correct the latest correction instead"
                );
                let rej = Rejection::new(C::CorrectionTargetSuperseded, msg);
                return reject_or_match(tx, dev, job, raw, rej);
            }
            Some(target) => Some(target),
        },
    };
    let seq_taken_by_rejection: Option<Vec<u8>> = if ctx.has_rejections(tx, dev.id)? {
        tx.prepare_cached("SELECT event_id FROM rejections WHERE device_id = ?1 AND seq = ?2")?
            .query_row(params![dev.id, c.seq], |r| r.get(0))
            .optional()?
    } else {
        None
    };
    if seq_taken_by_rejection.is_some_and(|e| e != raw.event_id.as_bytes())
        || seq_held_elsewhere(tx, dev, row, c.seq, &raw.event_id)?
    {
        return reject_or_match(tx, dev, job, raw, seq_used(c.seq));
    }
    let day = langso_domain::time::day_number(draft.day);
    let inserted = tx
        .prepare_cached(
            "INSERT INTO events (event_id, device_id, seq, kind_id, village_id, count,
                 occurred_ms, occurred_off, placed_ms, day, received_ms, clock_offset_ms,
                 clock_flag, note, corrects, batch_id, record_offset_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            raw.event_id.as_bytes().as_slice(),
            row,
            c.seq,
            kind_id,
            village_id,
            c.count.get(),
            c.occurred_ms,
            c.occurred_offset_secs,
            placed_ms,
            day,
            job.clock.received_at.timestamp_millis(),
            job.clock.offset.num_milliseconds(),
            draft.clock_corrected,
            c.note,
            target.as_ref().map(|t| t.id),
            job.batch_id.as_bytes().as_slice(),
            raw.clock_offset_ms,
        ])?;
    if inserted == 0 {
        // The event id or the (device, seq) slot is taken: decide which, from the stored row.
        return reject_or_match(tx, dev, job, raw, seq_used(c.seq));
    }
    let new_id = tx.last_insert_rowid();
    let rday = langso_domain::time::day_number(langso_domain::time::vn_day(job.clock.received_at));
    if let Some(t) = target {
        tx.prepare_cached("UPDATE events SET superseded_by = ?1 WHERE id = ?2")?
            .execute(params![new_id, t.id])?;
        deltas
            .record(Contribution::superseded(t.device, t.key, t.count, rday).recorded_by(t.member));
    }
    let key = (village_id, day, kind_id);
    deltas.record(Contribution::stored(row, key, c.count.get(), rday));
    Ok(EventResult {
        event_id: Some(raw.event_id),
        seq: None,
        status: EventStatus::Accepted,
        code: None,
        message: None,
        clock_corrected: draft.clock_corrected,
    })
}

fn seq_used(seq: i64) -> Rejection {
    Rejection::new(
        RejectionCode::SeqAlreadyUsed,
        format!("seq {seq} is already used by another event of this device"),
    )
}

fn find_target(tx: &Transaction<'_>, t: &EventId) -> Result<Option<Target>> {
    Ok(tx
        .prepare_cached(
            "SELECT e.id, d.team_id, e.superseded_by IS NOT NULL, e.village_id, e.day, e.kind_id,
                    e.count, e.device_id, e.member_id
             FROM events e JOIN devices d ON d.id = e.device_id WHERE e.event_id = ?1",
        )?
        .query_row([t.as_bytes().as_slice()], |r| {
            Ok(Target {
                id: r.get(0)?,
                device: r.get(7)?,
                team_id: r.get(1)?,
                superseded: r.get(2)?,
                key: (r.get(3)?, r.get(4)?, r.get(5)?),
                count: r.get(6)?,
                member: r.get(8)?,
            })
        })
        .optional()?)
}

/// Moves the device's high-water mark over every seq now processed without a gap (its
/// events may be stored under its past rows).
fn advance_acked(
    tx: &Transaction<'_>,
    dev: &Device,
    acked: i64,
    processed: &HashSet<i64>,
) -> Result<i64> {
    let mut next = acked;
    while processed.contains(&(next + 1)) || seq_stored(tx, dev, next + 1)? {
        next += 1;
    }
    if next != acked {
        tx.prepare_cached("UPDATE devices SET acked_seq = ?1 WHERE id = ?2")?
            .execute(params![next, dev.id])?;
    }
    Ok(next)
}
