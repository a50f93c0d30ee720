//! Who a leaderboard ranks, before scoring: the teams under a scope, communes or districts
//! under it, the current map's groupings with their communes, a team's volunteers.

use super::sums::{ByKey, Key, marks};
use crate::Result;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::units::Level;
use rusqlite::{Connection, params_from_iter};
use std::collections::{HashMap, HashSet};

/// An entrant before scoring: its aggregate key, public id and name.
pub(super) struct Entrant {
    pub key: Key,
    pub id: String,
    pub name: String,
}

/// A team under the scope and the commune and district it sits in.
pub(super) struct TeamPlace {
    pub rowid: i64,
    pub id: String,
    pub name: String,
    pub commune: String,
    pub district: Option<String>,
}

/// "The commune `cu` is one of grouping ?1's" (of the current version `h`).
const GROUPING_COMMUNES: &str = "cu.code IN (SELECT gc.commune_code FROM grouping_communes gc
     JOIN groupings g ON g.id = gc.grouping_id AND g.version_id = h.id WHERE g.code = ?1)";

pub(super) fn teams_in(c: &Connection, scope: &UnitRef) -> Result<Vec<TeamPlace>> {
    let filter = match scope.kind {
        UnitKind::Team => "t.team_id = ?1",
        UnitKind::Commune => "cu.code = ?1",
        UnitKind::Grouping => GROUPING_COMMUNES,
        UnitKind::District => "pu.level = 'district' AND pu.code = ?1",
        UnitKind::Province => "(pu.level = 'province' AND pu.code = ?1) OR gu.code = ?1",
        UnitKind::Village => return Ok(Vec::new()),
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT t.id, t.team_id, t.name, cu.code, CASE WHEN pu.level = 'district' THEN pu.code END
         FROM teams t
         JOIN current_version h
         JOIN units cu ON cu.version_id = h.id AND cu.code = t.commune_code AND cu.level = 'commune'
         LEFT JOIN units pu ON pu.version_id = h.id AND pu.code = cu.parent_code
         LEFT JOIN units gu ON gu.version_id = h.id AND gu.code = pu.parent_code AND gu.level = 'province'
         WHERE {filter} ORDER BY t.team_id"
    ))?;
    let rows = stmt.query_map([&scope.id], |r| {
        Ok(TeamPlace {
            rowid: r.get(0)?,
            id: r.get(1)?,
            name: r.get(2)?,
            commune: r.get(3)?,
            district: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Communes or districts under the scope, by code.
pub(super) fn areas_in(c: &Connection, level: Level, scope: &UnitRef) -> Result<Vec<Entrant>> {
    let grouping = GROUPING_COMMUNES.replace("cu.code", "u.code");
    let filter = match (level, scope.kind) {
        (Level::Commune, UnitKind::Grouping) => grouping.as_str(),
        (Level::Commune, UnitKind::District) => "u.parent_code = ?1",
        (Level::Commune, _) => "(u.parent_code = ?1 OR p.parent_code = ?1)",
        _ => "u.parent_code = ?1",
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT u.code, u.name FROM units u
         JOIN current_version h
         LEFT JOIN units p ON p.version_id = h.id AND p.code = u.parent_code
         WHERE u.version_id = h.id AND u.level = ?2 AND {filter} ORDER BY u.code"
    ))?;
    let rows = stmt.query_map(rusqlite::params![scope.id, level.as_str()], |r| {
        let code: String = r.get(0)?;
        Ok(Entrant {
            key: Key::Text(code.clone()),
            id: code,
            name: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The current map's groupings, each with its communes.
pub(super) fn groupings_in(c: &Connection) -> Result<Vec<(Entrant, Vec<String>)>> {
    let mut stmt = c.prepare_cached(
        "SELECT g.code, g.name, gc.commune_code FROM groupings g
         JOIN current_version h ON h.id = g.version_id
         JOIN grouping_communes gc ON gc.grouping_id = g.id ORDER BY g.code, gc.commune_code",
    )?;
    let mut out: Vec<(Entrant, Vec<String>)> = Vec::new();
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })?;
    for row in rows {
        let (code, name, commune) = row?;
        if out.last().is_none_or(|(e, _)| e.id != code) {
            let e = Entrant {
                key: Key::Text(code.clone()),
                id: code,
                name,
            };
            out.push((e, Vec::new()));
        }
        if let Some((_, communes)) = out.last_mut() {
            communes.push(commune);
        }
    }
    Ok(out)
}

/// Per grouping totals from per commune totals.
pub(super) fn fold_groupings(groups: &[(Entrant, Vec<String>)], by_commune: &ByKey) -> ByKey {
    let mut out = ByKey::new();
    for (g, communes) in groups {
        let sum = out.entry(g.key.clone()).or_default();
        for c in communes {
            for (kind, t) in by_commune.get(&Key::Text(c.clone())).into_iter().flatten() {
                *sum.entry(*kind).or_default() += t;
            }
        }
    }
    out
}

/// The members on `team`'s roster, plus any member whose device recorded for it in these
/// totals (one who left the roster since included).
pub(super) fn volunteers(c: &Connection, team: i64, seen: &[&ByKey]) -> Result<Vec<Entrant>> {
    let mut ids: HashSet<i64> = c
        .prepare_cached(
            "SELECT id FROM members WHERE team_id = ?1 AND merged_into IS NULL AND active = 1",
        )?
        .query_map([team], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for k in seen.iter().flat_map(|m| m.keys()) {
        if let Key::Int(i) = k {
            ids.insert(*i);
        }
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut stmt = c.prepare(&format!(
        "SELECT id, member_id, name FROM members WHERE id IN ({}) ORDER BY member_id",
        marks(ids.len())
    ))?;
    let rows = stmt.query_map(params_from_iter(&ids), |r| {
        Ok(Entrant {
            key: Key::Int(r.get(0)?),
            id: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Members on each team's roster (a member a roster left out is not counted, nor the
/// placeholder a phone enrolled without a member makes: migration 011's `unassigned`).
pub(super) fn member_counts(c: &Connection, teams: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut stmt = c.prepare(&format!(
        "SELECT team_id, count(*) FROM members
         WHERE team_id IN ({}) AND merged_into IS NULL AND active = 1 AND unassigned = 0
         GROUP BY team_id",
        marks(teams.len())
    ))?;
    let rows = stmt.query_map(params_from_iter(teams), |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
