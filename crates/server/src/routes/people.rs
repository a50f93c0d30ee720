//! People, not phones (issue 8): a team's members with their devices, moving a device to
//! another member of its team, and merging an unassigned member into a roster member.
//! Allowed, like invites, to a team's own leader and to leaders whose scope contains the
//! team (404 `unknown_unit` / `unknown_device` / `unknown_member`, 403 `out_of_scope`).

use super::admin::{require_team, team_in_path};
use super::small_json;
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use crate::wire::{TeamMemberWire, TeamMembersWire};
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::{DeviceId, MemberId};
use langso_store::{PastEvents, StoreError};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    /// The member of the device's team that holds the device from now on.
    member_id: String,
    #[serde(default)]
    past_events: PastEventsWire,
}

/// `stay` (default): events stored before stay with who recorded them; `follow`: the
/// binding was wrong, they go to the new member too. Anything else (null too) is
/// `400 invalid_json`.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum PastEventsWire {
    #[default]
    Stay,
    Follow,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    /// The member that takes the unassigned member's devices and history.
    into: String,
}

fn member_id(m: &str) -> Result<MemberId, ApiError> {
    MemberId::parse(m)
        .ok_or_else(|| ApiError::bad_request("invalid_member_id", "a member id is like M000123"))
}

/// A store refusal, with `NotFound` meaning an unknown member.
fn member_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(m) => ApiError::not_found("unknown_member", m),
        e => e.into(),
    }
}

/// `GET /v1/teams/{team_id}/members`.
pub async fn members(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let team = team_in_path(&path)?;
    let st = state.clone();
    let members = crate::block(move || {
        require_team(&st, &who, &team)?;
        st.store
            .members(Some(&team))?
            .ok_or_else(|| ApiError::not_found("unknown_unit", format!("no team '{team}'")))
    })
    .await??;
    Ok(HttpResponse::Ok().json(TeamMembersWire {
        members: members.iter().map(TeamMemberWire::new).collect(),
        team_id: path.into_inner(),
    }))
}

/// `POST /v1/devices/{device_id}/member`.
pub async fn move_device(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let unknown = |id: &str| ApiError::not_found("unknown_device", format!("no device '{id}'"));
    let device = DeviceId::parse(&path).ok_or_else(|| unknown(&path))?;
    let b: MoveBody = small_json(&req, payload).await?;
    let member = member_id(&b.member_id)?;
    let past = match b.past_events {
        PastEventsWire::Stay => PastEvents::Stay,
        PastEventsWire::Follow => PastEvents::Follow,
    };
    let st = state.clone();
    let moved = crate::block(move || {
        let team = st
            .store
            .device_team(&device)?
            .ok_or_else(|| unknown(&device.to_string()))?;
        require_team(&st, &who, &team)?;
        let moved = st
            .store
            .move_device(&who.actor(), &device, &member, past)
            .map_err(member_error)?;
        tracing::info!(device = %device, member = %member, by = %who.username, "device moved");
        Ok::<_, ApiError>(moved)
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({
        "device_id": device,
        "member_id": moved.member_id,
        "past_events": if past == PastEvents::Follow { "follow" } else { "stay" },
        "events_moved": moved.events,
    })))
}

/// `POST /v1/teams/{team_id}/members/{member_id}/merge`.
pub async fn merge(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (team_text, member_text) = path.into_inner();
    let team = team_in_path(&team_text)?;
    let member = MemberId::parse(&member_text).ok_or_else(|| {
        ApiError::not_found("unknown_member", format!("no member '{member_text}'"))
    })?;
    let b: MergeBody = small_json(&req, payload).await?;
    let into = member_id(&b.into)?;
    let st = state.clone();
    let merged = member.clone();
    let moved = crate::block(move || {
        require_team(&st, &who, &team)?;
        let moved = st
            .store
            .merge_member(&who.actor(), &team, &merged, &into)
            .map_err(member_error)?;
        tracing::info!(team = %team, member = %merged, into = %into, by = %who.username, "member merged");
        Ok::<_, ApiError>(moved)
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({
        "team_id": team_text,
        "member_id": member,
        "merged_into": moved.member_id,
        "devices_moved": moved.devices,
        "events_moved": moved.events,
    })))
}
