use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    ymd(y, m, day)
}

fn today() -> NaiveDate {
    d(2026, 11, 5)
}

#[test]
fn a_month_is_found_from_any_of_its_days() {
    let p = Period::from_query(Some("month"), Some(d(2026, 2, 17)), None, None, today()).unwrap();
    assert_eq!(
        (p.kind, p.from, p.to),
        (PeriodKind::Month, d(2026, 2, 1), d(2026, 2, 28))
    );
    let leap = Period::containing(PeriodKind::Month, d(2028, 2, 29));
    assert_eq!(leap.to, d(2028, 2, 29));
}

#[test]
fn no_parameters_mean_this_month_and_date_defaults_to_today() {
    let p = Period::from_query(None, None, None, None, today()).unwrap();
    assert_eq!((p.from, p.to), (d(2026, 11, 1), d(2026, 11, 30)));
    let w = Period::from_query(Some("week"), None, None, None, today()).unwrap();
    assert_eq!((w.from, w.to), (d(2026, 11, 2), d(2026, 11, 8)));
}

#[test]
fn quarters_start_in_january_april_july_october() {
    for (month, from, to) in [
        (1, d(2026, 1, 1), d(2026, 3, 31)),
        (3, d(2026, 1, 1), d(2026, 3, 31)),
        (4, d(2026, 4, 1), d(2026, 6, 30)),
        (9, d(2026, 7, 1), d(2026, 9, 30)),
        (10, d(2026, 10, 1), d(2026, 12, 31)),
        (12, d(2026, 10, 1), d(2026, 12, 31)),
    ] {
        let p = Period::containing(PeriodKind::Quarter, d(2026, month, 15));
        assert_eq!((p.from, p.to), (from, to), "month {month}");
    }
    let q1 = Period::containing(PeriodKind::Quarter, d(2026, 2, 1));
    assert_eq!(q1.previous().from, d(2025, 10, 1));
    assert_eq!(q1.previous().to, d(2025, 12, 31));
    assert_eq!(q1.key(), "2026-Q1");
}

#[test]
fn iso_week_53_spans_the_new_year() {
    assert_eq!(iso_weeks_in(2026), 53);
    assert_eq!(iso_weeks_in(2025), 52);
    let w = Period::containing(PeriodKind::Week, d(2027, 1, 2));
    assert_eq!((w.from, w.to), (d(2026, 12, 28), d(2027, 1, 3)));
    assert_eq!(w.key(), "2026-W53");
    assert_eq!(w.previous().key(), "2026-W52");
    let next = Period::containing(PeriodKind::Week, d(2027, 1, 4));
    assert_eq!(next.key(), "2027-W01");
    assert_eq!(next.previous(), w);
}

#[test]
fn a_week_of_2025_starting_in_december_2024_is_week_1() {
    let w = Period::containing(PeriodKind::Week, d(2024, 12, 31));
    assert_eq!((w.from, w.to), (d(2024, 12, 30), d(2025, 1, 5)));
    assert_eq!(w.key(), "2025-W01");
}

#[test]
fn periods_start_and_end_at_midnight_in_hanoi() {
    let p = Period::containing(PeriodKind::Day, d(2026, 11, 5));
    assert_eq!(p.start_utc().to_rfc3339(), "2026-11-04T17:00:00+00:00");
    assert_eq!(p.end_utc().to_rfc3339(), "2026-11-05T17:00:00+00:00");
    let last_moment = p.end_utc() - Duration::milliseconds(1);
    assert!(!p.is_closed(last_moment));
    assert!(p.is_closed(p.end_utc()));
    assert_eq!(crate::time::vn_day(last_moment), d(2026, 11, 5));
    assert_eq!(crate::time::vn_day(p.end_utc()), d(2026, 11, 6));
}

