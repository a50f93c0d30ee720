//! Fault injection for tests (feature `fault-injection`): real SQLite errors raised inside
//! the writer's own transactions, so tests can prove that a fault at any point of a group
//! commit stores nothing of it.

use crate::push::{PushOutcome, PushRequest};
use crate::{Result, Store, StoreError};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

/// VM instructions between two progress callbacks of an armed interrupt.
pub const PROGRESS_STEP: i32 = 16;

/// A push handed to the writer and not yet answered.
pub struct PendingPush(tokio::sync::oneshot::Receiver<Result<PushOutcome>>);

impl PendingPush {
    /// Waits for the answer (blocking).
    pub fn wait(self) -> Result<PushOutcome> {
        self.0.blocking_recv().map_err(|_| StoreError::WriterGone)?
    }
}

/// Keeps the writer thread busy until dropped, so that pushes queue up into one group.
pub struct WriterHold(Option<mpsc::Sender<()>>);

impl Drop for WriterHold {
    fn drop(&mut self) {
        self.0.take();
    }
}

impl Store {
    /// Arms one interrupt: the writer connection's statement running at its `n`th progress
    /// callback (every [`PROGRESS_STEP`] VM instructions) fails with `SQLITE_INTERRUPT`,
    /// which rolls back the whole open transaction. Returns a counter of callbacks so far.
    pub fn interrupt_writer_at(&self, n: u64) -> Result<Arc<AtomicU64>> {
        let calls = Arc::new(AtomicU64::new(0));
        let seen = calls.clone();
        self.with_writer_conn(move |conn| {
            conn.progress_handler(
                PROGRESS_STEP,
                Some(move || seen.fetch_add(1, Ordering::Relaxed) + 1 == n),
            )?;
            Ok(())
        })?;
        Ok(calls)
    }

    /// Makes the writer's statements fail at random from now on: at each progress callback
    /// (every [`PROGRESS_STEP`] VM instructions) with probability `p`, `SQLITE_INTERRUPT`,
    /// which rolls back the whole open transaction. Returns a counter of faults raised.
    /// [`Store::disarm_writer`] stops it.
    pub fn fail_writes_randomly(&self, p: f64, seed: u64) -> Result<Arc<AtomicU64>> {
        let fired = Arc::new(AtomicU64::new(0));
        let count = fired.clone();
        let threshold = (p.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
        let mut state = seed | 1;
        self.with_writer_conn(move |conn| {
            conn.progress_handler(
                PROGRESS_STEP,
                Some(move || {
                    // xorshift64: enough randomness for choosing fault points.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let fire = state < threshold;
                    if fire {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    fire
                }),
            )?;
            Ok(())
        })?;
        Ok(fired)
    }

    /// Removes an armed interrupt.
    pub fn disarm_writer(&self) -> Result<()> {
        self.with_writer_conn(|conn| Ok(conn.progress_handler(0, None::<fn() -> bool>)?))
    }

    /// Caps the database file at its current size plus `extra_pages` pages (`None`: no
    /// cap): a write that needs more fails with `SQLITE_FULL`, as on a full disk.
    pub fn cap_writer_pages(&self, extra_pages: Option<i64>) -> Result<()> {
        self.with_writer_conn(move |conn| {
            let cap = match extra_pages {
                Some(extra) => {
                    let count: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
                    count + extra
                }
                None => 1 << 31,
            };
            conn.pragma_update(None, "max_page_count", cap)?;
            Ok(())
        })
    }

    /// Caps the length of any string or blob the writer stores (`SQLITE_LIMIT_LENGTH`), so
    /// one push's content can make its statement fail with `SQLITE_TOOBIG`.
    pub fn limit_writer_length(&self, bytes: i32) -> Result<()> {
        self.with_writer_conn(move |conn| {
            conn.set_limit(rusqlite::limits::Limit::SQLITE_LIMIT_LENGTH, bytes)?;
            Ok(())
        })
    }

    /// Occupies the writer until the returned guard is dropped.
    pub fn hold_writer(&self) -> WriterHold {
        let (tx, rx) = mpsc::channel::<()>();
        let (started, wait_started) = mpsc::channel();
        drop(self.inner.writer.with_conn(move |_| {
            let _ = started.send(());
            let _ = rx.recv();
            Ok(())
        }));
        let _ = wait_started.recv();
        WriterHold(Some(tx))
    }

    /// Queues a push without waiting for its answer.
    pub fn push_queued(&self, req: PushRequest) -> PendingPush {
        PendingPush(self.inner.writer.push(req))
    }

    fn with_writer_conn(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<()> + Send + 'static,
    ) -> Result<()> {
        self.inner
            .writer
            .with_conn(f)
            .blocking_recv()
            .map_err(|_| StoreError::WriterGone)?
    }
}
