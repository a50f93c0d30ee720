//! Reports over the demo tree: leaderboards with ties, empty periods and idle teams, the
//! midnight boundary in Asia/Ho_Chi_Minh, volunteers.

mod common;

use common::reports::*;
use common::{ev, members_of};
use langso_domain::periods::Granularity;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_store::{Entrants, RankBy, SummaryQuery};

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
