//! What one dashboard page shows, gathered by `data` and drawn by `page` and `sections`.

use super::chart::Point;
use super::i18n::Lang;
use chrono::NaiveDate;

/// One unit the leader may open (picker option, search result).
pub struct UnitOption {
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// How fast a target still has to be worked towards.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// Reached: nothing left.
    Met,
    /// The due date has passed with some left.
    PastDue,
    /// Counts a day needed from today (or the day after a past period) to the due date.
    PerDay(f64),
    /// No due date set.
    Open,
}

/// A kind's progress against its target: cumulative since `start` (or the first event).
pub struct Target {
    pub target: i64,
    pub achieved: i64,
    pub percent: Option<f64>,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub pace: Pace,
}

/// One card: a kind's count in the period and, when it has one, its target.
pub struct KindTotal {
    pub code: String,
    pub label: String,
    pub total: i64,
    pub target: Option<Target>,
}

pub struct BoardRow {
    /// None: no activity, so not ranked.
    pub rank: Option<u32>,
    pub name: String,
    /// The entrant's own page (volunteers have none).
    pub href: Option<String>,
    /// What the board ranks by: the score, or one kind's count.
    pub value: f64,
    pub active_members: Option<i64>,
    pub change: Option<i64>,
}

/// A village's progress for one kind.
pub struct Cell {
    pub achieved: i64,
    pub target: i64,
    pub percent: Option<f64>,
}

pub struct VillageRow {
    pub name: String,
    pub href: String,
    pub population: i64,
    /// One per coverage kind (None: no target).
    pub cells: Vec<Option<Cell>>,
}

/// The villages of one commune, a collapsed group of the coverage table.
pub struct CommuneGroup {
    pub name: String,
    pub villages: Vec<VillageRow>,
}

/// The unit search: what was asked and the units in scope whose names match.
pub struct Search {
    pub asked: String,
    pub found: Vec<UnitOption>,
}

pub struct View {
    pub lang: Lang,
    pub username: String,
    /// The province administrator: the header links to the accounts and catalogue pages.
    pub admin: bool,
    /// The picker's options (teams left out of a province's: found by search).
    pub units: Vec<UnitOption>,
    pub teams_left_out: bool,
    pub search: Option<Search>,
    pub unit_kind: String,
    pub unit_id: String,
    pub unit_name: String,
    pub period: String,
    pub date: String,
    pub period_label: String,
    /// This period's score against the previous period's, in words.
    pub comparison: String,
    pub as_of: String,
    pub late_events: i64,
    pub score: f64,
    pub totals: Vec<KindTotal>,
    pub series: Vec<Point>,
    pub board_title: String,
    /// Header of the board's value column: the score or the ranked kind.
    pub measure: String,
    /// `score` or the kind code the boards rank by.
    pub rank_by: String,
    /// (code, label) of the kinds a board can be ranked by.
    pub kinds: Vec<(String, String)>,
    pub board: Vec<BoardRow>,
    /// A grouping's leading teams (at most [`LEADING_TEAMS`]); empty for other units.
    pub team_board: Vec<BoardRow>,
    pub coverage_kinds: Vec<String>,
    pub communes: Vec<CommuneGroup>,
    /// (label, href) of the export downloads.
    pub downloads: Vec<(String, String)>,
}

/// How many leading teams a grouping's page shows (the whole ranking is the download).
pub const LEADING_TEAMS: usize = 20;

/// Where the page is: period, date, language and ranking, kept by every link it makes.
pub struct Here {
    pub period: String,
    pub date: String,
    pub lang: Lang,
    pub rank_by: String,
}

impl Here {
    /// The dashboard page of the unit `kind:id`, same period, date, language and ranking.
    pub fn to(&self, kind: &str, id: &str) -> String {
        let mut out = format!(
            "/?unit={}:{}&period={}&date={}&lang={}",
            encode(kind),
            encode(id),
            self.period,
            self.date,
            self.lang.code()
        );
        if self.rank_by != "score" {
            out.push_str("&rank=");
            out.push_str(&encode(&self.rank_by));
        }
        out
    }
}

/// `s` safe inside a query string: unreserved characters as they are, the rest %XX.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_period_and_encode_ids() {
        let here = Here {
            period: "month".into(),
            date: "2026-11-29".into(),
            lang: Lang::En,
            rank_by: "vneid_activation".into(),
        };
        assert_eq!(
            here.to("team", "T 1&x"),
            "/?unit=team:T%201%26x&period=month&date=2026-11-29&lang=en&rank=vneid_activation"
        );
    }
}
