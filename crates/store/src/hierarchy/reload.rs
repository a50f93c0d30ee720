//! Loading a hierarchy version whose key is already loaded (issue 8, acceptance finding 1):
//! the same content again is a no-op; different content is refused, because a loaded
//! version may be the current one (or become it) and rewriting its units would change the
//! map in force behind every report. A corrected map comes as its own version (another
//! key) and is switched to.

use crate::{Result, StoreError};
use langso_domain::units::HierarchyVersion;
use rusqlite::{Connection, OptionalExtension};
use std::collections::{BTreeMap, BTreeSet};

/// The stable code of the refusal ([`StoreError::Conflict`]).
pub const HIERARCHY_VERSION_CHANGED: &str = "hierarchy_version_changed";

/// How many unit codes a refusal names per kind of difference.
const NAMED: usize = 5;

/// A unit as compared: level, name, type, parent.
type Fields = (String, String, String, Option<String>);

/// The stored version with this key and whether `h` matches it: None when the key is not
/// loaded; `Some(id)` when it is and `h` holds the same units (code, level, name, type,
/// parent), successions and valid days (the `source` text is not compared).
/// `Conflict(HIERARCHY_VERSION_CHANGED)` naming the first differences otherwise.
pub(crate) fn unchanged(c: &Connection, h: &HierarchyVersion) -> Result<Option<i64>> {
    let stored: Option<(i64, String, Option<String>)> = c
        .query_row(
            "SELECT id, valid_from, valid_until FROM hierarchy_versions WHERE key = ?1",
            [&h.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((vid, from, until)) = stored else {
        return Ok(None);
    };
    let mut diffs = unit_diffs(&stored_units(c, vid)?, h);
    let (old, new) = (stored_successions(c, vid)?, file_successions(h));
    let changed_successions = old.symmetric_difference(&new).count();
    if changed_successions > 0 {
        diffs.push(format!("{changed_successions} succession(s) differ"));
    }
    if from != h.valid_from.to_string() || until != h.valid_until.map(|d| d.to_string()) {
        diffs.push("its valid days differ".into());
    }
    if diffs.is_empty() {
        return Ok(Some(vid));
    }
    Err(StoreError::Conflict(
        HIERARCHY_VERSION_CHANGED,
        format!(
            "hierarchy version {} is already loaded with different content: {}; nothing was \
             changed. A loaded version is never rewritten: a corrected map comes as its own \
             version (another key, its first valid day) and is made current with \
             `langso switch-map`",
            h.key,
            diffs.join("; ")
        ),
    ))
}

/// The differences in units, one phrase per kind (added, removed, changed), each naming
/// up to [`NAMED`] codes.
fn unit_diffs(stored: &BTreeMap<String, Fields>, h: &HierarchyVersion) -> Vec<String> {
    let file: BTreeMap<String, Fields> = h
        .units
        .iter()
        .map(|u| {
            let f = (
                u.level.as_str().to_owned(),
                u.name.clone(),
                u.unit_type.clone(),
                u.parent_code.clone(),
            );
            (u.code.clone(), f)
        })
        .collect();
    let added: Vec<&str> = file
        .keys()
        .filter(|k| !stored.contains_key(*k))
        .map(String::as_str)
        .collect();
    let removed: Vec<&str> = stored
        .keys()
        .filter(|k| !file.contains_key(*k))
        .map(String::as_str)
        .collect();
    let changed: Vec<String> = file
        .iter()
        .filter_map(|(code, f)| {
            let s = stored.get(code).filter(|s| *s != f)?;
            Some(match s.1 != f.1 {
                true => format!("{code} renamed '{}' → '{}'", s.1, f.1),
                false => format!("{code} (level, type or parent)"),
            })
        })
        .collect();
    let mut out = Vec::new();
    for (what, codes) in [
        ("removed", removed.iter().map(|s| s.to_string()).collect()),
        ("added", added.iter().map(|s| s.to_string()).collect()),
        ("changed", changed),
    ] {
        if !codes.is_empty() {
            out.push(phrase(what, &codes));
        }
    }
    out
}

/// "2 unit(s) removed: 06652, 06653" (the first [`NAMED`], then "…").
fn phrase(what: &str, codes: &[String]) -> String {
    let more = if codes.len() > NAMED { ", …" } else { "" };
    let named = codes[..codes.len().min(NAMED)].join(", ");
    format!("{} unit(s) {what}: {named}{more}", codes.len())
}

fn stored_units(c: &Connection, vid: i64) -> Result<BTreeMap<String, Fields>> {
    let mut stmt = c.prepare(
        "SELECT code, level, name, unit_type, parent_code FROM units WHERE version_id = ?1",
    )?;
    let rows = stmt.query_map([vid], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn stored_successions(c: &Connection, vid: i64) -> Result<BTreeSet<(String, String, String)>> {
    let mut stmt =
        c.prepare("SELECT old_code, new_code, share FROM unit_successions WHERE version_id = ?1")?;
    let rows = stmt.query_map([vid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn file_successions(h: &HierarchyVersion) -> BTreeSet<(String, String, String)> {
    h.successions
        .iter()
        .map(|s| (s.old_code.clone(), s.new_code.clone(), s.share.clone()))
        .collect()
}
