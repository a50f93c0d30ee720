//! The operator's hand on accounts and devices (issue 9): `users`, `disable-user`,
//! `enable-user`, `reset-password`, `devices`, `unrevoke-device`, `quarantine`,
//! `review-quarantine`. Each act is audited as done by the operator.

use crate::commands::open;
use anyhow::{Result, anyhow, bail};
use langso_domain::audit::Actor;
use langso_domain::{DeviceId, TeamId};
use langso_store::users::UserSummary;
use langso_store::{QuarantineDecision, TeamDevice};
use std::path::PathBuf;

/// `langso users`: every leader account with role, scope, state and last login.
#[derive(clap::Args)]
pub struct UsersArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// An act on one account.
#[derive(clap::Args)]
pub struct UserArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    #[arg(long)]
    username: String,
}

/// `langso devices`: a team's devices and their last sync.
#[derive(clap::Args)]
pub struct DevicesArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// The team id (like T00042).
    #[arg(long)]
    team: String,
    /// Only the phones (not revoked) that have not synced for this many days.
    #[arg(long)]
    stale_days: Option<u32>,
}

/// `langso unrevoke-device`.
#[derive(clap::Args)]
pub struct DeviceArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    device_id: String,
}

/// `langso quarantine`: what a team's revoked devices pushed, one JSON object a line.
#[derive(clap::Args)]
pub struct QuarantineArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    #[arg(long)]
    team: String,
}

/// `langso review-quarantine`: count or discard one kept batch, with a reason.
#[derive(clap::Args)]
pub struct ReviewArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// The batch's id, as `langso quarantine` lists it.
    #[arg(long)]
    batch: i64,
    /// Count its events (through the push path).
    #[arg(long, conflicts_with = "discard", required_unless_present = "discard")]
    count: bool,
    /// Discard it: nothing of it counts.
    #[arg(long)]
    discard: bool,
    /// Why (required).
    #[arg(long)]
    reason: String,
}

fn ms(t: Option<i64>) -> String {
    t.map_or_else(|| "-".into(), langso_server::wire::rfc3339_ms)
}

fn user_line(u: &UserSummary) -> String {
    let name = u.scope_name.as_deref().unwrap_or("(not on the map)");
    format!(
        "{}\t{}\t{} {} {}\t{}\tlast login {}",
        u.username,
        u.role.as_str(),
        u.scope.kind.as_str(),
        u.scope.id,
        name,
        u.state.as_str(),
        ms(u.last_login_ms)
    )
}

fn user_json(u: &UserSummary) -> serde_json::Value {
    serde_json::json!({
        "username": u.username, "role": u.role.as_str(),
        "scope": {"kind": u.scope.kind.as_str(), "id": u.scope.id, "name": u.scope_name},
        "state": u.state.as_str(), "last_login_ms": u.last_login_ms,
        "disabled_ms": u.disabled_ms, "locked_until_ms": u.locked_until_ms,
    })
}

pub fn users(a: UsersArgs) -> Result<()> {
    for u in open(&a.db)?.list_users()? {
        if a.json {
            outln!("{}", user_json(&u));
        } else {
            outln!("{}", user_line(&u));
        }
    }
    Ok(())
}

pub fn disable_user(a: UserArgs) -> Result<()> {
    let u = open(&a.db)?.disable_user(&Actor::operator(), &a.username)?;
    eprintln!(
        "'{}' is disabled: no login, every session ended",
        u.username
    );
    Ok(())
}

pub fn enable_user(a: UserArgs) -> Result<()> {
    let u = open(&a.db)?.enable_user(&Actor::operator(), &a.username)?;
    eprintln!("'{}' is enabled ({})", u.username, u.state.as_str());
    Ok(())
}

pub fn reset_password(a: UserArgs) -> Result<()> {
    let code = open(&a.db)?.reset_password(&Actor::operator(), &a.username)?;
    eprintln!(
        "the password of '{}' is reset and every session ended; they set a new one within \
         7 days with the code below (on the set-password page)",
        langso_store::users::normalise_username(&a.username)
    );
    outln!("{code}");
    Ok(())
}

fn team(s: &str) -> Result<TeamId> {
    TeamId::parse(s).ok_or_else(|| anyhow!("'{s}' is not a team id (like T00042)"))
}

fn device_line(d: &TeamDevice) -> String {
    let state = if d.revoked_ms.is_some() {
        "revoked"
    } else {
        "active"
    };
    format!(
        "{}\t{}\t{}\t{}\tlast sync {}",
        d.device_id,
        d.member_id,
        d.name,
        state,
        ms(d.last_sync_ms)
    )
}

pub fn devices(a: DevicesArgs) -> Result<()> {
    for d in open(&a.db)?.team_devices(&team(&a.team)?, a.stale_days)? {
        outln!("{}", device_line(&d));
    }
    Ok(())
}

pub fn unrevoke_device(a: DeviceArgs) -> Result<()> {
    let id = DeviceId::parse(&a.device_id)
        .ok_or_else(|| anyhow!("'{}' is not a device id (a UUID)", a.device_id))?;
    open(&a.db)?.unrevoke_device(&Actor::operator(), &id)?;
    eprintln!("device {id} un-revoked: it may sync again");
    Ok(())
}

pub fn quarantine(a: QuarantineArgs) -> Result<()> {
    for b in open(&a.db)?.team_quarantine(&team(&a.team)?)? {
        let line = serde_json::json!({
            "id": b.id, "device_id": b.device_id, "batch_id": b.batch_id,
            "received_ms": b.received_ms, "items": b.items, "decision": b.decision,
            "reason": b.reason, "decided_by": b.decided_by,
        });
        outln!("{line}");
    }
    Ok(())
}

pub fn review_quarantine(a: ReviewArgs) -> Result<()> {
    let decision = match (a.count, a.discard) {
        (true, false) => QuarantineDecision::Count,
        (false, true) => QuarantineDecision::Discard,
        _ => bail!("say --count or --discard"),
    };
    let out = open(&a.db)?.decide_quarantine(&Actor::operator(), a.batch, decision, &a.reason)?;
    for r in &out.results {
        let id = r.event_id.map(|e| e.to_string()).unwrap_or_default();
        let status = serde_json::to_value(r.status)?;
        outln!(
            "{id}\t{}\t{}",
            status.as_str().unwrap_or(""),
            r.code.unwrap_or("")
        );
    }
    eprintln!("batch {} {}", a.batch, decision.as_str());
    Ok(())
}
