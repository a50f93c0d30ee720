//! Listing the units of the current administrative map (`langso units`), for operators who
//! need codes: scopes of leader accounts, targets, rosters. Which levels there are is read
//! from the map's units (province → district → commune until 2025, province → commune
//! since), never assumed.

use crate::reference::{current_version, level_at};
use crate::{Result, Store, StoreError};
use langso_domain::units::Level;
use rusqlite::{Connection, OptionalExtension, params};

/// One unit of the current hierarchy version.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ListedUnit {
    /// The official code, unique within the version.
    pub code: String,
    /// NFC, as the file gave it ("Phường Hạ Long").
    pub name: String,
    /// "Xã", "Phường", "Đặc khu", "Huyện", "Tỉnh", …
    pub unit_type: String,
    /// The unit's level ("province", "district", "commune").
    pub level: Level,
    /// The parent's code in the same version; None for the province.
    pub parent_code: Option<String>,
}

/// The units of the current map (its key, YYYY-MM-DD, and its units)
#[derive(Clone, Debug, serde::Serialize)]
pub struct UnitList {
    pub hierarchy: String,
    pub units: Vec<ListedUnit>,
}

/// The levels version `version` has, top to bottom.
fn levels(c: &Connection, version: i64) -> Result<Vec<Level>> {
    let mut stmt = c.prepare("SELECT DISTINCT level FROM units WHERE version_id = ?1")?;
    let mut found: Vec<Level> = stmt
        .query_map([version], |r| level_at(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    found.sort();
    Ok(found)
}

/// What `--under CODE` names: a unit of the map (its descendants), else one of the map's
/// groupings (its communes); `NotFound` when it is neither.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Under {
    Unit,
    Grouping,
}

fn under_kind(c: &Connection, version: i64, hierarchy: &str, code: &str) -> Result<Under> {
    let unit = c
        .prepare_cached("SELECT 1 FROM units WHERE version_id = ?1 AND code = ?2")?
        .query_row(params![version, code], |_| Ok(()))
        .optional()?;
    if unit.is_some() {
        return Ok(Under::Unit);
    }
    if crate::hierarchy::communes_of(c, code)?.is_some() {
        return Ok(Under::Grouping);
    }
    Err(StoreError::NotFound(format!(
        "no unit or grouping '{code}' in the current map ({hierarchy})"
    )))
}

impl Store {
    /// The current map's key (YYYY-MM-DD) and the levels it has, top to bottom (province,
    /// district, commune until 2025; province, commune since). `NotFound` before any import.
    pub fn current_levels(&self) -> Result<(String, Vec<Level>)> {
        self.read(|c| {
            let v = crate::hierarchy::current_or_err(c)?;
            Ok((v.key, levels(c, v.id)?))
        })
    }

    /// The units of the current hierarchy version in code order: all of them, those at
    /// `level`, and/or those under `under`: a unit's descendants (not itself), or a
    /// grouping's communes (a unit's code wins where a grouping has the same code).
    /// `NotFound` when no map is current or `under` is neither; `Invalid` for a level the
    /// map lacks (`district` on the 2025 map; the message lists the levels it has).
    pub fn list_units(&self, level: Option<&str>, under: Option<&str>) -> Result<UnitList> {
        self.read(|c| {
            let v = current_version(c)?;
            let hierarchy: String = c.query_row(
                "SELECT key FROM hierarchy_versions WHERE id = ?1",
                [v],
                |r| r.get(0),
            )?;
            if let Some(level) = level {
                let known = levels(c, v)?;
                if !Level::parse(level).is_some_and(|l| known.contains(&l)) {
                    return Err(StoreError::Invalid(format!(
                        "the current map ({hierarchy}) has no level '{level}'; its levels: {}",
                        Level::names(&known)
                    )));
                }
            }
            let grouping = match under {
                Some(code) => under_kind(c, v, &hierarchy, code)? == Under::Grouping,
                None => false,
            };
            let mut stmt = c.prepare(
                "WITH RECURSIVE below(code) AS (
                     SELECT code FROM units WHERE version_id = ?1 AND parent_code = ?3 AND NOT ?4
                     UNION SELECT gc.commune_code FROM grouping_communes gc
                       JOIN groupings g ON g.id = gc.grouping_id
                       WHERE g.version_id = ?1 AND g.code = ?3 AND ?4
                     UNION SELECT u.code FROM units u JOIN below b ON u.parent_code = b.code
                     WHERE u.version_id = ?1)
                 SELECT code, name, unit_type, level, parent_code FROM units
                 WHERE version_id = ?1 AND (?2 IS NULL OR level = ?2)
                   AND (?3 IS NULL OR code IN (SELECT code FROM below))
                 ORDER BY code",
            )?;
            let rows = stmt.query_map(params![v, level, under, grouping], |r| {
                Ok(ListedUnit {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    unit_type: r.get(2)?,
                    level: level_at(r, 3)?,
                    parent_code: r.get(4)?,
                })
            })?;
            Ok(UnitList {
                hierarchy,
                units: rows.collect::<rusqlite::Result<_>>()?,
            })
        })
    }
}
