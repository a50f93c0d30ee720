//! Connections, PRAGMAs and migrations.
//!
//! Durability: WAL with `synchronous=FULL`, so a commit returns only after the WAL is
//! fsynced; an acknowledged push survives power loss, not just a process crash.

use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use std::path::PathBuf;
use std::sync::Mutex;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_init.sql"),
    include_str!("../migrations/002_accounts.sql"),
    include_str!("../migrations/003_reports.sql"),
    include_str!("../migrations/004_member_month_totals.sql"),
    include_str!("../migrations/005_team_village_history.sql"),
    include_str!("../migrations/006_restore.sql"),
    include_str!("../migrations/007_event_clock.sql"),
    include_str!("../migrations/008_quarantine_bound.sql"),
    include_str!("../migrations/009_map_switch.sql"),
    include_str!("../migrations/010_roster.sql"),
    include_str!("../migrations/011_people.sql"),
    include_str!("../migrations/012_groupings.sql"),
    include_str!("../migrations/013_current_version.sql"),
    include_str!("../migrations/014_lean_aggregates.sql"),
    include_str!("../migrations/015_audit.sql"),
    include_str!("../migrations/016_accounts_devices.sql"),
    include_str!("../migrations/017_catalogue.sql"),
    include_str!("../migrations/018_evidence.sql"),
    include_str!("../migrations/019_operations.sql"),
];

/// How many migrations this binary has: the highest `user_version` it can open.
pub fn migration_count() -> usize {
    MIGRATIONS.len()
}

pub fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

fn pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", -32_000)?;
    // Statement journals, sorts and temp tables stay in memory: a savepoint's spill must
    // never fail on a small or full temporary directory.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

pub fn open_write(path: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    pragmas(&conn)?;
    Ok(conn)
}

pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrations().to_latest(conn)?;
    Ok(())
}

/// Creates the generation id and the token secret (sealed with `key`, see
/// [`crate::sealed`]) on first open; returns the generation.
pub fn ensure_meta(conn: &mut Connection, key: &crate::sealed::MasterKey) -> Result<String> {
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('generation', ?1)",
        [uuid::Uuid::new_v4().to_string()],
    )?;
    let secret = crate::auth::random_bytes::<32>();
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('token_secret', ?1)",
        [key.seal(crate::sealed::TOKEN_SECRET_LABEL, &secret)],
    )?;
    let generation: String =
        tx.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
            r.get(0)
        })?;
    tx.commit()?;
    Ok(generation)
}

/// A few read-only connections, opened on demand and reused.
pub struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
}

impl ReadPool {
    pub fn new(path: PathBuf, keep: usize) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            keep,
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.idle.lock().expect("pool lock").pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                pragmas(&c).map_err(StoreError::from)?;
                c
            }
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < self.keep {
            idle.push(conn);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        super::migrations().validate().unwrap();
    }

    /// Migration 012 rebuilds `users` under foreign keys: leaders, their sessions and
    /// codes survive, and the grouping role fits.
    #[test]
    fn leaders_survive_the_users_rebuild_of_012() {
        let mut c = rusqlite::Connection::open_in_memory().unwrap();
        super::pragmas(&c).unwrap();
        super::migrations().to_version(&mut c, 11).unwrap();
        c.execute_batch(
            "INSERT INTO users (id, username, role, scope_kind, scope_id, created_ms)
               VALUES (7, 'lan', 'district_leader', 'district', '193', 1);
             INSERT INTO password_codes (code_hash, user_id, created_ms, expires_ms)
               VALUES (x'01', 7, 1, 2);
             INSERT INTO sessions (user_id, kind, secret_hash, created_ms, last_seen_ms, expires_ms)
               VALUES (7, 'cookie', x'02', 1, 1, 2);",
        )
        .unwrap();
        super::migrations().to_latest(&mut c).unwrap();
        let lan: String = c
            .query_row("SELECT username FROM users WHERE id = 7", [], |r| r.get(0))
            .unwrap();
        assert_eq!(lan, "lan");
        let orphans: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(orphans, 0);
        c.execute(
            "INSERT INTO users (username, role, scope_kind, scope_id, created_ms)
             VALUES ('hoa', 'grouping_leader', 'grouping', '193', 1)",
            [],
        )
        .unwrap();
    }
}
