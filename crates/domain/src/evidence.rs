//! The qualifying rule a province pays team stipends by (issue 9, "The evidence a province
//! pays teams by"): at least N activity days and M active members in a calendar month
//! (Asia/Ho_Chi_Minh). The province administrator sets it; a rule applies from the month it
//! names until the next rule's month, so a past month is always judged by the rule that was
//! in force for it.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// At most this many activity days can be asked for: no month is longer.
pub const MAX_ACTIVITY_DAYS: u32 = 31;
/// A bound on active members asked for (a team has tens of members, never thousands).
pub const MAX_ACTIVE_MEMBERS: u32 = 1000;

/// A qualifying rule and the first month it applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceRule {
    /// The month it applies from, as `YYYY-MM` on the wire.
    #[serde(serialize_with = "month_str")]
    pub from: NaiveDate,
    /// Days of the month with at least one live event by the team.
    pub min_activity_days: u32,
    /// Members with at least one live event in the month.
    pub min_active_members: u32,
}

fn month_str<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&month_key(*d))
}

/// `YYYY-MM` of the month of `d`.
pub fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The first day of the month `YYYY-MM` (a year from 2000 to 2100, as every date Langso
/// reads); None for anything else.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    if !(2000..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, 1)
}

/// The first day of `d`'s month.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

impl EvidenceRule {
    /// A rule from the month of `from`; refuses thresholds beyond a month's days or
    /// [`MAX_ACTIVE_MEMBERS`] (the message says which).
    pub fn new(
        from: NaiveDate,
        min_activity_days: u32,
        min_active_members: u32,
    ) -> Result<Self, String> {
        if min_activity_days > MAX_ACTIVITY_DAYS {
            return Err(format!(
                "min_activity_days must be 0 to {MAX_ACTIVITY_DAYS} (a month has at most 31 days)"
            ));
        }
        if min_active_members > MAX_ACTIVE_MEMBERS {
            return Err(format!(
                "min_active_members must be 0 to {MAX_ACTIVE_MEMBERS}"
            ));
        }
        Ok(Self {
            from: month_of(from),
            min_activity_days,
            min_active_members,
        })
    }

    /// Whether a team with these month's figures meets the rule.
    pub fn met(&self, activity_days: i64, active_members: i64) -> bool {
        activity_days >= i64::from(self.min_activity_days)
            && active_members >= i64::from(self.min_active_members)
    }
}

/// The rule in force for `month` among `rules`: the one with the latest `from` not after it.
pub fn in_force(rules: &[EvidenceRule], month: NaiveDate) -> Option<EvidenceRule> {
    let month = month_of(month);
    rules
        .iter()
        .filter(|r| r.from <= month)
        .max_by_key(|r| r.from)
        .copied()
}

/// Whether a rule from `from`, set while `current` is the current month, would change the
/// rule of a past month that already had one: those months must stay reproducible. A rule
/// for a past month that no rule covered yet (the first rule, back-dated) changes nothing
/// that was ever reported with a rule.
pub fn rewrites_past(existing: &[NaiveDate], from: NaiveDate, current: NaiveDate) -> bool {
    let (from, current) = (month_of(from), month_of(current));
    if from >= current {
        return false;
    }
    // The new rule governs [from, next), next being the first later rule's month.
    let next = existing.iter().filter(|e| **e > from).min().copied();
    let end = next.map_or(current, |n| n.min(current));
    // A past month m in [from, end) had a rule iff some existing rule starts at or before m.
    existing.iter().any(|e| *e < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> NaiveDate {
        parse_month(s).unwrap()
    }

    #[test]
    fn months_parse_as_yyyy_mm_only() {
        assert_eq!(parse_month("2026-03"), NaiveDate::from_ymd_opt(2026, 3, 1));
        for bad in [
            "2026-13",
            "2026-3",
            "26-03",
            "2026-03-01",
            "",
            "x-y",
            "1999-12",
            "+202-01",
        ] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_rule_in_force_is_the_latest_not_after_the_month() {
        let a = EvidenceRule::new(m("2026-01"), 4, 3).unwrap();
        let b = EvidenceRule::new(m("2026-06"), 8, 5).unwrap();
        assert_eq!(in_force(&[a, b], m("2025-12")), None);
        assert_eq!(in_force(&[a, b], m("2026-05")), Some(a));
        assert_eq!(in_force(&[b, a], m("2026-06")), Some(b));
    }

    #[test]
    fn a_rule_is_met_at_its_thresholds_and_not_below() {
        let r = EvidenceRule::new(m("2026-01"), 4, 3).unwrap();
        assert!(r.met(4, 3));
        assert!(!r.met(3, 3));
        assert!(!r.met(4, 2));
        assert!(EvidenceRule::new(m("2026-01"), 32, 3).is_err());
        assert!(EvidenceRule::new(m("2026-01"), 3, 1001).is_err());
    }

    #[test]
    fn only_a_past_month_that_had_a_rule_is_protected() {
        let now = m("2026-06");
        assert!(
            !rewrites_past(&[], m("2026-01"), now),
            "first rule, back-dated"
        );
        assert!(
            !rewrites_past(&[m("2026-01")], m("2026-06"), now),
            "from this month"
        );
        assert!(
            !rewrites_past(&[m("2026-01")], m("2026-09"), now),
            "a future month"
        );
        assert!(rewrites_past(&[m("2026-01")], m("2026-03"), now));
        assert!(
            rewrites_past(&[m("2026-01")], m("2026-01"), now),
            "replacing it"
        );
        assert!(
            !rewrites_past(&[m("2026-04")], m("2026-01"), now),
            "before any rule"
        );
        assert!(
            !rewrites_past(&[m("2026-03")], m("2026-01"), now),
            "up to the next rule"
        );
    }
}
