//! Who may read what: a leader's role and the unit of the tree their scope is.

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

/// The kinds of things a report or a scope can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Village => "village",
            Self::Team => "team",
            Self::Commune => "commune",
            Self::Grouping => "grouping",
            Self::District => "district",
            Self::Province => "province",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Village,
            Self::Team,
            Self::Commune,
            Self::Grouping,
            Self::District,
            Self::Province,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

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
}
