//! What `langso simulate` prints about its run before the reconciliation: the burst's
//! figures and every fault it played.

use super::SimulateArgs;
use super::device::Burst;
use super::plan::DevicePlan;
use super::pool::percentile;
use langso_client::proxy::Counts;

/// The mid-week restores of one run.
pub struct Restores {
    /// Devices that synced between the backup and the restores.
    pub synced_between: usize,
    /// The generations the two restores of the same backup gave.
    pub generations: [String; 2],
}

/// The server-side faults of a self-served run.
#[derive(Default)]
pub struct ServerFaults {
    pub restores: Option<Restores>,
    pub moves: usize,
    /// Storage faults raised inside the writer's transactions during the burst.
    pub storage: Option<u64>,
}

pub struct Summary<'a> {
    pub args: &'a SimulateArgs,
    pub plans: &'a [DevicePlan],
    pub bursts: &'a [Burst],
    pub queued: usize,
    pub wall: f64,
    pub proxy: Counts,
    pub server: ServerFaults,
}

impl Summary<'_> {
    pub fn print(&self) {
        let (plans, bursts, wall) = (self.plans, self.bursts, self.wall);
        let mut sync_s: Vec<f64> = bursts.iter().map(|b| b.seconds).collect();
        sync_s.sort_by(f64::total_cmp);
        let mut push_ms: Vec<f64> = plans
            .iter()
            .zip(bursts)
            .filter(|(p, _)| !p.faulty)
            .flat_map(|(_, b)| b.push_ms.iter().copied())
            .collect();
        push_ms.sort_by(f64::total_cmp);
        outln!(
            "langso simulate: {} devices, seed {}, {} threads",
            plans.len(),
            self.args.seed,
            self.args.threads
        );
        outln!(
            "evening burst: {} queued events synced in {wall:.2} s ({:.0} events/s)",
            self.queued,
            self.queued as f64 / wall
        );
        outln!(
            "sync time per device: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            percentile(&sync_s, 0.50) * 1000.0,
            percentile(&sync_s, 0.99) * 1000.0,
            sync_s.last().copied().unwrap_or_default() * 1000.0
        );
        outln!(
            "server push latency (devices without injected faults): p50 {:.1} ms, p99 {:.1} ms ({} pushes)",
            percentile(&push_ms, 0.50),
            percentile(&push_ms, 0.99),
            push_ms.len()
        );
        let f = &self.proxy;
        outln!(
            "faults: {} devices behind the proxy, {} requests there: {} answers dropped after commit, {} delayed, {} sent twice, {} cut mid-body, {} answered 503; {} devices killed mid-sync and resumed; {} with clocks off by hours or days; {} whose clocks changed between record and push, {} between the last answer and recording (and back before the push)",
            plans.iter().filter(|p| p.faulty).count(),
            f.requests,
            f.dropped,
            f.delayed,
            f.duplicated,
            f.cut,
            f.unavailable,
            bursts.iter().filter(|b| b.killed).count(),
            plans.iter().filter(|p| !p.skew.is_zero()).count(),
            plans.iter().filter(|p| p.push_skew() != p.skew).count(),
            plans.iter().filter(|p| p.late_skew() != p.skew).count(),
        );
        self.print_server_faults();
    }

    fn print_server_faults(&self) {
        let s = &self.server;
        let Some(storage) = s.storage else {
            outln!(
                "server faults: none (the server is external; run without --server to play them)"
            );
            return;
        };
        let restores = match &s.restores {
            Some(r) => format!(
                "the mid-week backup restored twice (generations {} then {}; {} devices synced in between)",
                r.generations[0], r.generations[1], r.synced_between
            ),
            None => "no restores".to_owned(),
        };
        outln!(
            "server faults: {storage} storage faults inside group commits (each rolled back, answered 503); {restores}; {} villages moved between teams before their events synced",
            s.moves
        );
    }
}
