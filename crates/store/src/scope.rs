//! Scope containment along the current hierarchy: may a reader whose scope is `scope` see
//! `target`? A scope sees what lies under it and nothing else. A grouping of communes
//! (migration 012) holds its communes and what lies in them; the province holds its
//! groupings; nothing else holds a grouping, and a grouping holds no other grouping.

use crate::reference::current_version;
use crate::{Result, Store};
use langso_domain::scope::{UnitKind, UnitRef};
use rusqlite::{Connection, OptionalExtension, params};

/// Where a unit sits: its commune and district codes (None above that level), and for a
/// village the teams covering it; for a team, the team itself.
#[derive(Debug, Default)]
struct Placement {
    commune: Option<String>,
    district: Option<String>,
    province: Option<String>,
    teams: Vec<String>,
}

fn district_of(c: &Connection, version: i64, commune: &str) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT parent_code FROM units WHERE version_id = ?1 AND code = ?2")?
            .query_row(params![version, commune], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten(),
    )
}

fn province_code(c: &Connection, version: i64) -> Result<Option<String>> {
    Ok(
        c.prepare_cached("SELECT code FROM units WHERE version_id = ?1 AND level = 'province'")?
            .query_row([version], |r| r.get(0))
            .optional()?,
    )
}

/// None when the unit does not exist.
fn placement(c: &Connection, u: &UnitRef) -> Result<Option<Placement>> {
    let v = current_version(c)?;
    let mut p = Placement {
        province: province_code(c, v)?,
        ..Default::default()
    };
    match u.kind {
        UnitKind::Province => {
            if p.province.as_deref() != Some(u.id.as_str()) {
                return Ok(None);
            }
        }
        UnitKind::Grouping => {
            if crate::hierarchy::communes_of(c, &u.id)?.is_none() {
                return Ok(None);
            }
        }
        UnitKind::District | UnitKind::Commune => {
            let level = u.kind.as_str();
            let parent: Option<Option<String>> = c
                .prepare_cached(
                    "SELECT parent_code FROM units WHERE version_id = ?1 AND code = ?2 AND level = ?3",
                )?
                .query_row(params![v, u.id, level], |r| r.get(0))
                .optional()?;
            let Some(parent) = parent else {
                return Ok(None);
            };
            if u.kind == UnitKind::District {
                p.district = Some(u.id.clone());
            } else {
                p.commune = Some(u.id.clone());
                p.district = parent.filter(|d| Some(d) != p.province.as_ref());
            }
        }
        UnitKind::Village => {
            let commune: Option<String> = c
                .prepare_cached(
                    "SELECT p.commune_code FROM villages v JOIN village_placements p
                       ON p.village_id = v.id AND p.version_id = ?1 WHERE v.village_id = ?2",
                )?
                .query_row(params![v, u.id], |r| r.get(0))
                .optional()?;
            let Some(commune) = commune else {
                return Ok(None);
            };
            p.district = district_of(c, v, &commune)?.filter(|d| Some(d) != p.province.as_ref());
            p.commune = Some(commune);
            p.teams = c
                .prepare_cached(
                    "SELECT t.team_id FROM team_villages tv JOIN teams t ON t.id = tv.team_id
                     JOIN villages v ON v.id = tv.village_id WHERE v.village_id = ?1",
                )?
                .query_map([&u.id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
        }
        UnitKind::Team => {
            let commune: Option<String> = c
                .prepare_cached("SELECT commune_code FROM teams WHERE team_id = ?1")?
                .query_row([&u.id], |r| r.get(0))
                .optional()?;
            let Some(commune) = commune else {
                return Ok(None);
            };
            p.district = district_of(c, v, &commune)?.filter(|d| Some(d) != p.province.as_ref());
            p.commune = Some(commune);
            p.teams = vec![u.id.clone()];
        }
    }
    Ok(Some(p))
}

/// Some(true) if `scope` contains `target`, Some(false) if not, None if `target` does not
/// exist (callers answer 404 then, 403 for Some(false)).
pub(crate) fn contains(c: &Connection, scope: &UnitRef, target: &UnitRef) -> Result<Option<bool>> {
    let Some(p) = placement(c, target)? else {
        return Ok(None);
    };
    let id = Some(&scope.id);
    Ok(Some(match scope.kind {
        UnitKind::Province => p.province.as_ref() == id,
        UnitKind::Grouping if target.kind == UnitKind::Grouping => target.id == scope.id,
        UnitKind::Grouping => match &p.commune {
            Some(commune) => crate::hierarchy::communes_of(c, &scope.id)?
                .is_some_and(|communes| communes.contains(commune)),
            None => false,
        },
        UnitKind::District => p.district.as_ref() == id,
        UnitKind::Commune => p.commune.as_ref() == id,
        UnitKind::Team => p.teams.contains(&scope.id) && target.kind != UnitKind::Commune,
        UnitKind::Village => target.kind == UnitKind::Village && target.id == scope.id,
    }))
}

impl Store {
    /// Whether a reader scoped to `scope` may see `target`; None if `target` does not exist.
    pub fn scope_contains(&self, scope: &UnitRef, target: &UnitRef) -> Result<Option<bool>> {
        self.read(|c| contains(c, scope, target))
    }
}

/// A unit a reader may pick, with its display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedUnit {
    pub unit: UnitRef,
    pub name: String,
}

impl Store {
    /// The units a reader scoped to `scope` may pick: the scope itself, then what lies under
    /// it (districts, groupings, communes and every team of a province, communes and every
    /// team, village teams included, of a district or a grouping, teams and villages of a
    /// commune, villages of a team), in code order.
    pub fn units_under(&self, scope: &UnitRef) -> Result<Vec<NamedUnit>> {
        self.read(|c| {
            let v = current_version(c)?;
            let named = |kind: UnitKind, rows: Vec<(String, String)>| {
                rows.into_iter()
                    .map(move |(id, name)| NamedUnit { unit: UnitRef::new(kind, id), name })
            };
            let query = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<Vec<(String, String)>> {
                let mut stmt = c.prepare_cached(sql)?;
                let rows = stmt.query_map(p, |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            };
            let own_name: Option<String> = match scope.kind {
                UnitKind::Team => c
                    .query_row("SELECT name FROM teams WHERE team_id = ?1", [&scope.id], |r| r.get(0))
                    .optional()?,
                UnitKind::Village => c
                    .query_row("SELECT name FROM villages WHERE village_id = ?1", [&scope.id], |r| r.get(0))
                    .optional()?,
                UnitKind::Grouping => crate::hierarchy::name_of(c, &scope.id)?,
                _ => c
                    .query_row(
                        "SELECT name FROM units WHERE version_id = ?1 AND code = ?2",
                        params![v, scope.id],
                        |r| r.get(0),
                    )
                    .optional()?,
            };
            let Some(own_name) = own_name else { return Ok(Vec::new()) };
            let mut out = vec![NamedUnit { unit: scope.clone(), name: own_name }];
            let communes_sql = "SELECT code, name FROM units WHERE version_id = ?1 AND level = 'commune' AND parent_code = ?2 ORDER BY code";
            let teams_sql = "SELECT team_id, name FROM teams WHERE commune_code = ?1 ORDER BY team_id";
            let villages_sql = "SELECT v.village_id, v.name FROM villages v JOIN village_placements p
                ON p.village_id = v.id AND p.version_id = ?1 WHERE p.commune_code = ?2 ORDER BY v.village_id";
            match scope.kind {
                UnitKind::Province => {
                    let districts = query(
                        "SELECT code, name FROM units WHERE version_id = ?1 AND level = 'district' ORDER BY code",
                        params![v],
                    )?;
                    out.extend(named(UnitKind::District, districts));
                    let groupings = query(
                        "SELECT code, name FROM groupings WHERE version_id = ?1 ORDER BY code",
                        params![v],
                    )?;
                    out.extend(named(UnitKind::Grouping, groupings));
                    let communes = query(
                        "SELECT code, name FROM units WHERE version_id = ?1 AND level = 'commune' ORDER BY code",
                        params![v],
                    )?;
                    out.extend(named(UnitKind::Commune, communes));
                    let teams = query(
                        "SELECT t.team_id, t.name FROM teams t JOIN units u ON u.version_id = ?1 AND u.code = t.commune_code ORDER BY t.team_id",
                        params![v],
                    )?;
                    out.extend(named(UnitKind::Team, teams));
                }
                UnitKind::District => {
                    let communes = query(communes_sql, params![v, scope.id])?;
                    for (code, name) in communes {
                        out.push(NamedUnit { unit: UnitRef::new(UnitKind::Commune, &code), name });
                    }
                    let teams = query(
                        "SELECT t.team_id, t.name FROM teams t JOIN units u ON u.version_id = ?1 AND u.code = t.commune_code
                         WHERE u.parent_code = ?2 ORDER BY t.team_id",
                        params![v, scope.id],
                    )?;
                    out.extend(named(UnitKind::Team, teams));
                }
                UnitKind::Grouping => {
                    let inside = "JOIN grouping_communes gc ON gc.commune_code = {col}
                        JOIN groupings g ON g.id = gc.grouping_id AND g.version_id = ?1 AND g.code = ?2";
                    let communes = query(
                        &format!(
                            "SELECT u.code, u.name FROM units u {} WHERE u.version_id = ?1 AND u.level = 'commune' ORDER BY u.code",
                            inside.replace("{col}", "u.code")
                        ),
                        params![v, scope.id],
                    )?;
                    out.extend(named(UnitKind::Commune, communes));
                    let teams = query(
                        &format!(
                            "SELECT t.team_id, t.name FROM teams t {} ORDER BY t.team_id",
                            inside.replace("{col}", "t.commune_code")
                        ),
                        params![v, scope.id],
                    )?;
                    out.extend(named(UnitKind::Team, teams));
                }
                UnitKind::Commune => {
                    out.extend(named(UnitKind::Team, query(teams_sql, params![scope.id])?));
                    out.extend(named(UnitKind::Village, query(villages_sql, params![v, scope.id])?));
                }
                UnitKind::Team => {
                    let villages = query(
                        "SELECT v.village_id, v.name FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                         JOIN teams t ON t.id = tv.team_id WHERE t.team_id = ?1 ORDER BY v.village_id",
                        params![scope.id],
                    )?;
                    out.extend(named(UnitKind::Village, villages));
                }
                UnitKind::Village => {}
            }
            Ok(out)
        })
    }
}
