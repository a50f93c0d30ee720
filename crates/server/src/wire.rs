//! Wire types the server shares with the `langso` CLI, so one JSON shape has one definition
//! (api-spec/openapi.yaml documents it; the black-box tests check every answer against it).
//!
//! Fields are declared in alphabetical order: the handlers' `json!` objects serialise their
//! keys sorted, and these types keep the same bytes.

use chrono::{DateTime, Utc};
use langso_domain::{DeviceId, MemberId, TeamId};
use langso_store::{MemberDevice, MemberInfo};
use serde::Serialize;

/// RFC 3339 in UTC to the second (`2026-11-28T12:30:01Z`), from milliseconds since the epoch.
pub fn rfc3339_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A device a member holds (schema `MemberDevice`).
#[derive(Clone, Debug, Serialize)]
pub struct MemberDeviceWire {
    pub device_id: DeviceId,
    pub enrolled_at: String,
    /// When the server received the device's latest (highest-seq) stored event.
    pub last_push_at: Option<String>,
    /// The name the phone gave at enrollment.
    pub name: String,
    pub revoked_at: Option<String>,
}

impl From<&MemberDevice> for MemberDeviceWire {
    fn from(d: &MemberDevice) -> Self {
        Self {
            device_id: d.device_id,
            enrolled_at: rfc3339_ms(d.enrolled_ms),
            last_push_at: d.last_push_ms.map(rfc3339_ms),
            name: d.name.clone(),
            revoked_at: d.revoked_ms.map(rfc3339_ms),
        }
    }
}

/// A member of a team with the devices it holds: an item of `GET /v1/teams/{team_id}/members`
/// (schema `TeamMember`) and of `langso members --json`, which adds `team_id` because it
/// lists several teams' members.
#[derive(Clone, Debug, Serialize)]
pub struct TeamMemberWire {
    /// On the team's current roster; false once a roster left the member out.
    pub active: bool,
    /// The roster's `member_code`, or the member id for a member no roster named.
    pub code: String,
    /// Oldest enrollment first, revoked ones included.
    pub devices: Vec<MemberDeviceWire>,
    /// The latest `last_push_at` of its devices.
    pub last_push_at: Option<String>,
    pub member_id: MemberId,
    pub name: String,
    pub role: String,
    /// The member's team: only in the CLI's list (the API's envelope names the team).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<TeamId>,
    /// A placeholder made by an enrollment code bound to no member.
    pub unassigned: bool,
}

impl TeamMemberWire {
    /// The member as the API lists it, without `team_id`.
    pub fn new(m: &MemberInfo) -> Self {
        Self {
            active: m.active,
            code: m.code.clone(),
            devices: m.devices.iter().map(MemberDeviceWire::from).collect(),
            last_push_at: m.last_push_ms.map(rfc3339_ms),
            member_id: m.member_id.clone(),
            name: m.name.clone(),
            role: m.role.clone(),
            team_id: None,
            unassigned: m.unassigned,
        }
    }

    /// The member as `langso members --json` lists it: with its `team_id`.
    pub fn with_team(m: &MemberInfo) -> Self {
        Self {
            team_id: Some(m.team_id.clone()),
            ..Self::new(m)
        }
    }
}

/// The answer of `GET /v1/teams/{team_id}/members` (schema `TeamMembers`).
#[derive(Clone, Debug, Serialize)]
pub struct TeamMembersWire {
    pub members: Vec<TeamMemberWire>,
    /// The team as the path named it.
    pub team_id: String,
}
