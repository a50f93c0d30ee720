//! Making a hierarchy version current, with history following it, in one transaction:
//! every village placed (successions, provisional places for split communes, the
//! operator's file), teams, leaders and targets carried, the area aggregates re-rolled.
//! Groupings of communes are not carried: a grouping is of one map (its communes are that
//! version's codes), so the new version has only the groupings imported for it, and a
//! grouping leader is listed unless it has one of the leader's code (see `groupings`).

use super::carry::{self, TargetCopy};
use super::plan::{NewPlace, VillagePlan, plan};
use super::{Version, by_key, current, import};
use crate::reference::log_change;
use crate::{Result, Store, StoreError, now_ms};
use langso_domain::audit::Actor;
use langso_domain::map_switch::PlacementRow;
use langso_domain::units::HierarchyVersion;
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use serde::Serialize;
use serde_json::json;

/// What to switch to.
#[derive(Clone, Debug, Default)]
pub struct SwitchRequest {
    /// A version to load first (in the same transaction), as `import-units --current` does.
    pub import: Option<HierarchyVersion>,
    /// The version to make current, by key (YYYY-MM-DD); None: the imported one.
    pub to: Option<String>,
    /// The operator's placements: these villages go exactly there (and stop being
    /// provisional).
    pub placements: Vec<PlacementRow>,
    /// Plan only: report everything and change nothing.
    pub dry_run: bool,
}

/// A village's place in the new version that the operator should look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VillagePlace {
    pub village: String,
    pub name: String,
    /// Its commune in the latest earlier version it had a place in.
    pub from_commune: Option<String>,
    /// Its commune in the new version.
    pub commune: String,
    /// The successors it could have gone to (a split commune); empty otherwise.
    pub choices: Vec<String>,
}

/// A village no place can be found for: the switch refuses while any is left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RefusedVillage {
    pub village: String,
    pub name: String,
    /// The version (key) and commune it was last placed in.
    pub from: String,
    pub commune: String,
    pub reason: String,
}

/// A team, leader or target that named a unit of the old map.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Carried {
    /// "team T00012", "leader lan (district_leader of district 193)", "target commune 06877 vneid_activation".
    pub subject: String,
    /// The old unit code(s).
    pub from: String,
    /// Where it was carried; None: not carried, the operator must decide.
    pub to: Option<String>,
    /// Why not, or what to check.
    pub note: String,
}

/// How many villages a commune of the new version gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommuneCount {
    pub code: String,
    pub name: String,
    pub villages: i64,
}

/// The whole plan of a switch, and whether it was applied.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SwitchPlan {
    /// The version current before (None: none was).
    pub from: Option<String>,
    pub to: String,
    /// True when the switch committed; false for a dry run or a refusal.
    pub applied: bool,
    /// Villages placed in `to` (all of them unless some are refused).
    pub villages: usize,
    /// Villages whose place in `to` this switch sets or changes.
    pub moved: usize,
    /// Every commune of `to`, in code order, with its villages.
    pub communes: Vec<CommuneCount>,
    pub provisional: Vec<VillagePlace>,
    pub by_operator: Vec<VillagePlace>,
    pub refused: Vec<RefusedVillage>,
    pub teams: Vec<Carried>,
    pub leaders: Vec<Carried>,
    pub targets: Vec<Carried>,
}

/// Updates computed alongside the plan.
struct Changes {
    places: Vec<NewPlace>,
    teams: Vec<(i64, String)>,
    leaders: Vec<(i64, String)>,
    targets: Vec<TargetCopy>,
}

