//! What the database holds of the roster, by code: the rows an import compares with.

use crate::Result;
use crate::reference::current_version;
use rusqlite::Connection;
use std::collections::{BTreeSet, HashMap, HashSet};

pub(super) struct DbVillage {
    pub id: i64,
    pub name: String,
    pub population: i64,
    pub households: i64,
    pub adults: Option<i64>,
    /// Its commune in the current map (None: not placed in it).
    pub commune: Option<String>,
}

pub(super) struct DbTeam {
    pub id: i64,
    pub name: String,
    pub level: String,
    pub commune: String,
    /// Codes of the villages it covers now.
    pub villages: BTreeSet<String>,
}

pub(super) struct DbMember {
    pub id: i64,
    pub name: String,
    pub role: String,
    /// Code of its team.
    pub team: String,
    pub active: bool,
    /// A placeholder an enrolment without a member made (migration 011): on no roster, so
    /// a roster that leaves it out does not deactivate it.
    pub unassigned: bool,
}

/// The roster tables of the database, keyed by code, and the current map's communes.
pub(super) struct State {
    pub version: i64,
    pub communes: HashSet<String>,
    pub villages: HashMap<String, DbVillage>,
    pub teams: HashMap<String, DbTeam>,
    pub members: HashMap<String, DbMember>,
}

impl State {
    pub fn load(c: &Connection) -> Result<Self> {
        let version = current_version(c)?;
        let communes = c
            .prepare("SELECT code FROM units WHERE version_id = ?1 AND level = 'commune'")?
            .query_map([version], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut villages = HashMap::new();
        let mut code_of_village = HashMap::new();
        let mut stmt = c.prepare(
            "SELECT v.id, v.code, v.name, v.population, v.households, v.adults, p.commune_code
             FROM villages v
             LEFT JOIN village_placements p ON p.village_id = v.id AND p.version_id = ?1",
        )?;
        let mut rows = stmt.query([version])?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(1)?;
            code_of_village.insert(r.get::<_, i64>(0)?, code.clone());
            let v = DbVillage {
                id: r.get(0)?,
                name: r.get(2)?,
                population: r.get(3)?,
                households: r.get(4)?,
                adults: r.get(5)?,
                commune: r.get(6)?,
            };
            villages.insert(code, v);
        }
        let mut teams = HashMap::new();
        let mut code_of_team = HashMap::new();
        let mut stmt = c.prepare("SELECT id, code, name, level, commune_code FROM teams")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let code: String = r.get(1)?;
            code_of_team.insert(r.get::<_, i64>(0)?, code.clone());
            let t = DbTeam {
                id: r.get(0)?,
                name: r.get(2)?,
                level: r.get(3)?,
                commune: r.get(4)?,
                villages: BTreeSet::new(),
            };
            teams.insert(code, t);
        }
        let mut stmt = c.prepare("SELECT team_id, village_id FROM team_villages")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (t, v): (i64, i64) = (r.get(0)?, r.get(1)?);
            if let (Some(t), Some(v)) = (code_of_team.get(&t), code_of_village.get(&v)) {
                teams.get_mut(t).map(|t| t.villages.insert(v.clone()));
            }
        }
        let mut members = HashMap::new();
        let mut stmt = c.prepare(
            "SELECT id, code, name, role, team_id, active, unassigned FROM members
             WHERE merged_into IS NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let team: i64 = r.get(4)?;
            let m = DbMember {
                id: r.get(0)?,
                name: r.get(2)?,
                role: r.get(3)?,
                team: code_of_team.get(&team).cloned().unwrap_or_default(),
                active: r.get(5)?,
                unassigned: r.get(6)?,
            };
            members.insert(r.get(1)?, m);
        }
        Ok(Self {
            version,
            communes,
            villages,
            teams,
            members,
        })
    }

    /// Codes of the villages some team covers now.
    pub fn covered(&self) -> HashSet<&str> {
        self.teams
            .values()
            .flat_map(|t| t.villages.iter().map(String::as_str))
            .collect()
    }
}
