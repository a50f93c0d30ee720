//! Scope containment along the demo tree.

use langso_domain::audit::Actor;
use langso_domain::scope::{UnitKind as K, UnitRef};
use langso_domain::{demo, kinds, units};
use langso_store::Store;

fn demo_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    let tree = units::parse_hierarchy(include_str!(
        "../../../data/quang-ninh/quang-ninh-admin-units.json"
    ))
    .unwrap();
    let data = demo::generate(&tree, demo::DEFAULT_SEED);
    store.import_units(&Actor::operator(), tree, true).unwrap();
    store.seed_demo(data, kinds::default_catalogue()).unwrap();
    (dir, store)
}

#[test]
fn each_scope_sees_what_lies_under_it_and_nothing_else() {
    let (_dir, store) = demo_store();
    let teams = store.teams().unwrap();
    let team = teams
        .iter()
        .find(|t| t.level == units::Level::Village)
        .unwrap();
    let village = &team.village_ids[0];
    let commune = &team.commune_code;
    let district = team.district_code.clone().unwrap();
    let other_district = teams
        .iter()
        .find(|t| t.district_code.as_deref() != Some(&district))
        .unwrap();
    let other_village = &other_district.village_ids[0];
    let u = UnitRef::new;
    let sees = |scope: &UnitRef, target: &UnitRef| store.scope_contains(scope, target).unwrap();

    let province = u(K::Province, "22");
    for target in [
        u(K::Village, village),
        u(K::Commune, commune),
        u(K::District, &district),
        u(K::Team, &team.id),
    ] {
        assert_eq!(
            sees(&province, &target),
            Some(true),
            "province sees {target:?}"
        );
        assert_eq!(
            sees(&u(K::District, &district), &target),
            Some(target.kind != K::Province),
            "{target:?}"
        );
    }
    assert_eq!(
        sees(&u(K::District, &district), &u(K::Village, other_village)),
        Some(false)
    );
    assert_eq!(sees(&u(K::District, &district), &province), Some(false));
    assert_eq!(
        sees(&u(K::Commune, commune), &u(K::District, &district)),
        Some(false)
    );
    assert_eq!(
        sees(&u(K::Commune, commune), &u(K::Team, &team.id)),
        Some(true)
    );
    assert_eq!(
        sees(&u(K::Team, &team.id), &u(K::Village, village)),
        Some(true)
    );
    assert_eq!(
        sees(&u(K::Team, &team.id), &u(K::Commune, commune)),
        Some(false)
    );
    assert_eq!(
        sees(&u(K::Team, &team.id), &u(K::Village, other_village)),
        Some(false)
    );
    assert_eq!(
        sees(&province, &u(K::Village, "V999999")),
        None,
        "unknown units are None"
    );
    assert_eq!(
        sees(&province, &u(K::Commune, "193")),
        None,
        "a district code is not a commune"
    );
}
