//! Reference data: hierarchy versions, villages, teams, members, the catalogue, and the
//! change log that incremental pulls read.

use crate::{Result, Store, StoreError, now_ms};
use langso_domain::audit::Actor;
use langso_domain::demo::Demo;
use langso_domain::kinds::ActivityKind;
use langso_domain::units::{HierarchyVersion, Level};
use langso_domain::{TeamId, VillageId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct TeamInfo {
    pub id: String,
    pub name: String,
    /// `Village` for a village's team, `Commune` for a commune team.
    pub level: Level,
    pub commune_code: String,
    /// The commune's district; None on a map without districts (2025 on).
    pub district_code: Option<String>,
    pub village_ids: Vec<String>,
}

/// What [`Store::import_units`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitsImported {
    /// The version's key, its first valid day (YYYY-MM-DD).
    pub key: String,
    /// The key was already loaded with this very content: nothing was written.
    pub unchanged: bool,
    /// The version is the current one (made current now, or already was).
    pub current: bool,
}

/// A unit of the current hierarchy (or a village), resolved for a report.
#[derive(Clone, Debug, Serialize)]
pub struct UnitInfo {
    /// A village, or a commune/district/province of the current map.
    pub level: Level,
    pub id: String,
    pub name: String,
    /// Commune code for a village or a commune, else None.
    pub commune_code: Option<String>,
}

/// Column `i` of a row (`units.level`, `teams.level`) as a [`Level`]; a name that is no
/// level is a conversion error (the schema's CHECKs keep them out).
pub(crate) fn level_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Level> {
    let name: String = r.get(i)?;
    Level::parse(&name).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("'{name}' is not a level").into(),
        )
    })
}

/// The current hierarchy version's id (`NotFound` before any import): see [`crate::hierarchy`].
pub(crate) fn current_version(c: &rusqlite::Connection) -> Result<i64> {
    Ok(crate::hierarchy::current_or_err(c)?.id)
}

/// The team covers the village from `from_ms` on: the current coverage and its history.
pub(crate) fn cover(tx: &Transaction<'_>, team: i64, village: i64, from_ms: i64) -> Result<()> {
    tx.prepare_cached("INSERT INTO team_villages (team_id, village_id) VALUES (?1, ?2)")?
        .execute([team, village])?;
    tx.prepare_cached(
        "INSERT INTO team_village_history (team_id, village_id, from_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (team_id, village_id, from_ms) DO UPDATE SET to_ms = NULL",
    )?
    .execute([team, village, from_ms])?;
    Ok(())
}

/// The team stops covering the village at `to_ms`; the history keeps when it did.
pub(crate) fn uncover(tx: &Transaction<'_>, team: i64, village: i64, to_ms: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM team_villages WHERE team_id = ?1 AND village_id = ?2")?
        .execute([team, village])?;
    tx.prepare_cached(
        "UPDATE team_village_history SET to_ms = max(from_ms, ?3)
         WHERE team_id = ?1 AND village_id = ?2 AND to_ms IS NULL",
    )?
    .execute([team, village, to_ms])?;
    Ok(())
}

/// Appends to the change log read by incremental pulls.
pub(crate) fn log_change(
    tx: &Transaction<'_>,
    entity: &str,
    key: &str,
    op: &str,
    team: Option<i64>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO changes (entity, entity_key, op, team_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![entity, key, op, team, now_ms()])?;
    Ok(())
}

