//! Targets: setting them, and finding the one that applies to a unit and kind.

use super::{Catalogue, current_key};
use crate::{Result, Store, StoreError, now_ms};
use chrono::NaiveDate;
use langso_domain::audit::Actor;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Basis, TargetRule};
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;

/// Where a target applies: everywhere (the default) or one unit (not a level of the tree:
/// the `targets.level` column stores `default` or the unit's kind name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetScope {
    Default,
    Unit(UnitRef),
}

/// A target as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TargetSetting {
    pub rule: TargetRule,
    /// Count from this day (None: from the first event).
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub note: String,
    /// True for the default rule, false for one set on the unit itself.
    pub is_default: bool,
}

fn level_key(c: &Connection, u: &UnitRef) -> Result<(&'static str, String)> {
    Ok(match u.kind {
        UnitKind::Village | UnitKind::Team => (u.kind.as_str(), String::new()),
        _ => (u.kind.as_str(), current_key(c)?),
    })
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, TargetSetting)> {
    let level: String = r.get(0)?;
    let kind: String = r.get(1)?;
    let basis: String = r.get(2)?;
    Ok((
        kind.clone(),
        TargetSetting {
            rule: TargetRule {
                kind,
                basis: Basis::parse(&basis).unwrap_or(Basis::Count),
                value: r.get(3)?,
            },
            start_date: date(r.get(4)?),
            due_date: date(r.get(5)?),
            note: r.get(6)?,
            is_default: level == "default",
        },
    ))
}

const COLS: &str = "level, kind, basis, value, start_date, due_date, note";

/// The target per kind code for `u`: its own, else the default.
pub(crate) fn for_unit(c: &Connection, u: &UnitRef) -> Result<HashMap<String, TargetSetting>> {
    let (level, hierarchy) = level_key(c, u)?;
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLS} FROM targets WHERE level = 'default'
         UNION ALL SELECT {COLS} FROM targets WHERE level = ?1 AND hierarchy = ?2 AND unit = ?3"
    ))?;
    let mut out = HashMap::new();
    for r in stmt.query_map(params![level, hierarchy, u.id], row)? {
        let (kind, t) = r?;
        if !t.is_default || !out.contains_key(&kind) {
            out.insert(kind, t);
        }
    }
    Ok(out)
}

/// The default targets, and each village's own, by village id then kind.
pub(crate) type VillageTargets = (
    HashMap<String, TargetSetting>,
    HashMap<String, HashMap<String, TargetSetting>>,
);

pub(crate) fn for_villages(c: &Connection) -> Result<VillageTargets> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLS}, unit FROM targets WHERE level IN ('default', 'village')"
    ))?;
    let mut defaults = HashMap::new();
    let mut own: HashMap<String, HashMap<String, TargetSetting>> = HashMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (kind, t) = row(r)?;
        if t.is_default {
            defaults.insert(kind, t);
        } else {
            own.entry(r.get(7)?).or_default().insert(kind, t);
        }
    }
    Ok((defaults, own))
}

/// A target as stored, for the audit log: basis, value, dates and note.
fn stored_target(
    c: &Connection,
    level: &str,
    hierarchy: &str,
    unit: &str,
    kind: &str,
) -> Result<Option<serde_json::Value>> {
    let mut stmt = c.prepare_cached(
        "SELECT basis, value, start_date, due_date, note FROM targets
         WHERE level = ?1 AND hierarchy = ?2 AND unit = ?3 AND kind = ?4",
    )?;
    let mut rows = stmt.query(params![level, hierarchy, unit, kind])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(serde_json::json!({
        "basis": r.get::<_, String>(0)?, "value": r.get::<_, f64>(1)?,
        "start_date": r.get::<_, Option<String>>(2)?, "due_date": r.get::<_, Option<String>>(3)?,
        "note": r.get::<_, String>(4)?,
    })))
}

impl Store {
    /// Sets (or replaces) a target; the kind must be in the catalogue. For a unit, the
    /// caller has checked that it exists.
    pub fn set_target(
        &self,
        actor: &Actor,
        scope: TargetScope,
        rule: TargetRule,
        start_date: Option<NaiveDate>,
        due_date: Option<NaiveDate>,
        note: String,
    ) -> Result<()> {
        let actor = actor.clone();
        self.write_blocking(move |tx| {
            if Catalogue::load(tx)?.id_of(&rule.kind).is_none() {
                return Err(StoreError::Invalid(format!("unknown kind '{}'", rule.kind)));
            }
            let (level, hierarchy, unit) = match &scope {
                TargetScope::Default => ("default", String::new(), String::new()),
                TargetScope::Unit(u) if u.kind == UnitKind::Grouping => {
                    return Err(StoreError::Invalid(
                        "a grouping has no targets of its own: its coverage uses the default \
                         targets over its villages; set targets per commune or province"
                            .into(),
                    ));
                }
                TargetScope::Unit(u) => {
                    if super::resolve(tx, u)?.is_none() {
                        return Err(super::unknown(u));
                    }
                    let (l, h) = level_key(tx, u)?;
                    (l, h, u.id.clone())
                }
            };
            let before = stored_target(tx, level, &hierarchy, &unit, &rule.kind)?;
            tx.execute(
                "INSERT OR REPLACE INTO targets
                   (level, hierarchy, unit, kind, basis, value, start_date, due_date, note, updated_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    level,
                    hierarchy,
                    unit,
                    rule.kind,
                    rule.basis.as_str(),
                    rule.value,
                    start_date.map(|d| d.to_string()),
                    due_date.map(|d| d.to_string()),
                    note,
                    now_ms()
                ],
            )?;
            let after = stored_target(tx, level, &hierarchy, &unit, &rule.kind)?;
            let subject = match unit.as_str() {
                "" => format!("target:default/{}", rule.kind),
                u => format!("target:{level}:{u}/{}", rule.kind),
            };
            crate::audit::append(tx, &actor, "target.set", &subject, before, after)?;
            Ok(())
        })
    }

    /// The targets that apply to a unit, by kind code (its own, else the defaults).
    pub fn targets_for(&self, u: &UnitRef) -> Result<HashMap<String, TargetSetting>> {
        self.read(|c| for_unit(c, u))
    }
}
