//! Langso's SQLite store. One writer thread owns the write connection and commits queued
//! pushes together (group commit); reads use a small pool of read-only connections.
//! Nothing here knows about HTTP.

mod admin;
mod aggregates;
mod audit;
mod auth;
mod bulk;
mod catalogue;
pub use catalogue::KIND_EXISTS;
mod checks;
pub use checks::{RowCounts, VillageKindTotal};
mod conn;
mod demo_teams;
mod error;
mod hierarchy;
pub use hierarchy::{
    Carried, CommuneCount, HIERARCHY_VERSION_CHANGED, RefusedVillage, SwitchPlan, SwitchRequest,
    VillagePlace,
};
mod integrity;
pub use integrity::Problem;
#[cfg(feature = "fault-injection")]
mod faults;
#[cfg(feature = "fault-injection")]
pub use faults::{PROGRESS_STEP, PendingPush, WriterHold};
mod lock;
mod people;
pub use people::{MemberDevice, MemberInfo, Moved, PastEvents};
mod malformed;
mod pull;
mod push;
mod reference;
mod refresh;
mod reports;
mod resend;
mod restore;
mod roster;
pub use roster::{Changes, CurrentRoster, RosterMember, RosterReport, RosterTeam, RosterVillage};
mod scope;
mod sealed;
pub use scope::NamedUnit;
pub use sealed::{KEY_FILE_ENV, MASTER_KEY_ENV, MasterKey};
mod sessions;
mod tallies;
mod unit_list;
pub use unit_list::{ListedUnit, UnitList};
mod token;
pub mod users;
mod watch;
pub use watch::{FileSizes, WriterObserver};
mod writer;

pub use admin::{DAY_MS, DEMO_DEVICE_PREFIX, RealActivity, SIMULATED_DEVICE_PREFIX, TeamDevice};
pub use audit::{AuditEntry, AuditQuery, MAX_AUDIT_PAGE};
pub use auth::{
    DeviceState, Enrolled, INVITE_TTL_MS, Refreshed, SigningKey, UNASSIGNED_NAME_PREFIX,
};
pub use bulk::{BenchDevice, BulkEvent};
pub use error::StoreError;
pub use lock::{ServerLock, lock_path};
pub use malformed::{MalformedItem, STORED_ITEM_CHARS, STORED_TEXT_CHARS};
pub use pull::{Change, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, PullPage};
pub use push::{
    COVERAGE_GRACE_MS, EventResult, EventStatus, PushOutcome, PushRequest,
    QUARANTINE_BYTES_PER_DEVICE, QuarantineDecision, QuarantinedBatch, ReviewOutcome,
};
pub use reference::{TeamInfo, UnitInfo, UnitsImported};
pub use reports::{
    CommuneEvidence, CoverageCell, CoverageRow, CoverageTable, Entrants, Entry, EvidenceFigures,
    EvidenceQuery, EvidenceReport, EvidenceTotal, Late, Leaderboard, LeaderboardQuery, PeriodInfo,
    Point, RankBy, RuleSet, Summary, SummaryQuery, TargetScope, TargetSetting, TeamEvidence,
    Totals, UnitSummary, VillageCoverage,
};
pub use resend::{EVENT_ID_CONFLICT, STORED_UNDER_PREVIOUS_ENROLLMENT};
pub use restore::{Restored, restore};
pub use sessions::{COOKIE_SESSION_TTL_MS, CookieSession, LeaderTokens, USER_REFRESH_TTL_MS};
pub use tallies::{TallyDiff, TallyQuery, TallyReport, TallyRow, TeamTotals};

use conn::ReadPool;
use std::path::{Path, PathBuf};
use writer::Writer;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Milliseconds since the epoch, the store's time unit.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Below this much room under the database's size cap (bytes), the store reports itself not
/// ready: a full push batch (1 MiB of JSON) may not fit.
pub const READY_ROOM_BYTES: i64 = 2 * 1024 * 1024;

/// A handle to one Langso database file. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    generation: String,
    writer: Writer,
    readers: ReadPool,
    /// The key the database's secrets are sealed with (replaced by a master-key rotation).
    master_key: std::sync::RwLock<MasterKey>,
}

