//! What leaders manage: enrollment codes for a team's volunteers, the team's devices, and
//! revoking a device. Allowed to a team's own leader and to leaders whose scope contains
//! the team (404 `unknown_unit` / `unknown_device`, 403 `out_of_scope` otherwise).

use super::{parse_json, read_body};
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use crate::wire::rfc3339_ms;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::{DeviceId, MemberId, TeamId};
use langso_store::{INVITE_TTL_MS, now_ms};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    /// Bind the device to this existing member of the team (otherwise enrollment creates one).
    #[serde(default)]
    member_id: Option<String>,
}

/// A team id from the path; one that cannot exist answers like an unknown team.
pub(super) fn team_in_path(id: &str) -> Result<TeamId, ApiError> {
    TeamId::parse(id).ok_or_else(|| ApiError::not_found("unknown_unit", format!("no team '{id}'")))
}

/// Checks `who` may manage `team` (blocking).
pub(super) fn require_team(state: &AppState, who: &Leader, team: &TeamId) -> Result<(), ApiError> {
    who.require_within(&state.store, &UnitRef::new(UnitKind::Team, team.as_str()))
}

pub async fn invite(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let team = team_in_path(&path)?;
    let body = read_body(&req, payload, 1024, || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "this request's body may be at most 1024 bytes",
        )
    })
    .await?;
    let b: InviteBody = if body.iter().all(u8::is_ascii_whitespace) {
        InviteBody::default()
    } else {
        parse_json(&body)?
    };
    let member = b
        .member_id
        .map(|m| {
            MemberId::parse(&m).ok_or_else(|| {
                ApiError::bad_request("invalid_member_id", "member_id is like M000123")
            })
        })
        .transpose()?;
    let st = state.clone();
    let (code, expires_ms) = crate::block(move || {
        require_team(&st, &who, &team)?;
        let expires_ms = now_ms() + INVITE_TTL_MS;
        let code = st
            .store
            .create_invite(&who.actor(), &team, member.as_ref())
            .map_err(|e| match e {
                langso_store::StoreError::NotFound(m) => ApiError::not_found("unknown_member", m),
                e => e.into(),
            })?;
        tracing::info!(team = %team, by = %who.username, "enrollment code created");
        Ok::<_, ApiError>((code, expires_ms))
    })
    .await??;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "code": code,
            "team_id": path.into_inner(),
            "expires_at": rfc3339_ms(expires_ms),
        })))
}

/// `?stale_days=N`: only the phones not revoked that have not synced for N days.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesQuery {
    stale_days: Option<u32>,
}

pub async fn devices(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
    q: web::Query<DevicesQuery>,
) -> Result<HttpResponse, ApiError> {
    let team = team_in_path(&path)?;
    let stale_days = q.into_inner().stale_days;
    if stale_days.is_some_and(|d| d > 3660) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "stale_days is a whole number of days from 0 to 3660",
        ));
    }
    let st = state.clone();
    let devices = crate::block(move || {
        require_team(&st, &who, &team)?;
        Ok::<_, ApiError>(st.store.team_devices(&team, stale_days)?)
    })
    .await??;
    let devices: Vec<_> = devices
        .into_iter()
        .map(|d| {
            json!({
                "device_id": d.device_id,
                "member_id": d.member_id,
                "name": d.name,
                "enrolled_at": rfc3339_ms(d.enrolled_ms),
                "revoked_at": d.revoked_ms.map(rfc3339_ms),
                "last_push_at": d.last_push_ms.map(rfc3339_ms),
                "last_sync_at": d.last_sync_ms.map(rfc3339_ms),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({"team_id": path.into_inner(), "devices": devices})))
}

pub async fn revoke(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let unknown = |id: &str| ApiError::not_found("unknown_device", format!("no device '{id}'"));
    let device = DeviceId::parse(&path).ok_or_else(|| unknown(&path))?;
    let st = state.clone();
    let revoked_ms = crate::block(move || {
        let team = st
            .store
            .device_team(&device)?
            .ok_or_else(|| unknown(&device.to_string()))?;
        require_team(&st, &who, &team)?;
        st.store.revoke_device(&who.actor(), &device)?;
        tracing::info!(device = %device, by = %who.username, "device revoked");
        Ok::<_, ApiError>(st.store.device_revoked_ms(&device)?.unwrap_or_else(now_ms))
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({
        "device_id": device,
        "revoked_at": rfc3339_ms(revoked_ms),
    })))
}
