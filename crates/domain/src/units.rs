//! Administrative-unit hierarchy files (see data/quang-ninh/). Units are keyed by
//! (hierarchy version, code): official codes are reused across versions.

use crate::text::nfc;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A level of the administrative tree, top to bottom: the one home of the levels' names
/// (`as_str`/`parse`, and serde through them). Which levels a map has is data: the 2024 maps
/// have province → district → commune, the 2025 map province → commune (a map's `units` rows
/// say; see `HierarchyVersion::levels`). Villages hang under communes through placements, not
/// in the hierarchy files. `scope::UnitKind` is built from these (plus teams and groupings,
/// which are not levels of a map); team rows use `Village`/`Commune`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Level {
    Province,
    District,
    Commune,
    Village,
}

impl Level {
    /// Every level, top to bottom.
    pub const ALL: [Level; 4] = [Self::Province, Self::District, Self::Commune, Self::Village];

    /// The level's name on the wire, in the database (`units.level`, `teams.level`) and on
    /// the command line: "province", "district", "commune", "village".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
            Self::Village => "village",
        }
    }

    /// The level named `s` (exactly as [`Level::as_str`] spells it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The names of `levels`, comma-separated, for messages ("province, commune").
    pub fn names(levels: &[Level]) -> String {
        let names: Vec<&str> = levels.iter().map(|l| l.as_str()).collect();
        names.join(", ")
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serde for an enum with `as_str`/`parse` (`#[serde(into = "&'static str", try_from =
/// "String")]`): its names on the wire are `as_str`'s, so they live in one place.
macro_rules! serde_by_name {
    ($t:ty, $what:literal) => {
        impl From<$t> for &'static str {
            fn from(v: $t) -> Self {
                v.as_str()
            }
        }

        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).ok_or_else(|| format!("'{s}' is not {}", $what))
            }
        }
    };
}
pub(crate) use serde_by_name;

serde_by_name!(Level, "a level of the administrative tree");

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    /// "Xã", "Phường", "Thị trấn", "Huyện", "Đặc khu", …
    pub unit_type: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

/// An old unit that continues (wholly or in part) in a unit of this version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Succession {
    pub old_code: String,
    pub new_code: String,
    /// "full" or "partial".
    pub share: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HierarchyVersion {
    /// The first day the tree is valid, as YYYY-MM-DD: the version's key.
    pub key: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub source: String,
    pub units: Vec<Unit>,
    /// Links from units of the previous version (empty for the first).
    pub successions: Vec<Succession>,
}

impl HierarchyVersion {
    pub fn count(&self, level: Level) -> usize {
        self.units.iter().filter(|u| u.level == level).count()
    }
    /// The levels this map has, top to bottom (province, district, commune until 2025;
    /// province, commune from 2025-07-01).
    pub fn levels(&self) -> Vec<Level> {
        Level::ALL
            .into_iter()
            .filter(|l| self.count(*l) > 0)
            .collect()
    }
    pub fn communes(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.level == Level::Commune)
    }
    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UnitsError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("missing or malformed field '{0}'")]
    Field(&'static str),
    #[error("the file's totals say {expected} {level}s but it lists {found}")]
    Totals {
        level: &'static str,
        expected: u64,
        found: usize,
    },
    #[error("unit code '{0}' appears twice")]
    DuplicateCode(String),
}

fn s(v: &Value, f: &'static str) -> Result<String, UnitsError> {
    v.get(f)
        .and_then(Value::as_str)
        .map(nfc)
        .ok_or(UnitsError::Field(f))
}

