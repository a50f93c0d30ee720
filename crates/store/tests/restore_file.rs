//! `restore` as a file operation (issue 7, items 3 and 11): it refuses while a server
//! holds the database, refuses what is not a Langso database, gives a fresh generation
//! every time and keeps what it replaced, WAL included.

mod common;

use langso_domain::audit::Actor;
use langso_store::{ServerLock, Store, StoreError, restore};

fn count_invites(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT count(*) FROM invites", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_restore_refuses_while_a_server_holds_the_database() {
    let (_dir, store) = common::demo_store();
    let db = store.path().to_owned();
    let backup = db.with_file_name("b.db");
    store.backup_to(&backup).unwrap();
    let lock = ServerLock::acquire(&db).unwrap();

    let refused = restore(&Actor::operator(), &backup, &db);

    assert!(matches!(refused, Err(StoreError::Locked(_))), "{refused:?}");
    drop(lock);
    drop(store);
    restore(&Actor::operator(), &backup, &db).unwrap();
}

#[test]
fn a_file_that_is_not_a_langso_database_is_refused_and_nothing_changes() {
    let (dir, store) = common::demo_store();
    let db = store.path().to_owned();
    drop(store);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database").unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = std::fs::read(&db).unwrap();

    for bad in [&text, &other, &dir.path().join("missing.db")] {
        let r = restore(&Actor::operator(), bad, &db);
        assert!(matches!(r, Err(StoreError::Invalid(_))), "{bad:?}: {r:?}");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn each_restore_gives_a_fresh_generation_and_keeps_the_replaced_database_whole() {
    let (_dir, store) = common::demo_store();
    let db = store.path().to_owned();
    let backup = db.with_file_name("b.db");
    store.backup_to(&backup).unwrap();
    // Written after the backup, and still in the WAL while the store is open.
    store
        .create_invite(
            &Actor::operator(),
            &langso_domain::TeamId::parse("T00001").unwrap(),
            None,
        )
        .unwrap();
    let live = store.generation().to_owned();
    drop(store);

    let first = restore(&Actor::operator(), &backup, &db).unwrap();
    let second = restore(&Actor::operator(), &backup, &db).unwrap();

    assert_ne!(first.generation, second.generation);
    assert_ne!(first.generation, live);
    let kept = first.replaced.unwrap();
    assert_eq!(
        count_invites(&kept),
        1,
        "the replaced file has its last write"
    );
    assert_eq!(count_invites(&db), 0, "the restored one is the backup");
    let reopened = Store::open(&db).unwrap();
    assert_eq!(reopened.generation(), second.generation);
    assert!(reopened.verify().unwrap().is_empty());
}