fn communes(c: &Connection, to: &Version, places: &[NewPlace]) -> Result<Vec<CommuneCount>> {
    let mut count = std::collections::HashMap::<&str, i64>::new();
    for p in places {
        *count.entry(p.commune.as_str()).or_default() += 1;
    }
    let mut stmt = c.prepare(
        "SELECT code, name FROM units WHERE version_id = ?1 AND level = 'commune' ORDER BY code",
    )?;
    let rows = stmt.query_map([to.id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    rows.map(|r| {
        let (code, name) = r?;
        let villages = count.get(code.as_str()).copied().unwrap_or(0);
        Ok(CommuneCount {
            code,
            name,
            villages,
        })
    })
    .collect()
}

fn make_plan(tx: &Transaction<'_>, req: &SwitchRequest) -> Result<(SwitchPlan, Changes)> {
    if let Some(h) = &req.import {
        import(tx, h)?; // a changed file for a loaded key is refused here
    }
    let key = match (&req.to, &req.import) {
        (Some(k), _) => k.clone(),
        (None, Some(h)) => h.key.clone(),
        (None, None) => return Err(StoreError::Invalid("no version to switch to".into())),
    };
    let to = by_key(tx, &key)?;
    let from = current(tx)?;
    let VillagePlan {
        places,
        provisional,
        by_operator,
        refused,
    } = plan(tx, &to, &req.placements)?;
    let (teams, team_updates) = carry::teams(tx, from.as_ref(), &to, &places)?;
    let ((leaders, leader_updates), (targets, target_copies)) = match &from {
        Some(f) if f.key != to.key => (carry::leaders(tx, f, &to)?, carry::targets(tx, f, &to)?),
        _ => Default::default(),
    };
    let summary = SwitchPlan {
        from: from.map(|v| v.key),
        to: to.key.clone(),
        applied: false,
        villages: places.len(),
        moved: places.iter().filter(|p| p.changed).count(),
        communes: communes(tx, &to, &places)?,
        provisional,
        by_operator,
        refused,
        teams,
        leaders,
        targets,
    };
    let changes = Changes {
        places,
        teams: team_updates,
        leaders: leader_updates,
        targets: target_copies,
    };
    Ok((summary, changes))
}

fn apply(tx: &Transaction<'_>, to: &str, ch: &Changes, progress: &dyn Fn(&str)) -> Result<()> {
    let to = by_key(tx, to)?;
    let version_changes = current(tx)?.is_none_or(|c| c.key != to.key);
    let mut put = tx.prepare(
        "INSERT INTO village_placements (village_id, version_id, commune_code, provisional)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (version_id, village_id)
         DO UPDATE SET commune_code = excluded.commune_code, provisional = excluded.provisional",
    )?;
    for p in ch.places.iter().filter(|p| p.changed) {
        put.execute(params![p.village, to.id, p.commune, p.provisional])?;
    }
    let mut team = tx.prepare("UPDATE teams SET commune_code = ?2 WHERE id = ?1")?;
    for (id, commune) in &ch.teams {
        team.execute(params![id, commune])?;
    }
    let mut user = tx.prepare("UPDATE users SET scope_id = ?2 WHERE id = ?1")?;
    for (id, code) in &ch.leaders {
        user.execute(params![id, code])?;
    }
    let mut target = tx.prepare(
        "INSERT INTO targets (level, hierarchy, unit, kind, basis, value, start_date, due_date, note, updated_ms)
         SELECT level, ?5, ?6, kind, basis, value, start_date, due_date, note, ?7 FROM targets
         WHERE level = ?1 AND hierarchy = ?2 AND unit = ?3 AND kind = ?4",
    )?;
    for t in &ch.targets {
        let (l, h, u, k) = &t.source;
        target.execute(params![l, h, u, k, to.key, t.unit, now_ms()])?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('current_hierarchy', ?1)",
        [&to.key],
    )?;
    log_moves(tx, version_changes, &ch.places)?;
    crate::aggregates::reroll_areas(tx, progress)
}

/// Phones hear of their villages' and teams' new communes on their next pull: every team
/// and covered village when the version changes, else those of moved villages.
fn log_moves(tx: &Transaction<'_>, all: bool, places: &[NewPlace]) -> Result<()> {
    let moved: std::collections::HashSet<i64> = places
        .iter()
        .filter(|p| p.changed)
        .map(|p| p.village)
        .collect();
    let rows: Vec<(i64, String, i64, String)> = tx
        .prepare(
            "SELECT t.id, t.team_id, v.id, v.village_id FROM team_villages tv
             JOIN teams t ON t.id = tv.team_id JOIN villages v ON v.id = tv.village_id
             ORDER BY t.id, v.id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut teams = std::collections::BTreeMap::new();
    for (tid, team, _, village) in rows.iter().filter(|r| all || moved.contains(&r.2)) {
        log_change(tx, "village", village, "upsert", Some(*tid))?;
        teams.insert(*tid, team.clone());
    }
    for (tid, team) in teams {
        log_change(tx, "team", &team, "upsert", Some(tid))?;
    }
    Ok(())
}

/// Plans and (unless refused or a dry run) applies a switch in one transaction.
pub(crate) fn run(
    conn: &mut Connection,
    actor: &Actor,
    req: &SwitchRequest,
    progress: &dyn Fn(&str),
) -> Result<SwitchPlan> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (mut summary, changes) = make_plan(&tx, req)?;
    if req.dry_run || !summary.refused.is_empty() {
        return Ok(summary); // dropping the transaction rolls back any import
    }
    apply(&tx, &summary.to, &changes, progress)?;
    let before = summary.from.as_ref().map(|f| json!({ "current": f }));
    let after = json!({
        "current": summary.to, "imported": req.import.is_some(), "villages": summary.villages,
        "moved": summary.moved, "placed_by_operator": summary.by_operator.len(),
        "provisional": summary.provisional.len(),
    });
    let subject = format!("hierarchy:{}", summary.to);
    crate::audit::append(
        &tx,
        actor,
        "hierarchy.switch",
        &subject,
        before,
        Some(after),
    )?;
    tx.commit()?;
    summary.applied = true;
    Ok(summary)
}

impl Store {
    /// Makes a hierarchy version current (loading it first if `req.import` is set), with
    /// every village placed in it and history following: see the module docs and
    /// docs/operations.md "Changing the administrative map". Returns the plan; `applied`
    /// is false for a dry run and when villages are refused (then nothing changed).
    /// `progress` hears a line as each aggregate table is re-rolled.
    pub fn switch_map(
        &self,
        actor: &Actor,
        req: SwitchRequest,
        progress: impl Fn(&str) + Send + 'static,
    ) -> Result<SwitchPlan> {
        let actor = actor.clone();
        self.inner
            .writer
            .with_conn(move |conn| run(conn, &actor, &req, &progress))
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
    }
}
