//! `langso simulate`: an evening burst of many devices, each running the real client engine
//! on its own outbox file, some through a fault-injecting proxy, some killed mid-sync, some
//! with clocks hours or days off. At the end every device's view is reconciled with the
//! server's database: the summary says `N lost` and `N double-counted`.

mod chaos;
mod check;
mod device;
mod plan;
mod pool;
mod summary;

use anyhow::{Context, Result, anyhow};
use chrono::Utc;
use clap::Args;
use device::{end_of, evening, setup, sync_until_done};
use langso_client::proxy::{FaultProxy, Faults};
use langso_client::{Backoff, Config, Engine};
use langso_domain::{KindCode, MemberId, TeamId, VillageId};
use langso_store::Store;
use plan::{DevicePlan, Mix};
use pool::parallel;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct SimulateArgs {
    /// A running server, e.g. http://127.0.0.1:8080. Without it, simulate serves the
    /// database itself on loopback and also plays the server-side faults: storage errors
    /// inside group commits, the same backup restored twice, villages moved between teams.
    #[arg(long)]
    server: Option<String>,
    /// The server's database: invites are created in it and the end check reads it.
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// Devices to simulate, one per demo member (default: every member).
    #[arg(long)]
    devices: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Devices syncing at once.
    #[arg(long, default_value_t = 64)]
    threads: usize,
    /// Each device records 0..=N events over the simulated week.
    #[arg(long, default_value_t = 40)]
    max_events: usize,
    /// Share of devices syncing their evening burst through the fault-injecting proxy.
    #[arg(long, default_value_t = 0.25)]
    fault_devices: f64,
    /// Per-request chance of each fault at the proxy (drop answer, delay, duplicate, cut, 503).
    #[arg(long, default_value_t = 0.04)]
    fault_rate: f64,
    /// Share of devices killed mid-sync (then reopened from their outbox file).
    #[arg(long, default_value_t = 0.05)]
    kill_rate: f64,
    /// Share of devices whose clock is off by hours or days.
    #[arg(long, default_value_t = 0.1)]
    skew_rate: f64,
    /// Share of events that are deliberately invalid.
    #[arg(long, default_value_t = 0.01)]
    invalid_rate: f64,
    /// Share of events that correct (or void) an earlier one.
    #[arg(long, default_value_t = 0.05)]
    correct_rate: f64,
    /// Share of devices whose clock changes between recording and the evening sync.
    #[arg(long, default_value_t = 0.05)]
    clock_change_rate: f64,
    /// Self-served only: chance of a storage fault at each progress step of the writer
    /// during the evening burst (every 16 SQLite instructions; each rolls back its group).
    #[arg(long, default_value_t = 0.0001)]
    storage_fault_rate: f64,
    /// Self-served only: villages moved to another team before the evening burst.
    #[arg(long, default_value_t = 3)]
    village_moves: usize,
    /// Self-served only: do not restore the mid-week backup twice.
    #[arg(long)]
    no_restores: bool,
    /// Where the device outboxes go (default: a temporary directory, removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Simulate even though the database holds devices other than simulated ones: fake
    /// devices, events and tallies are then mixed into real data, for good.
    #[arg(long)]
    write_fake_data_into_real_database: bool,
}

struct World {
    store: Store,
    server: String,
    dir: PathBuf,
    agent: ureq::Agent,
}

impl World {
    /// The same world after `server` restored `backup`: its store reopened on the result.
    fn restored(
        self,
        server: &mut chaos::LocalServer,
        backup: &std::path::Path,
    ) -> Result<(Self, String)> {
        let (store, generation) = server.restore(self.store, backup)?;
        Ok((Self { store, ..self }, generation))
    }

    fn outbox(&self, i: usize) -> PathBuf {
        self.dir.join(format!("device-{i:05}.db"))
    }

