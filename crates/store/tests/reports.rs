//! Reports over the demo tree: leaderboards with ties, empty periods and idle teams, the
//! midnight boundary in Asia/Ho_Chi_Minh, late events, targets and coverage.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::{Phones, demo_store, ev, members_of, teams_in_district};
use langso_domain::periods::{Granularity, Period, PeriodKind};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Basis, TargetRule};
use langso_store::{
    Entrants, Leaderboard, LeaderboardQuery, RankBy, Store, SummaryQuery, TargetScope, TeamInfo,
};

/// An instant written as a phone in Vietnam would: local date and time at +07:00.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    langso_domain::time::vn_offset()
        .with_ymd_and_hms(y, m, d, h, min, s)
        .unwrap()
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn month(y: i32, m: u32) -> Period {
    Period::containing(PeriodKind::Month, date(y, m, 1))
}

/// December 2026, after November closed.
fn later() -> DateTime<Utc> {
    vn(2026, 12, 10, 9, 0, 0)
}

const DISTRICT: &str = "201"; // Huyện Tiên Yên

struct Fixture {
    _dir: tempfile::TempDir,
    phones: Phones,
    teams: Vec<TeamInfo>,
}

fn fixture() -> Fixture {
    let (dir, store) = demo_store();
    let teams = teams_in_district(&store, DISTRICT);
    assert!(teams.len() >= 4, "the district has {} teams", teams.len());
    Fixture {
        _dir: dir,
        phones: Phones::new(store),
        teams,
    }
}

