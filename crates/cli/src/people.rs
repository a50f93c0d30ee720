//! People, not phones (issue 8): `langso members`, `langso move-device`,
//! `langso merge-member`.

use crate::commands::open;
use anyhow::{Result, anyhow};
use langso_domain::audit::Actor;
use langso_domain::{DeviceId, MemberId, TeamId};
use langso_server::wire::{TeamMemberWire, rfc3339_ms as time};
use langso_store::{MemberInfo, PastEvents, Store};
use std::path::Path;

/// The member a roster code (`member_code`) or a member id (M000042) names.
pub(crate) fn member_id(store: &Store, m: &str) -> Result<MemberId> {
    store
        .find_member(m)?
        .ok_or_else(|| anyhow!("no member with code or id '{m}' (`langso members` lists them)"))
}

/// One line per member, then one indented line per device it holds.
fn print_member(m: &MemberInfo) {
    let last = m.last_push_ms.map_or("never".to_owned(), time);
    let mark = match (m.unassigned, m.active) {
        (true, _) => "  [unassigned]",
        (false, false) => "  [inactive]",
        _ => "",
    };
    outln!(
        "{}  {}  code {}  {:<7} {}{mark}  devices: {}  last push: {last}",
        m.team_id,
        m.member_id,
        langso_domain::text::without_controls(&m.code),
        m.role,
        langso_domain::text::without_controls(&m.name),
        m.devices.len()
    );
    for d in &m.devices {
        let state = d
            .revoked_ms
            .map_or(String::new(), |r| format!("  revoked {}", time(r)));
        outln!(
            "    device {}  \"{}\"  enrolled {}{state}  last push: {}",
            d.device_id,
            langso_domain::text::without_controls(&d.name),
            time(d.enrolled_ms),
            d.last_push_ms.map_or("never".to_owned(), time)
        );
    }
}

/// `langso members`: a team's members (every team's without `--team`) with their devices.
pub fn members(db: &Path, team: Option<&str>, as_json: bool) -> Result<()> {
    let team = team
        .map(|t| TeamId::parse(t).ok_or_else(|| anyhow!("'{t}' is not a team id (like T00042)")))
        .transpose()?;
    let members = open(db)?
        .members(team.as_ref())?
        .ok_or_else(|| anyhow!("no team '{}'", team.as_ref().map_or("", TeamId::as_str)))?;
    if as_json {
        // The API's shape (`GET /v1/teams/{team_id}/members`), plus each member's team.
        let all: Vec<TeamMemberWire> = members.iter().map(TeamMemberWire::with_team).collect();
        outln!("{}", serde_json::to_string_pretty(&all)?);
    } else {
        members.iter().for_each(print_member);
    }
    Ok(())
}

/// `langso move-device`: the device belongs to another member of its team from now on.
pub fn move_device(db: &Path, device: &str, member: &str, follow: bool) -> Result<()> {
    let device =
        DeviceId::parse(device).ok_or_else(|| anyhow!("'{device}' is not a device id (a UUID)"))?;
    let past = if follow {
        PastEvents::Follow
    } else {
        PastEvents::Stay
    };
    let store = open(db)?;
    let moved = store.move_device(
        &Actor::operator(),
        &device,
        &member_id(&store, member)?,
        past,
    )?;
    if moved.devices == 0 {
        eprintln!("device {device} already belongs to {}", moved.member_id);
    } else if follow {
        eprintln!(
            "device {device} moved to {} with its {} event(s) since its last move",
            moved.member_id, moved.events
        );
    } else {
        eprintln!(
            "device {device} moved to {}; its past events stay with who recorded them",
            moved.member_id
        );
    }
    Ok(())
}

/// `langso merge-member`: an unassigned member's devices and history become another
/// member's of the same team.
pub fn merge_member(db: &Path, member: &str, into: &str) -> Result<()> {
    let store = open(db)?;
    let (member, into) = (member_id(&store, member)?, member_id(&store, into)?);
    let team = store
        .member_team(&member)?
        .ok_or_else(|| anyhow!("no member '{member}'"))?;
    let moved = store.merge_member(&Actor::operator(), &team, &member, &into)?;
    eprintln!(
        "{member} merged into {}: {} device(s) and {} event(s) are theirs now",
        moved.member_id, moved.devices, moved.events
    );
    Ok(())
}
