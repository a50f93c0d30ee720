//! Targets and coverage. A target for one unit and activity kind is either an absolute
//! number or a share of the unit's population, adults or households; coverage is what the
//! teams recorded against it.
//!
//! Resolution 09-NQ/TU's targets for 2025 that an activity kind measures are the defaults
//! (see [`resolution_09_defaults`]); the others (broadband, smartphones, digital addresses)
//! are not recorded by volunteers, so they have no kind and no default.

use serde::{Deserialize, Serialize};

/// Adults (18 and over) as a share of the population: the 2019 census counts 24.3% aged
/// 0–14, and ages 15–17 add about 5.5%, so about 70% of people are adults. Used only for
/// villages whose roster gave no adults (see [`Adults`]).
pub const ADULT_SHARE: f64 = 0.70;

/// A unit's adults, summed over its villages as population is: a village's `adults` where
/// the roster gave them (issue 8, villages table), else [`ADULT_SHARE`] of its population.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Adults {
    /// Adults of the villages that gave them, summed.
    pub given: i64,
    /// Population of the villages that gave no adults, summed.
    pub population_without: i64,
}

impl Adults {
    /// One village: its adults if known, else its population counted at [`ADULT_SHARE`].
    pub fn of_village(population: i64, adults: Option<i64>) -> Self {
        match adults {
            Some(given) => Self {
                given,
                population_without: 0,
            },
            None => Self {
                given: 0,
                population_without: population,
            },
        }
    }

    /// The number of adults targets with basis `adults` are measured against.
    pub fn count(self) -> f64 {
        self.given as f64 + self.population_without as f64 * ADULT_SHARE
    }
}

/// What a target's value is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// An absolute number of counts.
    Count,
    /// A share of the unit's population.
    Population,
    /// A share of the unit's adults: the villages' adults where the roster gave them, else
    /// [`ADULT_SHARE`] of their population ([`Adults`]).
    Adults,
    /// A share of the unit's households.
    Households,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Population => "population",
            Self::Adults => "adults",
            Self::Households => "households",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Count,
            Self::Population,
            Self::Adults,
            Self::Households,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    /// Vietnamese label for exports.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Count => "số lượng",
            Self::Population => "dân số",
            Self::Adults => "người trưởng thành",
            Self::Households => "hộ gia đình",
        }
    }
}

impl std::ops::AddAssign for Adults {
    /// Sums villages into their unit.
    fn add_assign(&mut self, o: Self) {
        self.given += o.given;
        self.population_without += o.population_without;
    }
}

/// A target rule: `value` is a count for [`Basis::Count`], else a share from 0 to 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRule {
    pub kind: String,
    pub basis: Basis,
    pub value: f64,
}

impl TargetRule {
    /// Checks the value: a count is a whole number ≥ 0, a share is from 0 to 1.
    pub fn new(kind: impl Into<String>, basis: Basis, value: f64) -> Result<Self, String> {
        let ok = match basis {
            Basis::Count => value >= 0.0 && value.fract() == 0.0 && value < 1e12,
            _ => (0.0..=1.0).contains(&value),
        };
        if !ok {
            return Err(match basis {
                Basis::Count => "a count target must be a whole number from 0".to_owned(),
                _ => "a share must be from 0 to 1 (1 = 100%)".to_owned(),
            });
        }
        Ok(Self {
            kind: kind.into(),
            basis,
            value,
        })
    }

    /// The target as a number of counts for a unit of this size (rounded up: 95% of 21
    /// adults needs 20 of them, not 19.95).
    pub fn absolute(&self, population: i64, households: i64, adults: Adults) -> i64 {
        let base = match self.basis {
            Basis::Count => return self.value as i64,
            Basis::Population => population as f64,
            Basis::Adults => adults.count(),
            Basis::Households => households as f64,
        };
        // Round away float noise (0.95 * 100 = 95.00000000000001) before rounding up.
        ((base * self.value * 1e6).round() / 1e6).ceil() as i64
    }
}

