//! The one writer thread. Pushes that queue up while a transaction commits are drained
//! into the next transaction together (group commit): one fsync serves them all, and each
//! push runs in its own savepoint so one failing push never takes the others with it.

use crate::push::{self, PushJob, PushOutcome};
use crate::{Result, StoreError};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::sync::mpsc;
use tokio::sync::oneshot;

type ExecFn = Box<dyn FnOnce(&mut Connection) + Send>;

pub enum Job {
    Push(Box<PushJob>, oneshot::Sender<Result<PushOutcome>>),
    Exec(ExecFn),
}

/// At most this many events go into one group transaction.
const GROUP_EVENTS: usize = 20_000;

pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub fn start(conn: Connection) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("langso-writer".into())
            .spawn(move || run(conn, rx))
            .expect("spawn writer thread");
        Self { tx }
    }

    pub fn push(&self, job: PushJob) -> oneshot::Receiver<Result<PushOutcome>> {
        let (reply, rx) = oneshot::channel();
        // A send error drops `reply`; the receiver then reports the writer gone.
        let _ = self.tx.send(Job::Push(Box::new(job), reply));
        rx
    }

    pub fn exec<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> oneshot::Receiver<Result<T>> {
        let (reply, rx) = oneshot::channel();
        let job: ExecFn = Box::new(move |conn: &mut Connection| {
            let out = (|| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let v = f(&tx)?;
                tx.commit()?;
                Ok(v)
            })();
            let _ = reply.send(out);
        });
        let _ = self.tx.send(Job::Exec(job));
        rx
    }
}

fn run(mut conn: Connection, rx: mpsc::Receiver<Job>) {
    let mut pending: Option<Job> = None;
    loop {
        let first = match pending.take() {
            Some(j) => j,
            None => match rx.recv() {
                Ok(j) => j,
                Err(_) => return,
            },
        };
        match first {
            Job::Exec(f) => f(&mut conn),
            Job::Push(job, reply) => {
                let mut group = vec![(job, reply)];
                let mut events = group[0].0.events.len();
                while events < GROUP_EVENTS {
                    match rx.try_recv() {
                        Ok(Job::Push(job, reply)) => {
                            events += job.events.len();
                            group.push((job, reply));
                        }
                        Ok(other) => {
                            pending = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_group(&mut conn, group);
            }
        }
    }
}

type Reply = oneshot::Sender<Result<PushOutcome>>;

fn commit_group(conn: &mut Connection, group: Vec<(Box<PushJob>, Reply)>) {
    let started = std::time::Instant::now();
    let n = group.len();
    let result = (|| -> Result<Vec<Result<PushOutcome>>> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut ctx = push::GroupContext::default();
        let mut outcomes = Vec::with_capacity(group.len());
        for (job, _) in &group {
            outcomes.push(push::apply_in_savepoint(&tx, &mut ctx, job));
        }
        ctx.flush_tallies(&tx)?;
        tx.commit()?;
        Ok(outcomes)
    })();
    match result {
        Ok(outcomes) => {
            for ((_, reply), outcome) in group.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, pushes = n, "group commit failed; nothing of it was stored");
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