fn board(store: &Store, scope: UnitRef, of: Entrants, p: Period, by: RankBy) -> Leaderboard {
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

fn district() -> UnitRef {
    UnitRef::new(UnitKind::District, DISTRICT)
}

#[test]
fn ties_share_a_rank_idle_teams_are_listed_unranked_and_rank_change_compares_last_month() {
    let mut f = fixture();
    let [a, b, c] = [&f.teams[0], &f.teams[1], &f.teams[2]];
    let (pa, pb, pc) = (
        f.phones.enroll(&a.id, None),
        f.phones.enroll(&b.id, None),
        f.phones.enroll(&c.id, None),
    );
    let nov = vn(2026, 11, 12, 10, 0, 0);
    let oct = vn(2026, 10, 12, 10, 0, 0);
    let (va, vb, vc) = (&a.village_ids[0], &b.village_ids[0], &c.village_ids[0]);
    // November: A = 2×3 + 2×2 = 10, B = 2×5 = 10, C = 4×1 = 4.
    f.phones.push(
        pa,
        &[
            ev("vneid_activation", va, 2, nov),
            ev("digital_signature", va, 2, nov),
        ],
        nov,
    );
    f.phones
        .push(pb, &[ev("outreach_session", vb, 2, nov)], nov);
    f.phones
        .push(pc, &[ev("qr_payment_sticker", vc, 4, nov)], nov);
    // October: C first (20), A second (5), B nothing.
    f.phones
        .push(pc, &[ev("qr_payment_sticker", vc, 20, oct)], oct);
    f.phones.push(pa, &[ev("e_health_book", va, 5, oct)], oct);

    let lb = board(
        &f.phones.store,
        district(),
        Entrants::Teams,
        month(2026, 11),
        RankBy::Score,
    );

    assert_eq!(
        lb.rows.len(),
        f.teams.len(),
        "every team of the district is listed"
    );
    let row = |id: &str| lb.rows.iter().find(|r| r.id == id).unwrap();
    let (ra, rb, rc) = (row(&a.id), row(&b.id), row(&c.id));
    assert_eq!((ra.score, rb.score, rc.score), (10.0, 10.0, 4.0));
    assert_eq!((ra.rank, rb.rank, rc.rank), (Some(1), Some(1), Some(3)));
    assert_eq!(
        (ra.previous_rank, rb.previous_rank, rc.previous_rank),
        (Some(2), None, Some(1))
    );
    assert_eq!(
        (ra.rank_change, rb.rank_change, rc.rank_change),
        (Some(1), None, Some(-2))
    );
    assert_eq!(ra.totals["vneid_activation"], 2);
    assert_eq!(ra.active_members, 1);
    assert!(
        ra.members >= 4,
        "demo members plus the enrolled one: {}",
        ra.members
    );
    let idle: Vec<_> = lb.rows.iter().skip(3).collect();
    assert!(
        idle.iter()
            .all(|r| r.rank.is_none() && r.score == 0.0 && r.totals.is_empty())
    );
    assert!(
        idle.windows(2).all(|w| w[0].id < w[1].id),
        "idle teams by id"
    );
    assert_eq!(lb.previous_period.from, date(2026, 10, 1));
    assert!(lb.period.closed);
}

#[test]
fn ranking_by_one_kind_ranks_only_teams_with_that_kind() {
    let mut f = fixture();
    let (a, b) = (&f.teams[0], &f.teams[1]);
    let (pa, pb) = (f.phones.enroll(&a.id, None), f.phones.enroll(&b.id, None));
    let t = vn(2026, 11, 3, 8, 0, 0);
    f.phones
        .push(pa, &[ev("vneid_activation", &a.village_ids[0], 3, t)], t);
    f.phones
        .push(pb, &[ev("outreach_session", &b.village_ids[0], 9, t)], t);

    let by = RankBy::Kind("vneid_activation".into());
    let lb = board(
        &f.phones.store,
        district(),
        Entrants::Teams,
        month(2026, 11),
        by,
    );

    assert_eq!(lb.rows[0].id, a.id);
    assert_eq!(lb.rows[0].rank, Some(1));
    let rb = lb.rows.iter().find(|r| r.id == b.id).unwrap();
    assert_eq!(
        (rb.rank, rb.score),
        (None, 45.0),
        "B scores but has no VNeID"
    );
}

#[test]
fn an_empty_period_lists_everyone_unranked() {
    let f = fixture();

    let lb = board(
        &f.phones.store,
        district(),
        Entrants::Teams,
        month(2026, 11),
        RankBy::Score,
    );

    assert_eq!(lb.rows.len(), f.teams.len());
    assert!(
        lb.rows
            .iter()
            .all(|r| r.rank.is_none() && r.previous_rank.is_none())
    );
    assert!(
        lb.rows
            .iter()
            .all(|r| r.active_members == 0 && r.score == 0.0)
    );
    let communes = board(
        &f.phones.store,
        district(),
        Entrants::Communes,
        month(2026, 11),
        RankBy::Score,
    );
    assert!(!communes.rows.is_empty() && communes.rows.iter().all(|r| r.rank.is_none()));
    assert_eq!(communes.late.as_ref().map(|l| l.events), Some(0));
}

#[test]
fn an_event_at_23_59_59_counts_in_november_and_one_at_midnight_in_december() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let v = &a.village_ids[0];
    let (before, at) = (vn(2026, 11, 30, 23, 59, 59), vn(2026, 12, 1, 0, 0, 0));
    assert_eq!(at.to_rfc3339(), "2026-11-30T17:00:00+00:00");
    f.phones.push(
        p,
        &[
            ev("vneid_activation", v, 1, before),
            ev("digital_signature", v, 1, at),
        ],
        at,
    );

    let nov = board(
        &f.phones.store,
        district(),
        Entrants::Teams,
        month(2026, 11),
        RankBy::Score,
    );
    let dec = board(
        &f.phones.store,
        district(),
        Entrants::Teams,
        month(2026, 12),
        RankBy::Score,
    );

    assert_eq!(
        nov.rows[0].totals.iter().collect::<Vec<_>>(),
        [(&"vneid_activation".to_owned(), &1)]
    );
    assert_eq!(
        dec.rows[0].totals.iter().collect::<Vec<_>>(),
        [(&"digital_signature".to_owned(), &1)]
    );
    let s = f
        .phones
        .store
        .report_summary(&SummaryQuery {
            unit: UnitRef::new(UnitKind::Village, v.as_str()),
            period: month(2026, 11),
            granularity: None,
            now: later(),
            hierarchy: None,
        })
        .unwrap();
    assert_eq!(s.granularity, Granularity::Day);
    assert_eq!(s.series.len(), 30);
    assert_eq!(s.series[29].totals["vneid_activation"], 1);
    assert!(s.series[..29].iter().all(|p| p.totals.is_empty()));
}

