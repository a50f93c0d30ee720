//! `langso restore`: puts a backup in place of a database (issue 7, item 3).
//!
//! Refuses while a server holds the database ([`ServerLock`]); checks that the backup is a
//! Langso database this binary can open; gives the restored database a fresh generation
//! every time (restoring one backup twice gives two generations, so phones always notice);
//! and keeps what it replaces as `PATH.replaced-<UTC time>`, checkpointed first, with any
//! `-wal`/`-shm` left beside it under the same new name, so the copy opens as it was.
//! The new file is prepared beside the database and renamed into place: at every moment
//! the database is either the old one or the whole restored one.

use crate::auth::MEMBER_GAP_AFTER_RESTORE;
use crate::lock::ServerLock;
use crate::{Result, StoreError, now_ms};
use langso_domain::audit::Actor;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The restored database's new generation (phones see it in their next answer).
    pub generation: String,
    /// Where the database that was replaced now lies (None if there was none).
    pub replaced: Option<PathBuf>,
}

const WAL_FILES: [&str; 2] = ["-wal", "-shm"];

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn invalid(path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!(
        "{} is not a Langso database this version can open: {why}",
        path.display()
    ))
}

/// Replaces the database at `db` with the backup at `backup` (module docs).
pub fn restore(actor: &Actor, backup: &Path, db: &Path) -> Result<Restored> {
    let _lock = ServerLock::acquire(db)?;
    let same = std::fs::canonicalize(backup).ok() == std::fs::canonicalize(db).ok();
    if same && db.exists() {
        return Err(StoreError::Invalid(
            "the backup is the database itself; choose the backup file".into(),
        ));
    }
    check_backup(backup)?;
    let replaced_members = checkpoint(db);
    let staging = with_suffix(db, ".restoring");
    remove_with_wal(&staging)?;
    let target = staging
        .to_str()
        .ok_or_else(|| StoreError::Invalid("the database path is not UTF-8".into()))?;
    let src = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let floor = max_member(&src)?.max(replaced_members.unwrap_or(0)) + MEMBER_GAP_AFTER_RESTORE + 1;
    src.execute("VACUUM INTO ?1", [target])?;
    drop(src);
    let generation = stamp(&staging, floor, actor, backup)?;
    std::fs::File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    let replaced = move_aside(db)?;
    std::fs::rename(&staging, db).map_err(io)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Makes the renames durable (a directory fsync; best effort where unsupported).
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(Restored {
        generation,
        replaced,
    })
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("restore: {e}"))
}

/// A readable, intact Langso database of a schema version this binary knows.
fn check_backup(backup: &Path) -> Result<()> {
    check_langso_file(backup)?;
    let c = Connection::open_with_flags(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| invalid(backup, e))?;
    let check: String = c
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| invalid(backup, e))?;
    if check != "ok" {
        return Err(invalid(backup, format!("the integrity check says {check}")));
    }
    Ok(())
}

/// Refuses, without writing to it, a path that is not a Langso database this binary can
/// open: no file, an empty or foreign SQLite file (no Langso schema), a schema newer than
/// this binary's, or one without its generation and token secret.
pub(crate) fn check_langso_file(path: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(invalid(path, "no such file"));
    }
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| invalid(path, e))?;
    let version: i64 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| invalid(path, e))?;
    let known = crate::conn::migration_count() as i64;
    if version < 1 {
        return Err(invalid(path, "it has no Langso schema"));
    }
    if version > known {
        return Err(invalid(
            path,
            format!("its schema version {version} is newer than this langso's ({known})"),
        ));
    }
    let keys: i64 = c
        .query_row(
            "SELECT count(*) FROM meta WHERE key IN ('generation', 'token_secret')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| invalid(path, e))?;
    if keys != 2 {
        return Err(invalid(path, "its generation or token secret is missing"));
    }
    Ok(())
}

/// The highest member number in a database.
fn max_member(c: &Connection) -> Result<i64> {
    Ok(c.query_row(
        "SELECT coalesce(max(CAST(substr(member_id, 2) AS INTEGER)), 0) FROM members",
        [],
        |r| r.get(0),
    )?)
}

/// Folds the current database's WAL into its main file, best effort (it may be the damaged
/// file being replaced), and reads its highest member number.
fn checkpoint(db: &Path) -> Option<i64> {
    if !db.is_file() {
        return None;
    }
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE).ok()?;
    let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    max_member(&c).ok()
}

/// Gives the staged copy its new identity: a fresh generation, the member-number floor and
/// the restore time; rollback journal, so it is one self-contained file until a server
/// opens it (and turns WAL on again).
fn stamp(staging: &Path, member_floor: i64, actor: &Actor, backup: &Path) -> Result<String> {
    let mut c = Connection::open(staging)?;
    c.pragma_update(None, "journal_mode", "DELETE")?;
    // An older backup comes up to this binary's schema now (as its first open would do),
    // so the restore is recorded in its audit log (migration 015).
    crate::conn::migrate(&mut c)?;
    let generation = uuid::Uuid::new_v4().to_string();
    let tx = c.transaction()?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'generation'",
        [&generation],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('member_floor', ?1)",
        [member_floor],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('restored_ms', ?1)",
        [now_ms()],
    )?;
    let after =
        serde_json::json!({ "backup": backup.display().to_string(), "generation": generation });
    crate::audit::append(&tx, actor, "backup.restore", "database", None, Some(after))?;
    tx.commit()?;
    Ok(generation)
}

/// Removes a leftover staged copy (a restore that stopped midway) with its journals.
fn remove_with_wal(path: &Path) -> Result<()> {
    for p in ["", "-wal", "-shm", "-journal"].map(|s| with_suffix(path, s)) {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
    }
    Ok(())
}

/// Renames the database and whatever `-wal`/`-shm` it still has to `PATH.replaced-<time>`
/// (the same new name for all three, so SQLite finds them together).
fn move_aside(db: &Path) -> Result<Option<PathBuf>> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let aside = with_suffix(db, &format!(".replaced-{stamp}"));
    let existed = db.exists();
    if existed {
        std::fs::rename(db, &aside).map_err(io)?;
    }
    for s in WAL_FILES {
        let from = with_suffix(db, s);
        if from.exists() {
            std::fs::rename(&from, with_suffix(&aside, s)).map_err(io)?;
        }
    }
    Ok(existed.then_some(aside))
}