/// Resolution 09-NQ/TU targets (for 2025) mapped to the default catalogue's kinds:
/// - 100% of people with a digital identity → `vneid_activation`, 100% of population;
/// - 95% of adults with an e-payment account → `e_payment_account`, 95% of adults;
/// - 100% of people on digital health records → `e_health_book`, 100% of population.
pub fn resolution_09_defaults() -> Vec<TargetRule> {
    vec![
        TargetRule::new("vneid_activation", Basis::Population, 1.0).expect("valid"),
        TargetRule::new("e_payment_account", Basis::Adults, 0.95).expect("valid"),
        TargetRule::new("e_health_book", Basis::Population, 1.0).expect("valid"),
    ]
}

/// Progress against one target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Coverage {
    /// The target in counts.
    pub target: i64,
    /// Counted so far (cumulative up to the end of the report period).
    pub achieved: i64,
    /// achieved / target in percent, rounded to 0.1; None when the target is 0.
    pub percent: Option<f64>,
    /// What is left to reach the target (0 once reached).
    pub remaining: i64,
}

impl Coverage {
    pub fn new(target: i64, achieved: i64) -> Self {
        let percent =
            (target > 0).then(|| (achieved as f64 * 1000.0 / target as f64).round() / 10.0);
        Self {
            target,
            achieved,
            percent,
            remaining: (target - achieved).max(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_up_to_whole_counts() {
        let share = |p| Adults::of_village(p, None);
        let r = TargetRule::new("e_payment_account", Basis::Adults, 0.95).unwrap();
        assert_eq!(r.absolute(1000, 280, share(1000)), 665);
        assert_eq!(r.absolute(30, 8, share(30)), 20, "0.95 * 21 = 19.95 adults");
        let p = TargetRule::new("vneid_activation", Basis::Population, 1.0).unwrap();
        assert_eq!(p.absolute(951, 260, share(951)), 951);
        let h = TargetRule::new("qr_payment_sticker", Basis::Households, 0.95).unwrap();
        assert_eq!(h.absolute(951, 100, share(951)), 95);
        let c = TargetRule::new("digital_signature", Basis::Count, 500.0).unwrap();
        assert_eq!(c.absolute(951, 100, share(951)), 500);
    }

    #[test]
    fn adults_given_by_the_roster_win_over_the_share() {
        let r = TargetRule::new("e_payment_account", Basis::Adults, 0.95).unwrap();
        assert_eq!(
            r.absolute(980, 240, Adults::of_village(980, Some(700))),
            665
        );
        let a = Adults {
            given: 700,
            population_without: 1000,
        };
        assert_eq!(r.absolute(1980, 500, a), 1330, "0.95 * (700 + 700)");
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(TargetRule::new("k", Basis::Population, 1.5).is_err());
        assert!(TargetRule::new("k", Basis::Households, -0.1).is_err());
        assert!(TargetRule::new("k", Basis::Count, 2.5).is_err());
        assert!(TargetRule::new("k", Basis::Count, -1.0).is_err());
    }

    #[test]
    fn coverage_says_percent_and_what_is_left() {
        assert_eq!(
            Coverage::new(200, 50),
            Coverage {
                target: 200,
                achieved: 50,
                percent: Some(25.0),
                remaining: 150
            }
        );
        let over = Coverage::new(100, 101);
        assert_eq!((over.percent, over.remaining), (Some(101.0), 0));
        assert_eq!(Coverage::new(0, 3).percent, None);
        assert_eq!(Coverage::new(3, 1).percent, Some(33.3));
    }

    #[test]
    fn the_defaults_cover_identity_payments_and_health() {
        let kinds: Vec<_> = resolution_09_defaults()
            .into_iter()
            .map(|r| r.kind)
            .collect();
        assert_eq!(
            kinds,
            ["vneid_activation", "e_payment_account", "e_health_book"]
        );
        for b in [
            Basis::Count,
            Basis::Population,
            Basis::Adults,
            Basis::Households,
        ] {
            assert_eq!(Basis::parse(b.as_str()), Some(b));
        }
    }
}
