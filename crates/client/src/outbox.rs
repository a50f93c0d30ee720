//! The device's own SQLite file: the engine's state (server, tokens, cursor, generation),
//! the outbox of recorded events, and the reference data pulled from the server.
//!
//! Every change the engine makes is one transaction, so a process killed at any point
//! leaves either the state before the step or the state after it.

use crate::error::Result;
use rusqlite::{Connection, Transaction, params};
use std::path::Path;

const SCHEMA: &str = "
-- Engine state, one row per key (see State).
CREATE TABLE IF NOT EXISTS state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every event recorded on this device, until it is acknowledged and past the retention
-- window (or dismissed and acknowledged).
CREATE TABLE IF NOT EXISTS events (
    id              INTEGER PRIMARY KEY,
    device_id       TEXT NOT NULL,     -- the enrollment whose seq this is
    seq             INTEGER NOT NULL,  -- per device, from 1, no gaps
    event_id        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    village_id      TEXT NOT NULL,
    count           INTEGER NOT NULL,
    occurred_at     TEXT NOT NULL,     -- exactly as sent: a resend must be byte-identical
    note            TEXT,
    corrects        TEXT,              -- event_id this one supersedes
    recorded_at     TEXT NOT NULL,     -- the device clock at record()
    clock_offset_ms INTEGER,           -- device clock minus server clock at record(), ms, as estimated then
    status          TEXT NOT NULL DEFAULT 'pending', -- pending|waiting|accepted|duplicate|rejected|conflict
    code            TEXT,              -- rejection or conflict code
    message         TEXT,
    clock_corrected INTEGER NOT NULL DEFAULT 0,
    acked_ms        INTEGER,           -- server time (ms) when acked_through_seq first covered it
    dismissed       INTEGER NOT NULL DEFAULT 0, -- the user dismissed a rejection or conflict
    UNIQUE (device_id, seq)
);
CREATE INDEX IF NOT EXISTS events_by_status ON events (device_id, status, seq);

