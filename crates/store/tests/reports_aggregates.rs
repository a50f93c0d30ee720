//! The report aggregates themselves: verify names a tampered row; an old event log is
//! summed on open and the area rows follow a new map.

mod common;

use common::ev;
use common::reports::*;
use langso_domain::audit::Actor;
use langso_store::Store;

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
    let refused = reopened
        .import_units(&Actor::operator(), next.clone(), true)
        .unwrap_err();
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
    assert!(
        reopened
            .switch_map(&Actor::operator(), req, |_| {})
            .unwrap()
            .applied
    );
    assert_eq!(reopened.verify().unwrap(), []);
    assert_eq!(reopened.verify_integrity().unwrap(), []);
    assert_eq!(count("SELECT count(*) FROM area_days"), 2);
    assert_eq!(count("SELECT count(*) FROM area_months"), 3);
    assert_eq!(count("SELECT count(*) FROM team_months"), 1);
}
