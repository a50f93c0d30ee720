//! The operator commands: thin wrappers over the store and the server.

use anyhow::{Context, Result, anyhow, bail};
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitRef};
use langso_domain::units::Level;
use langso_domain::{DeviceId, TeamId, VillageId, demo};
use langso_store::{ServerLock, Store, StoreError};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The 177-commune tree, embedded so `langso demo` works from any directory.
pub const TREE_2024_09: &str = include_str!("../../../data/quang-ninh/quang-ninh-admin-units.json");

/// Opens an existing database: a mistyped path is an error, never a new empty database
/// that a command would then report on ("ok") or serve.
pub fn open(db: &Path) -> Result<Store> {
    if !db.exists() {
        bail!(
            "no database at {}: create one with `langso import-units` or `langso demo`",
            db.display()
        );
    }
    Store::open_existing(db).with_context(|| format!("opening database {}", db.display()))
}

/// Opens the database, creating it if the file does not exist (import-units, demo).
pub(crate) fn create_or_open(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("opening database {}", db.display()))
}

/// The demo on today's map, with history over the three maps ([`crate::demo::build`]).
pub fn demo(db: &Path, seed: u64) -> Result<Store> {
    crate::demo::build(db, seed, crate::demo::TODAY, crate::demo::EVENTS)
}

pub fn teams(db: &Path) -> Result<()> {
    let teams = open(db)?.teams()?;
    outln!("{}", serde_json::to_string_pretty(&teams)?);
    Ok(())
}

fn team_id(s: &str) -> Result<TeamId> {
    TeamId::parse(s).ok_or_else(|| anyhow!("'{s}' is not a team id (like T00042)"))
}

pub fn invite(db: &Path, team: &str, member: Option<&str>) -> Result<()> {
    let store = open(db)?;
    let member = member
        .map(|m| crate::people::member_id(&store, m))
        .transpose()?;
    let code = store.create_invite(&Actor::operator(), &team_id(team)?, member.as_ref())?;
    outln!("{code}");
    Ok(())
}

pub fn create_user(db: &Path, role: &str, scope: &str, username: &str) -> Result<()> {
    let role = Role::parse(role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        anyhow!("'{role}' is not a role: {}", roles.join(", "))
    })?;
    let scope = UnitRef::new(role.scope_level(), scope.trim());
    let code = open(db)?.create_user(&Actor::operator(), username, role, &scope)?;
    eprintln!(
        "user '{}' created: {} of {} {}; set the password within 7 days with the code below",
        langso_store::users::normalise_username(username),
        role.as_str(),
        scope.kind.as_str(),
        scope.id
    );
    outln!("{code}");
    Ok(())
}

pub fn revoke_device(db: &Path, device: &str) -> Result<()> {
    let id =
        DeviceId::parse(device).ok_or_else(|| anyhow!("'{device}' is not a device id (a UUID)"))?;
    open(db)?.revoke_device(&Actor::operator(), &id)?;
    eprintln!("device {id} revoked");
    Ok(())
}

pub fn unlock_user(db: &Path, username: &str) -> Result<()> {
    let forgotten = open(db)?.unlock_user(&Actor::operator(), username)?;
    eprintln!("{forgotten} failed login(s) of '{username}' forgotten; it may log in again");
    Ok(())
}

pub fn rotate_key(db: &Path) -> Result<()> {
    // Keep old keys a day: far longer than any access token (15 min) lives.
    let kid = open(db)?.rotate_signing_key(&Actor::operator(), 24 * 3600 * 1000)?;
    eprintln!("new signing key {kid}");
    Ok(())
}

pub fn team_villages(db: &Path, team: &str, villages: &[String]) -> Result<()> {
    let ids = villages
        .iter()
        .map(|v| {
            VillageId::parse(v).ok_or_else(|| anyhow!("'{v}' is not a village id (like V000042)"))
        })
        .collect::<Result<Vec<_>>>()?;
    open(db)?.set_team_villages(&Actor::operator(), &team_id(team)?, ids)?;
    Ok(())
}

pub fn verify(db: &Path) -> ExitCode {
    let found = open(db).and_then(|s| Ok((s.verify()?, s.verify_integrity()?)));
    let (diffs, problems) = match found {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    if diffs.is_empty() && problems.is_empty() {
        outln!(
            "ok: every tally and report aggregate equals its recompute from the event log; \
             acknowledged seqs, corrections, placements, coverage, the change log and the audit \
             log's hash chain agree"
        );
        return ExitCode::SUCCESS;
    }
    for d in &diffs {
        outln!(
            "MISMATCH {} {} day {} kind {} {}: stored {} recomputed {}",
            d.table,
            d.unit,
            d.day,
            d.kind,
            d.column,
            d.stored,
            d.recomputed
        );
    }
    for p in &problems {
        outln!("BROKEN {}: {}", p.check, p.detail);
    }
    outln!(
        "{} tallies differ from the event log; {} other rules are broken",
        diffs.len(),
        problems.len()
    );
    ExitCode::FAILURE
}

pub fn backup(db: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        bail!("{} exists; choose a new file", out.display());
    }
    let generation = open(db)?.backup_to(out)?;
    eprintln!(
        "backup written to {} (its own generation {generation}; `langso restore` gives it a fresh one each time)",
        out.display()
    );
    Ok(())
}

