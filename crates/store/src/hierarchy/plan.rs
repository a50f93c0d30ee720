//! Where every village goes in the version being made current: its place there if it has
//! one, else its latest earlier place followed through the successions, else the
//! operator's placements file.

use super::switch::{RefusedVillage, VillagePlace};
use super::{Version, steps_between, versions};
use crate::{Result, StoreError};
use langso_domain::map_switch::{Place, PlacementRow, follow};
use langso_domain::units::Level;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// One village's new place.
#[derive(Clone, Debug)]
pub(super) struct NewPlace {
    pub village: i64,
    pub commune: String,
    pub provisional: bool,
    /// Whether this differs from its place in the target version before the switch.
    pub changed: bool,
}

/// The villages' plan: new places, and what the operator must look at.
#[derive(Default)]
pub(super) struct VillagePlan {
    pub places: Vec<NewPlace>,
    pub provisional: Vec<VillagePlace>,
    pub by_operator: Vec<VillagePlace>,
    pub refused: Vec<RefusedVillage>,
}

struct Village {
    id: i64,
    public: String,
    name: String,
    /// (version key, commune code, provisional), oldest version first.
    placed: Vec<(String, String, bool)>,
}

fn villages(c: &Connection) -> Result<Vec<Village>> {
    let keys: HashMap<i64, String> = versions(c)?.into_iter().map(|v| (v.id, v.key)).collect();
    let mut out: Vec<Village> = c
        .prepare("SELECT id, village_id, name FROM villages ORDER BY village_id")?
        .query_map([], |r| {
            Ok(Village {
                id: r.get(0)?,
                public: r.get(1)?,
                name: r.get(2)?,
                placed: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, v)| (v.id, i)).collect();
    let mut stmt = c.prepare(
        "SELECT village_id, version_id, commune_code, provisional FROM village_placements",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (village, version): (i64, i64) = (r.get(0)?, r.get(1)?);
        if let (Some(&i), Some(key)) = (index.get(&village), keys.get(&version)) {
            out[i]
                .placed
                .push((key.clone(), r.get(2)?, r.get::<_, i64>(3)? != 0));
        }
    }
    for v in &mut out {
        v.placed.sort();
    }
    Ok(out)
}

/// Checks the operator's rows: known villages, communes of the target version, each
/// village once. Every problem is reported, with its line.
fn operator_rows(
    c: &Connection,
    to: &Version,
    rows: &[PlacementRow],
    known: &HashMap<&str, usize>,
) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    let mut problems = Vec::new();
    let mut commune =
        c.prepare("SELECT 1 FROM units WHERE version_id = ?1 AND code = ?2 AND level = 'commune'")?;
    // The province's own code (a roster's `village_code`) names a village as well as its id.
    let mut by_code = c.prepare("SELECT village_id FROM villages WHERE code = ?1")?;
    for r in rows {
        let coded: Option<String> = by_code
            .query_row([r.village.as_str()], |x| x.get(0))
            .optional()?;
        let village = match (known.contains_key(r.village.as_str()), coded) {
            (true, Some(other)) if other != r.village => {
                problems.push(format!(
                    "line {}: '{}' is a village id and another village's code ({other}): write the id",
                    r.line, r.village
                ));
                continue;
            }
            (false, Some(id)) => id,
            _ => r.village.clone(),
        };
        let r = &PlacementRow {
            village,
            ..r.clone()
        };
        if !known.contains_key(r.village.as_str()) {
            problems.push(format!("line {}: no village '{}'", r.line, r.village));
        } else if !commune.exists(params![to.id, r.commune])? {
            problems.push(format!(
                "line {}: '{}' is not a commune of hierarchy {}",
                r.line, r.commune, to.key
            ));
        } else if out.insert(r.village.clone(), r.commune.clone()).is_some() {
            problems.push(format!(
                "line {}: village '{}' is placed twice",
                r.line, r.village
            ));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(StoreError::Invalid(format!(
            "the placements file has problems; nothing was changed:\n  {}",
            problems.join("\n  ")
        )))
    }
}

/// Plans every village's place in `to`.
pub(super) fn plan(c: &Connection, to: &Version, rows: &[PlacementRow]) -> Result<VillagePlan> {
    let all = villages(c)?;
    let known: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, v)| (v.public.as_str(), i))
        .collect();
    let operator = operator_rows(c, to, rows, &known)?;
    let mut steps = HashMap::new();
    let mut followed: HashMap<(String, String), Place> = HashMap::new();
    let mut out = VillagePlan::default();
    for v in &all {
        let here = v.placed.iter().find(|p| p.0 == to.key);
        let before = v.placed.iter().rev().find(|p| p.0 < to.key);
        let place = |commune: &str, choices: Vec<String>| VillagePlace {
            village: v.public.clone(),
            name: v.name.clone(),
            from_commune: before.map(|p| p.1.clone()),
            commune: commune.to_owned(),
            choices,
        };
        let (commune, provisional) = if let Some(c) = operator.get(&v.public) {
            out.by_operator.push(place(c, Vec::new()));
            (c.clone(), false)
        } else if let Some((_, c, prov)) = here {
            if *prov {
                out.provisional.push(place(c, Vec::new()));
            }
            (c.clone(), *prov)
        } else if let Some((key, code, _)) = before {
            if !steps.contains_key(key) {
                steps.insert(key.clone(), steps_between(c, key, &to.key)?);
            }
            let p = followed
                .entry((key.clone(), code.clone()))
                .or_insert_with(|| follow(&steps[key], code, Level::Commune))
                .clone();
            match p {
                Place::Certain(c) => (c, false),
                Place::Provisional { code: c, choices } => {
                    out.provisional.push(place(&c, choices));
                    (c, true)
                }
                Place::Nowhere { at, code } => {
                    out.refused.push(RefusedVillage {
                        village: v.public.clone(),
                        name: v.name.clone(),
                        from: key.clone(),
                        commune: code.clone(),
                        reason: format!(
                            "commune {code} has no successor in hierarchy {at} (is every version between imported?)"
                        ),
                    });
                    continue;
                }
            }
        } else {
            out.refused.push(RefusedVillage {
                village: v.public.clone(),
                name: v.name.clone(),
                from: v.placed.first().map(|p| p.0.clone()).unwrap_or_default(),
                commune: v.placed.first().map(|p| p.1.clone()).unwrap_or_default(),
                reason: format!("no place in hierarchy {} or any version before it", to.key),
            });
            continue;
        };
        let changed = here.is_none_or(|h| h.1 != commune || h.2 != provisional);
        out.places.push(NewPlace {
            village: v.id,
            commune,
            provisional,
            changed,
        });
    }
    Ok(out)
}
