//! Time rules. Vietnam keeps UTC+07:00 all year (no daylight saving since 1975), so
//! Asia/Ho_Chi_Minh calendar days are computed with a fixed offset.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// Seconds east of UTC for Asia/Ho_Chi_Minh.
pub const VN_OFFSET_SECS: i32 = 7 * 3600;

pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(VN_OFFSET_SECS).expect("valid offset")
}

/// The calendar day in Asia/Ho_Chi_Minh of an instant.
pub fn vn_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&vn_offset()).date_naive()
}

/// A day as a compact integer (days since 1970-01-01), the form the store keeps.
pub fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) - i64::from(epoch().num_days_from_ce())
}

pub fn day_from_number(n: i64) -> NaiveDate {
    epoch() + Duration::days(n)
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Parses RFC 3339 with an explicit offset (`Z` or `±hh:mm`); anything else is `None`.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

/// The first day of the month containing `d`.
pub fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

/// The first year a date given from outside (a query or a body) may name. Langso's data
/// starts in the 2020s; the bounds keep every date computation (next month, ISO weeks,
/// spreadsheet dates) far from chrono's limits, so no input can make one overflow.
pub const FIRST_YEAR: i32 = 2000;
/// The last year a date given from outside may name (see [`FIRST_YEAR`]).
pub const LAST_YEAR: i32 = 2100;

/// An instant given from outside as Unix ms: RFC 3339, or a day `YYYY-MM-DD` in Vietnam,
/// which means its start, or with `day_end` the start of the next day (so a filter "until
/// 2026-11-30" keeps that whole day). None for anything else.
pub fn instant_ms(s: &str, day_end: bool) -> Option<i64> {
    if let Some(t) = parse_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    let day = parse_day(s)? + chrono::Duration::days(i64::from(day_end));
    let start = day
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(vn_offset())
        .single()?;
    Some(start.timestamp_millis())
}

/// Parses a calendar day written exactly `YYYY-MM-DD` (four-digit year, no sign, no
/// spaces) with a year from [`FIRST_YEAR`] to [`LAST_YEAR`]; anything else is `None`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (FIRST_YEAR..=LAST_YEAR).contains(&d.year()))
}

/// A calendar day that came from outside, checked by [`parse_day`] when deserialised: use
/// it for every date field of a query string or a request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Day(pub NaiveDate);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        parse_day(&s).map(Day).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "a date is YYYY-MM-DD with a year from {FIRST_YEAR} to {LAST_YEAR}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_until_keeps_the_whole_day() {
        let start = instant_ms("2026-11-30", false).unwrap();
        assert_eq!(
            instant_ms("2026-11-30", true),
            Some(start + 24 * 3600 * 1000)
        );
        assert_eq!(instant_ms("2026-11-30T00:00:00+07:00", true), Some(start));
        assert_eq!(instant_ms("yesterday", false), None);
    }
    use chrono::TimeZone;

    #[test]
    fn midnight_in_hanoi_is_17_utc_the_day_before() {
        let before = Utc.with_ymd_and_hms(2026, 3, 31, 16, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 31, 17, 0, 0).unwrap();
        assert_eq!(
            vn_day(before),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        );
        assert_eq!(vn_day(after), NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(day_from_number(day_number(d)), d);
        assert_eq!(day_number(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
    }

    #[test]
    fn days_from_outside_are_strict_and_bounded() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_day("2026-11-28"), d(2026, 11, 28));
        assert_eq!(parse_day("2000-01-01"), d(2000, 1, 1));
        assert_eq!(parse_day("2100-12-31"), d(2100, 12, 31));
        for bad in [
            "+262142-12-31",
            "262142-12-31",
            "-2026-01-01",
            "1999-12-31",
            "2101-01-01",
            "2026-02-30",
            "2026-1-5",
            " 2026-11-28",
            "2026-11-28 ",
            "２０２６-11-28",
            "",
            "yesterday",
            "2026/11/28",
            "0000-00-00",
        ] {
            assert_eq!(parse_day(bad), None, "{bad:?}");
        }
        let day: Day = serde_json::from_str("\"2026-11-28\"").unwrap();
        assert_eq!(day.0, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
        assert!(serde_json::from_str::<Day>("\"+262142-12-31\"").is_err());
    }

    #[test]
    fn timestamps_without_offset_are_refused() {
        assert!(parse_rfc3339("2026-11-28T10:00:00+07:00").is_some());
        assert!(parse_rfc3339("2026-11-28T03:00:00Z").is_some());
        assert!(parse_rfc3339("2026-11-28T10:00:00").is_none());
        assert!(parse_rfc3339("yesterday").is_none());
    }
}
