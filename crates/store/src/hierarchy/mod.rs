//! The administrative tree's home in the store: which hierarchy version is current,
//! loading a version from its file, and switching the current version with history
//! following it ([`switch`]). Queries that follow the current map join the
//! `current_version` view (migration 013); only [`switch`] writes which version it is.

mod carry;
mod groupings;
mod plan;
mod reload;
mod switch;

pub(crate) use groupings::{communes_of, name_of};
pub use reload::HIERARCHY_VERSION_CHANGED;

pub use switch::{Carried, CommuneCount, RefusedVillage, SwitchPlan, SwitchRequest, VillagePlace};

use crate::{Result, StoreError};
use langso_domain::map_switch::Step;
use langso_domain::units::{HierarchyVersion, Level};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::collections::HashMap;

/// One imported hierarchy version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    pub id: i64,
    /// The first valid day, YYYY-MM-DD: versions are ordered by it.
    pub key: String,
}

/// Every imported version, oldest first.
pub(crate) fn versions(c: &Connection) -> Result<Vec<Version>> {
    let mut stmt = c.prepare_cached("SELECT id, key FROM hierarchy_versions ORDER BY key")?;
    let rows = stmt.query_map([], |r| {
        Ok(Version {
            id: r.get(0)?,
            key: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The current version, if any was imported.
pub(crate) fn current(c: &Connection) -> Result<Option<Version>> {
    Ok(c.prepare_cached("SELECT id, key FROM current_version")?
        .query_row([], |r| {
            Ok(Version {
                id: r.get(0)?,
                key: r.get(1)?,
            })
        })
        .optional()?)
}

/// The current version; `NotFound` when none was imported.
pub(crate) fn current_or_err(c: &Connection) -> Result<Version> {
    current(c)?.ok_or_else(|| StoreError::NotFound("no hierarchy imported yet".into()))
}

/// A version's units and the successions its file names, for following codes into it.
pub(crate) fn step(c: &Connection, v: &Version) -> Result<Step> {
    let mut units = HashMap::new();
    let mut stmt = c.prepare_cached("SELECT code, level FROM units WHERE version_id = ?1")?;
    for row in stmt.query_map([v.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (code, level) = row?;
        if let Some(level) = Level::parse(&level) {
            units.insert(code, level);
        }
    }
    let mut successions: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT old_code, new_code FROM unit_successions WHERE version_id = ?1
         ORDER BY position, new_code",
    )?;
    for row in stmt.query_map([v.id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })? {
        let (old, new) = row?;
        successions.entry(old).or_default().push(new);
    }
    Ok(Step {
        key: v.key.clone(),
        units,
        successions,
    })
}

/// The steps from just after version `from` up to and including `to` (oldest first);
/// empty when `to` is not newer than `from`.
pub(crate) fn steps_between(c: &Connection, from: &str, to: &str) -> Result<Vec<Step>> {
    versions(c)?
        .iter()
        .filter(|v| v.key.as_str() > from && v.key.as_str() <= to)
        .map(|v| step(c, v))
        .collect()
}

/// What loading a version did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// The key was new: its units and successions are stored under this id.
    New(i64),
    /// The key was loaded with this very content (see [`reload::unchanged`]): nothing written.
    Unchanged(i64),
}

/// Stores one version's units and successions. A key already loaded is never rewritten:
/// the same content is [`Loaded::Unchanged`], different content is refused
/// (`Conflict(HIERARCHY_VERSION_CHANGED)`, naming the first differences). Does not change
/// which version is current.
pub(crate) fn import(tx: &Transaction<'_>, h: &HierarchyVersion) -> Result<Loaded> {
    if let Some(vid) = reload::unchanged(tx, h)? {
        return Ok(Loaded::Unchanged(vid));
    }
    tx.execute(
        "INSERT INTO hierarchy_versions (key, valid_from, valid_until, source) VALUES (?1, ?2, ?3, ?4)",
        params![
            h.key,
            h.valid_from.to_string(),
            h.valid_until.map(|d| d.to_string()),
            h.source
        ],
    )?;
    let vid: i64 = tx.query_row(
        "SELECT id FROM hierarchy_versions WHERE key = ?1",
        [&h.key],
        |r| r.get(0),
    )?;
    let mut ins = tx.prepare(
        "INSERT INTO units (version_id, code, level, name, unit_type, parent_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for u in &h.units {
        ins.execute(params![
            vid,
            u.code,
            u.level.as_str(),
            u.name,
            u.unit_type,
            u.parent_code
        ])?;
    }
    let mut ins = tx.prepare(
        "INSERT OR IGNORE INTO unit_successions (version_id, old_code, new_code, share, position)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, s) in h.successions.iter().enumerate() {
        ins.execute(params![vid, s.old_code, s.new_code, s.share, i as i64])?;
    }
    Ok(Loaded::New(vid))
}

/// The version with this key; `NotFound` naming the imported ones otherwise.
pub(crate) fn by_key(c: &Connection, key: &str) -> Result<Version> {
    let all = versions(c)?;
    all.iter().find(|v| v.key == key).cloned().ok_or_else(|| {
        let known: Vec<&str> = all.iter().map(|v| v.key.as_str()).collect();
        StoreError::NotFound(format!(
            "no hierarchy version '{key}' (imported: {})",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })
}
