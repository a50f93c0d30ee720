//! Listing the units of the current administrative map (`langso units`), for operators who
//! need codes: scopes of leader accounts, targets, rosters.

use crate::reference::current_version;
use crate::{Result, Store, StoreError};
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
    /// The level, as the map names it ("province", "district", "commune", …).
    pub level: String,
    /// The parent's code in the same version; None for the province.
    pub parent_code: Option<String>,
}

/// The units of the current map (its key, YYYY-MM-DD, and its units)
#[derive(Clone, Debug, serde::Serialize)]
pub struct UnitList {
    pub hierarchy: String,
    pub units: Vec<ListedUnit>,
}

fn levels(c: &Connection, version: i64) -> Result<Vec<String>> {
    let mut stmt = c.prepare("SELECT DISTINCT level FROM units WHERE version_id = ?1")?;
    let rows = stmt.query_map([version], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// The units of the current hierarchy version in code order: all of them, those at
    /// `level`, and/or those under `under` (its descendants, not itself). `NotFound` when
    /// no map is current or `under` is no unit of it; `Invalid` for a level the map lacks
    /// (the message lists the levels it has).
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
                if !known.iter().any(|l| l == level) {
                    return Err(StoreError::Invalid(format!(
                        "the current map ({hierarchy}) has no level '{level}'; its levels: {}",
                        known.join(", ")
                    )));
                }
            }
            if let Some(code) = under {
                let exists: Option<i64> = c
                    .query_row(
                        "SELECT 1 FROM units WHERE version_id = ?1 AND code = ?2",
                        params![v, code],
                        |r| r.get(0),
                    )
                    .optional()?;
                if exists.is_none() {
                    return Err(StoreError::NotFound(format!(
                        "no unit '{code}' in the current map ({hierarchy})"
                    )));
                }
            }
            let mut stmt = c.prepare(
                "WITH RECURSIVE below(code) AS (
                     SELECT code FROM units WHERE version_id = ?1 AND parent_code = ?3
                     UNION SELECT u.code FROM units u JOIN below b ON u.parent_code = b.code
                     WHERE u.version_id = ?1)
                 SELECT code, name, unit_type, level, parent_code FROM units
                 WHERE version_id = ?1 AND (?2 IS NULL OR level = ?2)
                   AND (?3 IS NULL OR code IN (SELECT code FROM below))
                 ORDER BY code",
            )?;
            let rows = stmt.query_map(params![v, level, under], |r| {
                Ok(ListedUnit {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    unit_type: r.get(2)?,
                    level: r.get(3)?,
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
