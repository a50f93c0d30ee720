//! Typed identifiers. Never pass a bare `String` or `Uuid` across a function boundary.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s).ok().map(Self)
            }
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
            pub fn from_slice(b: &[u8]) -> Option<Self> {
                Uuid::from_slice(b).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A client-made activity event id (UUIDv7 advised: time-ordered keys insert faster).
    EventId
);
uuid_id!(
    /// A push batch id, chosen by the phone.
    BatchId
);
uuid_id!(
    /// An enrolled device, chosen by the server at enrollment.
    DeviceId
);

macro_rules! text_id {
    ($(#[$m:meta])* $name:ident, $prefix:literal, $digits:literal) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Accepts the canonical form only: the prefix then digits.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.strip_prefix($prefix)?;
                (rest.len() == $digits && rest.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Self(s.to_owned()))
            }
            pub fn from_index(i: usize) -> Self {
                Self(format!(concat!($prefix, "{:0", $digits, "}"), i))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// A village's stable id. It never embeds a commune code: villages outlive communes.
    VillageId, "V", 6
);
text_id!(
    /// A community digital technology team.
    TeamId, "T", 5
);
text_id!(
    /// A team member (volunteer).
    MemberId, "M", 6
);

/// An activity kind's code, e.g. `vneid_activation`: lowercase ASCII, digits and `_`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KindCode(String);

impl KindCode {
    pub fn parse(s: &str) -> Option<Self> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KindCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_ids_round_trip_and_reject_other_shapes() {
        let v = VillageId::from_index(42);
        assert_eq!(v.as_str(), "V000042");
        assert_eq!(VillageId::parse("V000042"), Some(v));
        assert_eq!(VillageId::parse("V42"), None);
        assert_eq!(VillageId::parse("T000042"), None);
        assert_eq!(VillageId::parse("V00004x"), None);
    }

    #[test]
    fn kind_codes_are_snake_case_ascii() {
        assert!(KindCode::parse("vneid_activation").is_some());
        assert!(KindCode::parse("VNeID").is_none());
        assert!(KindCode::parse("").is_none());
    }
}
