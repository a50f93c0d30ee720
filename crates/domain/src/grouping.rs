//! Groupings of communes (issue 8, "Levels are data"): since 2025-07-01 a province has no
//! districts, but it may group its communes itself ("cụm", or the former districts) for
//! its Youth Union's coordination. A grouping is a report scope, a leaderboard scope and a
//! leader's scope (`grouping_leader`); its figures are its communes' sums.
//!
//! A grouping belongs to one hierarchy version (its communes are codes of that version,
//! and codes are reused across versions): a map switch does not carry groupings, they are
//! derived again ([`former_districts`]) or imported again.

mod csv;

pub use csv::{GroupingProblem, parse_csv};

use crate::units::{HierarchyVersion, Level};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The `kind` of the groupings [`former_districts`] derives.
pub const FORMER_DISTRICT: &str = "former_district";

/// Longest grouping kind, in characters (`former_district`, `cluster`, …).
pub const KIND_CHARS: usize = 40;

/// A named set of communes of one hierarchy version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grouping {
    /// The grouping's code, unique within its version (for a former district, the old
    /// district's official code, e.g. "193"); 1 to 40 visible characters.
    pub code: String,
    /// NFC display name, e.g. "Thành phố Hạ Long (cũ)" or "Cụm 1".
    pub name: String,
    /// What sort of grouping: [`FORMER_DISTRICT`], "cluster", …: lower-case ASCII letters,
    /// digits and `_` (see [`valid_kind`]).
    pub kind: String,
    /// Commune codes of the version, in code order, each once.
    pub communes: Vec<String>,
}

/// Whether `kind` is a grouping kind: 1 to [`KIND_CHARS`] of `a-z`, `0-9`, `_`.
pub fn valid_kind(kind: &str) -> bool {
    !kind.is_empty()
        && kind.len() <= KIND_CHARS
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The former districts of `new`'s communes as groupings of kind [`FORMER_DISTRICT`],
/// derived from the successions `new` carries (its file's old → new mapping) and the
/// districts of `old` (the map those successions start from, e.g. 2024-11 for 2025).
///
/// Each commune of `new` goes to the district of `old` that held most of its
/// predecessors; a tie goes to the lowest district code (Quảng Ninh's Xã Hải Hòa, formed
/// from one commune of Cẩm Phả (195) and one of Tiên Yên (199), goes to Cẩm Phả). Every
/// predecessor counts once, a partial one ("share": "partial", a split commune) as much
/// as a whole one. A commune with no predecessor in a district of `old` belongs to no
/// grouping. A grouping's code is its district's code, its name the district's name with
/// " (cũ)" ("Huyện Tiên Yên (cũ)", "Thành phố Hạ Long (cũ)"); the list is in code order
/// and a district none of whose successors lies mostly in it is left out.
pub fn former_districts(old: &HierarchyVersion, new: &HierarchyVersion) -> Vec<Grouping> {
    let district_of: HashMap<&str, &str> = old
        .communes()
        .filter_map(|c| Some((c.code.as_str(), c.parent_code.as_deref()?)))
        .filter(|(_, d)| old.unit(d).is_some_and(|u| u.level == Level::District))
        .collect();
    let mut votes: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    for s in &new.successions {
        if let Some(d) = district_of.get(s.old_code.as_str()) {
            *votes
                .entry(s.new_code.as_str())
                .or_default()
                .entry(d)
                .or_default() += 1;
        }
    }
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for commune in new.communes() {
        let Some(by_district) = votes.get(commune.code.as_str()) else {
            continue;
        };
        // BTreeMap iterates codes in order, and max_by_key keeps the last maximum: go
        // backwards so the lowest code wins a tie.
        if let Some((d, _)) = by_district.iter().rev().max_by_key(|(_, n)| **n) {
            groups.entry(d).or_default().push(commune.code.clone());
        }
    }
    groups
        .into_iter()
        .map(|(d, mut communes)| {
            communes.sort();
            let name = old.unit(d).map_or(d, |u| u.name.as_str());
            Grouping {
                code: d.to_owned(),
                name: format!("{name} (cũ)"),
                kind: FORMER_DISTRICT.to_owned(),
                communes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::parse_hierarchy;

    fn load(name: &str) -> HierarchyVersion {
        let path = format!(
            "{}/../../data/quang-ninh/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_hierarchy(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn of<'a>(gs: &'a [Grouping], code: &str) -> &'a Grouping {
        gs.iter().find(|g| g.code == code).unwrap()
    }

    #[test]
    fn quang_ninh_2025_communes_fall_into_its_13_former_districts() {
        let gs = former_districts(
            &load("quang-ninh-admin-units-2024-11.json"),
            &load("quang-ninh-admin-units-2025.json"),
        );
        assert_eq!(gs.len(), 13);
        assert_eq!(gs.iter().map(|g| g.communes.len()).sum::<usize>(), 54);
        let ha_long = of(&gs, "193");
        assert_eq!(ha_long.name, "Thành phố Hạ Long (cũ)");
        assert_eq!(ha_long.kind, FORMER_DISTRICT);
        assert_eq!(ha_long.communes.len(), 12);
        // Phường Hạ Long, Bãi Cháy, Hồng Gai; Xã Lương Minh: one Hạ Long and one Ba Chẽ
        // predecessor, the tie goes to the lower code.
        for c in ["06688", "06673", "06685", "06985"] {
            assert!(ha_long.communes.contains(&c.to_owned()), "{c}");
        }
        assert_eq!(of(&gs, "199").name, "Huyện Tiên Yên (cũ)");
        // Xã Tiên Yên: six predecessors in Tiên Yên, one in Bình Liêu.
        assert!(of(&gs, "199").communes.contains(&"06862".to_owned()));
        // Xã Hải Hòa: one in Cẩm Phả (195), one in Tiên Yên (199): the lower code.
        assert!(of(&gs, "195").communes.contains(&"06799".to_owned()));
        assert_eq!(of(&gs, "206").name, "Thị xã Quảng Yên (cũ)");
        assert_eq!(of(&gs, "207").communes, vec!["07192".to_owned()]);
    }

    #[test]
    fn a_map_without_successions_gives_no_groupings() {
        let old = load("quang-ninh-admin-units-2024-11.json");
        let mut new = load("quang-ninh-admin-units-2025.json");
        new.successions.clear();
        assert!(former_districts(&old, &new).is_empty());
    }

    #[test]
    fn kinds_are_short_snake_case() {
        assert!(valid_kind("former_district") && valid_kind("cluster") && valid_kind("cum2"));
        assert!(!valid_kind("") && !valid_kind("Cụm") && !valid_kind("a b"));
        assert!(!valid_kind(&"a".repeat(KIND_CHARS + 1)));
    }
}
