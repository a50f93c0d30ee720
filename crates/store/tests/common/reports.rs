//! The reports tests' shared world: the demo tree, a district's teams and their phones,
//! instants written as a phone in Vietnam would.

use super::{Phones, demo_store, teams_in_district};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_store::{Entrants, Leaderboard, LeaderboardQuery, RankBy, Store, TeamInfo};

/// An instant written as a phone in Vietnam would: local date and time at +07:00.
pub fn vn(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    langso_domain::time::vn_offset()
        .with_ymd_and_hms(y, m, d, h, min, s)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn month(y: i32, m: u32) -> Period {
    Period::containing(PeriodKind::Month, date(y, m, 1))
}

/// December 2026, after November closed.
pub fn later() -> DateTime<Utc> {
    vn(2026, 12, 10, 9, 0, 0)
}

pub const DISTRICT: &str = "201"; // Huyện Tiên Yên

/// The demo store with a district's teams (at least four) and phones to push with.
pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub phones: Phones,
    pub teams: Vec<TeamInfo>,
}

pub fn fixture() -> Fixture {
    let (dir, store) = demo_store();
    let teams = teams_in_district(&store, DISTRICT);
    assert!(teams.len() >= 4, "the district has {} teams", teams.len());
    Fixture {
        _dir: dir,
        phones: Phones::new(store),
        teams,
    }
}

/// A leaderboard asked in December 2026.
pub fn board(store: &Store, scope: UnitRef, of: Entrants, p: Period, by: RankBy) -> Leaderboard {
    store
        .report_leaderboard(&LeaderboardQuery {
            scope,
            of,
            period: p,
            rank_by: by,
            now: later(),
        })
        .unwrap()
}

/// The district the fixture's teams are in.
pub fn district() -> UnitRef {
    UnitRef::new(UnitKind::District, DISTRICT)
}
