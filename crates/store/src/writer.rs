//! The one writer thread. Pushes that queue up while a transaction commits are drained
//! into the next transaction together (group commit): one fsync serves them all.
//!
//! Each push runs in its own savepoint, so a push's own refusal (a revoked device) rolls
//! back that push only. Any other error inside a group is a storage fault: SQLite may
//! already have rolled the whole transaction back by itself (`SQLITE_FULL`, `SQLITE_IOERR`,
//! `SQLITE_NOMEM`, `SQLITE_BUSY`, an interrupt), so the group ends at once, no further
//! statement runs in it, and every push of it is answered "nothing stored". When the fault
//! may have come from one push's content, the others are then retried one by one.

use crate::push::{self, PushJob, PushOutcome};
use crate::watch::WriterObserver;
use crate::{Result, StoreError, now_ms};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use tokio::sync::oneshot;

type ExecFn = Box<dyn FnOnce(&mut Connection) + Send>;
type Reply = oneshot::Sender<Result<PushOutcome>>;

pub enum Job {
    Push(Box<PushJob>, Reply),
    Exec(ExecFn),
    /// Sent when the last store handle is dropped: the thread closes the connection.
    Stop,
}

/// At most this many items (events and malformed items) go into one group transaction.
const GROUP_EVENTS: usize = 20_000;

/// For this long after a storage fault the store reports itself not ready (ms).
pub(crate) const FAULT_QUIET_MS: i64 = 10_000;

pub struct Writer {
    tx: mpsc::Sender<Job>,
    /// When the last write failed for a storage fault (ms since the epoch; 0: never).
    last_fault_ms: Arc<AtomicI64>,
    /// Benchmark only ([`crate::Store::skip_aggregates_for_benchmark`]): groups keep the
    /// sync core (events, tallies, rejections) and leave the report aggregates alone.
    core_only: Arc<AtomicBool>,
    /// What the thread shares with the handles: the observer and the queue depth.
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Shared between the writer thread and its handles, for [`crate::watch`].
#[derive(Default)]
struct Shared {
    observer: OnceLock<Arc<dyn WriterObserver>>,
    /// Push jobs sent and not yet taken from the channel by the thread.
    queued: AtomicUsize,
}

impl Drop for Writer {
    /// Closes the database: the queued jobs run, then the connection closes, before the
    /// last store handle's drop returns (so the file can be replaced right after).
    fn drop(&mut self) {
        let _ = self.tx.send(Job::Stop);
        if let Some(t) = self.thread.take()
            && t.thread().id() != std::thread::current().id()
        {
            let _ = t.join();
        }
    }
}

impl Writer {
    pub fn start(conn: Connection) -> Self {
        let (tx, rx) = mpsc::channel();
        let last_fault_ms = Arc::new(AtomicI64::new(0));
        let faults = last_fault_ms.clone();
        let core_only = Arc::new(AtomicBool::new(false));
        let core = core_only.clone();
        let shared = Arc::new(Shared::default());
        let on_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("langso-writer".into())
            .spawn(move || run(conn, rx, &faults, &core, &on_thread))
            .expect("spawn writer thread");
        Self {
            tx,
            last_fault_ms,
            core_only,
            shared,
            thread: Some(thread),
        }
    }

    pub fn push(&self, job: PushJob) -> oneshot::Receiver<Result<PushOutcome>> {
        let (reply, rx) = oneshot::channel();
        self.shared.queued.fetch_add(1, Ordering::Relaxed);
        // A send error drops `reply`; the receiver then reports the writer gone.
        if self.tx.send(Job::Push(Box::new(job), reply)).is_err() {
            self.shared.queued.fetch_sub(1, Ordering::Relaxed);
        }
        rx
    }

    /// See [`crate::Store::observe_writer`].
    pub(crate) fn observe(&self, observer: Arc<dyn WriterObserver>) -> bool {
        self.shared.observer.set(observer).is_ok()
    }

    /// See [`crate::Store::writer_queue_depth`].
    pub(crate) fn queue_depth(&self) -> usize {
        self.shared.queued.load(Ordering::Relaxed)
    }

    /// Runs `f` in its own `BEGIN IMMEDIATE` transaction on the writer thread.
    pub fn exec<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> oneshot::Receiver<Result<T>> {
        let faults = self.last_fault_ms.clone();
        self.with_conn(move |conn| {
            let out = (|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let v = f(&tx)?;
                tx.commit()?;
                Ok(v)
            })();
            if let Err(e) = &out {
                note_fault(&faults, e);
            }
            out
        })
    }

    /// Runs `f` on the write connection itself, between transactions.
    pub(crate) fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> oneshot::Receiver<Result<T>> {
        let (reply, rx) = oneshot::channel();
        let job: ExecFn = Box::new(move |conn: &mut Connection| {
            let _ = reply.send(f(conn));
        });
        let _ = self.tx.send(Job::Exec(job));
        rx
    }