/// The row id of team `team`; `NotFound` ("no team 'T…'") if there is none.
pub(crate) fn team_rowid(c: &Connection, team: &TeamId) -> Result<i64> {
    c.prepare_cached("SELECT id FROM teams WHERE team_id = ?1")?
        .query_row([team.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no team '{team}'")))
}

impl Store {
    /// Loads one hierarchy version. A key already loaded is never rewritten: the same
    /// content again changes nothing (`unchanged`), different content is refused
    /// (`Conflict(HIERARCHY_VERSION_CHANGED)`, naming the units added, removed or changed;
    /// a corrected map comes as its own version). With `make_current` (or when no version
    /// is current yet) it becomes current through [`Store::switch_map`]: every village
    /// placed, history re-rolled; refused (`StoreError::Invalid`, nothing changed) when a
    /// village can be placed nowhere.
    pub fn import_units(
        &self,
        actor: &Actor,
        h: HierarchyVersion,
        make_current: bool,
    ) -> Result<UnitsImported> {
        let key = h.key.clone();
        let has_current = self.read(|c| Ok(crate::hierarchy::current(c)?.is_some()))?;
        if !make_current && has_current {
            let who = actor.clone();
            let loaded = self.write_blocking(move |tx| {
                let loaded = crate::hierarchy::import(tx, &h)?;
                if !matches!(loaded, crate::hierarchy::Loaded::Unchanged(_)) {
                    let after = serde_json::json!({ "units": h.units.len() });
                    let subject = format!("hierarchy:{}", h.key);
                    crate::audit::append(
                        tx,
                        &who,
                        "hierarchy.import",
                        &subject,
                        None,
                        Some(after),
                    )?;
                }
                Ok(loaded)
            })?;
            let current = self.read(|c| Ok(crate::hierarchy::current_or_err(c)?.key))? == key;
            return Ok(UnitsImported {
                unchanged: matches!(loaded, crate::hierarchy::Loaded::Unchanged(_)),
                current,
                key,
            });
        }
        let req = crate::SwitchRequest {
            import: Some(h),
            ..Default::default()
        };
        let plan = self.switch_map(actor, req, |_| {})?;
        if !plan.applied {
            let listed: Vec<String> = plan
                .refused
                .iter()
                .map(|r| format!("{} ({}): {}", r.village, r.name, r.reason))
                .collect();
            return Err(StoreError::Invalid(format!(
                "{} village(s) have no place in hierarchy {key}; nothing was changed \
                 (use `langso switch-map --placements FILE`):\n  {}",
                listed.len(),
                listed.join("\n  ")
            )));
        }
        Ok(UnitsImported {
            key,
            unchanged: false,
            current: true,
        })
    }

    /// Loads demo villages, teams and members into the current hierarchy, plus the default
    /// catalogue. Refused when villages already exist.
    pub fn seed_demo(&self, demo: Demo, kinds: Vec<ActivityKind>) -> Result<()> {
        self.write_blocking(move |tx| {
            let vid = current_version(tx)?;
            let n: i64 = tx.query_row("SELECT count(*) FROM villages", [], |r| r.get(0))?;
            if n > 0 {
                return Err(StoreError::Invalid("the database already has villages".into()));
            }
            for k in &kinds {
                crate::catalogue::upsert_kind(tx, k)?;
            }
            let mut ins_v = tx.prepare(
                "INSERT INTO villages (village_id, name, population, households) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut place = tx.prepare(
                "INSERT INTO village_placements (village_id, version_id, commune_code) VALUES (?1, ?2, ?3)",
            )?;
            for v in &demo.villages {
                ins_v.execute(params![v.id.as_str(), v.name, v.population, v.households])?;
                place.execute(params![tx.last_insert_rowid(), vid, v.commune_code])?;
            }
            let mut ins_t = tx.prepare(
                "INSERT INTO teams (team_id, name, level, commune_code) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for t in &demo.teams {
                ins_t.execute(params![t.id.as_str(), t.name, t.level.as_str(), t.commune_code])?;
                let tid = tx.last_insert_rowid();
                for v in &t.villages {
                    let vid: i64 = tx
                        .prepare_cached("SELECT id FROM villages WHERE village_id = ?1")?
                        .query_row([v.as_str()], |r| r.get(0))?;
                    cover(tx, tid, vid, 0)?;
                }
            }
            let mut ins_m = tx.prepare(
                "INSERT INTO members (member_id, team_id, name, role)
                 SELECT ?1, id, ?3, ?4 FROM teams WHERE team_id = ?2",
            )?;
            for m in &demo.members {
                ins_m.execute(params![m.id.as_str(), m.team.as_str(), m.name, m.role])?;
            }
            Ok(())
        })
    }

    /// Replaces the set of villages a team covers; its devices see the change on next pull.
    pub fn set_team_villages(
        &self,
        actor: &Actor,
        team: &TeamId,
        villages: Vec<VillageId>,
    ) -> Result<()> {
        let (team, actor) = (team.clone(), actor.clone());
        self.write_blocking(move |tx| {
            let tid = team_rowid(tx, &team)?;
            let mut wanted = Vec::new();
            for v in &villages {
                let id: i64 = tx
                    .query_row("SELECT id FROM villages WHERE village_id = ?1", [v.as_str()], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("no village '{v}'")))?;
                wanted.push((id, v.as_str().to_owned()));
            }
            let current: Vec<(i64, String)> = tx
                .prepare(
                    "SELECT v.id, v.village_id FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                     WHERE tv.team_id = ?1",
                )?
                .query_map([tid], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let now = now_ms();
            for (id, key) in &current {
                if !wanted.iter().any(|(w, _)| w == id) {
                    uncover(tx, tid, *id, now)?;
                    log_change(tx, "village", key, "delete", Some(tid))?;
                }
            }
            for (id, key) in &wanted {
                if !current.iter().any(|(c, _)| c == id) {
                    cover(tx, tid, *id, now)?;
                    log_change(tx, "village", key, "upsert", Some(tid))?;
                }
            }
            let names = |l: Vec<&String>| serde_json::json!({ "villages": l });
            let before = names(current.iter().map(|(_, k)| k).collect());
            let after = names(wanted.iter().map(|(_, k)| k).collect());
            let subject = format!("team:{team}");
            crate::audit::append(tx, &actor, "team.villages", &subject, Some(before), Some(after))?;
            log_change(tx, "team", team.as_str(), "upsert", Some(tid))
        })
    }

    /// Every team with its villages, in id order.
    pub fn teams(&self) -> Result<Vec<TeamInfo>> {
        self.read(|c| {
            let vid = current_version(c)?;
            let mut stmt = c.prepare(
                "SELECT t.id, t.team_id, t.name, t.level, t.commune_code, d.code
                 FROM teams t LEFT JOIN units u ON u.version_id = ?1 AND u.code = t.commune_code
                 LEFT JOIN units d ON d.version_id = ?1 AND d.code = u.parent_code
                   AND d.level = 'district'
                 ORDER BY t.team_id",
            )?;
            let mut villages = c.prepare(
                "SELECT v.village_id FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                 WHERE tv.team_id = ?1 ORDER BY v.village_id",
            )?;
            let rows: Vec<(i64, TeamInfo)> = stmt
                .query_map([vid], |r| {
                    Ok((
                        r.get(0)?,
                        TeamInfo {
                            id: r.get(1)?,
                            name: r.get(2)?,
                            level: level_at(r, 3)?,
                            commune_code: r.get(4)?,
                            district_code: r.get(5)?,
                            village_ids: Vec::new(),
                        },
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::with_capacity(rows.len());
            for (id, mut t) in rows {
                t.village_ids = villages
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                out.push(t);
            }
            Ok(out)
        })
    }

    /// Whether a device of `team` may read reports of `unit`: its own villages and commune.
    pub fn device_may_read(&self, team: i64, unit: &UnitInfo) -> Result<bool> {
        self.read(|c| {
            Ok(match unit.level {
                Level::Village => c
                    .prepare_cached(
                        "SELECT 1 FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                         WHERE tv.team_id = ?1 AND v.village_id = ?2",
                    )?
                    .exists(params![team, unit.id])?,
                Level::Commune => c
                    .prepare_cached("SELECT 1 FROM teams WHERE id = ?1 AND commune_code = ?2")?
                    .exists(params![team, unit.id])?,
                _ => false,
            })
        })
    }

    /// Resolves a unit of the reporting tree (current hierarchy) or a village.
    pub fn unit_info(&self, level: Level, unit: &str) -> Result<Option<UnitInfo>> {
        self.read(|c| unit_info(c, level, unit))
    }
}

pub(crate) fn unit_info(
    c: &rusqlite::Connection,
    level: Level,
    unit: &str,
) -> Result<Option<UnitInfo>> {
    if level == Level::Village {
        return Ok(c
            .query_row(
                "SELECT v.village_id, v.name, p.commune_code FROM villages v
                 JOIN village_placements p ON p.village_id = v.id AND p.version_id = ?1
                 WHERE v.village_id = ?2",
                params![current_version(c)?, unit],
                |r| {
                    Ok(UnitInfo {
                        level,
                        id: r.get(0)?,
                        name: r.get(1)?,
                        commune_code: r.get(2)?,
                    })
                },
            )
            .optional()?);
    }
    Ok(c.query_row(
        "SELECT code, name FROM units WHERE version_id = ?1 AND code = ?2 AND level = ?3",
        params![current_version(c)?, unit, level.as_str()],
        |r| {
            Ok(UnitInfo {
                level,
                id: r.get(0)?,
                name: r.get(1)?,
                commune_code: (level == Level::Commune).then(|| unit.to_owned()),
            })
        },
    )
    .optional()?)
}
