//! The benchmark's switch (`Store::skip_aggregates_for_benchmark`, with which `langso bench
//! push` measures the sync core alone): while it is on, events and tallies stay exact and
//! only the report aggregates fall behind; a database written with it is never read with
//! stale aggregates, because the next open rebuilds them from the event log.

mod common;

use chrono::{Duration, Utc};
use common::{Ev, Phones, ev};

#[test]
fn a_database_written_without_aggregates_is_rebuilt_when_next_opened() {
    let (dir, store, _) = common::one_team_store(0);
    let mut phones = Phones::new(store.clone());
    let phone = phones.enroll("T00001", None);
    let now = Utc::now();
    let first = phones.push(
        phone,
        &[ev(
            "vneid_activation",
            "V000001",
            3,
            now - Duration::days(2),
        )],
        now,
    );
    assert_eq!(store.verify().unwrap(), vec![]);

    store.skip_aggregates_for_benchmark().unwrap();
    let correction = Ev {
        corrects: Some(first[0]),
        ..ev("vneid_activation", "V000001", 1, now - Duration::days(2))
    };
    let late = ev("e_health_book", "V000002", 5, now - Duration::days(1));
    let today = ev("digital_signature", "V000003", 2, now);
    phones.push(phone, &[late, today, correction], now);
    let diffs = store.verify().unwrap();
    assert!(!diffs.is_empty(), "the aggregates were left behind");
    assert!(
        diffs.iter().all(|d| d.table != "tallies"),
        "the tallies are part of the sync core and stay exact: {diffs:?}"
    );

    drop(phones);
    drop(store);
    let store = langso_store::Store::open(&dir.path().join("t.db")).unwrap();
    assert_eq!(store.verify().unwrap(), vec![], "rebuilt on open");

    // A later open's pushes keep the aggregates again.
    let mut phones = Phones::new(store.clone());
    let phone = phones.enroll("T00001", None);
    phones.push(
        phone,
        &[ev(
            "vneid_activation",
            "V000002",
            4,
            now - Duration::days(3),
        )],
        now,
    );
    assert_eq!(store.verify().unwrap(), vec![]);
}
