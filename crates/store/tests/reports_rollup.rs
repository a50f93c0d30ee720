//! Property: for random pushes (late arrivals and corrections included) over teams in two
//! districts, every report (village, team, commune, district and province summaries, and
//! team, commune and volunteer leaderboards) equals a recompute from a model of what the
//! phones sent, late changes equal "now minus as it stood at the close", and `verify`
//! finds every aggregate equal to its recompute from the event log.

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use common::{Ev, Phones, demo_store};
use langso_domain::EventId;
use langso_domain::periods::{Granularity, Period};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::time::vn_day;
use langso_store::{Entrants, LeaderboardQuery, RankBy, SummaryQuery, TeamInfo, Totals};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

const KINDS: [&str; 3] = ["vneid_activation", "digital_signature", "e_health_book"];

fn base() -> DateTime<Utc> {
    langso_domain::time::vn_offset()
        .with_ymd_and_hms(2026, 9, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

#[derive(Clone, Debug)]
enum Op {
    /// phone, village index, kind, count, hour of occurrence since base, delay in hours.
    New(usize, usize, usize, i64, i64, i64),
    /// the n-th stored original (latest version), new count, delay in hours.
    Correct(usize, i64, i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..6usize, 0..3usize, 0..3usize, 1..=9i64, 0..24 * 90i64, 0..96i64)
            .prop_map(|(p, v, k, c, h, d)| Op::New(p, v, k, c, h, d)),
        1 => (any::<usize>(), 0..=9i64, 0..200i64).prop_map(|(i, c, d)| Op::Correct(i, c, d)),
    ]
}

/// One stored event in the model.
#[derive(Clone, Debug)]
struct Stored {
    phone: usize,
    village: String,
    kind: &'static str,
    count: i64,
    day: NaiveDate,
    /// When it occurred (a correction keeps its target's time, so its day).
    at: DateTime<Utc>,
    received: DateTime<Utc>,
    /// The correction that superseded it and when that arrived.
    superseded: Option<DateTime<Utc>>,
}

/// Six phones on four teams: two teams in each of two districts, one team with two phones.
struct World {
    teams: Vec<TeamInfo>,
    phone_team: [usize; 6],
}

fn world(store: &langso_store::Store) -> World {
    let all = store.teams().unwrap();
    let pick = |district: &str| -> Vec<TeamInfo> {
        let mut communes = HashSet::new();
        all.iter()
            .filter(|t| t.district_code.as_deref() == Some(district) && t.village_ids.len() >= 3)
            .filter(|t| communes.insert(t.commune_code.clone()))
            .take(2)
            .cloned()
            .collect()
    };
    let teams = [pick("201"), pick("193")].concat();
    assert_eq!(teams.len(), 4);
    World {
        teams,
        phone_team: [0, 0, 1, 2, 3, 3],
    }
}

type Model = Vec<Stored>;

fn live_totals(
    m: &Model,
    keep: impl Fn(&Stored) -> bool,
    from: NaiveDate,
    to: NaiveDate,
) -> Totals {
    let mut t = Totals::new();
    for s in m
        .iter()
        .filter(|s| s.superseded.is_none() && keep(s) && (from..=to).contains(&s.day))
    {
        *t.entry(s.kind.to_owned()).or_default() += s.count;
    }
    t.retain(|_, v| *v != 0);
    t
}

/// The totals as they stood at `end`: what had arrived by then and was not yet superseded.
fn totals_at(
    m: &Model,
    keep: impl Fn(&Stored) -> bool,
    from: NaiveDate,
    to: NaiveDate,
    end: DateTime<Utc>,
) -> Totals {
    let mut t = Totals::new();
    for s in m
        .iter()
        .filter(|s| keep(s) && (from..=to).contains(&s.day) && s.received < end)
    {
        if s.superseded.is_none_or(|at| at >= end) {
            *t.entry(s.kind.to_owned()).or_default() += s.count;
        }
    }
    t.retain(|_, v| *v != 0);
    t
}

fn minus(a: &Totals, b: &Totals) -> Totals {
    let mut out = a.clone();
    for (k, v) in b {
        *out.entry(k.clone()).or_default() -= v;
    }
    out.retain(|_, v| *v != 0);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn reports_equal_a_recompute_from_what_the_phones_sent(
        ops in prop::collection::vec(op(), 1..60),
        from_day in 0..120i64,
        len in 0..70i64,
    ) {
        static TEMPLATE: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
        let (_keep, template) = TEMPLATE.get_or_init(|| {
            let (dir, store) = demo_store();
            let path = dir.path().join("template.db");
            store.backup_to(&path).unwrap();
            (dir, path)
        });
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::copy(template, &db).unwrap();
        // The template's secrets are sealed with the demo store's master key (issue 9).
        std::fs::copy(_keep.path().join("r.db.key"), dir.path().join("t.db.key")).unwrap();
        let store = langso_store::Store::open(&db).unwrap();
        let w = world(&store);
        let mut phones = Phones::new(store.clone());
        let devices: Vec<_> = w.phone_team.iter().map(|&t| phones.enroll(&w.teams[t].id, None)).collect();
        let mut model: Model = Vec::new();
        let mut ids: Vec<EventId> = Vec::new();
        let mut head: Vec<usize> = Vec::new(); // latest version of each original
        for op in ops {
            match op {
                Op::New(p, v, k, c, h, d) => {
                    let team = &w.teams[w.phone_team[p]];
                    let at = base() + Duration::hours(h);
                    let received = at + Duration::hours(d);
                    let village = team.village_ids[v].clone();
                    let e = Ev { kind: KINDS[k], village: village.clone(), count: c, at, corrects: None };
                    ids.extend(phones.push(devices[p], &[e], received));
                    head.push(model.len());
                    model.push(Stored { phone: p, village, kind: KINDS[k], count: c, day: vn_day(at), at, received, superseded: None });
                }
                Op::Correct(i, c, d) if !head.is_empty() => {
                    let n = i % head.len();
                    let target = model[head[n]].clone();
                    // A phone of the same team corrects it, at its own (later) receive time.
                    let p = (0..6).rev().find(|&p| w.phone_team[p] == w.phone_team[target.phone]).unwrap();
                    let received = target.received + Duration::hours(d);
                    let at = target.at;
                    let e = Ev { kind: target.kind, village: target.village.clone(), count: c, at, corrects: Some(ids[head[n]]) };
                    ids.extend(phones.push(devices[p], &[e], received));
                    model[head[n]].superseded = Some(received);
                    head[n] = model.len();
                    model.push(Stored { phone: p, count: c, received, superseded: None, ..target });
                }
                Op::Correct(..) => {}
            }
        }
        prop_assert_eq!(store.verify().unwrap(), vec![]);

        let from = vn_day(base()) + Duration::days(from_day);
        let period = Period::custom(from, from + Duration::days(len)).unwrap();
        let now = base() + Duration::days(250);
        let team_of = |p: usize| &w.teams[w.phone_team[p]];
        let villages: HashMap<String, &TeamInfo> = w.teams.iter()
            .flat_map(|t| t.village_ids.iter().map(move |v| (v.clone(), t))).collect();
        let check = |unit: UnitRef, keep: &dyn Fn(&Stored) -> bool| -> Result<(), TestCaseError> {
            let s = store.report_summary(&SummaryQuery {
                unit: unit.clone(), period, granularity: Some(Granularity::Week), now, hierarchy: None,
            }).unwrap();
            let expected = live_totals(&model, keep, period.from, period.to);
            prop_assert_eq!(&s.totals, &expected, "totals of {:?}", unit);
            let mut from_series = Totals::new();
            for p in &s.series {
                for (k, v) in &p.totals { *from_series.entry(k.clone()).or_default() += v; }
            }
            prop_assert_eq!(&from_series, &expected, "series of {:?}", unit);
            let at_close = totals_at(&model, keep, period.from, period.to, period.end_utc());
            let late = s.late.expect("the period is closed");
            prop_assert_eq!(late.totals, minus(&expected, &at_close), "late changes of {:?}", unit);
            let arrivals = model.iter().filter(|x| keep(x) && (period.from..=period.to).contains(&x.day) && x.received >= period.end_utc()).count() as i64;
            prop_assert_eq!(late.events, arrivals, "late arrivals of {:?}", unit);
            Ok(())
        };
        for t in &w.teams {
            check(UnitRef::new(UnitKind::Team, t.id.as_str()), &|s| team_of(s.phone).id == t.id)?;
            check(UnitRef::new(UnitKind::Commune, t.commune_code.as_str()), &|s| villages[&s.village].commune_code == t.commune_code)?;
            let v = &t.village_ids[0];
            check(UnitRef::new(UnitKind::Village, v.as_str()), &|s| &s.village == v)?;
        }
        for d in ["201", "193"] {
            check(UnitRef::new(UnitKind::District, d), &|s| villages[&s.village].district_code.as_deref() == Some(d))?;
        }
        check(UnitRef::new(UnitKind::Province, "22"), &|_| true)?;

        // Leaderboards: totals and active members per team and per volunteer.
        for d in ["201", "193"] {
            let lb = store.report_leaderboard(&LeaderboardQuery {
                scope: UnitRef::new(UnitKind::District, d), of: Entrants::Teams, period, rank_by: RankBy::Score, now,
            }).unwrap();
            for t in w.teams.iter().filter(|t| t.district_code.as_deref() == Some(d)) {
                let row = lb.rows.iter().find(|r| r.id == t.id).unwrap();
                prop_assert_eq!(&row.totals, &live_totals(&model, |s| team_of(s.phone).id == t.id, period.from, period.to));
                let active: HashSet<usize> = model.iter()
                    .filter(|s| s.superseded.is_none() && s.count > 0 && team_of(s.phone).id == t.id && (period.from..=period.to).contains(&s.day))
                    .map(|s| s.phone).collect();
                prop_assert_eq!(row.active_members, active.len() as i64);
            }
            let ranked: Vec<f64> = lb.rows.iter().filter(|r| r.rank.is_some()).map(|r| r.score).collect();
            prop_assert!(ranked.windows(2).all(|w| w[0] >= w[1]));
        }
        let vol = store.report_leaderboard(&LeaderboardQuery {
            scope: UnitRef::new(UnitKind::Team, w.teams[0].id.as_str()), of: Entrants::Volunteers, period, rank_by: RankBy::Score, now,
        }).unwrap();
        let mut per_phone: BTreeMap<usize, Totals> = BTreeMap::new();
        for p in [0, 1] {
            per_phone.insert(p, live_totals(&model, |s| s.phone == p, period.from, period.to));
        }
        let got: Vec<Totals> = vol.rows.iter().filter(|r| !r.totals.is_empty()).map(|r| r.totals.clone()).collect();
        let mut want: Vec<Totals> = per_phone.into_values().filter(|t| !t.is_empty()).collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        prop_assert_eq!(got_sorted, want);
    }
}
