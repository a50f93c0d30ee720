//! Secrets out of the backups (issue 9, operations): the real binary keeps its signing keys
//! and refresh secret sealed with a master key outside the database, so a backup alone
//! holds no key material and a server started on a copy with a wrong key (or none) refuses
//! clearly; `langso rotate-keys` moves everything to a new master key.

use langso_tests::harness::keys::signing_secret;
use langso_tests::harness::{Server, jwt_header, langso_bin};
use std::path::Path;
use std::process::{Command, Stdio};

const TEAM: &str = "T00001";

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `langso serve` on `db` with `args` and `env`: it must refuse to start; its stderr.
fn refused(db: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(langso_bin())
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("LANGSO_MASTER_KEY")
        .env_remove("LANGSO_KEY_FILE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run langso serve");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "it served: {stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("listening on"),
        "{stderr}"
    );
    stderr
}

#[test]
fn a_backup_holds_no_key_material_and_a_copy_with_another_key_refuses_to_start() {
    let s = Server::start_quiet_demo_on("quang-ninh-2025");
    let phone = s.enroll(TEAM);
    let kid = jwt_header(&phone.access_token)["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = signing_secret(&s.db, &kid);
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("stolen.db");
    s.cli_ok(&["backup", "--out", copy.to_str().unwrap()]);

    let backup = std::fs::read(&copy).unwrap();
    assert!(!holds(&backup, &secret), "the backup holds the signing key");
    let mut live = std::fs::read(&s.db).unwrap();
    live.extend(std::fs::read(format!("{}-wal", s.db.display())).unwrap_or_default());
    assert!(
        !holds(&live, &secret),
        "the database file holds the signing key"
    );
    let sealed: Vec<u8> = rusqlite::Connection::open(&copy)
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key = 'token_secret'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sealed.starts_with(b"lsk1"), "the refresh secret is sealed");

    let no_key = refused(&copy, &[], &[]);
    assert!(
        no_key.contains("no master key at") && no_key.contains("stolen.db.key"),
        "{no_key}"
    );
    assert!(!dir.path().join("stolen.db.key").exists());
    let other = "ab".repeat(32);
    let wrong = refused(&copy, &[], &[("LANGSO_MASTER_KEY", other.as_str())]);
    assert!(wrong.contains("is not this database's"), "{wrong}");
    let bad = refused(&copy, &[], &[("LANGSO_MASTER_KEY", "not hex")]);
    assert!(bad.contains("64 hex digits"), "{bad}");

    // With the right key the copy serves (the operator's own restore).
    let key_file = format!("{}.key", s.db.display());
    std::fs::copy(&key_file, dir.path().join("stolen.db.key")).unwrap();
    let out = Command::new(langso_bin())
        .args(["verify", "--db"])
        .arg(&copy)
        .env_remove("LANGSO_MASTER_KEY")
        .env_remove("LANGSO_KEY_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rotate_keys_reseals_under_a_new_master_key_and_phones_stay_signed_in() {
    let mut s = Server::start_quiet_demo_on("quang-ninh-2025");
    let mut phone = s.enroll(TEAM);
    let dir = tempfile::tempdir().unwrap();
    let new_key = dir.path().join("new.key");
    let new_key = new_key.to_str().unwrap();

    let busy = s.cli(&["rotate-keys", "--new-key-file", new_key]);
    assert!(!busy.status.success(), "rotated under a running server");
    assert!(!Path::new(new_key).exists());
    s.kill();
    s.cli_ok(&["rotate-keys", "--new-key-file", new_key]);
    assert!(Path::new(new_key).exists());

    let old = refused(&s.db, &[], &[]);
    assert!(old.contains("is not this database's"), "{old}");
    s.restart_with(&["--key-file", new_key]);
    // The access token signed before still verifies; the refresh token still rotates.
    s.pull(&phone.access_token, None, None).expect(200);
    let r = s.refresh(&phone.refresh_token).expect(200);
    phone.access_token = r.body["access_token"].as_str().unwrap().to_owned();
    let kid = jwt_header(&phone.access_token)["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let v = phone.village().to_owned();
    let e = phone.event("vneid_activation", &v, 1);
    s.push(&phone, &[e]).expect(200);
    let out = s.cli(&["rotate-keys", "--key-file", new_key]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!kid.is_empty());
}
