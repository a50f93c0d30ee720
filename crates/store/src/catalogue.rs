//! The activity catalogue (issue 9): the province adds kinds, edits their labels and units,
//! changes weights from a local day on, deactivates and reactivates them. Every change is
//! logged for pulls (entity `kind`, every device) and audited in the same transaction.

use crate::reference::log_change;
use crate::{Result, Store, StoreError, now_ms};
use chrono::{NaiveDate, Utc};
use langso_domain::KindCode;
use langso_domain::audit::Actor;
use langso_domain::catalogue::{KindEdit, NewKind};
use langso_domain::kinds::{ActivityKind, WeightFrom, unit_of};
use langso_domain::time::{day_from_number, day_number, vn_day};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The stable 409 code of a code already in the catalogue.
pub const KIND_EXISTS: &str = "kind_exists";

/// Today's day number (Asia/Ho_Chi_Minh).
pub(crate) fn today() -> i64 {
    day_number(vn_day(Utc::now()))
}

/// Every kind's weights, `(from_day, weight)` oldest first, by kind rowid.
pub(crate) fn weights(c: &Connection) -> Result<HashMap<i64, Vec<(i64, f64)>>> {
    let mut out: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT kind_id, from_day, weight FROM kind_weights ORDER BY kind_id, from_day",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (id, day, w): (i64, i64, f64) = row?;
        out.entry(id).or_default().push((day, w));
    }
    Ok(out)
}

/// The weight in force on `day` from a schedule (oldest first); the first before it.
pub(crate) fn weight_on(schedule: &[(i64, f64)], day: i64) -> f64 {
    let i = schedule.partition_point(|(from, _)| *from <= day);
    schedule.get(i.saturating_sub(1)).map_or(0.0, |(_, w)| *w)
}

/// The whole catalogue with rowids, in rowid order; `weight` is the one in force on `today`.
pub(crate) fn load(c: &Connection, today: i64) -> Result<Vec<(i64, ActivityKind)>> {
    load_where(c, today, None)
}

/// The catalogue, or the one kind `code`.
fn load_where(c: &Connection, today: i64, code: Option<&str>) -> Result<Vec<(i64, ActivityKind)>> {
    let schedules = weights(c)?;
    let mut stmt = c.prepare_cached(
        "SELECT id, code, label_vi, label_en, unit, unit_vi, unit_en, active FROM kinds
         WHERE ?1 IS NULL OR code = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([code], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            ActivityKind {
                code: r.get(1)?,
                label_vi: r.get(2)?,
                label_en: r.get(3)?,
                unit: r.get(4)?,
                unit_vi: r.get(5)?,
                unit_en: r.get(6)?,
                weight: 0.0,
                weights: Vec::new(),
                active: r.get(7)?,
            },
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut k) = row?;
        let schedule = schedules.get(&id).map_or(&[][..], Vec::as_slice);
        k.weight = weight_on(schedule, today);
        k.weights = schedule
            .iter()
            .map(|&(from, weight)| WeightFrom {
                from: day_from_number(from),
                weight,
            })
            .collect();
        out.push((id, k));
    }
    Ok(out)
}

/// One kind by code, as delivered (weight in force today).
pub(crate) fn one(c: &Connection, code: &str) -> Result<Option<ActivityKind>> {
    Ok(load_where(c, today(), Some(code))?.pop().map(|k| k.1))
}

