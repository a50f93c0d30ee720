//! Shared test support: an engine enrolled against the real `langso` server on loopback.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use langso_client::{Backoff, Config, Engine, EventState, NewEvent};
use langso_domain::{KindCode, VillageId};
use langso_tests::harness::Server;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;

/// Millisecond waits, so retries never slow a test; results never depend on timing.
pub fn fast() -> Config {
    Config {
        backoff: Backoff {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(10),
            max_attempts: 6,
            max_retry_after: Duration::from_secs(2),
        },
        timeout: Duration::from_secs(20),
        seed: Some(7),
        ..Config::default()
    }
}

/// A phone: its outbox file in its own temp dir.
pub struct Phone {
    pub dir: TempDir,
    pub engine: Engine,
    pub team: String,
    pub villages: Vec<String>,
}

impl Phone {
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("device.db")
    }

    /// Drops the engine (as a killed app would) and opens the file again with `config`.
    pub fn reopen(&mut self, config: Config) {
        let path = self.path();
        let fresh = Engine::open(&path, config).expect("reopen");
        self.engine = fresh;
    }

    pub fn village(&self) -> VillageId {
        VillageId::parse(&self.villages[0]).unwrap()
    }

    pub fn event(&self, kind: &str, count: i64) -> NewEvent {
        NewEvent::new(KindCode::parse(kind).unwrap(), self.village(), count)
    }

    pub fn device_id(&self) -> String {
        self.engine.status().unwrap().device_id.unwrap()
    }
}

/// Enrolls a new phone into `team` on `server` (directly, without any proxy).
pub fn enroll(server: &Server, team: &str, config: Config) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(&dir.path().join("device.db"), config).unwrap();
    let code = server.invite(team);
    let e = engine.enroll(&server.url, &code, "test phone").unwrap();
    assert_eq!(e.team_id, team);
    let villages = server.team(team)["village_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    Phone {
        dir,
        engine,
        team: team.to_owned(),
        villages,
    }
}

fn server_db(server: &Server) -> Connection {
    Connection::open(&server.db).unwrap()
}

/// Event ids the server stores for `device`, and how many times each (always once).
pub fn stored_ids(server: &Server, device: &str) -> Vec<String> {
    let c = server_db(server);
    let device = uuid::Uuid::parse_str(device).unwrap();
    let mut stmt = c
        .prepare(
            "SELECT e.event_id FROM events e JOIN devices d ON d.id = e.device_id
             WHERE d.device_id = ?1 ORDER BY e.seq",
        )
        .unwrap();
    stmt.query_map([device.as_bytes().as_slice()], |r| r.get::<_, Vec<u8>>(0))
        .unwrap()
        .map(|b| uuid::Uuid::from_slice(&b.unwrap()).unwrap().to_string())
        .collect()
}

/// Sets keys of the engine's state directly in its file (the engine must be re-opened).
pub fn poke_state(path: &Path, key: &str, value: &str) {
    Connection::open(path)
        .unwrap()
        .execute(
            "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
            [key, value],
        )
        .unwrap();
}

pub fn read_state(path: &Path, key: &str) -> Option<String> {
    use rusqlite::OptionalExtension;
    Connection::open(path)
        .unwrap()
        .query_row("SELECT value FROM state WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
        .unwrap()
}

/// Where the server placed the phone's only event (the last stored: the demo's history
/// was loaded before any phone of the test pushed).
pub fn placed_at(server: &Server) -> DateTime<Utc> {
    let ms: i64 = Connection::open(&server.db)
        .unwrap()
        .query_row(
            "SELECT placed_ms FROM events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    DateTime::from_timestamp_millis(ms).unwrap()
}

/// The phone's only event was accepted, placed within 2 minutes of now, flagged as
/// `corrected` says, and the server's tallies verify.
#[track_caller]
pub fn assert_placed_now(server: &Server, phone: &Phone, corrected: bool) {
    let held = &phone.engine.events().unwrap()[0];
    assert_eq!(
        (held.state, held.code.as_deref()),
        (EventState::Accepted, None),
        "{held:?}"
    );
    assert_eq!(held.clock_corrected, corrected, "{held:?}");
    let off = (placed_at(server) - Utc::now()).num_seconds().abs();
    assert!(off < 120, "placed {off} s away from when it happened");
    server.assert_tallies_verify();
}
