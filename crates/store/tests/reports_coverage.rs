//! Reports over the demo tree: late events of a closed month, targets and coverage, a
//! year's series, scopes refused.

mod common;

use common::ev;
use common::reports::*;
use langso_domain::audit::Actor;
use langso_domain::periods::{Granularity, Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Basis, TargetRule};
use langso_store::{Entrants, LeaderboardQuery, RankBy, SummaryQuery, TargetScope};

#[test]
fn late_events_and_late_corrections_of_a_closed_month_are_shown() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let v = &a.village_ids[0];
    let on_time = vn(2026, 11, 30, 10, 0, 0);
    let ids = f.phones.push(
        p,
        &[ev("vneid_activation", v, 5, on_time)],
        vn(2026, 11, 30, 20, 0, 0),
    );
    // Two days after November ended: a forgotten event, and a correction 5 → 2.
    let mut fix = ev("vneid_activation", v, 2, on_time);
    fix.corrects = Some(ids[0]);
    f.phones.push(
        p,
        &[ev("digital_signature", v, 1, on_time), fix],
        vn(2026, 12, 2, 19, 0, 0),
    );
    let q = |now| SummaryQuery {
        unit: UnitRef::new(UnitKind::District, DISTRICT),
        period: month(2026, 11),
        granularity: None,
        now,
        hierarchy: None,
    };

    let s = f.phones.store.report_summary(&q(later())).unwrap();

    assert_eq!(s.totals["vneid_activation"], 2);
    assert_eq!(s.totals["digital_signature"], 1);
    let late = s.late.expect("November is closed");
    assert_eq!(late.events, 2);
    assert_eq!(late.totals["vneid_activation"], -3);
    assert_eq!(late.totals["digital_signature"], 1);
    assert_eq!(
        s.score - late.score,
        15.0,
        "5 VNeID at 3 points when November closed"
    );
    let open = f
        .phones
        .store
        .report_summary(&q(vn(2026, 11, 30, 21, 0, 0)))
        .unwrap();
    assert!(!open.period.closed && open.late.is_none());
    assert_eq!(f.phones.store.verify().unwrap(), []);
}

#[test]
fn coverage_uses_the_resolution_09_defaults_until_a_unit_has_its_own_target() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let v = a.village_ids[0].clone();
    f.phones.push(
        p,
        &[ev("vneid_activation", &v, 40, vn(2026, 10, 5, 9, 0, 0))],
        vn(2026, 10, 5, 9, 0, 0),
    );
    f.phones.push(
        p,
        &[ev("vneid_activation", &v, 10, vn(2026, 11, 5, 9, 0, 0))],
        vn(2026, 11, 5, 9, 0, 0),
    );
    let village = UnitRef::new(UnitKind::Village, v.as_str());
    let q = SummaryQuery {
        unit: village.clone(),
        period: month(2026, 11),
        granularity: None,
        now: later(),
        hierarchy: None,
    };

    let s = f.phones.store.report_summary(&q).unwrap();

    let cov = s
        .coverage
        .iter()
        .find(|c| c.kind == "vneid_activation")
        .unwrap();
    assert!(cov.is_default);
    assert_eq!(
        cov.target, s.unit.population,
        "100% of the village's people"
    );
    assert_eq!(
        (cov.achieved, cov.period_total),
        (50, 10),
        "cumulative vs this month"
    );
    assert_eq!(cov.remaining, s.unit.population - 50);
    let pay = s
        .coverage
        .iter()
        .find(|c| c.kind == "e_payment_account")
        .unwrap();
    assert_eq!(pay.basis, Basis::Adults);
    assert_eq!(
        pay.target,
        (s.unit.population as f64 * 0.7 * 0.95 - 1e-6).ceil() as i64
    );

    let rule = TargetRule::new("vneid_activation", Basis::Count, 100.0).unwrap();
    let start = Some(date(2026, 11, 1));
    f.phones
        .store
        .set_target(
            &Actor::operator(),
            TargetScope::Unit(village.clone()),
            rule,
            start,
            None,
            "thôn".into(),
        )
        .unwrap();
    let s = f.phones.store.report_summary(&q).unwrap();
    let cov = s
        .coverage
        .iter()
        .find(|c| c.kind == "vneid_activation")
        .unwrap();
    assert!(!cov.is_default);
    assert_eq!(
        (cov.target, cov.achieved, cov.percent, cov.remaining),
        (100, 10, Some(10.0), 90)
    );

    let table = f
        .phones
        .store
        .report_coverage(
            &UnitRef::new(UnitKind::Commune, a.commune_code.as_str()),
            &month(2026, 11),
            later(),
        )
        .unwrap();
    let row = table.rows.iter().find(|r| r.id == v).unwrap();
    let cell = row
        .cells
        .iter()
        .find(|c| c.kind == "vneid_activation")
        .unwrap();
    assert_eq!((cell.target, cell.achieved), (100, 10));
    let other = table.rows.iter().find(|r| r.id != v).unwrap();
    let cell = other
        .cells
        .iter()
        .find(|c| c.kind == "vneid_activation")
        .unwrap();
    assert_eq!((cell.target, cell.achieved), (other.population, 0));
    assert_eq!(
        table.unit.population,
        table.rows.iter().map(|r| r.population).sum::<i64>(),
        "a commune's population is its villages'"
    );
    assert_eq!(table.kinds.len(), 3, "the three Resolution 09 kinds");
}

#[test]
fn a_year_has_twelve_monthly_points_and_districts_rank_in_the_province() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let v = &a.village_ids[0];
    for m in [1, 6, 11] {
        let t = vn(2026, m, 15, 9, 0, 0);
        f.phones
            .push(p, &[ev("e_payment_account", v, i64::from(m), t)], t);
    }
    let year = Period::containing(PeriodKind::Year, date(2026, 3, 3));

    let s = f
        .phones
        .store
        .report_summary(&SummaryQuery {
            unit: UnitRef::new(UnitKind::Province, "22"),
            period: year,
            granularity: None,
            now: later(),
            hierarchy: None,
        })
        .unwrap();
    let lb = board(
        &f.phones.store,
        UnitRef::new(UnitKind::Province, "22"),
        Entrants::Districts,
        year,
        RankBy::Score,
    );

    assert_eq!(s.granularity, Granularity::Month);
    let per_month: Vec<i64> = s
        .series
        .iter()
        .map(|p| p.totals.get("e_payment_account").copied().unwrap_or(0))
        .collect();
    assert_eq!(per_month, [1, 0, 0, 0, 0, 6, 0, 0, 0, 0, 11, 0]);
    assert_eq!(s.totals["e_payment_account"], 18);
    assert!(s.unit.population > 1_000_000);
    assert_eq!(lb.rows.len(), 13);
    assert_eq!(
        (lb.rows[0].id.as_str(), lb.rows[0].rank, lb.rows[0].score),
        (DISTRICT, Some(1), 36.0)
    );
    assert!(!lb.period.closed, "2026 has not ended on 10 December");
    assert!(lb.late.is_none());
}

#[test]
fn a_leaderboard_asked_in_the_wrong_kind_of_scope_is_refused() {
    let f = fixture();
    let q = LeaderboardQuery {
        scope: UnitRef::new(UnitKind::Commune, f.teams[0].commune_code.as_str()),
        of: Entrants::Districts,
        period: month(2026, 11),
        rank_by: RankBy::Score,
        now: later(),
    };
    assert!(matches!(
        f.phones.store.report_leaderboard(&q),
        Err(langso_store::StoreError::Invalid(_))
    ));
}
