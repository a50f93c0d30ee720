//! What every push of one group transaction shares: cached lookups (kinds, villages, team
//! coverage, which devices have rejections) and the group's summed tally and aggregate
//! changes, applied once just before the commit.

use crate::Result;
use crate::aggregates::Contribution;
use langso_domain::{KindCode, VillageId};
use rusqlite::{OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// (village, day, kind) rowids.
pub(super) type TallyKey = (i64, i64, i64);

/// A span of time a team covered a village: from (ms), until (ms, exclusive; `None`: now).
type Span = (i64, Option<i64>);

/// An event placed up to this long after its village left the team, or before the team was
/// given the village, still counts for the team (ms): a phone learns of a move only at its
/// next pull, and work is sometimes recorded from paper days later.
pub const COVERAGE_GRACE_MS: i64 = 7 * 24 * 3600 * 1000;

/// One push's changes, kept apart until its savepoint is released.
#[derive(Default)]
pub(super) struct Deltas {
    tallies: HashMap<TallyKey, i64>,
    derived: Vec<Contribution>,
}

impl Deltas {
    pub(super) fn record(&mut self, c: Contribution) {
        *self.tallies.entry((c.village, c.day, c.kind)).or_default() += c.total;
        self.derived.push(c);
    }
}

/// Lookups and tally changes shared by every push of one group transaction.
#[derive(Default)]
pub(crate) struct GroupContext {
    /// Kind code → its rowid and when it was deactivated (ms), if it is in the catalogue.
    kinds: HashMap<String, Option<(i64, Option<i64>)>>,
    villages: HashMap<String, Option<i64>>,
    /// (team, village) → the spans of time the team covered the village.
    coverage: HashMap<(i64, i64), Vec<Span>>,
    /// Devices known to have rejection rows; for the others the per-event check is skipped.
    has_rejections: HashMap<i64, bool>,
    deltas: HashMap<TallyKey, i64>,
    /// The group's changes for the report aggregates, applied by `flush_tallies`.
    derived: Vec<Contribution>,
    /// Benchmark only (`Store::skip_aggregates_for_benchmark`): the group keeps events,
    /// tallies and rejections and drops its aggregate changes.
    pub(crate) core_only: bool,
}

impl GroupContext {
    /// The kind's rowid if it was active at `placed_ms`: in the catalogue and not
    /// deactivated by then (an event recorded before a deactivation is still accepted).
    pub(super) fn kind(
        &mut self,
        tx: &Transaction<'_>,
        code: &KindCode,
        placed_ms: i64,
    ) -> Result<Option<i64>> {
        let found = match self.kinds.get(code.as_str()) {
            Some(v) => *v,
            None => {
                let v = tx
                    .prepare_cached("SELECT id, deactivated_ms FROM kinds WHERE code = ?1")?
                    .query_row([code.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                self.kinds.insert(code.as_str().to_owned(), v);
                v
            }
        };
        Ok(found
            .filter(|(_, off)| off.is_none_or(|off| placed_ms < off))
            .map(|(id, _)| id))
    }

    pub(super) fn village(&mut self, tx: &Transaction<'_>, v: &VillageId) -> Result<Option<i64>> {
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

    /// Whether the team covered the village at `placed_ms`, give or take
    /// [`COVERAGE_GRACE_MS`] at either end of a span: after it ends, its phones may not have
    /// pulled the move yet; before it starts, paper records or a slow clock may date work a
    /// little before the operator assigned the village. A final rejection would lose that
    /// work, so the grace errs on the side of counting it (once, for the team that did it).
    pub(super) fn covered(
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
            from.saturating_sub(COVERAGE_GRACE_MS) <= placed_ms
                && to.is_none_or(|to| placed_ms < to.saturating_add(COVERAGE_GRACE_MS))
        }))
    }

    pub(super) fn has_rejections(&mut self, tx: &Transaction<'_>, device: i64) -> Result<bool> {
        if let Some(b) = self.has_rejections.get(&device) {
            return Ok(*b);
        }
        let b = tx
            .prepare_cached("SELECT 1 FROM rejections WHERE device_id = ?1 LIMIT 1")?
            .exists([device])?;
        self.has_rejections.insert(device, b);
        Ok(b)
    }

    /// Adds one push's changes, once its savepoint is released.
    pub(super) fn absorb(&mut self, push: Deltas) {
        for (k, d) in push.tallies {
            *self.deltas.entry(k).or_default() += d;
        }
        if !self.core_only {
            self.derived.extend(push.derived);
        }
    }

    /// The device now has rejection rows: later events must check their seq slot.
    pub(super) fn note_rejection(&mut self, device: i64) {
        self.has_rejections.insert(device, true);
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
        if self.core_only {
            return Ok(());
        }
        crate::aggregates::flush(tx, &std::mem::take(&mut self.derived))
    }
}