#[test]
fn previous_periods_are_the_calendar_ones_or_the_same_length_before() {
    let m = Period::containing(PeriodKind::Month, d(2026, 3, 10));
    assert_eq!(
        (m.previous().from, m.previous().to),
        (d(2026, 2, 1), d(2026, 2, 28))
    );
    let y = Period::containing(PeriodKind::Year, d(2026, 3, 10));
    assert_eq!(y.previous().key(), "2025");
    let day = Period::containing(PeriodKind::Day, d(2026, 3, 1));
    assert_eq!(day.previous().from, d(2026, 2, 28));
    let c = Period::custom(d(2026, 3, 10), d(2026, 3, 19)).unwrap();
    assert_eq!(
        (c.previous().from, c.previous().to),
        (d(2026, 2, 28), d(2026, 3, 9))
    );
}

#[test]
fn query_errors_have_codes() {
    let q = |p: Option<&str>, date, from, to| Period::from_query(p, date, from, to, today());
    assert_eq!(
        q(Some("fortnight"), None, None, None),
        Err(PeriodError::UnknownPeriod)
    );
    assert_eq!(
        q(Some("month"), None, Some(today()), Some(today())),
        Err(PeriodError::Mixed)
    );
    assert_eq!(
        q(None, None, Some(today()), None),
        Err(PeriodError::MissingBound)
    );
    assert_eq!(
        q(Some("custom"), None, None, None),
        Err(PeriodError::MissingBound)
    );
    assert_eq!(
        q(None, Some(today()), Some(today()), Some(today())),
        Err(PeriodError::Mixed)
    );
    assert_eq!(
        q(None, None, Some(d(2026, 2, 1)), Some(d(2026, 1, 1))),
        Err(PeriodError::Reversed)
    );
    assert_eq!(
        q(None, None, Some(d(2020, 1, 1)), Some(d(2026, 1, 1))),
        Err(PeriodError::TooLong)
    );
    assert_eq!(PeriodError::Reversed.code(), "invalid_range");
    let c = q(
        Some("custom"),
        None,
        Some(d(2026, 1, 1)),
        Some(d(2026, 1, 1)),
    )
    .unwrap();
    assert_eq!(c.kind, PeriodKind::Custom);
}

#[test]
fn default_granularity_is_days_then_weeks_then_months() {
    let g = |p: Period| p.default_granularity();
    assert_eq!(
        g(Period::containing(PeriodKind::Month, today())),
        Granularity::Day
    );
    assert_eq!(
        g(Period::custom(d(2026, 1, 1), d(2026, 3, 3)).unwrap()),
        Granularity::Day
    );
    assert_eq!(
        g(Period::custom(d(2026, 1, 1), d(2026, 3, 4)).unwrap()),
        Granularity::Week
    );
    assert_eq!(
        g(Period::containing(PeriodKind::Quarter, today())),
        Granularity::Week
    );
    assert_eq!(
        g(Period::containing(PeriodKind::Year, today())),
        Granularity::Month
    );
}

#[test]
fn weekly_points_of_a_quarter_are_clipped_iso_weeks() {
    let q = Period::containing(PeriodKind::Quarter, d(2026, 11, 5));
    let pts = q.points(Granularity::Week).unwrap();
    assert_eq!(pts.first().unwrap().from, d(2026, 10, 1));
    assert_eq!(
        pts.first().unwrap().to,
        d(2026, 10, 4),
        "Thursday to Sunday"
    );
    assert_eq!(pts[1].from, d(2026, 10, 5));
    assert_eq!(pts.last().unwrap().from, d(2026, 12, 28));
    assert_eq!(pts.last().unwrap().to, d(2026, 12, 31));
    assert_eq!(pts.len(), 14);
}

#[test]
fn too_many_points_are_refused() {
    let c = Period::custom(d(2024, 1, 1), d(2026, 12, 31)).unwrap();
    assert_eq!(c.points(Granularity::Day), Err(PeriodError::TooManyPoints));
    assert_eq!(c.points(Granularity::Month).unwrap().len(), 36);
}

#[test]
fn labels_and_keys() {
    let m = Period::containing(PeriodKind::Month, today());
    assert_eq!(m.label_vi(), "Tháng 11/2026");
    assert_eq!(m.key(), "2026-11");
    let w = Period::containing(PeriodKind::Week, today());
    assert_eq!(w.label_vi(), "Tuần 45/2026 (02/11–08/11/2026)");
    let c = Period::custom(d(2026, 11, 1), d(2026, 11, 20)).unwrap();
    assert_eq!(c.key(), "2026-11-01_2026-11-20");
}

