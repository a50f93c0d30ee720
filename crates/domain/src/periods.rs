//! Report periods in Asia/Ho_Chi_Minh: a day, an ISO week, a month, a quarter, a year or a
//! custom range of days, the points of a series over one, the previous period to compare
//! ranks with, and whether a period is closed.
//!
//! A period is a range of calendar days; it starts at 00:00 +07:00 on `from` and ends at
//! 00:00 +07:00 the day after `to`. Vietnam has no daylight saving, so every day has 24 hours.

use crate::time::vn_offset;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc, Weekday};
use serde::Serialize;

/// The longest custom range a report may span (three years).
pub const MAX_DAYS: i64 = 3 * 366;
/// The most points one series may have.
pub const MAX_POINTS: usize = 400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Custom,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Day,
            Self::Week,
            Self::Month,
            Self::Quarter,
            Self::Year,
            Self::Custom,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// How finely a series is cut: one point per day, ISO week, month, quarter or year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        self.kind().as_str()
    }

    pub fn parse(s: &str) -> Option<Self> {
        match PeriodKind::parse(s)? {
            PeriodKind::Day => Some(Self::Day),
            PeriodKind::Week => Some(Self::Week),
            PeriodKind::Month => Some(Self::Month),
            PeriodKind::Quarter => Some(Self::Quarter),
            PeriodKind::Year => Some(Self::Year),
            PeriodKind::Custom => None,
        }
    }

    fn kind(self) -> PeriodKind {
        match self {
            Self::Day => PeriodKind::Day,
            Self::Week => PeriodKind::Week,
            Self::Month => PeriodKind::Month,
            Self::Quarter => PeriodKind::Quarter,
            Self::Year => PeriodKind::Year,
        }
    }

    /// Whether every point boundary is a month boundary (so monthly aggregates can serve it).
    pub fn month_aligned(self) -> bool {
        matches!(self, Self::Month | Self::Quarter | Self::Year)
    }
}

/// An inclusive range of calendar days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        debug_assert!(from <= to, "{from} > {to}");
        Self { from, to }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("period must be one of day, week, month, quarter, year, custom")]
    UnknownPeriod,
    #[error("give either period (with an optional date) or from and to, not both")]
    Mixed,
    #[error("a custom period needs both from and to")]
    MissingBound,
    #[error("to is before from")]
    Reversed,
    #[error("a report spans at most {MAX_DAYS} days")]
    TooLong,
    #[error("granularity must be one of day, week, month, quarter, year")]
    UnknownGranularity,
    #[error("a series has at most {MAX_POINTS} points; choose a coarser granularity")]
    TooManyPoints,
}

impl PeriodError {
    /// A stable snake_case code for APIs.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownPeriod | Self::Mixed | Self::MissingBound => "invalid_period",
            Self::Reversed => "invalid_range",
            Self::TooLong => "range_too_large",
            Self::UnknownGranularity | Self::TooManyPoints => "invalid_granularity",
        }
    }
}

/// A report period: its kind and its days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn quarter_start(d: NaiveDate) -> NaiveDate {
    ymd(d.year(), (d.month0() / 3) * 3 + 1, 1)
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The first day of the period of `kind` containing `d` (`Custom` is treated as `Day`).
fn start_of(kind: PeriodKind, d: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Day | PeriodKind::Custom => d,
        PeriodKind::Week => week_start(d),
        PeriodKind::Month => crate::time::month_start(d),
        PeriodKind::Quarter => quarter_start(d),
        PeriodKind::Year => ymd(d.year(), 1, 1),
    }
}

/// The first day of the next period of `kind` after the one starting on `start`.
fn next_start(kind: PeriodKind, start: NaiveDate) -> NaiveDate {
    match kind {
        PeriodKind::Day | PeriodKind::Custom => start + Duration::days(1),
        PeriodKind::Week => start + Duration::days(7),
        PeriodKind::Month => start + Months::new(1),
        PeriodKind::Quarter => start + Months::new(3),
        PeriodKind::Year => start + Months::new(12),
    }
}

