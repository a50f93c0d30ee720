//! Applying one push batch inside the writer's transaction.
//!
//! Idempotency lives in the schema: `events.event_id` and `(device_id, seq)` are UNIQUE and
//! the insert is `ON CONFLICT DO NOTHING`; only when nothing was inserted do we read the
//! stored row to tell `duplicate` from `conflict`.

use crate::aggregates::Contribution;
use crate::malformed::{self, Item, MalformedItem};
use crate::resend::reject_or_match;
use crate::{Result, StoreError};
use chrono::{DateTime, Utc};
use langso_domain::event::{PushClock, RawEvent, validate};
use langso_domain::text::quote;
use langso_domain::{DeviceId, EventId, KindCode, Rejection, RejectionCode, VillageId};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::{HashMap, HashSet};

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

type TallyKey = (i64, i64, i64);

/// A span of time a team covered a village: from (ms), until (ms, exclusive; `None`: now).
type Span = (i64, Option<i64>);

/// An event placed up to this long after its village left the team still counts for the
/// team (ms): a phone learns of the move only at its next pull.
pub const COVERAGE_GRACE_MS: i64 = 7 * 24 * 3600 * 1000;

/// One push's changes, kept apart until its savepoint is released.
#[derive(Default)]
struct Deltas {
    tallies: HashMap<TallyKey, i64>,
    derived: Vec<Contribution>,
}

impl Deltas {
    fn record(&mut self, c: Contribution) {
        *self.tallies.entry((c.village, c.day, c.kind)).or_default() += c.total;
        self.derived.push(c);
    }
}

/// Lookups and tally changes shared by every push of one group transaction.
#[derive(Default)]
pub(crate) struct GroupContext {
    kinds: HashMap<String, Option<i64>>,
    villages: HashMap<String, Option<i64>>,
    /// (team, village) → the spans of time the team covered the village.
    coverage: HashMap<(i64, i64), Vec<Span>>,
    /// Devices known to have rejection rows; for the others the per-event check is skipped.
    has_rejections: HashMap<i64, bool>,
    deltas: HashMap<TallyKey, i64>,
    /// The group's changes for the report aggregates, applied by `flush_tallies`.
    derived: Vec<Contribution>,
}

impl GroupContext {
    fn kind(&mut self, tx: &Transaction<'_>, code: &KindCode) -> Result<Option<i64>> {
        if let Some(v) = self.kinds.get(code.as_str()) {
            return Ok(*v);
        }
        let id = tx
            .prepare_cached("SELECT id FROM kinds WHERE code = ?1 AND active = 1")?
            .query_row([code.as_str()], |r| r.get(0))
            .optional()?;
        self.kinds.insert(code.as_str().to_owned(), id);
        Ok(id)
    }

    fn village(&mut self, tx: &Transaction<'_>, v: &VillageId) -> Result<Option<i64>> {
        if let Some(id) = self.villages.get(v.as_str()) {
            return Ok(*id);
        }
        let id = tx
            .prepare_cached("SELECT id FROM villages WHERE village_id = ?1")?
            .query_row([v.as_str()], |r| r.get(0))
            .optional()?;
        self.villages.insert(v.as_str().to_owned(), id);
        Ok(id)
    }

    /// Whether the team covered the village at `placed_ms`, or stopped covering it less
    /// than [`COVERAGE_GRACE_MS`] before (its phones may not have pulled the move yet).
    fn covered(
        &mut self,
        tx: &Transaction<'_>,
        team: i64,
        village: i64,
        placed_ms: i64,
    ) -> Result<bool> {
        let spans = match self.coverage.entry((team, village)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                tx.prepare_cached(
                    "SELECT from_ms, to_ms FROM team_village_history
                     WHERE team_id = ?1 AND village_id = ?2",
                )?
                .query_map([team, village], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?,
            ),
        };
        Ok(spans.iter().any(|(from, to)| {
            *from <= placed_ms
                && to.is_none_or(|to| placed_ms < to.saturating_add(COVERAGE_GRACE_MS))
        }))
    }

    fn has_rejections(&mut self, tx: &Transaction<'_>, device: i64) -> Result<bool> {
        if let Some(b) = self.has_rejections.get(&device) {
            return Ok(*b);
        }
        let b = tx
            .prepare_cached("SELECT 1 FROM rejections WHERE device_id = ?1 LIMIT 1")?
            .exists([device])?;
        self.has_rejections.insert(device, b);
        Ok(b)
    }

    /// Records a change made outside a push (the benchmark's bulk loader).
    pub(crate) fn record(&mut self, c: Contribution) {
        *self.deltas.entry((c.village, c.day, c.kind)).or_default() += c.total;
        self.derived.push(c);
    }

