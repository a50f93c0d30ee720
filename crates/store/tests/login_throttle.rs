//! The failed-login record: usernames are locked per address and everywhere, addresses
//! never are, and `unlock_user` lifts a user's lockouts.

mod common;

use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitKind, UnitRef};
use langso_store::users::throttle::{MAX_FAILURES_PER_ADDRESS_USER, MAX_FAILURES_PER_USER};
use langso_store::{Store, StoreError};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db")).unwrap();
    (dir, store)
}

/// Records a failed attempt (the password was wrong); false if it was refused as locked.
fn fail(store: &Store, username: &str, address: &str) -> bool {
    store
        .begin_login_attempt(username, Some(address))
        .unwrap()
        .is_ok()
}

#[test]
fn failures_with_made_up_usernames_never_lock_an_address() {
    let (_dir, store) = store();
    for i in 0..30 {
        assert!(fail(&store, &format!("ghost{i}"), "203.0.113.7"));
    }

    let admin = store
        .begin_login_attempt("admin", Some("203.0.113.7"))
        .unwrap()
        .expect("the admin is not refused");

    assert_eq!(admin.address_failures, 30);
}

#[test]
fn a_username_locks_from_one_address_then_everywhere() {
    let (_dir, store) = store();
    for _ in 0..MAX_FAILURES_PER_ADDRESS_USER {
        assert!(fail(&store, "lan", "10.0.0.1"));
    }
    assert!(!fail(&store, "lan", "10.0.0.1"), "locked from 10.0.0.1");
    assert!(!fail(&store, "LAN ", "10.0.0.1"), "whatever its case");
    assert!(
        store
            .login_locked_until("lan", Some("10.0.0.2"))
            .unwrap()
            .is_none(),
        "not from elsewhere yet"
    );
    for i in MAX_FAILURES_PER_ADDRESS_USER..MAX_FAILURES_PER_USER {
        assert!(fail(&store, "lan", &format!("10.0.1.{i}")));
    }
    assert!(!fail(&store, "lan", "192.0.2.1"), "locked everywhere");
    assert!(fail(&store, "mai", "10.0.0.1"), "other usernames are not");
}

#[test]
fn unlock_user_lifts_every_lockout_of_that_user_only() {
    let (_dir, store, _) = common::one_team_store(0);
    store
        .create_user(
            &Actor::operator(),
            "lan",
            Role::TeamLeader,
            &UnitRef::new(UnitKind::Team, "T00001"),
        )
        .unwrap();
    for i in 0..MAX_FAILURES_PER_USER {
        fail(&store, "lan", &format!("10.0.0.{}", i % 2));
        fail(&store, "mai", "10.0.0.1");
    }
    assert!(
        store
            .login_locked_until("lan", Some("10.0.0.1"))
            .unwrap()
            .is_some()
    );

    let forgotten = store.unlock_user(&Actor::operator(), "Lan").unwrap();

    assert_eq!(forgotten, 2 * MAX_FAILURES_PER_USER as usize);
    assert!(
        store
            .login_locked_until("lan", Some("10.0.0.1"))
            .unwrap()
            .is_none()
    );
    assert!(store.login_locked_until("lan", None).unwrap().is_none());
    assert!(
        store
            .login_locked_until("mai", Some("10.0.0.1"))
            .unwrap()
            .is_some()
    );
}

#[test]
fn unlock_user_of_a_username_without_an_account_is_an_error_and_forgets_nothing() {
    let (_dir, store) = store();
    for _ in 0..MAX_FAILURES_PER_USER {
        fail(&store, "ghost", "10.0.0.1");
    }

    let err = store.unlock_user(&Actor::operator(), "ghost").unwrap_err();

    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(
        store
            .login_locked_until("ghost", Some("10.0.0.1"))
            .unwrap()
            .is_some()
    );
}
