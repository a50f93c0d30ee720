//! What else names units of the old map: teams' communes, leaders' scopes and targets.
//! Each is carried to its unit's successor where that is unambiguous, and listed for the
//! operator where it is not (`langso rescope-user`, `langso target`).

use super::plan::NewPlace;
use super::switch::Carried;
use super::{Version, step, steps_between};
use crate::Result;
use langso_domain::map_switch::{Place, follow};
use langso_domain::scope::UnitKind;
use langso_domain::units::Level;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, HashMap};

/// Where unit `code` of `level` in version `from` is in `to`. Backwards (to an older
/// version) or within one version, a code stays only if it exists there.
pub(super) fn follow_unit(
    c: &Connection,
    from: &Version,
    to: &Version,
    code: &str,
    level: Level,
) -> Result<Place> {
    if from.key < to.key {
        return Ok(follow(&steps_between(c, &from.key, &to.key)?, code, level));
    }
    let target = step(c, to)?;
    Ok(if target.units.get(code) == Some(&level) {
        Place::Certain(code.to_owned())
    } else {
        Place::Nowhere {
            at: to.key.clone(),
            code: code.to_owned(),
        }
    })
}

/// What is listed for the operator, and the (row id, new code) updates.
pub(super) type Updates = (Vec<Carried>, Vec<(i64, String)>);

fn why_not(place: &Place) -> String {
    match place {
        Place::Provisional { choices, .. } => format!("split between {}", choices.join(", ")),
        Place::Nowhere { at, .. } => format!("no successor in hierarchy {at}"),
        Place::Certain(_) => String::new(),
    }
}