#[test]
fn a_range_inside_one_month_is_all_days() {
    let s = split_by_months(DayRange::new(d(2026, 11, 3), d(2026, 11, 29)));
    assert_eq!(s.months, None);
    assert_eq!(s.head, Some(DayRange::new(d(2026, 11, 3), d(2026, 11, 29))));
}

#[test]
fn a_year_is_twelve_whole_months() {
    let s = split_by_months(DayRange::new(d(2026, 1, 1), d(2026, 12, 31)));
    assert_eq!((s.head, s.tail), (None, None));
    assert_eq!(s.months, Some(DayRange::new(d(2026, 1, 1), d(2026, 12, 1))));
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..3000).prop_map(|n| d(2023, 1, 1) + Duration::days(n))
}

fn kind() -> impl Strategy<Value = PeriodKind> {
    prop_oneof![
        Just(PeriodKind::Day),
        Just(PeriodKind::Week),
        Just(PeriodKind::Month),
        Just(PeriodKind::Quarter),
        Just(PeriodKind::Year),
    ]
}

fn granularity() -> impl Strategy<Value = Granularity> {
    prop_oneof![
        Just(Granularity::Day),
        Just(Granularity::Week),
        Just(Granularity::Month),
        Just(Granularity::Quarter),
        Just(Granularity::Year),
    ]
}

proptest! {
    #[test]
    fn a_period_contains_its_date_and_its_previous_ends_the_day_before(k in kind(), day in date()) {
        let p = Period::containing(k, day);
        prop_assert!(p.from <= day && day <= p.to);
        prop_assert_eq!(Period::containing(k, p.to), p);
        prop_assert_eq!(p.previous().to + Duration::days(1), p.from);
        prop_assert_eq!(p.previous().kind, k);
        if k == PeriodKind::Week {
            prop_assert_eq!(p.from.weekday(), Weekday::Mon);
            prop_assert_eq!(p.days(), 7);
        }
    }

    #[test]
    fn custom_previous_has_the_same_length(a in date(), n in 0i64..400) {
        let p = Period::custom(a, a + Duration::days(n)).unwrap();
        prop_assert_eq!(p.previous().days(), p.days());
        prop_assert_eq!(p.previous().to + Duration::days(1), p.from);
    }

    #[test]
    fn points_partition_the_period(a in date(), n in 0i64..399, g in granularity()) {
        let p = Period::custom(a, a + Duration::days(n)).unwrap();
        let pts = p.points(g).unwrap();
        prop_assert_eq!(pts.first().unwrap().from, p.from);
        prop_assert_eq!(pts.last().unwrap().to, p.to);
        for w in pts.windows(2) {
            prop_assert_eq!(w[0].to + Duration::days(1), w[1].from);
        }
        if g.month_aligned() {
            for pt in &pts[1..] {
                prop_assert_eq!(pt.from.day(), 1);
            }
        }
    }

    #[test]
    fn a_month_split_covers_the_range_exactly(a in date(), n in 0i64..800) {
        let r = DayRange::new(a, a + Duration::days(n));
        let s = split_by_months(r);
        let mut days = 0;
        let mut next = r.from;
        if let Some(h) = s.head {
            prop_assert_eq!(h.from, next);
            days += h.days();
            next = h.to + Duration::days(1);
        }
        if let Some(m) = s.months {
            prop_assert_eq!(m.from, next);
            prop_assert_eq!(m.from.day(), 1);
            prop_assert_eq!(m.to.day(), 1);
            let after = m.to + Months::new(1);
            days += (after - m.from).num_days();
            next = after;
        }
        if let Some(t) = s.tail {
            prop_assert!(s.months.is_some());
            prop_assert_eq!(t.from, next);
            prop_assert_eq!(t.from.day(), 1);
            days += t.days();
            next = t.to + Duration::days(1);
        }
        prop_assert_eq!(next, r.to + Duration::days(1));
        prop_assert_eq!(days, r.days());
    }
}
