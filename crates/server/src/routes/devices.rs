//! Enrollment and token refresh.

use super::small_json;
use crate::AppState;
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use langso_store::Enrolled;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrollBody {
    code: String,
    device_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    refresh_token: String,
}

fn rfc3339_secs(secs: i64) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn token_pair(state: &AppState, e: Enrolled) -> Result<HttpResponse, ApiError> {
    let (access, exp) = state.keys.sign(&e.device_id, e.access_iat)?;
    Ok(HttpResponse::Ok().json(json!({
        "device_id": e.device_id,
        "member_id": e.member_id,
        "member_name": e.member_name,
        "member_unassigned": e.member_unassigned,
        "team_id": e.team_id,
        "access_token": access,
        "refresh_token": e.refresh_token,
        "access_expires_at": rfc3339_secs(exp),
        "refresh_expires_at": rfc3339_secs(e.refresh_expires_ms / 1000),
        "server_time": Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    })))
}

pub async fn enroll(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: EnrollBody = small_json(&req, payload).await?;
    let name = langso_domain::text::device_name(&b.device_name).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_device_name",
            "device_name must be 1 to 100 characters, none of them a control character",
        )
    })?;
    let enrolled = state.store.enroll(&b.code, name).await?;
    tracing::info!(device = %enrolled.device_id, team = %enrolled.team_id, "device enrolled");
    token_pair(&state, enrolled)
}

pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: TokenBody = small_json(&req, payload).await?;
    let refreshed = state.store.refresh(&b.refresh_token).await?;
    token_pair(&state, refreshed)
}
