//! `Store::import_units` on a key already loaded (issue 8, acceptance finding 1): the same
//! version again is `unchanged` and reports whether it is current; a changed one is
//! `Conflict(HIERARCHY_VERSION_CHANGED)` and the stored units stay as they were.

use langso_domain::audit::Actor;
use langso_domain::units;
use langso_store::{HIERARCHY_VERSION_CHANGED, Store, StoreError, UnitsImported};

fn map(json: &str) -> units::HierarchyVersion {
    units::parse_hierarchy(json).unwrap()
}

#[test]
fn a_loaded_key_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("u.db")).unwrap();
    let old = map(include_str!(
        "../../../data/quang-ninh/quang-ninh-admin-units-2024-11.json"
    ));
    let now = map(include_str!(
        "../../../data/quang-ninh/quang-ninh-admin-units-2025.json"
    ));
    store
        .import_units(&Actor::operator(), old.clone(), true)
        .unwrap();
    store
        .import_units(&Actor::operator(), now.clone(), false)
        .unwrap();

    let again_old = store.import_units(&Actor::operator(), old, false).unwrap();
    let mut renamed = now.clone();
    let unit = renamed
        .units
        .iter_mut()
        .find(|u| u.code == "06652")
        .unwrap();
    unit.name = "Phường Hà Tu Mới".into();
    let refused = store
        .import_units(&Actor::operator(), renamed.clone(), false)
        .unwrap_err();
    let refused_current = store
        .import_units(&Actor::operator(), renamed, true)
        .unwrap_err();
    let listed = store.list_units(Some("commune"), None).unwrap();

    assert_eq!(
        again_old,
        UnitsImported {
            key: "2024-11-01".into(),
            unchanged: true,
            current: true,
        }
    );
    for e in [refused, refused_current] {
        match e {
            StoreError::Conflict(code, m) => {
                assert_eq!(code, HIERARCHY_VERSION_CHANGED);
                assert!(
                    m.contains("06652 renamed 'Phường Hà Tu' → 'Phường Hà Tu Mới'"),
                    "{m}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(listed.hierarchy, "2024-11-01");
    let loaded = store.import_units(&Actor::operator(), now, false).unwrap();
    assert!(loaded.unchanged && !loaded.current, "{loaded:?}");
}