    fn config(&self, plan: &DevicePlan) -> Config {
        Config {
            clock_offset: plan.skew,
            durable: false,
            agent: Some(self.agent.clone()),
            seed: Some(plan.index as u64 + 1),
            backoff: Backoff {
                initial: Duration::from_millis(50),
                max: Duration::from_secs(2),
                max_attempts: 10,
                max_retry_after: Duration::from_secs(2),
            },
            ..Config::default()
        }
    }
}

/// The devices to simulate: members spread evenly over the demo, with their team's villages.
fn plans(
    store: &Store,
    args: &SimulateArgs,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<DevicePlan>> {
    let members = store.member_teams()?;
    // The catalogue's active kinds, by code.
    let mut kinds: Vec<KindCode> = store
        .kinds()?
        .iter()
        .filter(|k| k.active)
        .filter_map(|k| KindCode::parse(&k.code))
        .collect();
    kinds.sort();
    let teams: HashMap<String, Vec<VillageId>> = store
        .teams()?
        .into_iter()
        .map(|t| {
            (
                t.id,
                t.village_ids
                    .iter()
                    .filter_map(|v| VillageId::parse(v))
                    .collect(),
            )
        })
        .collect();
    let members: Vec<(MemberId, TeamId)> = members
        .into_iter()
        .filter(|(_, t)| teams.get(t.as_str()).is_some_and(|v| !v.is_empty()))
        .collect();
    if members.is_empty() || kinds.is_empty() {
        return Err(anyhow!(
            "the database has no members with villages, or no kinds: run `langso demo` first"
        ));
    }
    let n = args.devices.unwrap_or(members.len()).min(members.len());
    let mix = Mix {
        max_events: args.max_events,
        days: 7,
        skew_rate: args.skew_rate,
        fault_devices: args.fault_devices,
        kill_rate: args.kill_rate,
        invalid_rate: args.invalid_rate,
        correct_rate: args.correct_rate,
        clock_change_rate: args.clock_change_rate,
    };
    let all_villages: Vec<&VillageId> = teams.values().flatten().collect();
    Ok((0..n)
        .map(|i| {
            let (member, team) = &members[i * members.len() / n];
            let villages = &teams[team.as_str()];
            let foreign = all_villages
                .iter()
                .find(|v| !villages.contains(v))
                .map_or_else(|| villages[0].clone(), |v| (*v).clone());
            plan::device(
                i,
                args.seed,
                member.clone(),
                team.clone(),
                villages,
                &foreign,
                &kinds,
                &mix,
                now,
            )
        })
        .collect())
}

pub fn run(args: SimulateArgs) -> ExitCode {
    match simulate(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn open_simulated_db(args: &SimulateArgs) -> Result<Store> {
    let store =
        Store::open_existing(&args.db).with_context(|| format!("opening {}", args.db.display()))?;
    let real = store.real_activity()?;
    if real.any() && !args.write_fake_data_into_real_database {
        return Err(anyhow!(
            "{} holds {} devices that are not simulated ({} events) and {} leader accounts: \
             simulate would mix fake devices and events into real data for good. Point it at a \
             copy or a demo database (langso demo --db PATH), or pass \
             --write-fake-data-into-real-database",
            args.db.display(),
            real.devices,
            real.events,
            real.users
        ));
    }
    Ok(store)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .max_redirects(0)
        .max_idle_connections(256)
        .max_idle_connections_per_host(256)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// Mid-week, after the early syncs: a backup is taken, a third of the devices sync what
/// they recorded since, the backup is restored, another third syncs, and the same backup is
/// restored again. Every phone must bring back what the restores took from the server.
fn restore_twice(
    w: World,
    server: &mut chaos::LocalServer,
    plans: &[DevicePlan],
    threads: usize,
) -> Result<(World, summary::Restores)> {
    let backup = w.dir.join("midweek-backup.db");
    w.store.backup_to(&backup)?;
    let sync_third = |w: &World, third: usize| -> Result<usize> {
        let who: Vec<&DevicePlan> = plans.iter().filter(|p| p.index % 3 == third).collect();
        let done = parallel(who.len(), threads, |i| {
            let mut engine = Engine::open(&w.outbox(who[i].index), w.config(who[i]))?;
            sync_until_done(&mut engine, 5)
        });
        for r in done {
            r?;
        }
        Ok(who.len())
    };
    let mut synced = sync_third(&w, 0)?;
    let (w, first) = w.restored(server, &backup)?;
    synced += sync_third(&w, 1)?;
    let (w, second) = w.restored(server, &backup)?;
    Ok((
        w,
        summary::Restores {
            synced_between: synced,
            generations: [first, second],
        },
    ))
}

fn simulate(args: &SimulateArgs) -> Result<bool> {
    let store = open_simulated_db(args)?;
    let temp = tempfile::tempdir()?;
    let dir = args
        .work_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    let mut local = match &args.server {
        Some(_) => None,
        None => Some(chaos::LocalServer::start(&args.db, &store)?),
    };
    let url = match (&args.server, &local) {
        (Some(u), _) => u.trim_end_matches('/').to_owned(),
        (None, Some(l)) => l.url(),
        (None, None) => unreachable!("a local server is started without --server"),
    };
    let mut w = World {
        store,
        server: url,
        dir,
        agent: agent(),
    };
    let now = Utc::now();
    let plans = plans(&w.store, args, now)?;
    let before = check::tallies(&w.store)?;
    let planned: usize = plans.iter().map(|p| p.events.len()).sum();
    eprintln!(
        "simulate: {} devices, {planned} events over a week ({} early), seed {}",
        plans.len(),
        plans.iter().map(|p| p.early).sum::<usize>(),
        args.seed
    );

    let t = Instant::now();
    let setups = parallel(plans.len(), args.threads, |i| setup(&w, &plans[i]));
    let mut ids = Vec::with_capacity(plans.len());
    for (plan, r) in plans.iter().zip(setups) {
        ids.push(r.with_context(|| format!("setting up device {}", plan.index))?);
    }
    eprintln!(
        "setup: enrolled and recorded in {:.1} s (earlier-in-the-week syncs included)",
        t.elapsed().as_secs_f64()
    );

    let mut server_faults = summary::ServerFaults::default();
    if let Some(local) = &mut local {
        if !args.no_restores {
            let (restored, r) = restore_twice(w, local, &plans, args.threads)?;
            w = restored;
            server_faults.restores = Some(r);
        }
        server_faults.moves = chaos::move_villages(&w.store, args.village_moves)?.len();
    }
    let storage = match &local {
        Some(_) => Some(chaos::StorageFaults::arm(
            &w.store,
            args.storage_fault_rate,
            args.seed,
        )?),
        None => None,
    };

    let proxy = FaultProxy::start(&w.server, Faults::each(args.fault_rate, args.seed))?;
    let proxy_url = proxy.url();
    let queued: usize = plans.iter().map(|p| p.events.len() - p.early).sum();
    let t = Instant::now();
    let bursts = parallel(plans.len(), args.threads, |i| {
        evening(&w, &plans[i], &proxy_url)
    });
    let wall = t.elapsed().as_secs_f64();
    let faults = proxy.counts();
    drop(proxy);
    if let Some(storage) = storage {
        server_faults.storage = Some(storage.disarm(&w.store)?);
    }

    let errors: Vec<&String> = bursts.iter().filter_map(|b| b.error.as_ref()).collect();
    for e in errors.iter().take(10) {
        eprintln!("sync failed: {e}");
    }
    let ends = parallel(plans.len(), args.threads, |i| {
        end_of(&w, &plans[i], &ids[i])
    });
    let ends = ends.into_iter().collect::<Result<Vec<_>>>()?;
    let v = check::reconcile(&w.store, &ends, &before)?;
    summary::Summary {
        args,
        plans: &plans,
        bursts: &bursts,
        queued,
        wall,
        proxy: faults,
        server: server_faults,
    }
    .print();
    v.print(ends.iter().map(|e| e.planned_invalid.len()).sum());
    Ok(v.ok() && errors.is_empty() && v.devices_ok == v.devices)
}
