//! A team's phones as its leader runs them (issue 9): un-revoking a device and reviewing
//! what a revoked device pushed (count it or discard it, with a reason). Allowed to the
//! team's own leader and to leaders whose scope contains the team, as the other device
//! endpoints (crate::routes::admin).

use super::admin::require_team;
use super::small_json;
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use crate::wire::rfc3339_ms;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::DeviceId;
use langso_store::{EventResult, QuarantineDecision, QuarantinedBatch, ReviewOutcome, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    reason: String,
}

fn unknown_device(id: &str) -> ApiError {
    let id = langso_domain::text::quote(id);
    ApiError::not_found("unknown_device", format!("no device '{id}'"))
}

pub async fn unrevoke(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let device = DeviceId::parse(&path).ok_or_else(|| unknown_device(&path))?;
    let actor = who.actor();
    let st = state.clone();
    let revoked_ms = crate::block(move || {
        let team = st
            .store
            .device_team(&device)?
            .ok_or_else(|| unknown_device(&device.to_string()))?;
        require_team(&st, &who, &team)?;
        let revoked = st.store.unrevoke_device(&actor, &device)?;
        tracing::info!(device = %device, by = %who.username, "device un-revoked");
        Ok::<_, ApiError>(revoked)
    })
    .await??;
    Ok(HttpResponse::Ok().json(json!({
        "device_id": device,
        "revoked_at": null,
        "was_revoked_at": rfc3339_ms(revoked_ms),
    })))
}

fn unknown_batch(id: &str) -> ApiError {
    let id = langso_domain::text::quote(id);
    ApiError::not_found("unknown_batch", format!("no quarantined batch '{id}'"))
}

fn batch_json(b: &QuarantinedBatch) -> Value {
    json!({
        "id": b.id,
        "device_id": b.device_id,
        "batch_id": b.batch_id,
        "received_at": rfc3339_ms(b.received_ms),
        "items": b.items,
        "decision": b.decision,
        "decided_at": b.decided_ms.map(rfc3339_ms),
        "decided_by": b.decided_by,
        "reason": b.reason,
    })
}

fn result_json(r: &EventResult) -> Value {
    json!({
        "event_id": r.event_id,
        "status": r.status,
        "code": r.code,
        "message": r.message,
    })
}

pub async fn quarantine(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let team = super::admin::team_in_path(&path)?;
    let st = state.clone();
    let batches = crate::block(move || {
        require_team(&st, &who, &team)?;
        Ok::<_, ApiError>(st.store.team_quarantine(&team)?)
    })
    .await??;
    let batches: Vec<Value> = batches.iter().map(batch_json).collect();
    Ok(HttpResponse::Ok().json(json!({"team_id": path.into_inner(), "batches": batches})))
}

/// `POST /v1/quarantine/{batch}/count` and `/discard`: decides the batch once, with a
/// reason (`{reason}`); any other last segment is 404 `not_found`.
/// `POST /v1/quarantine/{batch}/count`.
pub async fn count(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Leader,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    decide(
        state,
        req,
        who,
        path.into_inner(),
        QuarantineDecision::Count,
        payload,
    )
    .await
}

/// `POST /v1/quarantine/{batch}/discard`.
pub async fn discard(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Leader,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    decide(
        state,
        req,
        who,
        path.into_inner(),
        QuarantineDecision::Discard,
        payload,
    )
    .await
}

async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Leader,
    id: String,
    decision: QuarantineDecision,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let n: i64 = id.parse().map_err(|_| unknown_batch(&id))?;
    let b: DecisionBody = small_json(&req, payload).await?;
    let actor = who.actor();
    let st = state.clone();
    let out: ReviewOutcome = crate::block(move || {
        let team = st
            .store
            .quarantine_team(n)?
            .ok_or_else(|| unknown_batch(&n.to_string()))?;
        require_team(&st, &who, &team)?;
        st.store
            .decide_quarantine(&actor, n, decision, &b.reason)
            .map_err(|e| match e {
                StoreError::Invalid(m) => ApiError::bad_request("invalid_reason", m),
                e => e.into(),
            })
    })
    .await??;
    let results: Vec<Value> = out.results.iter().map(result_json).collect();
    Ok(HttpResponse::Ok().json(json!({"batch": batch_json(&out.batch), "results": results})))
}