#[test]
fn volunteers_are_ranked_within_their_team_with_their_own_counts() {
    let mut f = fixture();
    let a = f.teams[0].clone();
    let m = members_of(&f.phones.store, &a.id);
    let (p1, p2) = (
        f.phones.enroll(&a.id, Some(&m[0])),
        f.phones.enroll(&a.id, Some(&m[1])),
    );
    let t = vn(2026, 11, 20, 15, 0, 0);
    let v = &a.village_ids[0];
    f.phones.push(p1, &[ev("e_health_book", v, 2, t)], t);
    f.phones.push(p2, &[ev("e_health_book", v, 2, t)], t);

    let lb = board(
        &f.phones.store,
        UnitRef::new(UnitKind::Team, a.id.as_str()),
        Entrants::Volunteers,
        month(2026, 11),
        RankBy::Score,
    );

    assert_eq!(lb.rows.len(), m.len());
    assert_eq!(
        (lb.rows[0].id.as_str(), lb.rows[0].rank),
        (m[0].as_str(), Some(1))
    );
    assert_eq!(
        (lb.rows[1].id.as_str(), lb.rows[1].rank),
        (m[1].as_str(), Some(1))
    );
    assert_eq!(lb.rows[0].active_members, 1);
    assert!(
        lb.rows[2..]
            .iter()
            .all(|r| r.rank.is_none() && r.active_members == 0)
    );
}

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

#[test]
fn verify_names_a_tampered_aggregate_row() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let t = vn(2026, 11, 3, 8, 0, 0);
    f.phones.push(
        p,
        &[ev("vneid_activation", &a.village_ids[0], 3, t)],
        vn(2026, 11, 5, 8, 0, 0),
    );
    assert_eq!(f.phones.store.verify().unwrap(), []);
    let raw = rusqlite::Connection::open(f.phones.store.path()).unwrap();
    raw.execute("UPDATE member_months SET total = total + 1", [])
        .unwrap();
    raw.execute("DELETE FROM area_late WHERE code = ?1", [DISTRICT])
        .unwrap();

    let diffs = f.phones.store.verify().unwrap();

    let tables: Vec<_> = diffs.iter().map(|d| (d.table, d.column)).collect();
    assert_eq!(
        tables,
        [
            ("member_months", "total"),
            ("area_late", "total"),
            ("area_late", "arrivals")
        ]
    );
    assert_eq!(diffs[0].day, date(2026, 11, 1));
    assert_eq!(diffs[0].kind, "vneid_activation");
    assert!(diffs[0].unit.starts_with(&a.id), "{}", diffs[0].unit);
    assert_eq!(diffs[1].unit, format!("{DISTRICT} arrived 2026-11-05"));
}

#[test]
fn aggregates_are_rebuilt_for_an_old_event_log_and_follow_a_new_hierarchy() {
    let mut f = fixture();
    let a = &f.teams[0];
    let p = f.phones.enroll(&a.id, None);
    let t = vn(2026, 11, 3, 8, 0, 0);
    f.phones
        .push(p, &[ev("vneid_activation", &a.village_ids[0], 3, t)], t);
    let path = f.phones.store.path().to_owned();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DELETE FROM team_months; DELETE FROM area_months; DELETE FROM village_late;
         DELETE FROM meta WHERE key = 'aggregates';",
    )
    .unwrap();

    let reopened = Store::open(&path).unwrap();

    assert_eq!(reopened.verify().unwrap(), []);
    let count = |sql: &str| raw.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM team_months"), 1);
    let next = langso_domain::units::parse_hierarchy(include_str!(
        "../../../data/quang-ninh/quang-ninh-admin-units-2024-11.json"
    ))
    .unwrap();
    // Phường Yết Kiêu's villages have no successor in 2024-11: refused, nothing changed.
    let refused = reopened.import_units(next.clone(), true).unwrap_err();
    assert!(refused.to_string().contains("no place"), "{refused}");
    let areas = count("SELECT count(*) FROM area_days");
    assert_eq!(areas, 2, "district and province rows of the 2024-09 map");
    // Placed by the operator, every village follows; the area rows follow the new map.
    let mut yet_kieu = raw
        .prepare(
            "SELECT v.village_id FROM villages v JOIN village_placements p ON p.village_id = v.id
             WHERE p.commune_code = '06682'",
        )
        .unwrap();
    let placements = yet_kieu
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .enumerate()
        .map(|(i, v)| langso_domain::map_switch::PlacementRow {
            line: i + 1,
            village: v.unwrap(),
            commune: "06673".into(),
        })
        .collect();
    let req = langso_store::SwitchRequest {
        import: Some(next),
        placements,
        ..Default::default()
    };
    assert!(reopened.switch_map(req, |_| {}).unwrap().applied);
    assert_eq!(reopened.verify().unwrap(), []);
    assert_eq!(reopened.verify_integrity().unwrap(), []);
    assert_eq!(count("SELECT count(*) FROM area_days"), 2);
    assert_eq!(count("SELECT count(*) FROM area_months"), 3);
    assert_eq!(count("SELECT count(*) FROM team_months"), 1);
}
