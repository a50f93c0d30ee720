//! Leaderboards: teams within a commune, grouping, district or the province; communes
//! within a grouping, district or the province; districts or groupings in the province;
//! volunteers within a team. A commune may lie in groupings of different kinds: it counts
//! for each of them.
//!
//! Every entrant under the scope is listed, those without activity with score 0. Ranks are
//! standard competition ranks of the measure (the weighted score or one kind's count); an
//! entrant whose measure is 0 is unranked (`rank: null`). `rank_change` compares with the
//! previous period of the same length and is null when unranked in either.

use super::entrants::{
    Entrant, areas_in, fold_groupings, groupings_in, member_counts, teams_in, volunteers,
};
use super::sums::{self, AREAS, ByKey, COMMUNES, Key, TEAMS};
use super::{
    Catalogue, Late, PeriodInfo, Totals, UnitSummary, late_of, resolve, snapshot, unknown, utc_ms,
};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use langso_domain::kinds::ActivityKind;
use langso_domain::periods::{DayRange, Period};
use langso_domain::ranking::{competition_ranks, rank_change};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::units::Level;
use rusqlite::Connection;
use serde::{Serialize, Serializer};
use std::collections::{HashMap, HashSet};

/// What a leaderboard ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entrants {
    Teams,
    Communes,
    /// The current map's groupings of communes (former districts, clusters), in the
    /// province: each scored with its communes' sums.
    Groupings,
    Districts,
    Volunteers,
}

impl Entrants {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Teams => "teams",
            Self::Communes => "communes",
            Self::Groupings => "groupings",
            Self::Districts => "districts",
            Self::Volunteers => "volunteers",
        }
    }

    /// Every leaderboard, in the order messages list them.
    pub const ALL: [Entrants; 5] = [
        Self::Teams,
        Self::Communes,
        Self::Groupings,
        Self::Districts,
        Self::Volunteers,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The scope kinds this leaderboard can be asked within.
    pub fn scopes(self) -> &'static [UnitKind] {
        match self {
            Self::Teams => &[
                UnitKind::Commune,
                UnitKind::Grouping,
                UnitKind::District,
                UnitKind::Province,
            ],
            Self::Communes => &[UnitKind::Grouping, UnitKind::District, UnitKind::Province],
            Self::Groupings | Self::Districts => &[UnitKind::Province],
            Self::Volunteers => &[UnitKind::Team],
        }
    }
}

/// The measure ranks are by: the weighted score, or one kind's total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RankBy {
    Score,
    Kind(String),
}

impl Serialize for RankBy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Score => s.serialize_str("score"),
            Self::Kind(k) => s.serialize_str(k),
        }
    }
}

