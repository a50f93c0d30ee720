//! The roster as the database holds it, in the shape of a roster file: what a leader
//! downloads, edits and imports back (unchanged, it changes nothing).

use crate::reference::current_version;
use crate::{Result, Store};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::units::Level;
use rusqlite::Connection;

/// A village as a roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterVillage {
    pub code: String,
    /// Langso's public id (V000123), for reference.
    pub id: String,
    pub name: String,
    /// Its commune in the current map (empty: not placed in it).
    pub commune_code: String,
    pub population: i64,
    pub households: i64,
    pub adults: Option<i64>,
}

/// A team as a roster row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterTeam {
    pub code: String,
    pub id: String,
    pub name: String,
    pub commune_code: String,
    /// Codes of the villages it covers, in code order.
    pub village_codes: Vec<String>,
    /// Code of its first active member (by code) whose role is leader.
    pub leader: Option<String>,
    /// `Village` for a village's team, `Commune` for a commune team.
    pub level: Level,
}

/// A member as a roster row (no device data: that is the team's devices list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RosterMember {
    pub code: String,
    pub id: String,
    pub name: String,
    pub team_code: String,
    pub role: String,
    pub active: bool,
}

/// The roster within a scope, each table in code order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CurrentRoster {
    pub villages: Vec<RosterVillage>,
    pub teams: Vec<RosterTeam>,
    pub members: Vec<RosterMember>,
}

fn within(c: &Connection, scope: Option<&UnitRef>, kind: UnitKind, id: &str) -> Result<bool> {
    match scope {
        None => Ok(true),
        Some(s) => Ok(crate::scope::contains(c, s, &UnitRef::new(kind, id))? == Some(true)),
    }
}

fn read(c: &Connection, scope: Option<&UnitRef>) -> Result<CurrentRoster> {
    let version = current_version(c)?;
    let mut out = CurrentRoster::default();
    let mut stmt = c.prepare(
        "SELECT v.code, v.village_id, v.name, coalesce(p.commune_code, ''), v.population,
                v.households, v.adults
         FROM villages v
         LEFT JOIN village_placements p ON p.village_id = v.id AND p.version_id = ?1
         ORDER BY v.code",
    )?;
    let rows = stmt.query_map([version], |r| {
        Ok(RosterVillage {
            code: r.get(0)?,
            id: r.get(1)?,
            name: r.get(2)?,
            commune_code: r.get(3)?,
            population: r.get(4)?,
            households: r.get(5)?,
            adults: r.get(6)?,
        })
    })?;
    for v in rows {
        let v = v?;
        if within(c, scope, UnitKind::Village, &v.id)? {
            out.villages.push(v);
        }
    }
    let mut stmt = c.prepare(
        "SELECT t.code, t.team_id, t.name, t.commune_code, t.level,
                (SELECT group_concat(code, ';') FROM
                   (SELECT v.code FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                    WHERE tv.team_id = t.id ORDER BY v.code)),
                (SELECT min(m.code) FROM members m
                 WHERE m.team_id = t.id AND m.role = 'leader' AND m.active = 1)
         FROM teams t ORDER BY t.code",
    )?;
    let rows = stmt.query_map([], |r| {
        let villages: Option<String> = r.get(5)?;
        Ok(RosterTeam {
            code: r.get(0)?,
            id: r.get(1)?,
            name: r.get(2)?,
            commune_code: r.get(3)?,
            level: crate::reference::level_at(r, 4)?,
            village_codes: villages
                .map(|v| v.split(';').map(str::to_owned).collect())
                .unwrap_or_default(),
            leader: r.get(6)?,
        })
    })?;
    for t in rows {
        let t = t?;
        if within(c, scope, UnitKind::Team, &t.id)? {
            out.teams.push(t);
        }
    }
    let mut stmt = c.prepare(
        "SELECT m.code, m.member_id, m.name, t.code, m.role, m.active, t.team_id
         FROM members m JOIN teams t ON t.id = m.team_id
         WHERE m.unassigned = 0 AND m.merged_into IS NULL ORDER BY m.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            RosterMember {
                code: r.get(0)?,
                id: r.get(1)?,
                name: r.get(2)?,
                team_code: r.get(3)?,
                role: r.get(4)?,
                active: r.get(5)?,
            },
            r.get::<_, String>(6)?,
        ))
    })?;
    for m in rows {
        let (m, team) = m?;
        if out.teams.iter().any(|t| t.id == team) {
            out.members.push(m);
        }
    }
    Ok(out)
}

impl Store {
    /// The roster within `scope` (None: all of it, for the operator): villages the scope
    /// contains, its teams and their members, inactive ones included.
    pub fn current_roster(&self, scope: Option<&UnitRef>) -> Result<CurrentRoster> {
        self.read(|c| read(c, scope))
    }
}
