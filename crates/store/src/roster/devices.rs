//! A roster that moves a member to another team takes the member's phones along (issue 8,
//! acceptance): from the import on, what those phones record counts for the new team;
//! what they recorded before stays with the team that recorded it, as `move-device` keeps
//! a phone's past with its member by default.
//!
//! An event counts for its device's team (`devices.team_id`, migration 003), so a phone
//! cannot change team in place without taking its past along. The move splits the device
//! row in two: a new row, on the old team and revoked at the move, takes the events the
//! phone stored until then (their team and member unchanged, so every report and `langso
//! verify` agree); the phone's own row (its public id, tokens, acknowledged seq) moves to
//! the new team, its past row naming it (`devices.past_of`, migration 014). Its next pull
//! starts a new snapshot of the new team's data (`pull`, the cursor's team). An event the
//! phone pushes later but placed before the move (its offline queue) is stored under the
//! past row (`push::Device::at`), a correction of its own event where that event is
//! (`push::recording_row`), and a resent one is a plain `duplicate`.

use super::plan::Plan;
use super::state::State;
use crate::Result;
use crate::people::shown_name;
use langso_domain::DeviceId;
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

/// A phone the roster moves with its member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MovedDevice {
    pub device_id: DeviceId,
    /// The device's name as leaders see it (phone numbers masked).
    pub name: String,
    /// The member's roster code.
    pub member_code: String,
    /// The roster codes of the team it leaves and of the team it joins.
    pub from_team: String,
    pub to_team: String,
}

/// The phones (not revoked) of every member the plan moves to another team, in the
/// plan's member order.
pub(super) fn planned(c: &Connection, plan: &Plan, state: &State) -> Result<Vec<MovedDevice>> {
    let mut stmt = c.prepare_cached(
        "SELECT d.device_id, d.name FROM devices d JOIN members m ON m.id = d.member_id
         WHERE d.member_id = ?1 AND d.team_id = m.team_id AND d.revoked_ms IS NULL
         ORDER BY d.enrolled_ms, d.id",
    )?;
    let mut out = Vec::new();
    for (id, row) in &plan.changed_members {
        let Some(from) = state.members.get(&row.code).map(|m| &m.team) else {
            continue;
        };
        if *from == row.team_code {
            continue;
        }
        let rows = stmt.query_map([id], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?))
        })?;
        for r in rows {
            let (device, name) = r?;
            out.push(MovedDevice {
                device_id: DeviceId::from_slice(&device).expect("stored device ids are UUIDs"),
                name: shown_name(name),
                member_code: row.code.clone(),
                from_team: from.clone(),
                to_team: row.team_code.clone(),
            });
        }
    }
    Ok(out)
}

/// Moves each phone to its new team (created by then), its past kept on a revoked row of
/// the old team.
pub(super) fn apply(tx: &Transaction<'_>, moves: &[MovedDevice], now: i64) -> Result<()> {
    for m in moves {
        let id: i64 = tx.query_row(
            "SELECT id FROM devices WHERE device_id = ?1",
            [m.device_id.as_bytes().as_slice()],
            |r| r.get(0),
        )?;
        let past = DeviceId(uuid::Uuid::new_v4());
        tx.execute(
            "INSERT INTO devices (device_id, member_id, team_id, name, enrolled_ms, revoked_ms,
                                  tokens_valid_after, acked_seq, past_of)
             SELECT ?1, member_id, team_id, name, enrolled_ms, ?2, ?2, acked_seq, id
             FROM devices WHERE id = ?3",
            params![past.as_bytes().as_slice(), now, id],
        )?;
        let past_row = tx.last_insert_rowid();
        // Every seq the phone was acknowledged goes with the past; its high-water mark
        // stays with the phone, whose run of processed seqs now spans both rows.
        for table in ["events", "rejections"] {
            tx.execute(
                &format!(
                    "UPDATE {table} SET device_id = ?1 WHERE device_id = ?2
                     AND seq <= (SELECT acked_seq FROM devices WHERE id = ?2)"
                ),
                params![past_row, id],
            )?;
        }
        tx.execute(
            "UPDATE devices SET team_id = (SELECT id FROM teams WHERE code = ?1) WHERE id = ?2",
            params![m.to_team, id],
        )?;
    }
    Ok(())
}
