//! Refresh tokens across restores (issue 7, items 3 and 4), on real SQLite files: the
//! lost-answer window, re-adoption of devices whose token rows a restore lost, and the
//! limits of re-adoption (once per generation, revocation wins, forgeries refused).

mod common;

use langso_domain::audit::Actor;
use langso_domain::{DeviceId, TeamId};
use langso_store::{Enrolled, Refreshed, Store, StoreError, restore};
use std::path::{Path, PathBuf};

struct Fixture {
    _dir: tempfile::TempDir,
    db: PathBuf,
    store: Option<Store>,
    rt: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Self {
        let (dir, store) = common::demo_store();
        let db = store.path().to_owned();
        Self {
            _dir: dir,
            db,
            store: Some(store),
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
        }
    }

    fn store(&self) -> &Store {
        self.store.as_ref().unwrap()
    }

    fn enroll(&self) -> Enrolled {
        let code = self
            .store()
            .create_invite(&Actor::operator(), &TeamId::parse("T00001").unwrap(), None)
            .unwrap();
        self.rt
            .block_on(self.store().enroll(&code, "phone"))
            .unwrap()
    }

    fn refresh(&self, token: &str) -> Result<Refreshed, StoreError> {
        self.rt.block_on(self.store().refresh(token))
    }

    fn backup(&self, name: &str) -> PathBuf {
        let out = self.db.with_file_name(name);
        self.store().backup_to(&out).unwrap();
        out
    }

    /// Stops the store, restores `backup` over its file and opens the result.
    fn restore(&mut self, backup: &Path) -> String {
        self.store = None;
        let r = restore(&Actor::operator(), backup, &self.db).unwrap();
        self.store = Some(Store::open(&self.db).unwrap());
        assert_eq!(self.store().generation(), r.generation);
        r.generation
    }

    /// Moves every rotation of the database `minutes` into the past.
    fn age_rotations(&self, minutes: i64) {
        rusqlite::Connection::open(&self.db)
            .unwrap()
            .execute(
                "UPDATE refresh_tokens SET rotated_ms = rotated_ms - ?1 WHERE rotated_ms IS NOT NULL",
                [minutes * 60_000],
            )
            .unwrap();
    }

    fn device_known(&self, device: &DeviceId) -> Result<(), StoreError> {
        self.store().device_state(device, i64::MAX).map(|_| ())
    }
}

#[test]
fn a_refresh_retried_nine_minutes_later_gets_the_same_pair_and_eleven_is_reuse() {
    let f = Fixture::new();
    let e = f.enroll();
    let first = f.refresh(&e.refresh_token).unwrap();

    f.age_rotations(9);
    let retry = f.refresh(&e.refresh_token).unwrap();
    assert_eq!(retry.refresh_token, first.refresh_token);
    assert_eq!(retry.access_iat, first.access_iat);

    f.age_rotations(2);
    let late = f.refresh(&e.refresh_token);
    assert!(
        matches!(late, Err(StoreError::RefreshTokenReused)),
        "{late:?}"
    );
    assert!(matches!(
        f.refresh(&first.refresh_token),
        Err(StoreError::TokensRevoked)
    ));
}

#[test]
fn a_token_issued_after_the_backup_re_adopts_its_device_and_retries_get_the_same_pair() {
    let mut f = Fixture::new();
    let e = f.enroll();
    let backup = f.backup("b.db");
    let after = f.refresh(&e.refresh_token).unwrap();

    f.restore(&backup);
    let adopted = f.refresh(&after.refresh_token).unwrap();
    let retried = f.refresh(&after.refresh_token).unwrap();

    assert_eq!(adopted.device_id, e.device_id);
    assert_eq!(
        (&adopted.member_id, &adopted.team_id),
        (&e.member_id, &e.team_id)
    );
    assert_eq!(
        retried.refresh_token, adopted.refresh_token,
        "a lost answer is retried"
    );
    // The token the backup knew is the phone's past: it no longer works.
    assert!(matches!(
        f.refresh(&e.refresh_token),
        Err(StoreError::TokensRevoked)
    ));
    // The new pair rotates as usual.
    f.refresh(&adopted.refresh_token).unwrap();
}

#[test]
fn a_device_enrolled_after_the_backup_is_recreated_with_its_id_member_and_team() {
    let mut f = Fixture::new();
    let backup = f.backup("b.db");
    let e = f.enroll();

    f.restore(&backup);
    assert!(matches!(
        f.device_known(&e.device_id),
        Err(StoreError::UnknownDevice)
    ));
    // Someone enrolls after the restore: a new member, never the number the lost one had.
    let newcomer = f.enroll();
    let adopted = f.refresh(&e.refresh_token).unwrap();

    assert_ne!(newcomer.member_id, e.member_id);
    assert_eq!(
        (adopted.device_id, adopted.member_id, adopted.team_id),
        (e.device_id, e.member_id, e.team_id)
    );
    f.device_known(&e.device_id).unwrap();
}

#[test]
fn restoring_one_backup_twice_gives_two_generations_and_the_device_adopts_in_each() {
    let mut f = Fixture::new();
    let backup = f.backup("b.db");
    let e = f.enroll();

    let g1 = f.restore(&backup);
    let t1 = f.refresh(&e.refresh_token).unwrap();
    let g2 = f.restore(&backup);
    let t2 = f.refresh(&t1.refresh_token).unwrap();

    assert_ne!(g1, g2);
    assert_eq!(t2.device_id, e.device_id);
}

#[test]
fn a_second_foreign_token_for_one_device_in_one_generation_is_reuse() {
    let mut f = Fixture::new();
    let e = f.enroll();
    let backup = f.backup("b.db");
    let older = f.refresh(&e.refresh_token).unwrap();
    let newer = f.refresh(&older.refresh_token).unwrap();

    f.restore(&backup);
    let adopted = f.refresh(&newer.refresh_token).unwrap();
    let second = f.refresh(&older.refresh_token);

    assert!(
        matches!(second, Err(StoreError::RefreshTokenReused)),
        "{second:?}"
    );
    assert!(matches!(
        f.refresh(&adopted.refresh_token),
        Err(StoreError::TokensRevoked)
    ));
}

#[test]
fn a_device_revoked_in_the_restored_database_stays_revoked() {
    let mut f = Fixture::new();
    let e = f.enroll();
    let backup = f.backup("b.db");
    let after = f.refresh(&e.refresh_token).unwrap();

    f.restore(&backup);
    f.store()
        .revoke_device(&Actor::operator(), &e.device_id)
        .unwrap();

    assert!(matches!(
        f.refresh(&after.refresh_token),
        Err(StoreError::DeviceRevoked)
    ));
}

#[test]
fn a_token_that_is_not_this_databases_is_refused() {
    let f = Fixture::new();
    let e = f.enroll();
    let mut forged = e.refresh_token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });

    assert!(matches!(
        f.refresh(&forged),
        Err(StoreError::InvalidRefreshToken)
    ));
    assert!(matches!(
        f.refresh("lsr_nonsense"),
        Err(StoreError::InvalidRefreshToken)
    ));
}