impl Store {
    /// Opens (creating and migrating if needed) the database at `path` and starts its
    /// writer, with the master key found as [`MasterKey::resolve`] says (environment, or
    /// `<path>.key`, created if the database is not sealed yet).
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with_key(path, MasterKey::resolve(path, None)?)
    }

    /// [`Store::open`] with the master key given: a database whose secrets are sealed with
    /// another key is refused ([`StoreError::MasterKey`]) before anything is written; one
    /// not sealed yet (new, or from before migration 019) is sealed with it
    /// ([`crate::sealed`]).
    pub fn open_with_key(path: &Path, mut key: MasterKey) -> Result<Self> {
        let mut conn = conn::open_write(path)?;
        conn::migrate(&mut conn)?;
        sealed::seal_on_open(&mut conn, &mut key)?;
        let generation = conn::ensure_meta(&mut conn, &key)?;
        sealed::load_token_secret(&conn, &key)?;
        aggregates::ensure(&mut conn)?;
        auth::ensure_signing_key(&mut conn, now_ms(), &key)?;
        let readers = ReadPool::new(path.to_owned(), 4);
        let writer = Writer::start(conn);
        Ok(Self {
            inner: std::sync::Arc::new(Inner {
                path: path.to_owned(),
                generation,
                writer,
                readers,
                master_key: std::sync::RwLock::new(key),
            }),
        })
    }

    /// The master key this handle seals and opens secrets with.
    pub(crate) fn master_key(&self) -> MasterKey {
        self.inner.master_key.read().expect("key lock").clone()
    }

    /// Opens an existing Langso database (see [`Store::open`]), refusing without writing to
    /// it a path with no file, an empty or foreign file, or a newer schema
    /// (`StoreError::Invalid`): operator commands never turn a mistyped path or another
    /// program's file into a Langso database.
    pub fn open_existing(path: &Path) -> Result<Self> {
        Self::open_existing_with_key(path, MasterKey::resolve(path, None)?)
    }

    /// [`Store::open_existing`] with the master key given (see [`Store::open_with_key`]).
    pub fn open_existing_with_key(path: &Path, key: MasterKey) -> Result<Self> {
        restore::check_langso_file(path)?;
        Self::open_with_key(path, key)
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The database's generation id: it changes when the database is restored from a backup.
    pub fn generation(&self) -> &str {
        &self.inner.generation
    }

    /// Stores one push batch; resolves once it is durably committed (or refused).
    pub async fn push(&self, req: PushRequest) -> Result<PushOutcome> {
        self.inner
            .writer
            .push(req)
            .await
            .map_err(|_| StoreError::WriterGone)?
    }

    /// [`Store::push`] for callers outside an async runtime (the CLI, benchmarks, tests).
    pub fn push_blocking(&self, req: PushRequest) -> Result<PushOutcome> {
        self.inner
            .writer
            .push(req)
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
    }

    /// Proves that writes commit now: a small write is committed (and fsynced) on the
    /// writer thread, at least [`READY_ROOM_BYTES`] remain under a size cap
    /// ([`Store::limit_size`]), and no storage fault (disk full, read-only, I/O error, busy)
    /// was met in the last [`writer::FAULT_QUIET_MS`]. `Err(Unavailable)` otherwise.
    pub async fn check_writable(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('ready_probe', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [now_ms().to_string()],
            )?;
            let room: i64 = tx.query_row(
                "SELECT (m.max_page_count - c.page_count) * s.page_size
                 FROM pragma_max_page_count AS m, pragma_page_count AS c, pragma_page_size AS s",
                [],
                |r| r.get(0),
            )?;
            if room < READY_ROOM_BYTES {
                return Err(StoreError::Unavailable(format!(
                    "the database is at its size cap ({room} bytes of room left)"
                )));
            }
            Ok(())
        })
        .await?;
        match self.inner.writer.last_fault_ms() {
            Some(at) if now_ms() - at < writer::FAULT_QUIET_MS => Err(StoreError::Unavailable(
                "a write failed for a storage fault moments ago".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Caps the database file at about `bytes` (SQLite's `max_page_count`, never below its
    /// current size): a write that would grow it further fails with `SQLITE_FULL` and is
    /// answered 503, and `/readyz` says not ready, before the disk itself fills. Lasts
    /// while this store is open.
    pub fn limit_size(&self, bytes: u64) -> Result<()> {
        self.inner
            .writer
            .with_conn(move |conn| {
                let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
                let pages = i64::try_from(bytes).unwrap_or(i64::MAX) / page.max(512);
                conn.pragma_update(None, "max_page_count", pages.max(1))?;
                Ok(())
            })
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
    }

    /// Writes a consistent copy of the database to `out` (which must not exist) and gives the
    /// copy a new generation id, so phones notice when it is ever restored. Returns it.
    pub fn backup_to(&self, out: &Path) -> Result<String> {
        let target = out
            .to_str()
            .ok_or_else(|| StoreError::Invalid("the backup path is not UTF-8".into()))?
            .to_owned();
        self.read(|c| Ok(c.execute("VACUUM INTO ?1", [&target])?))?;
        let copy = rusqlite::Connection::open(out)?;
        let generation = uuid::Uuid::new_v4().to_string();
        copy.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'generation'",
            [&generation],
        )?;
        Ok(generation)
    }

    /// Benchmark only (`langso bench push` measures the sync core alone with it; no server
    /// or command option reaches it): from the next group on, this store's pushes store
    /// events, tallies and rejections but leave the report aggregates (migration 003)
    /// behind. First the meta 'aggregates' mark is removed, in its own commit, so whoever
    /// opens the file next rebuilds every aggregate from the event log before anything
    /// reads them ([`Store::open`]). Lasts while this store is open.
    pub fn skip_aggregates_for_benchmark(&self) -> Result<()> {
        self.write_blocking(aggregates::mark_stale)?;
        self.inner.writer.skip_aggregates();
        Ok(())
    }

    /// Runs `f` on a read-only connection (blocking: call from a blocking context).
    pub fn read<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.inner.readers.with(f)
    }

    /// Runs `f` in its own write transaction on the writer thread and waits for the commit.
    pub(crate) fn write_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.inner
            .writer
            .exec(f)
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
    }

    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.inner
            .writer
            .exec(f)
            .await
            .map_err(|_| StoreError::WriterGone)?
    }
}