    /// Benchmark only: from the next group on, pushes leave the report aggregates alone
    /// (see [`crate::Store::skip_aggregates_for_benchmark`]).
    pub(crate) fn skip_aggregates(&self) {
        self.core_only.store(true, Ordering::Relaxed);
    }

    /// When the last storage fault happened (ms since the epoch), if ever.
    pub fn last_fault_ms(&self) -> Option<i64> {
        Some(self.last_fault_ms.load(Ordering::Relaxed)).filter(|ms| *ms > 0)
    }
}

fn note_fault(faults: &AtomicI64, e: &StoreError) {
    if matches!(e, StoreError::Sqlite(_)) && e.is_environmental() {
        faults.store(now_ms(), Ordering::Relaxed);
    }
}

fn run(
    mut conn: Connection,
    rx: mpsc::Receiver<Job>,
    faults: &AtomicI64,
    core_only: &AtomicBool,
    shared: &Shared,
) {
    let mut pending: Option<Job> = None;
    loop {
        let first = match pending.take() {
            Some(j) => j,
            None => match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
        };
        // A panic must not kill the only writer: its jobs' replies are dropped (answered
        // "writer gone", a 503) and their transaction rolls back as it unwinds.
        if matches!(first, Job::Stop) {
            return;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| match first {
            Job::Stop => {}
            Job::Exec(f) => f(&mut conn),
            Job::Push(job, reply) => {
                let (group, next) = drain_group(&rx, (job, reply));
                shared.queued.fetch_sub(group.len(), Ordering::Relaxed);
                pending = next;
                let core_only = core_only.load(Ordering::Relaxed);
                let observer = shared.observer.get().map(|o| &**o);
                commit_group(&mut conn, group, faults, core_only, observer);
            }
        }));
        if outcome.is_err() {
            tracing::error!("a writer job panicked; its requests were answered 503");
            faults.store(now_ms(), Ordering::Relaxed);
        }
        // A rollback that itself failed would leave the connection inside a transaction
        // and every later BEGIN refused: end it here, whatever happened above.
        if !conn.is_autocommit()
            && let Err(e) = conn.execute_batch("ROLLBACK")
        {
            tracing::error!(error = %e, "could not roll back an abandoned transaction");
        }
    }
}

/// The first push and whatever else is queued behind it, up to [`GROUP_EVENTS`]; a
/// non-push job met on the way is handed back to run next.
fn drain_group(
    rx: &mpsc::Receiver<Job>,
    first: (Box<PushJob>, Reply),
) -> (Vec<(Box<PushJob>, Reply)>, Option<Job>) {
    // Malformed items cost writes too (a rejection row each).
    let size = |job: &PushJob| job.events.len() + job.malformed.len();
    let mut events = size(&first.0);
    let mut group = vec![first];
    while events < GROUP_EVENTS {
        match rx.try_recv() {
            Ok(Job::Push(job, reply)) => {
                events += size(&job);
                group.push((job, reply));
            }
            Ok(other) => return (group, Some(other)),
            Err(_) => break,
        }
    }
    (group, None)
}

/// Commits a group (see [`try_group`]); `core_only`: without the report aggregates (the
/// benchmark's switch).
fn commit_group(
    conn: &mut Connection,
    group: Vec<(Box<PushJob>, Reply)>,
    faults: &AtomicI64,
    core_only: bool,
    observer: Option<&dyn WriterObserver>,
) {
    let started = std::time::Instant::now();
    let n = group.len();
    let items: usize = (group.iter())
        .map(|(job, _)| job.events.len() + job.malformed.len())
        .sum();
    match try_group(conn, group.iter().map(|(job, _)| &**job), core_only) {
        Ok(outcomes) => {
            if let Some(o) = observer {
                o.group_committed(n, items, started.elapsed());
            }
            for ((_, reply), outcome) in group.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            note_fault(faults, &e);
            tracing::error!(error = %e, pushes = n, "group commit failed; nothing of it was stored");
            if n > 1 && !e.is_environmental() {
                // The fault may be one push's own doing: give every push its own chance.
                for one in group {
                    commit_group(conn, vec![one], faults, core_only, observer);
                }
                return;
            }
            for (_, reply) in group {
                let _ = reply.send(Err(StoreError::Unavailable(e.to_string())));
            }
        }
    }
    tracing::debug!(
        pushes = n,
        elapsed_us = started.elapsed().as_micros() as u64,
        "group committed"
    );
}

/// Applies every push of a group in one transaction and commits it. `Err` means nothing of
/// the group is stored: the transaction is rolled back (or SQLite already did), and no
/// statement ran after the fault.
fn try_group<'a>(
    conn: &mut Connection,
    jobs: impl Iterator<Item = &'a PushJob>,
    core_only: bool,
) -> Result<Vec<Result<PushOutcome>>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ctx = push::GroupContext::default();
    ctx.core_only = core_only;
    let mut outcomes = Vec::new();
    for job in jobs {
        outcomes.push(push::apply_in_savepoint(&tx, &mut ctx, job)?);
    }
    ctx.flush_tallies(&tx)?;
    tx.commit()?;
    Ok(outcomes)
}
