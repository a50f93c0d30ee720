//! A report's unit resolved: its name and size, and which aggregate rows hold its
//! figures (one key, or a grouping's communes) and its late changes (its own rows, or a
//! commune's villages').

use super::UnitSummary;
use super::sums::{AREAS, Agg, COMMUNES, Key, LateOf, TEAMS, VILLAGES};
use crate::aggregates::PLACES;
use crate::{Result, StoreError};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::Adults;
use rusqlite::{Connection, OptionalExtension, params};

/// The size columns summed over the villages `v`: population, households, and adults as
/// [`Adults`] (given, and the population of villages that gave none).
pub(crate) const SIZE: &str = "coalesce(sum(v.population), 0), coalesce(sum(v.households), 0),
    coalesce(sum(v.adults), 0), coalesce(sum(CASE WHEN v.adults IS NULL THEN v.population END), 0)";

/// Reads the [`SIZE`] columns.
pub(crate) fn size_of(r: &rusqlite::Row) -> rusqlite::Result<(i64, i64, Adults)> {
    let adults = Adults {
        given: r.get(2)?,
        population_without: r.get(3)?,
    };
    Ok((r.get(0)?, r.get(1)?, adults))
}

/// A unit resolved for reading: what the answer shows, and where its figures are.
pub(crate) struct Resolved {
    pub summary: UnitSummary,
    pub agg: Agg,
    /// The keys of `agg` whose rows sum to the unit's figures: the unit's own, or a
    /// grouping's communes (read as communes are: [`COMMUNES`]).
    pub keys: Vec<Key>,
    /// Where its late changes are.
    pub late: LateOf,
}

/// The villages placed in these communes of the current map, as `village_late` keys.
fn villages_of(c: &Connection, communes: &[String]) -> Result<Vec<Key>> {
    let mut stmt = c.prepare_cached(
        "SELECT village_id FROM village_placements
         WHERE version_id = (SELECT id FROM current_version) AND commune_code = ?1",
    )?;
    let mut out = Vec::new();
    for commune in communes {
        let rows = stmt.query_map([commune], |r| r.get(0))?;
        for id in rows {
            out.push(Key::Int(id?));
        }
    }
    Ok(out)
}

/// A grouping of communes: its communes' figures summed; None if the current map has no
/// such grouping.
fn resolve_grouping(c: &Connection, u: &UnitRef) -> Result<Option<Resolved>> {
    let (Some(name), Some(communes)) = (
        crate::hierarchy::name_of(c, &u.id)?,
        crate::hierarchy::communes_of(c, &u.id)?,
    ) else {
        return Ok(None);
    };
    let mut size = c.prepare_cached(&format!(
        "SELECT {SIZE}
         FROM ({PLACES}) pl JOIN villages v ON v.id = pl.village_id WHERE pl.commune = ?1"
    ))?;
    let (mut population, mut households, mut adults) = (0, 0, Adults::default());
    for commune in &communes {
        let (p, h, a) = size.query_row([commune], size_of)?;
        population += p;
        households += h;
        adults += a;
    }
    Ok(Some(Resolved {
        summary: UnitSummary {
            kind: u.kind,
            id: u.id.clone(),
            name,
            population,
            households,
            adults,
        },
        agg: COMMUNES,
        keys: communes.iter().map(|c| Key::Text(c.clone())).collect(),
        late: LateOf::villages(villages_of(c, &communes)?),
    }))
}

/// Resolves a village, team, commune, grouping, district or province; None if it does
/// not exist.
pub(crate) fn resolve(c: &Connection, u: &UnitRef) -> Result<Option<Resolved>> {
    let id = u.id.clone();
    let size = |sql: &str, p: &dyn rusqlite::ToSql| -> Result<(i64, i64, Adults)> {
        Ok(c.prepare_cached(sql)?.query_row([p], size_of)?)
    };
    let (name, agg, key, (population, households, adults)) = match u.kind {
        UnitKind::Village => {
            let row: Option<(i64, String, i64, i64, Option<i64>)> = c
                .prepare_cached(
                    "SELECT id, name, population, households, adults FROM villages
                     WHERE village_id = ?1",
                )?
                .query_row([&id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            let Some((rowid, name, p, h, a)) = row else {
                return Ok(None);
            };
            let size = (p, h, Adults::of_village(p, a));
            (name, VILLAGES, Key::Int(rowid), size)
        }
        UnitKind::Team => {
            let row: Option<(i64, String)> = c
                .prepare_cached("SELECT id, name FROM teams WHERE team_id = ?1")?
                .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((rowid, name)) = row else {
                return Ok(None);
            };
            let s = size(
                &format!(
                    "SELECT {SIZE} FROM team_villages tv JOIN villages v ON v.id = tv.village_id
                     WHERE tv.team_id = ?1"
                ),
                &rowid,
            )?;
            (name, TEAMS, Key::Int(rowid), s)
        }
        UnitKind::Commune | UnitKind::District | UnitKind::Province => {
            let level = u.kind.as_str();
            let name: Option<String> = c
                .prepare_cached(
                    "SELECT u.name FROM units u JOIN current_version h ON h.id = u.version_id
                     WHERE u.code = ?1 AND u.level = ?2",
                )?
                .query_row(params![id, level], |r| r.get(0))
                .optional()?;
            let Some(name) = name else {
                return Ok(None);
            };
            let s = size(
                &format!(
                    "SELECT {SIZE}
                     FROM ({PLACES}) pl JOIN villages v ON v.id = pl.village_id WHERE pl.{level} = ?1"
                ),
                &id,
            )?;
            let agg = match u.kind {
                UnitKind::Commune => COMMUNES,
                _ => AREAS,
            };
            (name, agg, Key::Text(id.clone()), s)
        }
        UnitKind::Grouping => return resolve_grouping(c, u),
    };
    Ok(Some(Resolved {
        summary: UnitSummary {
            kind: u.kind,
            id: id.clone(),
            name,
            population,
            households,
            adults,
        },
        late: late_of(c, u, &key)?,
        agg,
        keys: vec![key],
    }))
}

/// Where a village's, team's, commune's, district's or province's late changes are.
fn late_of(c: &Connection, u: &UnitRef, key: &Key) -> Result<LateOf> {
    let (table, column) = match u.kind {
        UnitKind::Commune => {
            return Ok(LateOf::villages(villages_of(
                c,
                std::slice::from_ref(&u.id),
            )?));
        }
        UnitKind::Village => ("village_late", "village_id"),
        UnitKind::Team => ("team_late", "team_id"),
        _ => ("area_late", "code"),
    };
    Ok(LateOf {
        table,
        key: column,
        keys: vec![key.clone()],
    })
}

pub(crate) fn unknown(u: &UnitRef) -> StoreError {
    StoreError::NotFound(format!("no {} '{}'", u.kind.as_str(), u.id))
}