/// Exit code 3 when a running server holds the database (a second `serve`, or `restore`),
/// 1 for any other failure.
pub const EXIT_DATABASE_IN_USE: u8 = 3;

pub fn exit_code(e: &anyhow::Error) -> ExitCode {
    match e.downcast_ref::<StoreError>() {
        Some(StoreError::Locked(_)) => ExitCode::from(EXIT_DATABASE_IN_USE),
        _ => ExitCode::FAILURE,
    }
}

pub fn restore(from: &Path, db: &Path) -> Result<()> {
    let r = langso_store::restore(&Actor::operator(), from, db)?;
    if let Some(old) = &r.replaced {
        eprintln!("the database it replaced is kept as {}", old.display());
    }
    eprintln!(
        "restored {} into {} with the new generation {}; phones re-push what they hold at their next sync",
        from.display(),
        db.display(),
        r.generation
    );
    Ok(())
}

/// Takes the server's lock on `db` (held until the process ends), or refuses.
fn hold(db: &Path) -> Result<ServerLock> {
    Ok(ServerLock::acquire(db)?)
}

pub fn serve(
    db: Option<PathBuf>,
    config: langso_server::Config,
    demo_mode: bool,
    max_db_mb: Option<u64>,
) -> Result<()> {
    let lock: ServerLock;
    let store = if demo_mode {
        let path = db.unwrap_or_else(|| PathBuf::from("langso-demo.db"));
        lock = hold(&path)?;
        let fresh = !path.exists();
        let store = if fresh {
            demo(&path, demo::DEFAULT_SEED)?
        } else {
            open(&path)?
        };
        let abs = std::fs::canonicalize(&path).unwrap_or(path);
        outln!(
            "demo database: {}{}",
            abs.display(),
            if fresh { " (new)" } else { " (reused)" }
        );
        let team = store
            .teams()?
            .into_iter()
            .find(|t| t.level == Level::Village)
            .ok_or_else(|| anyhow!("no team"))?;
        let (id, name) = (team_id(&team.id)?, team.name);
        let leader = store
            .members(Some(&id))?
            .and_then(|ms| ms.into_iter().next())
            .ok_or_else(|| anyhow!("team {id} has no members"))?;
        let code = store.create_invite(&Actor::operator(), &id, Some(&leader.member_id))?;
        outln!(
            "enrollment code for {} ({}) of {id} ({name}): {code}",
            leader.name,
            leader.member_id
        );
        store
    } else {
        let path = db.ok_or_else(|| anyhow!("--db is required without --demo"))?;
        lock = hold(&path)?;
        open(&path)?
    };
    if let Some(mb) = max_db_mb {
        store.limit_size(mb.saturating_mul(1024 * 1024))?;
    }
    tracing::debug!(lock = %lock.path().display(), "holding the database");
    warn_if_few_descriptors(config.max_connections);
    actix_web::rt::System::new().block_on(async move {
        let (server, addr) = langso_server::build(&config, store)?;
        // Tests and scripts read this line to find the port when listening on port 0.
        outln!("listening on http://{addr}");
        if demo_mode {
            outln!(
                "try: curl -s -X POST http://{addr}/v1/devices/enroll -H 'content-type: application/json' \
                 -d '{{\"code\":\"<code above>\",\"device_name\":\"my phone\"}}'"
            );
        }
        tracing::info!(%addr, "langso listening");
        server.await
    })?;
    Ok(())
}

/// Warns when `max_connections` does not fit the process's open-file limit (Linux: read
/// from /proc/self/limits; elsewhere nothing is checked).
fn warn_if_few_descriptors(max_connections: usize) {
    let Ok(limits) = std::fs::read_to_string("/proc/self/limits") else {
        return;
    };
    let soft = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(soft) = soft.filter(|soft| max_connections + 64 > *soft) {
        tracing::warn!(
            max_connections,
            open_file_limit = soft,
            "--max-connections does not fit the open-file limit: raise `ulimit -n` \
             (LimitNOFILE= in systemd) or lower --max-connections"
        );
    }
}
