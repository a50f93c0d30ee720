//! The demo's commune teams (`langso demo`): formed on the map in force, after the switch
//! that made it current, each covering every village placed in its commune.

use crate::reference::{cover, current_version, log_change};
use crate::{Result, Store, StoreError};
use langso_domain::demo::{DemoMember, DemoTeam};
use rusqlite::params;

impl Store {
    /// Adds `teams` (commune teams of the current map) with their `members`; each team
    /// covers every village placed in its commune in the current version, from `from_ms`
    /// (the day the communes formed them). `Invalid` when a team names no commune of the
    /// current version; nothing is changed then.
    pub fn seed_commune_teams(
        &self,
        teams: Vec<DemoTeam>,
        members: Vec<DemoMember>,
        from_ms: i64,
    ) -> Result<()> {
        self.write_blocking(move |tx| {
            let version = current_version(tx)?;
            let mut ins = tx.prepare(
                "INSERT INTO teams (team_id, name, level, commune_code)
                 SELECT ?1, ?2, ?3, code FROM units
                 WHERE version_id = ?5 AND level = 'commune' AND code = ?4",
            )?;
            let mut placed = tx.prepare(
                "SELECT village_id FROM village_placements WHERE version_id = ?1 AND commune_code = ?2
                 ORDER BY village_id",
            )?;
            for t in &teams {
                let n = ins.execute(params![
                    t.id.as_str(),
                    t.name,
                    t.level.as_str(),
                    t.commune_code,
                    version
                ])?;
                if n == 0 {
                    return Err(StoreError::Invalid(format!(
                        "team {}: no commune '{}' in the current map",
                        t.id, t.commune_code
                    )));
                }
                let tid = tx.last_insert_rowid();
                let villages: Vec<i64> = placed
                    .query_map(params![version, t.commune_code], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for v in villages {
                    cover(tx, tid, v, from_ms)?;
                }
                log_change(tx, "team", t.id.as_str(), "upsert", Some(tid))?;
            }
            let mut ins_m = tx.prepare(
                "INSERT INTO members (member_id, team_id, name, role)
                 SELECT ?1, id, ?3, ?4 FROM teams WHERE team_id = ?2",
            )?;
            for m in &members {
                ins_m.execute(params![m.id.as_str(), m.team.as_str(), m.name, m.role])?;
            }
            Ok(())
        })
    }

    /// Whether the database holds any village: the demo is built only into one that holds
    /// none, before it imports or switches anything.
    pub fn has_villages(&self) -> Result<bool> {
        self.read(|c| Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM villages)", [], |r| r.get(0))?))
    }
}
