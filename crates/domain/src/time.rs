//! Time rules. Vietnam keeps UTC+07:00 all year (no daylight saving since 1975), so
//! Asia/Ho_Chi_Minh calendar days are computed with a fixed offset.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
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
    fn timestamps_without_offset_are_refused() {
        assert!(parse_rfc3339("2026-11-28T10:00:00+07:00").is_some());
        assert!(parse_rfc3339("2026-11-28T03:00:00Z").is_some());
        assert!(parse_rfc3339("2026-11-28T10:00:00").is_none());
        assert!(parse_rfc3339("yesterday").is_none());
    }
}