/// Adds a kind or overwrites one (seeding and the default catalogue): its weight from the
/// first day, unless it already has weights.
pub(crate) fn upsert_kind(tx: &Transaction<'_>, k: &ActivityKind) -> Result<()> {
    let deactivated = (!k.active).then_some(0i64);
    tx.execute(
        "INSERT INTO kinds (code, label_vi, label_en, unit, unit_vi, unit_en, weight, active,
                            deactivated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (code) DO UPDATE SET label_vi = excluded.label_vi,
           label_en = excluded.label_en, unit = excluded.unit, unit_vi = excluded.unit_vi,
           unit_en = excluded.unit_en, weight = excluded.weight, active = excluded.active,
           deactivated_ms = excluded.deactivated_ms",
        params![
            k.code,
            k.label_vi,
            k.label_en,
            k.unit,
            k.unit_vi,
            k.unit_en,
            k.weight,
            k.active,
            deactivated
        ],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO kind_weights (kind_id, from_day, weight)
         SELECT id, 0, ?2 FROM kinds WHERE code = ?1",
        params![k.code, k.weight],
    )?;
    Ok(())
}

fn kind_rowid(c: &Connection, code: &KindCode) -> Result<i64> {
    c.prepare_cached("SELECT id FROM kinds WHERE code = ?1")?
        .query_row([code.as_str()], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("no kind '{code}' in the catalogue")))
}

fn add(tx: &Transaction<'_>, actor: &Actor, k: &NewKind) -> Result<ActivityKind> {
    let deactivated = (!k.active).then(now_ms);
    let inserted = tx.execute(
        "INSERT INTO kinds (code, label_vi, label_en, unit, unit_vi, unit_en, weight, active,
                            deactivated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (code) DO NOTHING",
        params![
            k.code.as_str(),
            k.label_vi,
            k.label_en,
            unit_of(&k.unit_vi, &k.unit_en),
            k.unit_vi,
            k.unit_en,
            k.weight,
            k.active,
            deactivated
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict(
            KIND_EXISTS,
            format!(
                "kind '{}' is already in the catalogue; edit it instead",
                k.code
            ),
        ));
    }
    tx.execute(
        "INSERT INTO kind_weights (kind_id, from_day, weight) VALUES (?1, 0, ?2)",
        params![tx.last_insert_rowid(), k.weight],
    )?;
    log_change(tx, "kind", k.code.as_str(), "upsert", None)?;
    let added =
        one(tx, k.code.as_str())?.ok_or_else(|| StoreError::NotFound("kind vanished".into()))?;
    let subject = format!("kind:{}", k.code);
    crate::audit::append(tx, actor, "kind.add", &subject, None, Some(json!(added)))?;
    Ok(added)
}

/// Sets a weight from `from` on: the rows from that day on give way to it (a change
/// effective earlier than a planned one replaces the plan).
fn set_weight(tx: &Transaction<'_>, id: i64, weight: f64, from: NaiveDate) -> Result<()> {
    let day = day_number(from);
    tx.execute(
        "DELETE FROM kind_weights WHERE kind_id = ?1 AND from_day >= ?2",
        params![id, day],
    )?;
    tx.execute(
        "INSERT INTO kind_weights (kind_id, from_day, weight) VALUES (?1, ?2, ?3)",
        params![id, day, weight],
    )?;
    let current = weight_on(&weights(tx)?.remove(&id).unwrap_or_default(), today());
    tx.execute(
        "UPDATE kinds SET weight = ?2 WHERE id = ?1",
        params![id, current],
    )?;
    Ok(())
}

