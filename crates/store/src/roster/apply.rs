//! Applies a planned roster import inside the writer's transaction.

use super::plan::Plan;
use super::state::State;
use crate::reference::{cover, log_change, uncover};
use crate::{Result, now_ms};
use langso_domain::{MemberId, TeamId, VillageId};
use rusqlite::{Transaction, params};
use std::collections::BTreeSet;

/// The number after the prefix of the highest public id in `table.column`, plus one.
fn next_number(tx: &Transaction<'_>, table: &str, column: &str) -> Result<usize> {
    let n: i64 = tx.query_row(
        &format!("SELECT coalesce(max(CAST(substr({column}, 2) AS INTEGER)), 0) + 1 FROM {table}"),
        [],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

fn id_by_code(tx: &Transaction<'_>, table: &str, code: &str) -> Result<i64> {
    Ok(tx
        .prepare_cached(&format!("SELECT id FROM {table} WHERE code = ?1"))?
        .query_row([code], |r| r.get(0))?)
}

pub(super) fn apply(tx: &Transaction<'_>, plan: &Plan, state: &State) -> Result<()> {
    let now = now_ms();
    let touched = villages(tx, plan, state)?;
    teams(tx, plan)?;
    coverage(tx, plan, now)?;
    // Phones of the teams covering a village whose data changed pull it again.
    let mut covering = tx.prepare("SELECT team_id FROM team_villages WHERE village_id = ?1")?;
    for (village, public) in &touched {
        let teams: Vec<i64> = covering
            .query_map([village], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for t in teams {
            log_change(tx, "village", public, "upsert", Some(t))?;
        }
    }
    members(tx, plan)
}

/// Creates and updates villages; returns (id, public id) of those whose data changed.
fn villages(tx: &Transaction<'_>, plan: &Plan, state: &State) -> Result<BTreeSet<(i64, String)>> {
    let mut touched = BTreeSet::new();
    let first = next_number(tx, "villages", "village_id")?;
    let mut place = tx.prepare(
        "INSERT INTO village_placements (village_id, version_id, commune_code) VALUES (?1, ?2, ?3)
         ON CONFLICT (version_id, village_id) DO UPDATE SET commune_code = excluded.commune_code",
    )?;
    for (n, v) in (first..).zip(&plan.new_villages) {
        let public = VillageId::from_index(n);
        tx.execute(
            "INSERT INTO villages (village_id, name, population, households, adults, code)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                public.as_str(),
                v.name,
                v.population,
                v.households,
                v.adults,
                v.code
            ],
        )?;
        place.execute(params![
            tx.last_insert_rowid(),
            state.version,
            v.commune_code
        ])?;
    }
    let mut moved_any = false;
    for (id, v, moved) in &plan.changed_villages {
        let public: String = tx.query_row(
            "UPDATE villages SET name = ?2, population = ?3, households = ?4, adults = ?5
             WHERE id = ?1 RETURNING village_id",
            params![id, v.name, v.population, v.households, v.adults],
            |r| r.get(0),
        )?;
        if *moved {
            place.execute(params![id, state.version, v.commune_code])?;
            moved_any = true;
        }
        touched.insert((*id, public));
    }
    if moved_any {
        // Area reports follow where villages sit: refill them from the event log.
        crate::aggregates::rebuild(tx, true)?;
    }
    Ok(touched)
}

fn teams(tx: &Transaction<'_>, plan: &Plan) -> Result<()> {
    let first = next_number(tx, "teams", "team_id")?;
    for (n, (t, level)) in (first..).zip(&plan.new_teams) {
        let public = TeamId::from_index(n);
        tx.execute(
            "INSERT INTO teams (team_id, name, level, commune_code, code) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![public.as_str(), t.name, level.as_str(), t.commune_code, t.code],
        )?;
        log_change(
            tx,
            "team",
            public.as_str(),
            "upsert",
            Some(tx.last_insert_rowid()),
        )?;
    }
    for (id, t, level) in &plan.changed_teams {
        let public: String = tx.query_row(
            "UPDATE teams SET name = ?2, level = ?3, commune_code = ?4 WHERE id = ?1 RETURNING team_id",
            params![id, t.name, level.as_str(), t.commune_code],
            |r| r.get(0),
        )?;
        log_change(tx, "team", &public, "upsert", Some(*id))?;
    }
    Ok(())
}

/// Moves each team's coverage to what the roster says, keeping history.
fn coverage(tx: &Transaction<'_>, plan: &Plan, now: i64) -> Result<()> {
    for (team_code, wanted) in &plan.coverage {
        let (team, public): (i64, String) = tx.query_row(
            "SELECT id, team_id FROM teams WHERE code = ?1",
            [team_code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let current: Vec<(i64, String, String)> = tx
            .prepare_cached(
                "SELECT v.id, v.code, v.village_id FROM team_villages tv
                 JOIN villages v ON v.id = tv.village_id WHERE tv.team_id = ?1",
            )?
            .query_map([team], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (village, code, village_public) in &current {
            if !wanted.contains(code) {
                uncover(tx, team, *village, now)?;
                log_change(tx, "village", village_public, "delete", Some(team))?;
            }
        }
        for code in wanted {
            if !current.iter().any(|(_, c, _)| c == code) {
                let (village, village_public): (i64, String) = tx.query_row(
                    "SELECT id, village_id FROM villages WHERE code = ?1",
                    [code],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                cover(tx, team, village, now)?;
                log_change(tx, "village", &village_public, "upsert", Some(team))?;
            }
        }
        log_change(tx, "team", &public, "upsert", Some(team))?;
    }
    Ok(())
}

fn members(tx: &Transaction<'_>, plan: &Plan) -> Result<()> {
    let first = crate::auth::next_member_id(tx)?;
    let first: usize = first.as_str()[1..].parse().unwrap_or(1);
    for (n, m) in (first..).zip(&plan.new_members) {
        let public = MemberId::from_index(n);
        let team = id_by_code(tx, "teams", &m.team_code)?;
        tx.execute(
            "INSERT INTO members (member_id, team_id, name, role, code, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                public.as_str(),
                team,
                m.name,
                m.role.as_str(),
                m.code,
                m.active
            ],
        )?;
    }
    for (id, m) in &plan.changed_members {
        let team = id_by_code(tx, "teams", &m.team_code)?;
        tx.execute(
            "UPDATE members SET name = ?2, role = ?3, team_id = ?4, active = ?5, unassigned = 0
             WHERE id = ?1",
            params![id, m.name, m.role.as_str(), team, m.active],
        )?;
    }
    let mut off = tx.prepare("UPDATE members SET active = 0 WHERE id = ?1")?;
    for id in &plan.deactivate {
        off.execute([id])?;
    }
    Ok(())
}

/// Loads the default activity catalogue into a database that has none (a province going
/// live on `import-units` and a roster, without `langso demo`); true if it did.
pub(super) fn ensure_catalogue(tx: &Transaction<'_>) -> Result<bool> {
    let n: i64 = tx.query_row("SELECT count(*) FROM kinds", [], |r| r.get(0))?;
    if n > 0 {
        return Ok(false);
    }
    for k in langso_domain::kinds::default_catalogue() {
        crate::catalogue::upsert_kind(tx, &k)?;
        log_change(tx, "kind", &k.code, "upsert", None)?;
    }
    Ok(true)
}
