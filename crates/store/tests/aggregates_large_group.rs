//! Groups big enough that the derived tables get several times more rows than one
//! multi-row upsert statement holds (64), with remainders for the single-row statement:
//! both statement sizes, the interned area codes and late-change units all end equal to
//! the recompute from the event log (`verify`), including corrections in a later group.

mod common;

use chrono::{Duration, Utc};
use common::{Ev, Phones, ev};

#[test]
fn a_large_group_sums_exactly_like_the_recompute() {
    let (_dir, store) = common::demo_store();
    let kinds: Vec<&'static str> = langso_domain::kinds::default_catalogue()
        .into_iter()
        .map(|k| &*Box::leak(k.code.into_boxed_str()))
        .collect();
    let teams: Vec<_> = store
        .teams()
        .unwrap()
        .into_iter()
        .filter(|t| t.level == langso_domain::units::Level::Commune && t.village_ids.len() >= 3)
        .take(3)
        .collect();
    let mut phones = Phones::new(store.clone());
    let now = Utc::now();
    let mut first = Vec::new();
    for team in &teams {
        let phone = phones.enroll(&team.id, None);
        // 40 days back (two months, late arrivals), every kind, the team's villages.
        let events: Vec<Ev> = (0..400)
            .map(|i| {
                let village = &team.village_ids[i % team.village_ids.len()];
                let at = now - Duration::days((i % 40) as i64);
                ev(
                    kinds[(i / 3) % kinds.len()],
                    village,
                    1 + (i % 4) as i64,
                    at,
                )
            })
            .collect();
        let ids = phones.push(phone, &events, now);
        let rows: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM member_days", [], |r| r.get(0))?))
            .unwrap();
        assert!(rows > 256, "{rows} member_days rows: not a large group");
        first.push((phone, events, ids));
        assert_eq!(store.verify().unwrap(), vec![], "after team {}", team.id);
    }
    // A later group corrects and voids some of them.
    for (phone, events, ids) in &first {
        let fixes: Vec<Ev> = (0..150)
            .map(|i| Ev {
                corrects: Some(ids[i * 2]),
                count: (i % 3) as i64,
                ..events[i * 2].clone()
            })
            .collect();
        phones.push(*phone, &fixes, now + Duration::hours(1));
    }
    assert_eq!(store.verify().unwrap(), vec![]);
}
