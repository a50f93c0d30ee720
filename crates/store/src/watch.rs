//! What the store tells whoever watches it (the server's `GET /metrics`): plain numbers
//! through a small trait and a few readings, so the store knows nothing of Prometheus.

use crate::{Result, Store};
use langso_domain::time::{VN_OFFSET_SECS, vn_day};
use std::time::Duration;

/// Told by the writer thread about each group transaction it commits (see
/// `crate::writer`). Implementations must be quick: they run on the only writer thread.
pub trait WriterObserver: Send + Sync + 'static {
    /// A group committed: `pushes` push batches holding `items` events and malformed items,
    /// from `BEGIN IMMEDIATE` to `COMMIT`'s return (the WAL fsync included). A group that
    /// failed is not reported (its pushes are answered 503, which the server counts).
    fn group_committed(&self, pushes: usize, items: usize, elapsed: Duration);
}

/// The database file and its write-ahead log, in bytes (0 for a file that does not exist,
/// e.g. the WAL right after a clean close).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileSizes {
    pub db_bytes: u64,
    pub wal_bytes: u64,
}

impl Store {
    /// Registers the writer's observer; only the first registration counts (false after).
    pub fn observe_writer(&self, observer: std::sync::Arc<dyn WriterObserver>) -> bool {
        self.inner.writer.observe(observer)
    }

    /// Push batches waiting for the writer thread (received, not yet taken into a group).
    pub fn writer_queue_depth(&self) -> usize {
        self.inner.writer.queue_depth()
    }

    /// The sizes of the database file and its `-wal` file now.
    pub fn file_sizes(&self) -> FileSizes {
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = self.path().as_os_str().to_owned();
        wal.push("-wal");
        FileSizes {
            db_bytes: size(self.path()),
            wal_bytes: size(std::path::Path::new(&wal)),
        }
    }

    /// Devices, revoked ones excepted, whose latest stored event arrived today
    /// (Asia/Ho_Chi_Minh day). One index lookup per device: about 10 ms for 10,000.
    pub fn devices_active_today(&self) -> Result<i64> {
        let now = chrono::Utc::now();
        let midnight = vn_day(now)
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp_millis()
            - i64::from(VN_OFFSET_SECS) * 1000;
        self.read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM devices d WHERE d.revoked_ms IS NULL
                   AND (SELECT e.received_ms FROM events e WHERE e.device_id = d.id
                        ORDER BY e.seq DESC LIMIT 1) >= ?1",
                [midnight],
                |r| r.get(0),
            )?)
        })
    }
}