#[derive(Clone, Debug)]
pub struct LeaderboardQuery {
    pub scope: UnitRef,
    pub of: Entrants,
    pub period: Period,
    pub rank_by: RankBy,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    /// Places gained since the previous period (negative: lost).
    pub rank_change: Option<i64>,
    pub id: String,
    pub name: String,
    pub score: f64,
    pub totals: Totals,
    /// Distinct members with at least one event in the period (for a volunteer: 1 or 0).
    pub active_members: i64,
    /// Members of the entrant's teams (for a volunteer: 1).
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Leaderboard {
    pub scope: UnitSummary,
    pub of: Entrants,
    pub rank_by: RankBy,
    pub period: PeriodInfo,
    pub previous_period: PeriodInfo,
    #[serde(serialize_with = "utc_ms")]
    pub as_of: DateTime<Utc>,
    pub kinds: Vec<ActivityKind>,
    pub rows: Vec<Entry>,
    /// Late changes within the scope (closed periods only).
    pub late: Option<Late>,
}

/// Totals and scores by key (see `Catalogue::weigh`).
type Weighed = (ByKey, HashMap<Key, f64>);

fn board(c: &Connection, q: &LeaderboardQuery) -> Result<Leaderboard> {
    if !q.of.scopes().contains(&q.scope.kind) {
        return Err(StoreError::Invalid(format!(
            "a leaderboard of {} is asked within a {}",
            q.of.as_str(),
            q.of.scopes()
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    let cat = Catalogue::load(c)?;
    let kind = match &q.rank_by {
        RankBy::Score => None,
        RankBy::Kind(code) => Some(
            cat.id_of(code)
                .ok_or_else(|| StoreError::Invalid(format!("unknown kind '{code}'")))?,
        ),
    };
    let scope = resolve(c, &q.scope)?.ok_or_else(|| unknown(&q.scope))?;
    let previous = q.period.previous();
    let teams = teams_in(c, &q.scope)?;
    let team_ids: Vec<i64> = match (q.of, scope.keys.first()) {
        (Entrants::Volunteers, Some(Key::Int(team))) => vec![*team],
        _ => teams.iter().map(|t| t.rowid).collect(),
    };
    // Totals and scores by entrant over a range, each part weighed with its own weights.
    let sums_over = |entrants: &[Entrant], range: DayRange| -> Result<Weighed> {
        let keys: Vec<Key> = entrants.iter().map(|e| e.key.clone()).collect();
        let agg = match q.of {
            Entrants::Teams => TEAMS,
            Entrants::Communes => COMMUNES,
            Entrants::Districts => AREAS,
            Entrants::Groupings | Entrants::Volunteers => {
                unreachable!("groupings are summed by commune, volunteers by team")
            }
        };
        cat.weigh(range, |part| sums::totals_by_key(c, agg, &keys, part))
    };
    let groups = match q.of {
        Entrants::Groupings => groupings_in(c)?,
        _ => Vec::new(),
    };
    // Who each active (team, member) pair and each team's members count for.
    let owner: HashMap<i64, Vec<Key>> = teams
        .iter()
        .filter_map(|t| {
            let k = match q.of {
                Entrants::Teams => vec![Key::Int(t.rowid)],
                Entrants::Communes => vec![Key::Text(t.commune.clone())],
                Entrants::Districts => vec![Key::Text(t.district.clone()?)],
                Entrants::Groupings => groups
                    .iter()
                    .filter(|(_, communes)| communes.contains(&t.commune))
                    .map(|(g, _)| g.key.clone())
                    .collect(),
                Entrants::Volunteers => return None,
            };
            Some((t.rowid, k))
        })
        .collect();
    let (entrants, now, before) = match q.of {
        Entrants::Volunteers => {
            let team = team_ids[0];
            let by_member = |r| cat.weigh(r, |part| sums::totals_by_member(c, team, part));
            let (now, before) = (by_member(q.period.range())?, by_member(previous.range())?);
            (volunteers(c, team, &[&now.0, &before.0])?, now, before)
        }
        Entrants::Teams => {
            let e: Vec<Entrant> = teams
                .iter()
                .map(|t| Entrant {
                    key: Key::Int(t.rowid),
                    id: t.id.clone(),
                    name: t.name.clone(),
                })
                .collect();
            let (n, b) = (
                sums_over(&e, q.period.range())?,
                sums_over(&e, previous.range())?,
            );
            (e, n, b)
        }
        Entrants::Groupings => {
            let communes: Vec<Key> = groups
                .iter()
                .flat_map(|(_, cs)| cs.iter().map(|c| Key::Text(c.clone())))
                .collect();
            let by_grouping = |r| {
                cat.weigh(r, |part| {
                    let by_commune = sums::totals_by_key(c, COMMUNES, &communes, part)?;
                    Ok(fold_groupings(&groups, &by_commune))
                })
            };
            let (n, b) = (
                by_grouping(q.period.range())?,
                by_grouping(previous.range())?,
            );
            let e = groups
                .iter()
                .map(|(g, _)| Entrant {
                    key: g.key.clone(),
                    id: g.id.clone(),
                    name: g.name.clone(),
                })
                .collect();
            (e, n, b)
        }
        Entrants::Communes | Entrants::Districts => {
            let level = if q.of == Entrants::Communes {
                Level::Commune
            } else {
                Level::District
            };
            let e = areas_in(c, level, &q.scope)?;
            let (n, b) = (
                sums_over(&e, q.period.range())?,
                sums_over(&e, previous.range())?,
            );
            (e, n, b)
        }
    };
    let mut active: HashMap<Key, HashSet<i64>> = HashMap::new();
    for (team, member) in sums::active_members(c, &team_ids, q.period.range())? {
        let keys = match q.of {
            Entrants::Volunteers => vec![Key::Int(member)],
            _ => owner.get(&team).cloned().unwrap_or_default(),
        };
        for k in keys {
            active.entry(k).or_default().insert(member);
        }
    }
    let mut members: HashMap<Key, i64> = HashMap::new();
    if q.of != Entrants::Volunteers && !team_ids.is_empty() {
        for (team, n) in member_counts(c, &team_ids)? {
            for k in owner.get(&team).into_iter().flatten() {
                *members.entry(k.clone()).or_default() += n;
            }
        }
    }
    let none = HashMap::new();
    let totals = |m: &Weighed, e: &Entrant| cat.totals(m.0.get(&e.key).unwrap_or(&none));
    let score = |m: &Weighed, e: &Entrant| m.1.get(&e.key).copied().unwrap_or(0.0);
    let measure = |m: &Weighed, e: &Entrant| match kind {
        None => score(m, e),
        Some(k) => {
            m.0.get(&e.key)
                .and_then(|t| t.get(&k))
                .copied()
                .unwrap_or(0) as f64
        }
    };
    let ranks = competition_ranks(
        &entrants
            .iter()
            .map(|e| measure(&now, e))
            .collect::<Vec<_>>(),
    );
    let previous_ranks = competition_ranks(
        &entrants
            .iter()
            .map(|e| measure(&before, e))
            .collect::<Vec<_>>(),
    );
    let mut rows: Vec<Entry> = entrants
        .iter()
        .zip(ranks.iter().zip(&previous_ranks))
        .map(|(e, (&rank, &previous_rank))| {
            let totals = totals(&now, e);
            Entry {
                rank,
                previous_rank,
                rank_change: rank_change(previous_rank, rank),
                id: e.id.clone(),
                name: e.name.clone(),
                score: score(&now, e),
                totals,
                active_members: active.get(&e.key).map_or(0, |s| s.len() as i64),
                members: match q.of {
                    Entrants::Volunteers => 1,
                    _ => members.get(&e.key).copied().unwrap_or(0),
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.rank.is_none(), a.rank, &a.id).cmp(&(b.rank.is_none(), b.rank, &b.id)));
    Ok(Leaderboard {
        late: late_of(c, &cat, &scope, &q.period, q.now)?,
        scope: scope.summary,
        of: q.of,
        rank_by: q.rank_by.clone(),
        period: PeriodInfo::new(&q.period, q.now),
        previous_period: PeriodInfo::new(&previous, q.now),
        as_of: q.now,
        kinds: cat.list(),
        rows,
    })
}

impl Store {
    /// A leaderboard of teams, communes, districts or volunteers within a scope.
    pub fn report_leaderboard(&self, q: &LeaderboardQuery) -> Result<Leaderboard> {
        self.read(|c| snapshot(c, |c| board(c, q)))
    }
}
