//! Groupings of communes (migration 012): a province's own sets of communes of one
//! hierarchy version (clusters, the former districts), used as report, leaderboard and
//! leader scopes. They belong to their version: a map switch does not carry them (a
//! grouping of the old map's communes means nothing on the new one); derive them again
//! (`langso_domain::grouping::former_districts`) or import them again.

use super::{Version, by_key, current};
use crate::{Result, Store, StoreError, audit};
use langso_domain::audit::Actor;
use langso_domain::grouping::{Grouping, valid_kind};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;
use std::collections::{BTreeSet, HashSet};

/// How many unknown commune codes a refusal names before "and N more".
const LISTED: usize = 20;

/// The communes (codes, in order) of grouping `code` of the current version; None when
/// the current version has no such grouping (or no version is current).
pub(crate) fn communes_of(c: &Connection, code: &str) -> Result<Option<Vec<String>>> {
    let Some(v) = current(c)? else {
        return Ok(None);
    };
    let id: Option<i64> = c
        .prepare_cached("SELECT id FROM groupings WHERE version_id = ?1 AND code = ?2")?
        .query_row(params![v.id, code], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    let mut stmt = c.prepare_cached(
        "SELECT commune_code FROM grouping_communes WHERE grouping_id = ?1 ORDER BY commune_code",
    )?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(Some(rows.collect::<rusqlite::Result<_>>()?))
}

/// The name of grouping `code` of the current version.
pub(crate) fn name_of(c: &Connection, code: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached(
        "SELECT g.name FROM groupings g JOIN current_version h ON h.id = g.version_id
         WHERE g.code = ?1",
    )?
    .query_row([code], |r| r.get(0))
    .optional()?)
}

/// The groupings of version `v`, in code order, with their communes.
fn list(c: &Connection, v: &Version) -> Result<Vec<Grouping>> {
    let mut stmt = c.prepare_cached(
        "SELECT g.code, g.name, g.kind, gc.commune_code FROM groupings g
         LEFT JOIN grouping_communes gc ON gc.grouping_id = g.id
         WHERE g.version_id = ?1 ORDER BY g.code, gc.commune_code",
    )?;
    let mut out: Vec<Grouping> = Vec::new();
    let rows = stmt.query_map([v.id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (code, name, kind, commune) = row?;
        if out.last().is_none_or(|g| g.code != code) {
            out.push(Grouping {
                code,
                name,
                kind,
                communes: Vec::new(),
            });
        }
        if let (Some(c), Some(g)) = (commune, out.last_mut()) {
            g.communes.push(c);
        }
    }
    Ok(out)
}

/// Refuses what the database would take but a reader could not use: an empty grouping, a
/// bad kind, a code twice, unknown communes (all listed, up to [`LISTED`]).
fn check(tx: &Transaction<'_>, v: &Version, groupings: &[Grouping]) -> Result<()> {
    let mut codes = HashSet::new();
    for g in groupings {
        if g.code.trim().is_empty() || g.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a grouping needs a code and a name".into(),
            ));
        }
        if !codes.insert(g.code.as_str()) {
            return Err(StoreError::Invalid(format!(
                "grouping '{}' is given twice",
                g.code
            )));
        }
        if !valid_kind(&g.kind) {
            return Err(StoreError::Invalid(format!(
                "grouping '{}': '{}' is not a kind (lower-case a-z, 0-9, '_')",
                g.code, g.kind
            )));
        }
        if g.communes.is_empty() {
            return Err(StoreError::Invalid(format!(
                "grouping '{}' has no communes",
                g.code
            )));
        }
    }
    let known: HashSet<String> = tx
        .prepare_cached("SELECT code FROM units WHERE version_id = ?1 AND level = 'commune'")?
        .query_map([v.id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let unknown: BTreeSet<&str> = groupings
        .iter()
        .flat_map(|g| &g.communes)
        .map(String::as_str)
        .filter(|c| !known.contains(*c))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = unknown.iter().take(LISTED).copied().collect();
    let more = unknown.len().saturating_sub(LISTED);
    Err(StoreError::Invalid(format!(
        "{} commune code(s) are not communes of the map {}: {}{}",
        unknown.len(),
        v.key,
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )))
}

fn replace(tx: &Transaction<'_>, v: &Version, groupings: &[Grouping]) -> Result<()> {
    check(tx, v, groupings)?;
    tx.execute(
        "DELETE FROM grouping_communes WHERE grouping_id IN
           (SELECT id FROM groupings WHERE version_id = ?1)",
        [v.id],
    )?;
    tx.execute("DELETE FROM groupings WHERE version_id = ?1", [v.id])?;
    let mut add = tx.prepare_cached(
        "INSERT INTO groupings (version_id, code, name, kind) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut member = tx.prepare_cached(
        "INSERT OR IGNORE INTO grouping_communes (grouping_id, commune_code) VALUES (?1, ?2)",
    )?;
    for g in groupings {
        add.execute(params![v.id, g.code, g.name, g.kind])?;
        let id = tx.last_insert_rowid();
        for commune in &g.communes {
            member.execute(params![id, commune])?;
        }
    }
    Ok(())
}

impl Store {
    /// Replaces the groupings of hierarchy version `version_key` (YYYY-MM-DD) with
    /// `groupings`, all or nothing. Refused (`Invalid`, nothing changed) when a grouping
    /// has no code, name or communes, a bad kind, a code given twice, or commune codes
    /// that are not communes of that version (listed); `NotFound` for an unknown version.
    /// Returns how many groupings the version now has.
    pub fn import_groupings(
        &self,
        actor: &Actor,
        version_key: &str,
        groupings: Vec<Grouping>,
    ) -> Result<usize> {
        let (key, actor) = (version_key.to_owned(), actor.clone());
        self.write_blocking(move |tx| {
            let v = by_key(tx, &key)?;
            let before = list(tx, &v)?.len();
            replace(tx, &v, &groupings)?;
            let (before, after) = (
                json!({ "groupings": before }),
                json!({ "groupings": groupings.len() }),
            );
            let subject = format!("hierarchy:{key}");
            audit::append(
                tx,
                &actor,
                "groupings.import",
                &subject,
                Some(before),
                Some(after),
            )?;
            Ok(groupings.len())
        })
    }

    /// The groupings of version `version_key`, or of the current version when None, in
    /// code order with their communes; the version's key comes with them.
    pub fn groupings(&self, version_key: Option<&str>) -> Result<(String, Vec<Grouping>)> {
        self.read(|c| {
            let v = match version_key {
                Some(k) => by_key(c, k)?,
                None => super::current_or_err(c)?,
            };
            Ok((v.key.clone(), list(c, &v)?))
        })
    }
}
