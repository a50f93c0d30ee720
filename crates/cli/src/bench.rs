//! `langso bench`: push throughput (bench/push.rs), one device's long sync (bench/sync.rs)
//! and reports over a large history (bench_reports.rs).

use anyhow::Result;
use clap::Subcommand;
use langso_store::Store;

mod batches;
mod push;
mod sync;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Concurrent devices pushing batches: events/s and p50/p99 latency, against the store
    /// alone, each with the report aggregates and with the sync core alone.
    Push(push::PushArgs),
    /// One device's queue of recorded events (10,000 by default) synced to a loopback
    /// server through the client engine: the time it takes.
    Sync(sync::SyncArgs),
    /// Reports over the demo data plus a generated history (10M events): a commune's
    /// team leaderboard for a month and a province roll-up for a year, p50/p99.
    Reports(crate::bench_reports::ReportsArgs),
}

pub fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Push(args) => push::run(args),
        BenchCommand::Sync(args) => sync::run(args),
        BenchCommand::Reports(args) => crate::bench_reports::run(args),
    }
}

/// Starts the real HTTP server on a free loopback port, in its own thread; stop it with
/// `actix_web::rt::System::new().block_on(handle.stop(true))`.
fn spawn_loopback_server(
    store: &Store,
    workers: Option<usize>,
) -> Result<(std::net::SocketAddr, actix_web::dev::ServerHandle)> {
    let mut config = langso_server::Config {
        listen: "127.0.0.1:0".into(),
        ..Default::default()
    };
    if let Some(w) = workers {
        config.workers = w;
    }
    let s = crate::loopback::spawn(store, config)?;
    Ok((s.addr, s.handle))
}
