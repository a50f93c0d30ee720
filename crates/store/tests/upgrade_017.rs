//! Migration 017 on a database written before it (issue 9): each kind keeps its unit in
//! both languages and its weight from the first day; a kind inactive before stays inactive
//! (deactivated since 1970: it refused every event, and still does).

use chrono::NaiveDate;
use langso_domain::kinds::WeightFrom;
use langso_store::Store;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// The migrations before 017, read from the crate's migrations directory in order.
fn before_017() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| p.file_name().unwrap().to_str().unwrap() < "017")
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

#[test]
fn kinds_keep_their_units_weights_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("before.db");
    {
        let mut c = Connection::open(&path).unwrap();
        let sql = before_017();
        Migrations::new(sql.iter().map(|s| M::up(s)).collect())
            .to_latest(&mut c)
            .unwrap();
        c.execute_batch(
            "INSERT INTO kinds (code, label_vi, label_en, unit, weight, active)
               VALUES ('vneid_activation', 'VNeID', 'VNeID', 'tài khoản', 2.5, 1),
                      ('old_campaign', 'Cũ', 'Old', 'buổi', 1.0, 0),
                      ('digital_signature', 'Cấp chữ ký số', 'Signature', 'signature', 2, 1);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let kinds = store.catalogue().unwrap();
    let first_day = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let (a, b) = (&kinds[0], &kinds[1]);
    assert_eq!(
        (a.unit_vi.as_str(), a.unit_en.as_str()),
        ("tài khoản", "tài khoản")
    );
    assert_eq!(
        a.weights,
        [WeightFrom {
            from: first_day,
            weight: 2.5
        }]
    );
    assert_eq!((a.weight, a.active), (2.5, true));
    assert!(!b.active, "an inactive kind stays inactive");
    // A default kind's English unit word gets its Vietnamese name; English stays English.
    assert_eq!(
        (kinds[2].unit_vi.as_str(), kinds[2].unit_en.as_str()),
        ("chữ ký số", "signature")
    );
}