/// Each team's commune in `to`: where most of its villages now are (ties: the lowest
/// code), else its commune followed through the successions. Returns the teams whose
/// commune changes or cannot be found, and the updates.
pub(super) fn teams(
    c: &Connection,
    from: Option<&Version>,
    to: &Version,
    places: &[NewPlace],
) -> Result<Updates> {
    let by_village: HashMap<i64, &str> = places
        .iter()
        .map(|p| (p.village, p.commune.as_str()))
        .collect();
    let teams: Vec<(i64, String, String)> = c
        .prepare("SELECT id, team_id, commune_code FROM teams ORDER BY team_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut covered = c.prepare("SELECT village_id FROM team_villages WHERE team_id = ?1")?;
    let (mut listed, mut updates) = (Vec::new(), Vec::new());
    for (id, public, old) in teams {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for v in covered.query_map([id], |r| r.get::<_, i64>(0))? {
            if let Some(commune) = by_village.get(&v?) {
                *counts.entry(commune).or_default() += 1;
            }
        }
        let most = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
        let (new, note) = match (most, from) {
            (Some((commune, _)), _) => {
                let note = (counts.len() > 1)
                    .then(|| format!("its villages lie in {} communes", counts.len()));
                (Some(commune.to_string()), note)
            }
            (None, Some(from)) => {
                let p = follow_unit(c, from, to, &old, Level::Commune)?;
                match p {
                    Place::Certain(code) => (Some(code), None),
                    other => (None, Some(why_not(&other))),
                }
            }
            (None, None) => (None, Some("no villages and no current map".into())),
        };
        if new.as_deref() != Some(old.as_str()) || note.is_some() {
            listed.push(Carried {
                subject: format!("team {public}"),
                from: old,
                to: new.clone(),
                note: note.unwrap_or_default(),
            });
        }
        if let Some(new) = new {
            updates.push((id, new));
        }
    }
    Ok((listed, updates))
}

/// A grouping leader: groupings are of one map and never carried, so the leader keeps the
/// code, and is listed unless `to` already has a grouping of that code.
fn grouping_leader(
    c: &Connection,
    to: &Version,
    username: &str,
    role: &str,
    code: &str,
) -> Result<Option<Carried>> {
    let there: Option<i64> = c
        .query_row(
            "SELECT 1 FROM groupings WHERE version_id = ?1 AND code = ?2",
            params![to.id, code],
            |r| r.get(0),
        )
        .optional()?;
    Ok(there.is_none().then(|| Carried {
        subject: format!("leader {username} ({role} of grouping {code})"),
        from: code.to_owned(),
        to: None,
        note: format!(
            "groupings are of one map: import {}'s groupings (`langso import-groupings`) \
             with this code, or rescope with `langso rescope-user`",
            to.key
        ),
    }))
}

/// Leaders scoped to a commune, grouping, district or province of `from`: carried where their unit
/// has one certain successor. Returns them, and the (user id, new code) updates.
pub(super) fn leaders(c: &Connection, from: &Version, to: &Version) -> Result<Updates> {
    let users: Vec<(i64, String, String, String, String)> = c
        .prepare(
            "SELECT id, username, role, scope_kind, scope_id FROM users
             WHERE scope_kind IN ('commune', 'grouping', 'district', 'province') ORDER BY username",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let (mut listed, mut updates) = (Vec::new(), Vec::new());
    for (id, username, role, kind, code) in users {
        if kind == UnitKind::Grouping.as_str() {
            listed.extend(grouping_leader(c, to, &username, &role, &code)?);
            continue;
        }
        let level = Level::parse(&kind).unwrap_or(Level::Commune);
        let place = follow_unit(c, from, to, &code, level)?;
        let subject = format!("leader {username} ({role} of {kind} {code})");
        match place {
            Place::Certain(new) if new == code => {}
            Place::Certain(new) => {
                listed.push(Carried {
                    subject,
                    from: code,
                    to: Some(new.clone()),
                    note: String::new(),
                });
                updates.push((id, new));
            }
            other => listed.push(match kept(c, to, &code, level)? {
                Some(kept) => Carried {
                    subject,
                    to: Some(code.clone()),
                    from: code,
                    note: format!(
                        "{kept}; {}: rescope with `langso rescope-user` if that is wrong",
                        why_not(&other)
                    ),
                },
                None => Carried {
                    subject,
                    from: code,
                    to: None,
                    note: format!("{}: rescope with `langso rescope-user`", why_not(&other)),
                },
            }),
        }
    }
    Ok((listed, updates))
}

/// When unit `code` of `level` has no single successor but `to` still has a unit of that
/// code and level (a split commune's successor that keeps its code), a leader scoped to it
/// keeps a valid scope: "kept: 06877 continues as Xã Đông Ngũ (also holds villages of
/// 06868, 06883)", the other codes being what `to`'s file says the unit also took in.
/// None when `to` has no such unit.
fn kept(c: &Connection, to: &Version, code: &str, level: Level) -> Result<Option<String>> {
    let name: Option<String> = c
        .prepare_cached(
            "SELECT name FROM units WHERE version_id = ?1 AND code = ?2 AND level = ?3",
        )?
        .query_row(params![to.id, code, level.as_str()], |r| r.get(0))
        .optional()?;
    let Some(name) = name else { return Ok(None) };
    let others: Vec<String> = c
        .prepare_cached(
            "SELECT old_code FROM unit_successions WHERE version_id = ?1 AND new_code = ?2
               AND old_code <> ?2 ORDER BY old_code",
        )?
        .query_map(params![to.id, code], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let also = match others.is_empty() {
        true => String::new(),
        false => format!(" (also holds villages of {})", others.join(", ")),
    };
    Ok(Some(format!("kept: {code} continues as {name}{also}")))
}

/// One target row to copy into the new version.
#[derive(Clone, Debug)]
pub(super) struct TargetCopy {
    /// The unit in the new version.
    pub unit: String,
    /// The old row's (level, hierarchy, unit, kind) key.
    pub source: (String, String, String, String),
}

type TargetRow = (
    String,
    String,
    String,
    String,
    f64,
    Option<String>,
    Option<String>,
);

/// Area targets of `from` carried to `to`: a unit with one certain successor that gets no
/// other target of the kind (or only identical shares), and no target of its own there.
/// A count target is carried only to a unit that continues that one unit alone.
pub(super) fn targets(
    c: &Connection,
    from: &Version,
    to: &Version,
) -> Result<(Vec<Carried>, Vec<TargetCopy>)> {
    let rows: Vec<TargetRow> = c
        .prepare(
            "SELECT level, unit, kind, basis, value, start_date, due_date FROM targets
             WHERE level IN ('commune', 'district', 'province') AND hierarchy = ?1
             ORDER BY level, unit, kind",
        )?
        .query_map([&from.key], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let (mut listed, mut landing) = (Vec::new(), BTreeMap::<_, Vec<&TargetRow>>::new());
    let mut inflow: HashMap<(String, String), usize> = HashMap::new();
    let units: Vec<(String, String)> = c
        .prepare("SELECT code, level FROM units WHERE version_id = ?1 AND level <> 'province'")?
        .query_map([from.id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (code, level) in &units {
        let l = Level::parse(level).unwrap_or(Level::Commune);
        if let Some(new) = follow_unit(c, from, to, code, l)?.code() {
            *inflow.entry((level.clone(), new.to_owned())).or_default() += 1;
        }
    }
    for row in &rows {
        let level = Level::parse(&row.0).unwrap_or(Level::Commune);
        let subject = format!("target {} {} {}", row.0, row.1, row.2);
        match follow_unit(c, from, to, &row.1, level)? {
            Place::Certain(new) => landing
                .entry((row.0.clone(), new, row.2.clone()))
                .or_default()
                .push(row),
            other => listed.push(Carried {
                subject,
                from: row.1.clone(),
                to: None,
                note: why_not(&other),
            }),
        }
    }
    let mut copies = Vec::new();
    let mut own = c.prepare(
        "SELECT 1 FROM targets WHERE level = ?1 AND hierarchy = ?2 AND unit = ?3 AND kind = ?4",
    )?;
    for ((level, unit, kind), from_rows) in landing {
        let first = from_rows[0];
        let same = from_rows
            .iter()
            .all(|r| (&r.3, r.4, &r.5, &r.6) == (&first.3, first.4, &first.5, &first.6));
        let merged = inflow
            .get(&(level.clone(), unit.clone()))
            .copied()
            .unwrap_or(1)
            > 1;
        let olds: Vec<&str> = from_rows.iter().map(|r| r.1.as_str()).collect();
        let note = if own.exists(params![level, to.key, unit, kind])? {
            Some("the new unit already has its own target")
        } else if !same {
            Some("its predecessors had different targets: set it again")
        } else if first.3 == "count" && merged {
            Some("a count target of a merged unit: set it again")
        } else {
            None
        };
        listed.push(Carried {
            subject: format!("target {level} {} {kind}", olds.join("+")),
            from: olds.join("+"),
            to: note.is_none().then(|| unit.clone()),
            note: note.unwrap_or_default().to_owned(),
        });
        if note.is_none() {
            copies.push(TargetCopy {
                unit,
                source: (level, from.key.clone(), first.1.clone(), kind),
            });
        }
    }
    Ok((listed, copies))
}
