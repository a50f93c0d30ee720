//! The activity evidence a province pays team stipends by (issue 9): for one calendar month,
//! per team, then totals per commune and for the unit asked (a commune, grouping, district
//! or the province): members on the roster, active members, activity days, events per kind,
//! villages and households covered, late changes, and whether each team met the qualifying
//! rule in force for that month ([`rule`]).
//!
//! A report read: every figure comes from an aggregate ([`read`]), in one snapshot.

mod read;
mod rule;

pub use rule::RuleSet;

use super::entrants::{TeamPlace, member_counts, teams_in};
use super::sums::ByKey;
use super::{Catalogue, Late, PeriodInfo, Totals, UnitSummary, resolve, snapshot, unknown, utc_ms};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use langso_domain::evidence::{EvidenceRule, in_force};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use read::Sets;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// One team's, one commune's or the whole unit's month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceFigures {
    /// Members on the roster today (active roster rows; merged and departed ones left out).
    pub members: i64,
    /// Members with at least one live event in the month.
    pub active_members: i64,
    /// Days of the month (Asia/Ho_Chi_Minh) with at least one live event; for a commune or
    /// the unit, days on which any of its teams was active.
    pub activity_days: i64,
    /// Live events' counts per kind code (what the team's members recorded), late ones
    /// included.
    pub totals: Totals,
    /// Villages the team covers on the roster (a commune's: distinct, a commune team and a
    /// village team sharing one count it once).
    pub villages: i64,
    /// Households of those villages.
    pub households: i64,
    /// What arrived after the month closed (included above); null while the month is open.
    pub late: Option<Late>,
}

/// One team's month and its verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TeamEvidence {
    pub id: String,
    pub name: String,
    /// `commune` or `village`: the level the team was formed at.
    pub level: String,
    #[serde(flatten)]
    pub figures: EvidenceFigures,
    /// Whether the team met the rule in force for the month; null when there is none.
    pub qualifies: Option<bool>,
}

/// A commune's teams and their totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CommuneEvidence {
    pub code: String,
    pub name: String,
    pub teams: Vec<TeamEvidence>,
    pub total: EvidenceTotal,
}

/// Totals over teams: their figures summed (distinct days, members and villages), how many
/// teams there are and how many qualify.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceTotal {
    pub teams: i64,
    /// Null when no rule is in force for the month.
    pub qualifying_teams: Option<i64>,
    #[serde(flatten)]
    pub figures: EvidenceFigures,
}

/// The evidence report of one unit for one month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceReport {
    pub unit: UnitSummary,
    pub period: PeriodInfo,
    #[serde(serialize_with = "utc_ms")]
    pub as_of: DateTime<Utc>,
    /// The province (for a printed title).
    pub province: String,
    /// The rule in force for the month; null when none is set.
    pub rule: Option<EvidenceRule>,
    pub kinds: Vec<ActivityKind>,
    pub communes: Vec<CommuneEvidence>,
    pub total: EvidenceTotal,
}

#[derive(Clone, Debug)]
pub struct EvidenceQuery {
    /// A team, commune, grouping, district or the province.
    pub unit: UnitRef,
    /// A calendar month.
    pub period: Period,
    /// The server's time: `as_of`, and whether the month is closed.
    pub now: DateTime<Utc>,
}

/// Everything read for the unit's teams, by team rowid.
struct Read {
    members: HashMap<i64, i64>,
    active: Sets,
    days: Sets,
    totals: ByKey,
    late: Option<read::LateByTeam>,
    villages: Sets,
    households: HashMap<i64, i64>,
}

/// A running sum over teams.
#[derive(Default)]
struct Sum {
    teams: i64,
    qualifying: i64,
    members: i64,
    active: BTreeSet<i64>,
    days: BTreeSet<i64>,
    totals: HashMap<i64, i64>,
    late: HashMap<i64, (i64, i64)>,
    villages: BTreeSet<i64>,
}

impl Sum {
    fn add(&mut self, team: i64, qualifies: Option<bool>, r: &Read) {
        self.teams += 1;
        self.qualifying += i64::from(qualifies == Some(true));
        self.members += r.members.get(&team).copied().unwrap_or(0);
        let none = BTreeSet::new();
        self.active.extend(r.active.get(&team).unwrap_or(&none));
        self.days.extend(r.days.get(&team).unwrap_or(&none));
        self.villages.extend(r.villages.get(&team).unwrap_or(&none));
        for (k, t) in r
            .totals
            .get(&super::sums::Key::Int(team))
            .into_iter()
            .flatten()
        {
            *self.totals.entry(*k).or_default() += t;
        }
        for (k, (t, a)) in r
            .late
            .as_ref()
            .and_then(|l| l.get(&team))
            .into_iter()
            .flatten()
        {
            let e = self.late.entry(*k).or_default();
            e.0 += t;
            e.1 += a;
        }
    }