fn date_prefix(v: &Value, f: &'static str) -> Option<NaiveDate> {
    let text = v.get(f)?.as_str()?;
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// Parses one of the three file shapes: province → districts → communes (2024 files), or
/// province → communes with an old→new mapping (2025 file).
pub fn parse_hierarchy(json: &str) -> Result<HierarchyVersion, UnitsError> {
    let v: Value = serde_json::from_str(json)?;
    let province = v.get("province").ok_or(UnitsError::Field("province"))?;
    let province_code = s(province, "code")?;
    let mut units = vec![Unit {
        code: province_code.clone(),
        name: s(province, "name")?,
        unit_type: "Tỉnh".into(),
        level: Level::Province,
        parent_code: None,
    }];
    let mut successions = Vec::new();
    let valid_from = date_prefix(&v, "effective_from")
        .or_else(|| date_prefix(&v, "valid_from"))
        .or_else(|| {
            let d = v.get("data_date")?.as_str()?.get(..10)?;
            NaiveDate::parse_from_str(d, "%d/%m/%Y").ok()
        })
        .ok_or(UnitsError::Field("effective_from|valid_from|data_date"))?;
    if let Some(districts) = v.get("districts").and_then(Value::as_array) {
        for d in districts {
            let dcode = s(d, "code")?;
            units.push(Unit {
                code: dcode.clone(),
                name: s(d, "name")?,
                unit_type: s(d, "type")?,
                level: Level::District,
                parent_code: Some(province_code.clone()),
            });
            for c in d
                .get("communes")
                .and_then(Value::as_array)
                .ok_or(UnitsError::Field("communes"))?
            {
                units.push(Unit {
                    code: s(c, "code")?,
                    name: s(c, "name")?,
                    unit_type: s(c, "type")?,
                    level: Level::Commune,
                    parent_code: Some(dcode.clone()),
                });
            }
        }
        if let Some(removed) = v
            .pointer("/changes_from_2024_09/removed")
            .and_then(Value::as_array)
        {
            for r in removed {
                if let Some(into) = r.get("merged_into_code").and_then(Value::as_str) {
                    successions.push(Succession {
                        old_code: s(r, "old_code")?,
                        new_code: into.to_owned(),
                        share: "full".into(),
                    });
                }
            }
        }
    } else {
        for c in v
            .get("communes")
            .and_then(Value::as_array)
            .ok_or(UnitsError::Field("districts|communes"))?
        {
            units.push(Unit {
                code: s(c, "code")?,
                name: s(c, "name")?,
                unit_type: s(c, "type")?,
                level: Level::Commune,
                parent_code: Some(province_code.clone()),
            });
        }
        for m in v
            .get("mapping")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let new_code = s(m, "new_code")?;
            for f in m
                .get("from")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                successions.push(Succession {
                    old_code: s(f, "old_code")?,
                    new_code: new_code.clone(),
                    share: s(f, "share")?,
                });
            }
        }
    }
    let version = HierarchyVersion {
        key: valid_from.format("%Y-%m-%d").to_string(),
        valid_from,
        valid_until: date_prefix(&v, "valid_until"),
        source: v
            .get("source")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        units,
        successions,
    };
    check_totals(&v, &version)?;
    Ok(version)
}

fn check_totals(v: &Value, h: &HierarchyVersion) -> Result<(), UnitsError> {
    let mut seen = std::collections::HashSet::new();
    for u in &h.units {
        if !seen.insert(&u.code) {
            return Err(UnitsError::DuplicateCode(u.code.clone()));
        }
    }
    for (field, level) in [("districts", Level::District), ("communes", Level::Commune)] {
        if let Some(expected) = v
            .pointer(&format!("/totals/{field}"))
            .and_then(Value::as_u64)
        {
            let found = h.count(level);
            if found as u64 != expected {
                return Err(UnitsError::Totals {
                    level: level.as_str(),
                    expected,
                    found,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> HierarchyVersion {
        let path = format!(
            "{}/../../data/quang-ninh/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_hierarchy(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_177_commune_tree_parses_with_13_districts() {
        let h = load("quang-ninh-admin-units.json");
        assert_eq!(h.key, "2024-09-01");
        assert_eq!(h.count(Level::District), 13);
        assert_eq!(h.count(Level::Commune), 177);
        assert_eq!(h.unit("06649").unwrap().parent_code.as_deref(), Some("193"));
    }

    #[test]
    fn the_later_trees_parse_with_their_successions() {
        let h = load("quang-ninh-admin-units-2024-11.json");
        assert_eq!(
            (h.key.as_str(), h.count(Level::Commune)),
            ("2024-11-01", 171)
        );
        assert!(h.successions.iter().any(|s| s.old_code == "06718"));
        let h = load("quang-ninh-admin-units-2025.json");
        assert_eq!(
            (h.key.as_str(), h.count(Level::Commune)),
            ("2025-07-01", 54)
        );
        assert_eq!(h.count(Level::District), 0);
        assert_eq!(h.levels(), [Level::Province, Level::Commune]);
        assert!(h.successions.iter().any(|s| s.share == "partial"));
    }

    #[test]
    fn levels_are_named_once_and_serde_uses_those_names() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        assert_eq!(
            serde_json::to_string(&Level::Commune).unwrap(),
            "\"commune\""
        );
        assert!(serde_json::from_str::<Level>("\"team\"").is_err());
        let h = load("quang-ninh-admin-units.json");
        assert_eq!(
            h.levels(),
            [Level::Province, Level::District, Level::Commune]
        );
    }

    #[test]
    fn a_file_whose_totals_disagree_is_refused() {
        let json = r#"{"province":{"code":"22","name":"Tỉnh Quảng Ninh"},"valid_from":"2024-11-01",
            "totals":{"communes":2},"communes":[{"code":"1","name":"Xã A","type":"Xã"}]}"#;
        assert!(matches!(
            parse_hierarchy(json),
            Err(UnitsError::Totals {
                expected: 2,
                found: 1,
                ..
            })
        ));
    }
}
