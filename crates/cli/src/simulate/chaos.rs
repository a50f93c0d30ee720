//! The faults `langso simulate` plays on the server side when it serves the database itself:
//! storage errors inside group commits, the same backup restored twice, and villages moved
//! between teams before the phones sync what they recorded there.

use anyhow::{Result, anyhow};
use langso_domain::audit::Actor;
use langso_domain::{TeamId, VillageId};
use langso_store::{ServerLock, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The real HTTP server on a fixed loopback port, in this process, over `db`.
pub struct LocalServer {
    db: PathBuf,
    port: u16,
    running: Option<Running>,
}

struct Running {
    handle: actix_web::dev::ServerHandle,
    thread: std::thread::JoinHandle<()>,
    _lock: ServerLock,
}

impl LocalServer {
    /// Serves `store` (opened on `db`) on a free loopback port.
    pub fn start(db: &Path, store: &Store) -> Result<Self> {
        let mut s = Self {
            db: db.to_owned(),
            port: 0,
            running: None,
        };
        s.serve(store)?;
        Ok(s)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn serve(&mut self, store: &Store) -> Result<()> {
        let lock = ServerLock::acquire(&self.db)?;
        let config = langso_server::Config {
            listen: format!("127.0.0.1:{}", self.port),
            ..Default::default()
        };
        let crate::loopback::Spawned {
            addr,
            handle,
            thread,
        } = crate::loopback::spawn(store, config)?;
        self.port = addr.port();
        self.running = Some(Running {
            handle,
            thread,
            _lock: lock,
        });
        Ok(())
    }

    /// Stops the server (in-flight requests finish) and releases its store and lock.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(r) = self.running.take() {
            actix_web::rt::System::new().block_on(r.handle.stop(true));
            r.thread
                .join()
                .map_err(|_| anyhow!("the server thread panicked"))?;
        }
        Ok(())
    }

    /// Stops the server, restores `backup` over the database as `langso restore` does (a
    /// fresh generation each time), and serves the restored database on the same port.
    /// `store` must be the last handle on the database: it is closed, and the restored
    /// database's handle is returned with its generation.
    pub fn restore(&mut self, store: Store, backup: &Path) -> Result<(Store, String)> {
        self.stop()?;
        let path = store.path().to_owned();
        // Dropping the last handle closes the database before the file is replaced.
        drop(store);
        let restored = langso_store::restore(&Actor::operator(), backup, &path)?;
        let store = Store::open(&path)?;
        self.serve(&store)?;
        Ok((store, restored.generation))
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Storage faults raised at random inside the server's own transactions while armed.
pub struct StorageFaults {
    fired: Arc<AtomicU64>,
}

impl StorageFaults {
    /// Arms them: each progress callback of the writer fails with probability `p`.
    pub fn arm(store: &Store, p: f64, seed: u64) -> Result<Self> {
        Ok(Self {
            fired: store.fail_writes_randomly(p, seed)?,
        })
    }

    /// Disarms them; returns how many were raised.
    pub fn disarm(self, store: &Store) -> Result<u64> {
        store.disarm_writer()?;
        Ok(self.fired.load(Ordering::Relaxed))
    }
}

/// Moves the last village of `n` teams (that have more than one) to the next such team,
/// as an operator would with `langso team-villages`. Returns the moves made.
pub fn move_villages(store: &Store, n: usize) -> Result<Vec<(VillageId, TeamId, TeamId)>> {
    let teams: Vec<_> = store
        .teams()?
        .into_iter()
        .filter(|t| t.village_ids.len() > 1)
        .collect();
    let mut moves = Vec::new();
    for pair in teams.chunks(2).take(n) {
        let [from, to] = pair else { break };
        let parse = |v: &String| VillageId::parse(v).ok_or_else(|| anyhow!("bad village {v}"));
        let moved = parse(from.village_ids.last().expect("more than one village"))?;
        let keep = from.village_ids[..from.village_ids.len() - 1]
            .iter()
            .map(parse)
            .collect::<Result<Vec<_>>>()?;
        let mut gain = to
            .village_ids
            .iter()
            .map(parse)
            .collect::<Result<Vec<_>>>()?;
        gain.push(moved.clone());
        let (from_id, to_id) = (team(&from.id)?, team(&to.id)?);
        store.set_team_villages(&Actor::operator(), &from_id, keep)?;
        store.set_team_villages(&Actor::operator(), &to_id, gain)?;
        moves.push((moved, from_id, to_id));
    }
    Ok(moves)
}

fn team(id: &str) -> Result<TeamId> {
    TeamId::parse(id).ok_or_else(|| anyhow!("bad team {id}"))
}