    fn figures(&self, cat: &Catalogue, r: &Read) -> EvidenceFigures {
        EvidenceFigures {
            members: self.members,
            active_members: self.active.len() as i64,
            activity_days: self.days.len() as i64,
            totals: cat.totals(&self.totals),
            villages: self.villages.len() as i64,
            households: self
                .villages
                .iter()
                .map(|v| r.households.get(v).copied().unwrap_or(0))
                .sum(),
            late: r.late.as_ref().map(|_| late(cat, &self.late)),
        }
    }

    fn total(&self, cat: &Catalogue, r: &Read, rule: Option<EvidenceRule>) -> EvidenceTotal {
        EvidenceTotal {
            teams: self.teams,
            qualifying_teams: rule.map(|_| self.qualifying),
            figures: self.figures(cat, r),
        }
    }
}

fn late(cat: &Catalogue, by_kind: &HashMap<i64, (i64, i64)>) -> Late {
    let totals = cat.totals(&by_kind.iter().map(|(k, v)| (*k, v.0)).collect());
    Late {
        events: by_kind.values().map(|v| v.1).sum(),
        score: cat.score(&totals),
        totals,
    }
}

fn read_all(c: &Connection, teams: &[TeamPlace], q: &EvidenceQuery) -> Result<Read> {
    let ids: Vec<i64> = teams.iter().map(|t| t.rowid).collect();
    let range = q.period.range();
    let (villages, households) = read::villages(c, &ids)?;
    Ok(Read {
        members: if ids.is_empty() {
            HashMap::new()
        } else {
            member_counts(c, &ids)?
        },
        active: read::active_members(c, &ids, range)?,
        days: read::activity_days(c, &ids, range)?,
        totals: read::totals(c, &ids, range)?,
        late: if q.period.is_closed(q.now) {
            Some(read::late(c, &ids, range)?)
        } else {
            None
        },
        villages,
        households,
    })
}

fn province_name(c: &Connection) -> Result<String> {
    Ok(c.query_row(
        "SELECT u.name FROM units u JOIN current_version h ON h.id = u.version_id
         WHERE u.level = 'province' ORDER BY u.code LIMIT 1",
        [],
        |r| r.get(0),
    )?)
}

fn report(c: &Connection, q: &EvidenceQuery) -> Result<EvidenceReport> {
    if q.period.kind != PeriodKind::Month {
        return Err(StoreError::Invalid(
            "the evidence report is monthly: ask period=month".into(),
        ));
    }
    if q.unit.kind == UnitKind::Village {
        return Err(StoreError::Invalid(
            "the evidence report is per team: ask a team, commune, grouping, district or \
             the province"
                .into(),
        ));
    }
    let cat = Catalogue::load(c)?;
    let unit = resolve(c, &q.unit)?.ok_or_else(|| unknown(&q.unit))?;
    let teams = teams_in(c, &q.unit)?;
    let r = read_all(c, &teams, q)?;
    let rule = in_force(&rule::all(c)?, q.period.from);
    let codes: HashSet<&str> = teams.iter().map(|t| t.commune.as_str()).collect();
    let names = read::commune_names(c, &codes)?;
    let mut by_commune: BTreeMap<&str, (Sum, Vec<TeamEvidence>)> = BTreeMap::new();
    let mut all = Sum::default();
    for t in &teams {
        let mut one = Sum::default();
        one.add(t.rowid, None, &r);
        let figures = one.figures(&cat, &r);
        let qualifies = rule.map(|x| x.met(figures.activity_days, figures.active_members));
        let (sum, rows) = by_commune.entry(t.commune.as_str()).or_default();
        sum.add(t.rowid, qualifies, &r);
        all.add(t.rowid, qualifies, &r);
        rows.push(TeamEvidence {
            id: t.id.clone(),
            name: t.name.clone(),
            level: level_of(c, t.rowid)?,
            figures,
            qualifies,
        });
    }
    let communes = by_commune
        .into_iter()
        .map(|(code, (sum, teams))| CommuneEvidence {
            code: code.to_owned(),
            name: names.get(code).cloned().unwrap_or_default(),
            total: sum.total(&cat, &r, rule),
            teams,
        })
        .collect();
    Ok(EvidenceReport {
        total: all.total(&cat, &r, rule),
        province: province_name(c)?,
        unit: unit.summary,
        period: PeriodInfo::new(&q.period, q.now),
        as_of: q.now,
        rule,
        kinds: cat.list(),
        communes,
    })
}

fn level_of(c: &Connection, team: i64) -> Result<String> {
    Ok(c.prepare_cached("SELECT level FROM teams WHERE id = ?1")?
        .query_row([team], |r| r.get(0))?)
}

impl Store {
    /// The evidence report of a team, commune, grouping, district or the province for one
    /// month. `Invalid` for another period kind or a village; `NotFound` for an unknown unit.
    pub fn report_evidence(&self, q: &EvidenceQuery) -> Result<EvidenceReport> {
        self.read(|c| snapshot(c, |c| report(c, q)))
    }
}