/// Midnight in Asia/Ho_Chi_Minh at the start of `d`, as a UTC instant.
pub fn vn_midnight(d: NaiveDate) -> DateTime<Utc> {
    vn_offset()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

impl Period {
    /// The day, week, month, quarter or year containing `date`; a custom kind gives that day.
    pub fn containing(kind: PeriodKind, date: NaiveDate) -> Self {
        let from = start_of(kind, date);
        let to = next_start(kind, from) - Duration::days(1);
        let kind = if kind == PeriodKind::Custom {
            PeriodKind::Day
        } else {
            kind
        };
        Self { kind, from, to }
    }

    /// A custom range of days, both inclusive.
    pub fn custom(from: NaiveDate, to: NaiveDate) -> Result<Self, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed);
        }
        if (to - from).num_days() + 1 > MAX_DAYS {
            return Err(PeriodError::TooLong);
        }
        Ok(Self {
            kind: PeriodKind::Custom,
            from,
            to,
        })
    }

    /// Reads the query parameters of a report: `period` (+ optional `date`, default
    /// `today`) or `from` and `to` (custom, `period` absent or `custom`). Nothing at all
    /// means the month containing `today`.
    pub fn from_query(
        period: Option<&str>,
        date: Option<NaiveDate>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, PeriodError> {
        let kind = period
            .map(|p| PeriodKind::parse(p).ok_or(PeriodError::UnknownPeriod))
            .transpose()?;
        let bounds = from.is_some() || to.is_some();
        match kind {
            Some(PeriodKind::Custom) | None if bounds => {
                if date.is_some() {
                    return Err(PeriodError::Mixed);
                }
                match (from, to) {
                    (Some(f), Some(t)) => Self::custom(f, t),
                    _ => Err(PeriodError::MissingBound),
                }
            }
            Some(PeriodKind::Custom) => Err(PeriodError::MissingBound),
            Some(_) if bounds => Err(PeriodError::Mixed),
            Some(k) => Ok(Self::containing(k, date.unwrap_or(today))),
            None => Ok(Self::containing(PeriodKind::Month, date.unwrap_or(today))),
        }
    }

    pub fn range(&self) -> DayRange {
        DayRange::new(self.from, self.to)
    }

    pub fn days(&self) -> i64 {
        self.range().days()
    }

    /// When the period starts: 00:00 +07:00 on `from`.
    pub fn start_utc(&self) -> DateTime<Utc> {
        vn_midnight(self.from)
    }

    /// When the period ends: 00:00 +07:00 on the day after `to`.
    pub fn end_utc(&self) -> DateTime<Utc> {
        vn_midnight(self.to + Duration::days(1))
    }

    /// A period is closed once it has ended: its figures change only through late events.
    pub fn is_closed(&self, now: DateTime<Utc>) -> bool {
        now >= self.end_utc()
    }

    /// The period to compare with: the previous calendar day, week, month, quarter or
    /// year; for a custom range, the same number of days just before it.
    pub fn previous(&self) -> Self {
        match self.kind {
            PeriodKind::Custom => {
                let n = Duration::days(self.days());
                Self {
                    kind: PeriodKind::Custom,
                    from: self.from - n,
                    to: self.to - n,
                }
            }
            k => Self::containing(k, self.from - Duration::days(1)),
        }
    }

    /// The default series granularity: days up to 62 days (a day, week, month or a short
    /// custom range), ISO weeks up to 190 days (a quarter), months beyond (a year).
    pub fn default_granularity(&self) -> Granularity {
        match self.days() {
            0..=62 => Granularity::Day,
            63..=190 => Granularity::Week,
            _ => Granularity::Month,
        }
    }

    /// The points of a series: one per `g` sub-period, clipped to this period, in order.
    pub fn points(&self, g: Granularity) -> Result<Vec<DayRange>, PeriodError> {
        let mut out = Vec::new();
        let mut start = start_of(g.kind(), self.from);
        while start <= self.to {
            if out.len() == MAX_POINTS {
                return Err(PeriodError::TooManyPoints);
            }
            let next = next_start(g.kind(), start);
            out.push(DayRange::new(
                start.max(self.from),
                (next - Duration::days(1)).min(self.to),
            ));
            start = next;
        }
        Ok(out)
    }

    /// A short stable key for file names: `2026-11-05`, `2026-W45`, `2026-11`, `2026-Q4`,
    /// `2026`, or `2026-11-01_2026-11-20`.
    pub fn key(&self) -> String {
        let f = self.from;
        match self.kind {
            PeriodKind::Day => f.format("%Y-%m-%d").to_string(),
            PeriodKind::Week => {
                let w = f.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => f.format("%Y-%m").to_string(),
            PeriodKind::Quarter => format!("{}-Q{}", f.year(), f.month0() / 3 + 1),
            PeriodKind::Year => f.year().to_string(),
            PeriodKind::Custom => {
                format!("{}_{}", f.format("%Y-%m-%d"), self.to.format("%Y-%m-%d"))
            }
        }
    }

    /// A Vietnamese label: "Tháng 11/2026", "Tuần 45/2026 (02/11–08/11/2026)", …
    pub fn label_vi(&self) -> String {
        let (f, t) = (self.from, self.to);
        match self.kind {
            PeriodKind::Day => format!("Ngày {}", f.format("%d/%m/%Y")),
            PeriodKind::Week => {
                let w = f.iso_week();
                format!(
                    "Tuần {}/{} ({}–{})",
                    w.week(),
                    w.year(),
                    f.format("%d/%m"),
                    t.format("%d/%m/%Y")
                )
            }
            PeriodKind::Month => format!("Tháng {}/{}", f.month(), f.year()),
            PeriodKind::Quarter => format!("Quý {}/{}", f.month0() / 3 + 1, f.year()),
            PeriodKind::Year => format!("Năm {}", f.year()),
            PeriodKind::Custom => format!("{} – {}", f.format("%d/%m/%Y"), t.format("%d/%m/%Y")),
        }
    }
}

/// A day range split for two-level aggregates: leading days, whole calendar months, and
/// trailing days. Each part is None when empty; `months` holds the first days of the first
/// and the last whole month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthSplit {
    pub head: Option<DayRange>,
    pub months: Option<DayRange>,
    pub tail: Option<DayRange>,
}

/// Splits `r` into leading days, whole months and trailing days, so a sum over `r` reads
/// at most two partial months of daily rows and one row per whole month.
pub fn split_by_months(r: DayRange) -> MonthSplit {
    let first_whole = if r.from.day() == 1 {
        r.from
    } else {
        crate::time::month_start(r.from) + Months::new(1)
    };
    let after_last_whole = crate::time::month_start(r.to + Duration::days(1));
    if first_whole >= after_last_whole {
        return MonthSplit {
            head: Some(r),
            months: None,
            tail: None,
        };
    }
    let day = Duration::days(1);
    MonthSplit {
        head: (r.from < first_whole).then(|| DayRange::new(r.from, first_whole - day)),
        months: Some(DayRange::new(
            first_whole,
            crate::time::month_start(after_last_whole - day),
        )),
        tail: (after_last_whole <= r.to).then(|| DayRange::new(after_last_whole, r.to)),
    }
}

/// ISO weeks a year has (52 or 53).
pub fn iso_weeks_in(year: i32) -> u32 {
    NaiveDate::from_isoywd_opt(year, 53, Weekday::Mon).map_or(52, |_| 53)
}

#[cfg(test)]
mod tests;
