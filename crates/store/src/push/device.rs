//! The pushing phone as the writer sees it: its row, its team, and (for a phone a roster
//! moved to another team, crate::roster::devices) its past rows, which keep what it did
//! for the teams it left, including work it queued offline before the move.

use super::Target;
use crate::Result;
use langso_domain::EventId;
use rusqlite::{Transaction, params};

/// The pushing device: its row id and its team's.
pub(crate) struct Device {
    pub(crate) id: i64,
    pub(crate) team_id: i64,
    /// The phone's past rows, one per team a roster moved it from (`devices.past_of`,
    /// crate::roster::devices): (devices.id, team, moved at ms), earliest move first.
    pub(crate) past: Vec<(i64, i64, i64)>,
}

impl Device {
    /// The row (devices.id, team) an event placed at `placed_ms` is recorded under: the
    /// phone's past row for the team it was on then (work queued offline before a roster
    /// moved its member counts for the team it was done for), else its own.
    pub(crate) fn at(&self, placed_ms: i64) -> (i64, i64) {
        self.past
            .iter()
            .find(|(_, _, moved_ms)| placed_ms < *moved_ms)
            .map_or((self.id, self.team_id), |&(id, team, _)| (id, team))
    }

    /// Whether `row` (devices.id) is this phone's: its own row or one of its past rows.
    pub(crate) fn owns(&self, row: i64) -> bool {
        row == self.id || self.past.iter().any(|(id, _, _)| *id == row)
    }
}

/// The past rows of a phone (see [`Device::past`]).
pub(super) fn past_rows(tx: &Transaction<'_>, device: i64) -> Result<Vec<(i64, i64, i64)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, team_id, revoked_ms FROM devices WHERE past_of = ?1 ORDER BY revoked_ms",
    )?;
    let rows = stmt.query_map([device], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The row (devices.id, team) an event is recorded under: a correction of one of the
/// phone's own events where that event is (a phone a roster moved can still correct what
/// it did for its old team), else the row for the time it happened ([`Device::at`]).
pub(super) fn recording_row(dev: &Device, placed_ms: i64, target: Option<&Target>) -> (i64, i64) {
    match target {
        Some(t) if dev.owns(t.device) => (t.device, t.team_id),
        _ => dev.at(placed_ms),
    }
}

/// Whether `seq` of the phone holds a stored event (under its own row or a past row) or a
/// rejection.
pub(super) fn seq_stored(tx: &Transaction<'_>, dev: &Device, seq: i64) -> Result<bool> {
    let mut stmt = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ?1 AND seq = ?2)
             OR EXISTS (SELECT 1 FROM rejections WHERE device_id = ?1 AND seq = ?2)",
    )?;
    for row in std::iter::once(dev.id).chain(dev.past.iter().map(|p| p.0)) {
        if stmt.query_row(params![row, seq], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether another row of a moved phone than `row` (where the event goes) holds `seq` for
/// another event, stored or rejected: the phone's seqs are one run over its rows, so each
/// is used once across them. Never true for a phone that has not moved.
pub(super) fn seq_held_elsewhere(
    tx: &Transaction<'_>,
    dev: &Device,
    row: i64,
    seq: i64,
    event: &EventId,
) -> Result<bool> {
    if dev.past.is_empty() {
        return Ok(false);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM events WHERE device_id = ?1 AND seq = ?2 AND event_id IS NOT ?3)
             OR EXISTS (SELECT 1 FROM rejections WHERE device_id = ?1 AND seq = ?2
                        AND event_id IS NOT ?3)",
    )?;
    let rows = std::iter::once(dev.id).chain(dev.past.iter().map(|p| p.0));
    for other in rows.filter(|r| *r != row) {
        let id = event.as_bytes().as_slice();
        if stmt.query_row(params![other, seq, id], |r| r.get::<_, bool>(0))? {
            return Ok(true);
        }
    }
    Ok(false)
}
