//! Who may read what: a leader's role and the unit of the tree their scope is.

use crate::units::Level;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    TeamLeader,
    CommuneLeader,
    /// A leader of a grouping of communes (a cluster, a former district; issue 8), e.g. a
    /// Youth Union leader who coordinated a former district.
    GroupingLeader,
    /// A district's leader, on maps that have districts (before 2025-07-01).
    DistrictLeader,
    ProvinceAdmin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::TeamLeader,
        Role::CommuneLeader,
        Role::GroupingLeader,
        Role::DistrictLeader,
        Role::ProvinceAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TeamLeader => "team_leader",
            Self::CommuneLeader => "commune_leader",
            Self::GroupingLeader => "grouping_leader",
            Self::DistrictLeader => "district_leader",
            Self::ProvinceAdmin => "province_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The kind of unit this role's scope must be.
    pub fn scope_level(self) -> UnitKind {
        match self {
            Self::TeamLeader => UnitKind::Team,
            Self::CommuneLeader => UnitKind::Commune,
            Self::GroupingLeader => UnitKind::Grouping,
            Self::DistrictLeader => UnitKind::District,
            Self::ProvinceAdmin => UnitKind::Province,
        }
    }
}

/// The kinds of things a report or a scope can name: the levels of the tree
/// ([`Level`], whose names these are) plus teams and groupings, which a province defines
/// and no map has. `From<Level>` and `UnitKind::level` convert; the wire names are
/// `Level::as_str`'s, and "team", "grouping".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum UnitKind {
    Village,
    Team,
    Commune,
    /// A grouping of communes of the current map (`langso import-groupings`), by its code.
    Grouping,
    District,
    Province,
}

impl UnitKind {
    /// Every kind.
    pub const ALL: [UnitKind; 6] = [
        Self::Village,
        Self::Team,
        Self::Commune,
        Self::Grouping,
        Self::District,
        Self::Province,
    ];

    /// The level of the tree this kind is; None for a team or a grouping.
    pub fn level(self) -> Option<Level> {
        match self {
            Self::Village => Some(Level::Village),
            Self::Commune => Some(Level::Commune),
            Self::District => Some(Level::District),
            Self::Province => Some(Level::Province),
            Self::Team | Self::Grouping => None,
        }
    }

    /// The kind's name: its level's name, or "team", "grouping".
    pub fn as_str(self) -> &'static str {
        match (self.level(), self) {
            (Some(l), _) => l.as_str(),
            (None, Self::Team) => "team",
            (None, _) => "grouping",
        }
    }

    /// The kind named `s` (as [`UnitKind::as_str`] spells it).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Every kind's name, comma-separated, for messages.
    pub fn names() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
        names.join(", ")
    }
}

impl From<Level> for UnitKind {
    fn from(l: Level) -> Self {
        match l {
            Level::Province => Self::Province,
            Level::District => Self::District,
            Level::Commune => Self::Commune,
            Level::Village => Self::Village,
        }
    }
}

impl TryFrom<UnitKind> for Level {
    /// The kind (a team or a grouping) that is no level of a map.
    type Error = UnitKind;
    fn try_from(k: UnitKind) -> Result<Self, UnitKind> {
        k.level().ok_or(k)
    }
}

crate::units::serde_by_name!(UnitKind, "a kind of unit");

/// A unit of the tree (or a team), by kind and public id: village `V000123`, team
/// `T00012`, commune/district/province by official code in the current hierarchy, a
/// grouping by its code among the current hierarchy's groupings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitRef {
    pub kind: UnitKind,
    pub id: String,
}

impl UnitRef {
    pub fn new(kind: UnitKind, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_kinds_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(UnitKind::parse("district"), Some(UnitKind::District));
        assert_eq!(UnitKind::parse("grouping"), Some(UnitKind::Grouping));
        assert_eq!(Role::GroupingLeader.scope_level(), UnitKind::Grouping);
        assert_eq!(Role::TeamLeader.scope_level(), UnitKind::Team);
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn kinds_take_their_names_from_the_levels_and_serde_keeps_them() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
            assert_eq!(serde_json::from_str::<UnitKind>(&json).unwrap(), k);
        }
        for l in Level::ALL {
            assert_eq!(UnitKind::from(l).as_str(), l.as_str());
            assert_eq!(Level::try_from(UnitKind::from(l)), Ok(l));
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, serde_json::to_string(&UnitKind::from(l)).unwrap());
            assert_eq!(serde_json::from_str::<Level>(&json).unwrap(), l);
        }
        assert_eq!(Level::try_from(UnitKind::Grouping), Err(UnitKind::Grouping));
        assert_eq!(UnitKind::Team.as_str(), "team");
    }
}
