//! Secrets sealed at rest (issue 9): a database from before migration 019 is sealed on its
//! first open with a key, leaving no plaintext key material in the file or its WAL; a
//! wrong or missing key is refused and changes nothing; the master key rotates.

use langso_domain::audit::Actor;
use langso_store::{AuditQuery, MasterKey, Store, StoreError};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

const TOKEN_SECRET: &[u8; 32] = b"TOKEN-SECRET-PLAINTEXT-32-BYTES!";
const SIGNING_KEY: &[u8; 32] = b"SIGNING-KEY-PLAINTEXT-32-BYTES!!";

/// A database as a binary from before migration 019 left it: every earlier migration, and
/// plaintext secrets.
fn before_019(path: &Path) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = (std::fs::read_dir(dir).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with("019"))
        .collect();
    files.sort();
    let c = Connection::open(path).unwrap();
    c.pragma_update(None, "journal_mode", "WAL").unwrap();
    for f in &files {
        c.execute_batch(&std::fs::read_to_string(f).unwrap())
            .unwrap();
    }
    c.pragma_update(None, "user_version", files.len() as i64)
        .unwrap();
    c.execute(
        "INSERT INTO meta (key, value) VALUES ('generation', 'g1'), ('token_secret', ?1)",
        [TOKEN_SECRET.to_vec()],
    )
    .unwrap();
    c.execute(
        "INSERT INTO signing_keys (kid, secret, created_ms) VALUES ('kold', ?1, 1)",
        [SIGNING_KEY.to_vec()],
    )
    .unwrap();
}

/// The database file and its WAL, as bytes.
fn on_disk(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    bytes.extend(std::fs::read(format!("{}-wal", db.display())).unwrap_or_default());
    bytes
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn key_at(path: &Path) -> MasterKey {
    MasterKey::from_file(path).unwrap()
}

#[test]
fn an_old_database_is_sealed_on_first_open_and_keeps_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key_file) = (dir.path().join("old.db"), dir.path().join("master.key"));
    before_019(&db);
    assert!(holds(&on_disk(&db), SIGNING_KEY));

    let store = Store::open_with_key(&db, key_at(&key_file)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the new key file is the owner's alone");
    }
    let keys = store.signing_keys().unwrap();
    let old = keys
        .iter()
        .find(|k| k.kid == "kold")
        .expect("the old key is kept");
    assert_eq!(old.secret, SIGNING_KEY, "tokens it signed keep verifying");
    let bytes = on_disk(&db);
    for plain in [&TOKEN_SECRET[..], &SIGNING_KEY[..]] {
        assert!(!holds(&bytes, plain), "plaintext key material left on disk");
    }
    for k in &keys {
        assert!(
            !holds(&bytes, &k.secret),
            "the signing key {} is on disk",
            k.kid
        );
    }
    drop(store);
    let bytes = std::fs::read(&db).unwrap();
    assert!(!holds(&bytes, TOKEN_SECRET) && !holds(&bytes, SIGNING_KEY));
    let sealed: Vec<u8> = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'token_secret'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sealed.starts_with(b"lsk1") && sealed.len() == 76);
}

#[test]
fn a_wrong_or_missing_key_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key_file) = (dir.path().join("s.db"), dir.path().join("master.key"));
    drop(Store::open_with_key(&db, key_at(&key_file)).unwrap());
    let before = std::fs::read(&db).unwrap();

    let wrong = Store::open_with_key(&db, MasterKey::generate())
        .err()
        .expect("refused");
    assert!(matches!(wrong, StoreError::MasterKey(_)), "{wrong}");
    assert!(
        wrong.to_string().contains("is not this database's"),
        "{wrong}"
    );
    let missing = dir.path().join("nowhere.key");
    let e = Store::open_with_key(&db, key_at(&missing))
        .err()
        .expect("refused");
    assert!(e.to_string().contains("no master key at"), "{e}");
    assert!(
        !missing.exists(),
        "no key file is made for a sealed database"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing changed");

    let store = Store::open_with_key(&db, key_at(&key_file)).unwrap();
    assert_eq!(store.signing_keys().unwrap().len(), 1);
}

#[test]
fn the_master_key_rotates_and_the_old_one_no_longer_opens_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let (old_file, new_file) = (dir.path().join("old.key"), dir.path().join("new.key"));
    let store = Store::open_with_key(&db, key_at(&old_file)).unwrap();
    let first = store.signing_keys().unwrap();
    let kid = store
        .rotate_master_key(&Actor::operator(), key_at(&new_file))
        .unwrap();
    assert!(new_file.exists());
    let keys = store.signing_keys().unwrap();
    assert_eq!(keys[0].kid, kid, "the new signing key signs from now on");
    assert_eq!(
        keys[1].secret, first[0].secret,
        "the old signing key still verifies"
    );
    let again = store
        .rotate_master_key(&Actor::operator(), key_at(&new_file))
        .expect_err("same key");
    assert!(matches!(again, StoreError::Invalid(_)), "{again}");
    let q = AuditQuery {
        action: Some("keys.rotate".into()),
        limit: 10,
        ..Default::default()
    };
    let entries = store.audit(&q).unwrap();
    assert_eq!(
        entries.len(),
        1,
        "one entry, for the rotation that happened: {entries:?}"
    );
    let after = entries[0].after.as_deref().unwrap();
    let new_id = key_at(&new_file).id();
    assert!(after.contains(&new_id) && after.contains(&kid), "{after}");
    let hex = std::fs::read_to_string(&new_file).unwrap();
    assert!(
        !after.contains(hex.trim()),
        "the key itself is never written"
    );
    drop(store);

    let e = Store::open_with_key(&db, key_at(&old_file))
        .err()
        .expect("old key refused");
    assert!(matches!(e, StoreError::MasterKey(_)), "{e}");
    let store = Store::open_with_key(&db, key_at(&new_file)).unwrap();
    assert_eq!(store.signing_keys().unwrap()[1].secret, first[0].secret);
}
