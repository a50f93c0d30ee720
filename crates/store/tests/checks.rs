//! The whole-database views `langso simulate` and `langso bench reports` check their runs
//! against (they were SQL in the CLI): members with their teams, tallies per village and
//! kind, event ids per device, row counts.

mod common;

use chrono::Utc;
use common::{Phones, demo_store, ev};
use langso_domain::{MemberId, TeamId};
use langso_store::{RowCounts, VillageKindTotal};
use std::collections::HashSet;

#[test]
fn the_checks_see_what_two_phones_pushed() {
    let (_dir, store) = demo_store();
    let team = store
        .teams()
        .unwrap()
        .into_iter()
        .find(|t| t.id == "T00001")
        .unwrap();
    let village = team.village_ids[0].clone();
    let before = store.row_counts().unwrap();
    let mut phones = Phones::new(store);
    let (a, b) = (phones.enroll("T00001", None), phones.enroll("T00001", None));
    let now = Utc::now();
    let first = phones.push(a, &[ev("vneid_activation", &village, 3, now)], now);
    let mut fix = ev("vneid_activation", &village, 5, now);
    fix.corrects = Some(first[0]);
    let second = phones.push(a, &[fix], now);
    let store = &phones.store;

    let ids = store.device_event_ids(&HashSet::from([a, b])).unwrap();
    assert_eq!(ids.len(), 1, "a phone with no events is absent: {ids:?}");
    assert_eq!(ids[&a], [first[0], second[0]]);

    let totals = store.village_kind_totals().unwrap();
    assert_eq!(
        totals,
        [VillageKindTotal {
            village_id: langso_domain::VillageId::parse(&village).unwrap(),
            kind: "vneid_activation".into(),
            total: 5,
        }],
        "the correction replaced the count"
    );

    let members = store.member_teams().unwrap();
    let t1 = TeamId::parse("T00001").unwrap();
    let newest: Vec<&(MemberId, TeamId)> = members.iter().rev().take(2).collect();
    assert!(newest.iter().all(|(_, t)| *t == t1), "{newest:?}");
    assert_eq!(
        store.row_counts().unwrap(),
        RowCounts {
            events: 2,
            teams: before.teams,
            members: before.members + 2,
        },
        "each unbound code made an unassigned member"
    );
    assert_eq!(members.len() as i64, before.members + 2);
}
