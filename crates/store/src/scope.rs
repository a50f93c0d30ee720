//! Scope containment along the current hierarchy: may a reader whose scope is `scope` see
//! `target`? A scope sees what lies under it and nothing else.

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
