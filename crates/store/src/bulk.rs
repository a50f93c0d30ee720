//! A bulk loader for benchmarks (`langso bench reports`): writes generated history
//! straight into `events` in one big transaction, with every tally and report aggregate
//! maintained by the same code the writer uses for pushes (`GroupContext`). It skips
//! validation and deduplication, so it is for generated data only; `verify` checks the
//! result.

use crate::aggregates::Contribution;
use crate::push::GroupContext;
use crate::{Result, Store, now_ms};
use langso_domain::time::{day_number, vn_day};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

/// A device for generated history: one per member, with its team's villages (rowids).
#[derive(Clone, Debug)]
pub struct BenchDevice {
    pub device: i64,
    pub team: i64,
    pub member: i64,
    pub villages: Vec<i64>,
    /// The device's highest acknowledged seq: generated events go on from the next.
    pub acked_seq: i64,
}

/// One generated event (rowids for device, kind and village).
#[derive(Clone, Debug)]
pub struct BulkEvent {
    pub device: i64,
    pub seq: i64,
    pub kind: i64,
    pub village: i64,
    pub count: i64,
    pub placed_ms: i64,
    pub received_ms: i64,
    /// A correction of the event at this index of the same load (never itself corrected
    /// before, and not a correction).
    pub corrects: Option<usize>,
}

fn day_of(ms: i64) -> i64 {
    day_number(vn_day(
        chrono::DateTime::from_timestamp_millis(ms).expect("a valid time"),
    ))
}

impl Store {
    /// The catalogue's row ids of kinds `codes`, in order (the bulk loader's events name
    /// kinds by row id). `NotFound` for a code not in the catalogue.
    pub fn kind_rowids(&self, codes: &[&str]) -> Result<Vec<i64>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id FROM kinds WHERE code = ?1")?;
            codes
                .iter()
                .map(|code| {
                    stmt.query_row([code], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| crate::StoreError::NotFound(format!("no kind '{code}'")))
                })
                .collect()
        })
    }

    /// How many events the log holds (corrections and superseded versions included).
    pub fn event_count(&self) -> Result<i64> {
        self.read(|c| Ok(c.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?))
    }

    /// One device per member that has none (named "bench"); returns every device.
    pub fn bench_devices(&self) -> Result<Vec<BenchDevice>> {
        self.generated_devices("bench", false)
    }

    /// One device per member that has none, named `name`, followed by the member's row id
    /// when `numbered` (`demo phone 17`: see [`crate::DEMO_DEVICE_PREFIX`]); returns every
    /// device that is not revoked.
    pub fn generated_devices(&self, name: &str, numbered: bool) -> Result<Vec<BenchDevice>> {
        let name = name.to_owned();
        self.write_blocking(move |tx| {
            tx.execute(
                "INSERT INTO devices (device_id, member_id, team_id, name, enrolled_ms)
                 SELECT randomblob(16), m.id, m.team_id,
                        CASE WHEN ?3 THEN ?2 || m.id ELSE ?2 END, ?1 FROM members m
                 WHERE m.id NOT IN (SELECT member_id FROM devices)",
                params![now_ms(), name, numbered],
            )?;
            let mut villages: HashMap<i64, Vec<i64>> = HashMap::new();
            let mut stmt = tx.prepare("SELECT team_id, village_id FROM team_villages")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                villages.entry(r.get(0)?).or_default().push(r.get(1)?);
            }
            let mut stmt = tx.prepare(
                "SELECT d.id, d.team_id, d.member_id, d.acked_seq FROM devices d
                 WHERE d.revoked_ms IS NULL ORDER BY d.id",
            )?;
            let rows = stmt.query_map([], |r| {
                let team = r.get(1)?;
                Ok(BenchDevice {
                    device: r.get(0)?,
                    team,
                    member: r.get(2)?,
                    villages: villages.get(&team).cloned().unwrap_or_default(),
                    acked_seq: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Writes `events` and everything derived from them in one transaction.
    pub fn bulk_load(&self, events: Vec<BulkEvent>) -> Result<()> {
        self.write_blocking(move |tx| {
            let mut ctx = GroupContext::default();
            let batch = uuid::Uuid::now_v7();
            let mut ins = tx.prepare_cached(
                "INSERT INTO events (event_id, device_id, seq, kind_id, village_id, count,
                     occurred_ms, occurred_off, placed_ms, day, received_ms, clock_offset_ms,
                     clock_flag, note, corrects, batch_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 25200, ?7, ?8, ?9, 0, 0, NULL, ?10, ?11)",
            )?;
            let mut supersede =
                tx.prepare_cached("UPDATE events SET superseded_by = ?1 WHERE id = ?2")?;
            let mut rowids = Vec::with_capacity(events.len());
            let mut acked: HashMap<i64, i64> = HashMap::new();
            for e in &events {
                let (day, rday) = (day_of(e.placed_ms), day_of(e.received_ms));
                let target = e.corrects.map(|i| (rowids[i], &events[i]));
                ins.execute(params![
                    uuid::Uuid::now_v7().as_bytes().as_slice(),
                    e.device,
                    e.seq,
                    e.kind,
                    e.village,
                    e.count,
                    e.placed_ms,
                    day,
                    e.received_ms,
                    target.map(|t| t.0),
                    batch.as_bytes().as_slice(),
                ])?;
                let id = tx.last_insert_rowid();
                if let Some((target_id, t)) = target {
                    supersede.execute(params![id, target_id])?;
                    let key = (t.village, day_of(t.placed_ms), t.kind);
                    ctx.record(Contribution::superseded(t.device, key, t.count, rday));
                }
                let key = (e.village, day, e.kind);
                ctx.record(Contribution::stored(e.device, key, e.count, rday));
                rowids.push(id);
                let a = acked.entry(e.device).or_default();
                *a = (*a).max(e.seq);
            }
            ctx.flush_tallies(tx)?;
            let mut ack = tx.prepare_cached(
                "UPDATE devices SET acked_seq = max(acked_seq, ?1) WHERE id = ?2",
            )?;
            for (device, seq) in acked {
                ack.execute(params![seq, device])?;
            }
            Ok(())
        })
    }
}
