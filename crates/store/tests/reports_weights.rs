//! Weights with effective dates (issue 9): every report's score equals a recompute from the
//! raw events, each event weighed with the weight in force on its day, for periods a
//! change falls in (read by days and months alike) and periods it does not.

mod common;

use common::ev;
use common::reports::*;
use langso_domain::KindCode;
use langso_domain::audit::Actor;
use langso_domain::catalogue::KindEdit;
use langso_domain::periods::{Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_store::{Entrants, RankBy, SummaryQuery};

/// (kind, day of month, month, count) of the events pushed.
const EVENTS: [(&str, u32, u32, i64); 6] = [
    ("vneid_activation", 5, 10, 2),
    ("vneid_activation", 25, 10, 3),
    ("digital_signature", 2, 11, 4),
    ("digital_signature", 3, 11, 5),
    ("vneid_activation", 3, 11, 1),
    ("outreach_session", 10, 11, 2),
];

/// The weight in force: vneid 3, then 6 from 2026-10-20; digital_signature 2, then 1 from
/// 2026-11-03; outreach_session 5.
fn weight(kind: &str, month: u32, day: u32) -> f64 {
    match kind {
        "vneid_activation" if (month, day) >= (10, 20) => 6.0,
        "vneid_activation" => 3.0,
        "digital_signature" if (month, day) >= (11, 3) => 1.0,
        "digital_signature" => 2.0,
        _ => 5.0,
    }
}

fn recompute(p: &Period) -> f64 {
    let r = p.range();
    EVENTS
        .iter()
        .filter(|(_, d, m, _)| (r.from..=r.to).contains(&date(2026, *m, *d)))
        .map(|(k, d, m, n)| weight(k, *m, *d) * *n as f64)
        .sum()
}

fn set_weight(f: &Fixture, kind: &str, w: f64, from: chrono::NaiveDate) {
    let edit = KindEdit {
        weight: Some((w, Some(from))),
        ..KindEdit::default()
    };
    let code = KindCode::parse(kind).unwrap();
    f.phones
        .store
        .edit_kind(&Actor::operator(), &code, edit)
        .unwrap();
}

#[test]
fn every_score_weighs_each_day_with_its_own_weight() {
    let mut f = fixture();
    let team = f.teams[0].clone();
    let phone = f.phones.enroll(&team.id, None);
    let v = &team.village_ids[0];
    for (kind, d, m, n) in EVENTS {
        let at = vn(2026, m, d, 10, 0, 0);
        f.phones.push(phone, &[ev(kind, v, n, at)], at);
    }
    set_weight(&f, "vneid_activation", 6.0, date(2026, 10, 20));
    set_weight(&f, "digital_signature", 1.0, date(2026, 11, 3));

    let periods = [
        month(2026, 10),
        month(2026, 11),
        Period::containing(PeriodKind::Quarter, date(2026, 11, 1)),
        Period::containing(PeriodKind::Year, date(2026, 11, 1)),
        Period::containing(PeriodKind::Week, date(2026, 11, 3)),
        Period::custom(date(2026, 10, 21), date(2026, 11, 2)).unwrap(),
    ];
    let unit = UnitRef::new(UnitKind::Team, team.id.clone());
    for p in periods {
        let want = recompute(&p);
        let summary = f
            .phones
            .store
            .report_summary(&SummaryQuery {
                unit: unit.clone(),
                period: p,
                granularity: None,
                now: later(),
                hierarchy: None,
            })
            .unwrap();
        assert_eq!(summary.score, want, "summary of {p:?}");
        let points: f64 = summary.series.iter().map(|pt| pt.score).sum();
        assert!((points - want).abs() < 1e-9, "points of {p:?}: {points}");
        let b = board(
            &f.phones.store,
            district(),
            Entrants::Teams,
            p,
            RankBy::Score,
        );
        let row = b.rows.iter().find(|r| r.id == team.id).unwrap();
        assert_eq!(row.score, want, "leaderboard of {p:?}");
        let vols = board(
            &f.phones.store,
            unit.clone(),
            Entrants::Volunteers,
            p,
            RankBy::Score,
        );
        let sum: f64 = vols.rows.iter().map(|r| r.score).sum();
        assert_eq!(sum, want, "volunteers of {p:?}");
    }
}