fn edit(
    tx: &Transaction<'_>,
    actor: &Actor,
    code: &KindCode,
    e: &KindEdit,
) -> Result<ActivityKind> {
    let id = kind_rowid(tx, code)?;
    let before = one(tx, code.as_str())?.ok_or_else(|| StoreError::NotFound(code.to_string()))?;
    let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_owned());
    let (unit_vi, unit_en) = (
        pick(&e.unit_vi, &before.unit_vi),
        pick(&e.unit_en, &before.unit_en),
    );
    tx.execute(
        "UPDATE kinds SET label_vi = ?2, label_en = ?3, unit_vi = ?4, unit_en = ?5, unit = ?6
         WHERE id = ?1",
        params![
            id,
            pick(&e.label_vi, &before.label_vi),
            pick(&e.label_en, &before.label_en),
            unit_vi,
            unit_en,
            unit_of(&unit_vi, &unit_en)
        ],
    )?;
    match e.weight {
        // The weight in force today, sent again (a PUT of the whole kind): no change.
        Some((w, None)) if w == before.weight => {}
        Some((w, from)) => set_weight(tx, id, w, from.unwrap_or_else(|| day_from_number(today())))?,
        None => {}
    }
    match e.active {
        Some(true) => tx.execute(
            "UPDATE kinds SET active = 1, deactivated_ms = NULL WHERE id = ?1",
            [id],
        )?,
        Some(false) => tx.execute(
            "UPDATE kinds SET active = 0, deactivated_ms = coalesce(deactivated_ms, ?2)
             WHERE id = ?1",
            [id, now_ms()],
        )?,
        None => 0,
    };
    let after = one(tx, code.as_str())?.ok_or_else(|| StoreError::NotFound(code.to_string()))?;
    let (old, new) = changed(&before, &after);
    if !new.is_empty() {
        log_change(tx, "kind", code.as_str(), "upsert", None)?;
        let subject = format!("kind:{code}");
        crate::audit::append(
            tx,
            actor,
            action(e),
            &subject,
            Some(old.into()),
            Some(new.into()),
        )?;
    }
    Ok(after)
}

/// The audit action of an edit: `kind.deactivate`, `kind.reactivate`, or `kind.edit`.
fn action(e: &KindEdit) -> &'static str {
    match e.active {
        Some(false) => "kind.deactivate",
        Some(true) => "kind.reactivate",
        None => "kind.edit",
    }
}

/// The fields an edit changed: their values before and after.
fn changed(
    before: &ActivityKind,
    after: &ActivityKind,
) -> (Map<String, Value>, Map<String, Value>) {
    let (Value::Object(b), Value::Object(a)) = (json!(before), json!(after)) else {
        return Default::default();
    };
    a.into_iter()
        .filter(|(k, v)| b.get(k) != Some(v))
        .map(|(k, v)| {
            (
                (k.clone(), b.get(&k).cloned().unwrap_or(Value::Null)),
                (k, v),
            )
        })
        .unzip()
}

impl Store {
    /// The whole catalogue in rowid order, each with its weight in force today and its
    /// weights with their first days.
    pub fn catalogue(&self) -> Result<Vec<ActivityKind>> {
        self.read(|c| Ok(load(c, today())?.into_iter().map(|k| k.1).collect()))
    }

    /// Adds a kind (its weight in force from the first day: it has no events yet); phones
    /// receive it on their next pull. `Conflict(KIND_EXISTS)` if the code is taken.
    pub fn add_kind(&self, actor: &Actor, kind: NewKind) -> Result<ActivityKind> {
        let actor = actor.clone();
        self.write_blocking(move |tx| add(tx, &actor, &kind))
    }

    /// Edits a kind: labels, units, a weight from a local day on (today when none is
    /// given), deactivation (from now: events placed earlier are still accepted) or
    /// reactivation. `NotFound` if there is no such kind. An edit that changes nothing writes
    /// nothing (no pull change, no audit entry).
    pub fn edit_kind(
        &self,
        actor: &Actor,
        code: &KindCode,
        edit_: KindEdit,
    ) -> Result<ActivityKind> {
        let (actor, code) = (actor.clone(), code.clone());
        self.write_blocking(move |tx| edit(tx, &actor, &code, &edit_))
    }
}

#[cfg(test)]
mod tests {
    use super::weight_on;

    #[test]
    fn a_day_takes_the_last_weight_that_started_by_then() {
        let s = [(0, 3.0), (100, 5.0), (200, 1.0)];
        assert_eq!(weight_on(&s, -5), 3.0, "before the first: the first");
        assert_eq!(weight_on(&s, 99), 3.0);
        assert_eq!(weight_on(&s, 100), 5.0);
        assert_eq!(weight_on(&s, 10_000), 1.0);
        assert_eq!(weight_on(&[], 1), 0.0);
    }
}