-- Reference data, as the server last described it (data is the server's JSON).
CREATE TABLE IF NOT EXISTS ref_kinds (
    code TEXT PRIMARY KEY,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ref_teams (
    id   TEXT PRIMARY KEY,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ref_villages (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    folded TEXT NOT NULL,   -- name, commune and district, folded for search
    data   TEXT NOT NULL
) WITHOUT ROWID;
";

/// The engine's durable state. Loaded at open, written back in the same transaction as the
/// outbox change it goes with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub server: Option<String>,
    pub device_id: Option<String>,
    pub member_id: Option<String>,
    pub team_id: Option<String>,
    pub access_token: Option<String>,
    /// RFC 3339, the server's clock.
    pub access_expires_at: Option<String>,
    pub refresh_token: Option<String>,
    pub refresh_expires_at: Option<String>,
    pub next_seq: u64,
    /// The server's last `acked_through_seq` for this device.
    pub acked_seq: i64,
    pub generation: Option<String>,
    pub cursor: Option<String>,
    /// Server clock minus device clock, ms, at the last answer.
    pub server_offset_ms: i64,
    /// The last answer's `server_time` against the boot clock then (`boot_clock::Anchor`),
    /// if the device has a boot clock.
    pub clock_anchor: Option<String>,
    /// Server time of the last sync that completed (RFC 3339).
    pub last_sync: Option<String>,
    pub team_totals: Option<String>,
}

const KEYS: [&str; 16] = [
    "server",
    "device_id",
    "member_id",
    "team_id",
    "access_token",
    "access_expires_at",
    "refresh_token",
    "refresh_expires_at",
    "next_seq",
    "acked_seq",
    "generation",
    "cursor",
    "server_offset_ms",
    "clock_anchor",
    "last_sync",
    "team_totals",
];

impl State {
    fn get(&self, key: &str) -> Option<String> {
        match key {
            "server" => self.server.clone(),
            "device_id" => self.device_id.clone(),
            "member_id" => self.member_id.clone(),
            "team_id" => self.team_id.clone(),
            "access_token" => self.access_token.clone(),
            "access_expires_at" => self.access_expires_at.clone(),
            "refresh_token" => self.refresh_token.clone(),
            "refresh_expires_at" => self.refresh_expires_at.clone(),
            "next_seq" => Some(self.next_seq.to_string()),
            "acked_seq" => Some(self.acked_seq.to_string()),
            "generation" => self.generation.clone(),
            "cursor" => self.cursor.clone(),
            "server_offset_ms" => Some(self.server_offset_ms.to_string()),
            "clock_anchor" => self.clock_anchor.clone(),
            "last_sync" => self.last_sync.clone(),
            "team_totals" => self.team_totals.clone(),
            _ => None,
        }
    }

    fn set(&mut self, key: &str, v: String) {
        let num = |v: &str| v.parse().unwrap_or_default();
        match key {
            "server" => self.server = Some(v),
            "device_id" => self.device_id = Some(v),
            "member_id" => self.member_id = Some(v),
            "team_id" => self.team_id = Some(v),
            "access_token" => self.access_token = Some(v),
            "access_expires_at" => self.access_expires_at = Some(v),
            "refresh_token" => self.refresh_token = Some(v),
            "refresh_expires_at" => self.refresh_expires_at = Some(v),
            "next_seq" => self.next_seq = num(&v) as u64,
            "acked_seq" => self.acked_seq = num(&v),
            "generation" => self.generation = Some(v),
            "cursor" => self.cursor = Some(v),
            "server_offset_ms" => self.server_offset_ms = num(&v),
            "clock_anchor" => self.clock_anchor = Some(v),
            "last_sync" => self.last_sync = Some(v),
            "team_totals" => self.team_totals = Some(v),
            _ => {}
        }
    }
}

pub struct Outbox {
    pub(crate) conn: Connection,
}

impl Outbox {
    pub fn open(path: &Path, durable: bool) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
        conn.execute_batch(SCHEMA)?;
        add_missing_columns(&conn)?;
        Ok(Self { conn })
    }

    pub fn load_state(&self) -> Result<State> {
        load_state(&self.conn)
    }

    /// A write transaction (taken at once, so a second process on the file waits).
    pub fn begin(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }
}

/// Brings a file made by an older engine up to the schema: columns added since.
fn add_missing_columns(conn: &Connection) -> Result<()> {
    let has_offset = conn
        .prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'clock_offset_ms'")?
        .exists([])?;
    if !has_offset {
        conn.execute_batch("ALTER TABLE events ADD COLUMN clock_offset_ms INTEGER")?;
    }
    Ok(())
}

/// Reads the state (inside a write transaction: the file is shared with other processes,
/// e.g. `langso field record` while a `sync` runs).
pub fn load_state(conn: &Connection) -> Result<State> {
    let mut state = State {
        next_seq: 1,
        ..State::default()
    };
    let mut stmt = conn.prepare_cached("SELECT key, value FROM state")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    for row in rows {
        let (k, v) = row?;
        state.set(&k, v);
    }
    Ok(state)
}

/// Writes every key of `state` that differs from `before`.
pub fn save_state(tx: &Transaction<'_>, before: &State, state: &State) -> Result<()> {
    for key in KEYS {
        let (old, new) = (before.get(key), state.get(key));
        if old == new {
            continue;
        }
        match new {
            Some(v) => tx
                .prepare_cached("INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)")?
                .execute(params![key, v])?,
            None => tx
                .prepare_cached("DELETE FROM state WHERE key = ?1")?
                .execute([key])?,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_from_an_older_engine_gains_the_record_time_offset_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let old = SCHEMA.replace(
            "    clock_offset_ms INTEGER,           -- device clock minus server clock at record(), ms, as estimated then\n",
            "",
        );
        assert_ne!(old, SCHEMA);
        Connection::open(&path)
            .unwrap()
            .execute_batch(&old)
            .unwrap();

        let outbox = Outbox::open(&path, false).unwrap();

        let has = outbox
            .conn
            .prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'clock_offset_ms'")
            .unwrap()
            .exists([])
            .unwrap();
        assert!(has);
        drop(outbox);
        Outbox::open(&path, false).expect("opening again changes nothing");
    }
}