    /// Applies the group's net tally changes: one upsert per (village, day, kind), then the
    /// report aggregates (crate::aggregates).
    pub(crate) fn flush_tallies(&mut self, tx: &Transaction<'_>) -> Result<()> {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO tallies (village_id, day, kind_id, total) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (village_id, day, kind_id) DO UPDATE SET total = total + excluded.total",
        )?;
        for ((village, day, kind), delta) in self.deltas.drain() {
            if delta != 0 {
                stmt.execute(params![village, day, kind, delta])?;
            }
        }
        crate::aggregates::flush(tx, &std::mem::take(&mut self.derived))
    }
}

/// The pushing device: its row id and its team's.
pub(crate) struct Device {
    pub(crate) id: i64,
    pub(crate) team_id: i64,
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
            for (k, d) in deltas.tallies {
                *ctx.deltas.entry(k).or_default() += d;
            }
            ctx.derived.extend(deltas.derived);
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

/// Keeps a revoked device's batch for review instead of dropping it.
fn quarantine(tx: &Transaction<'_>, job: &PushJob) -> Result<()> {
    let payload: Vec<serde_json::Value> = job
        .events
        .iter()
        .map(malformed::event_payload)
        .chain(job.malformed.iter().map(malformed::payload))
        .collect();
    tx.prepare_cached(
        "INSERT INTO quarantine (device_id, batch_id, received_ms, payload)
         SELECT id, ?2, ?3, ?4 FROM devices WHERE device_id = ?1",
    )?
    .execute(params![
        job.device.as_bytes().as_slice(),
        job.batch_id.as_bytes().as_slice(),
        job.clock.received_at.timestamp_millis(),
        serde_json::Value::Array(payload).to_string(),
    ])?;
    Ok(())
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
    let (id, team_id, acked) = load_device(tx, &job.device, job.token_iat_ms)?;
    let dev = Device { id, team_id };
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
            ctx.has_rejections.insert(dev.id, true);
        }
        results.push(result);
    }
    let acked_through_seq = advance_acked(tx, dev.id, acked, &processed)?;
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
    let Some(kind_id) = ctx.kind(tx, &c.kind)? else {
        let msg = format!("unknown kind '{}'", quote(&raw.kind));
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::UnknownKind, msg));
    };
    let Some(village_id) = ctx.village(tx, &c.village)? else {
        let msg = format!("unknown village '{}'", quote(&raw.village_id));
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::UnknownVillage, msg));
    };
    let placed_ms = draft.placed_at.timestamp_millis();
    if !ctx.covered(tx, dev.team_id, village_id, placed_ms)? {
        let msg = format!(
            "village '{}' was not one of this team's villages when the event happened",
            quote(&raw.village_id)
        );
        return reject_or_match(tx, dev, job, raw, Rejection::new(C::VillageNotInTeam, msg));
    }
    let target = match &c.corrects {
        None => None,
        Some(t) => match find_target(tx, t)? {
            None => {
                let msg = format!("correction target {t} is not stored");
                let rej = Rejection::new(C::UnknownCorrectionTarget, msg);
                return reject_or_match(tx, dev, job, raw, rej);
            }
            Some(target) if target.team_id != dev.team_id => {
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
    if seq_taken_by_rejection.is_some_and(|e| e != raw.event_id.as_bytes()) {
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
            dev.id,
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
        deltas.record(Contribution::superseded(t.device, t.key, t.count, rday));
    }
    let key = (village_id, day, kind_id);
    deltas.record(Contribution::stored(dev.id, key, c.count.get(), rday));
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
                    e.count, e.device_id
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
            })
        })
        .optional()?)
}

/// Moves the device's high-water mark over every seq now processed without a gap.
fn advance_acked(
    tx: &Transaction<'_>,
    device: i64,
    acked: i64,
    processed: &HashSet<i64>,
) -> Result<i64> {
    let mut next = acked;
    loop {
        let candidate = next + 1;
        let done = processed.contains(&candidate)
            || tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ?1 AND seq = ?2)
                         OR EXISTS (SELECT 1 FROM rejections WHERE device_id = ?1 AND seq = ?2)",
                )?
                .query_row(params![device, candidate], |r| r.get::<_, bool>(0))?;
        if !done {
            break;
        }
        next = candidate;
    }
    if next != acked {
        tx.prepare_cached("UPDATE devices SET acked_seq = ?1 WHERE id = ?2")?
            .execute(params![next, device])?;
    }
    Ok(next)
}
