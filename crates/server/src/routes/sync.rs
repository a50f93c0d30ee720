//! Push and pull: the phone's two sync calls.

use super::push_items::{self, PushBody};
use super::read_body;
use crate::auth::Device;
use crate::error::ApiError;
use crate::{AppState, MAX_BATCH_BYTES, MAX_BATCH_EVENTS};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{SecondsFormat, Utc};
use langso_domain::event::{MAX_SAFE_INTEGER, PushClock};
use langso_domain::text::cut_quoted;
use langso_domain::time::{month_start, parse_rfc3339, vn_day};
use langso_domain::{BatchId, EventId};
use langso_store::{EventResult, PushRequest};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One item's answer. `index` is its 0-based place in the batch; `event_id` is absent only
/// for a malformed item whose id could not be read; `seq` is given for malformed items only.
#[derive(Serialize)]
struct WireResult {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<EventId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<i64>,
    status: langso_store::EventStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    clock_corrected: bool,
}

impl WireResult {
    fn new(index: usize, r: EventResult) -> Self {
        Self {
            index,
            event_id: r.event_id,
            seq: r.seq,
            status: r.status,
            code: r.code,
            message: r.message,
            clock_corrected: r.clock_corrected,
        }
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "batch_too_large",
        format!(
            "a push batch may hold at most {MAX_BATCH_EVENTS} events and {MAX_BATCH_BYTES} bytes (1 MiB); split it"
        ),
    )
}

/// `POST /v1/sync/push` (see [`stored_push`]), counted in the metrics.
pub async fn push(
    state: web::Data<AppState>,
    device: Device,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let answer = stored_push(state.clone(), device, req, payload).await;
    if let Err(e) = &answer {
        state.metrics.push_answered(Err(e));
    }
    answer
}

async fn stored_push(
    state: web::Data<AppState>,
    device: Device,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let received_at = Utc::now();
    let body = read_body(&req, payload, MAX_BATCH_BYTES, too_large).await?;
    let batch: PushBody<'_> = super::json_object(&body).map_err(|why| {
        let why = cut_quoted(&why, 200);
        ApiError::bad_request(
            "invalid_json",
            format!(
                "the body must be an object with batch_id, device_clock and an events array: {why}"
            ),
        )
    })?;
    if batch.events.len() > MAX_BATCH_EVENTS {
        return Err(too_large());
    }
    if batch
        .acked_through_seq
        .is_some_and(|a| !(0..=MAX_SAFE_INTEGER).contains(&a))
    {
        return Err(ApiError::bad_request(
            "invalid_json",
            "acked_through_seq must be an integer from 0 to 2^53 - 1",
        ));
    }
    let device_clock = parse_rfc3339(&batch.device_clock).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_device_clock",
            "device_clock must be RFC 3339 with an offset, e.g. 2026-11-28T19:30:00+07:00",
        )
    })?;
    let items = push_items::read(&batch.events);
    let outcome = state
        .store
        .push(PushRequest {
            device: device.id,
            token_iat_ms: device.iat_ms,
            batch_id: BatchId(batch.batch_id),
            clock: PushClock::new(received_at, device_clock),
            events: items.events,
            malformed: items.malformed,
        })
        .await?;
    state.metrics.push_answered(Ok(&outcome.results));
    let reset = batch.reset(state.store.generation(), outcome.acked_before);
    let results: Vec<WireResult> = (outcome.results.into_iter().enumerate())
        .map(|(i, r)| WireResult::new(i, r))
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "batch_id": batch.batch_id,
        "results": results,
        "acked_through_seq": outcome.acked_through_seq,
        "reset": reset,
        "server_time": outcome.server_time.to_rfc3339_opts(SecondsFormat::Millis, true),
        "generation": state.store.generation(),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    cursor: Option<String>,
    limit: Option<usize>,
}

pub async fn pull(
    state: web::Data<AppState>,
    device: Device,
    q: web::Query<PullQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(langso_store::DEFAULT_PULL_LIMIT);
    if !(1..=langso_store::MAX_PULL_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be from 1 to {}", langso_store::MAX_PULL_LIMIT),
        ));
    }
    let store = state.store.clone();
    let (page, day, totals) = crate::block(move || {
        let page = store.pull(&device.id, device.iat_ms, q.cursor.as_deref(), limit)?;
        let state = store.device_state(&device.id, device.iat_ms)?;
        let day = vn_day(Utc::now());
        let totals = store.team_totals(state.team_id, day)?;
        Ok::<_, langso_store::StoreError>((page, day, totals))
    })
    .await??;
    state.metrics.pull_served();
    Ok(HttpResponse::Ok().json(json!({
        "changes": page.changes,
        "next_cursor": page.next_cursor,
        "has_more": page.has_more,
        "reset": page.reset,
        "acked_through_seq": page.acked_through_seq,
        "team_totals": {
            "today": {"from": day, "to": day, "totals": totals.today},
            "month": {"from": month_start(day), "to": day, "totals": totals.month},
        },
        "server_time": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "generation": state.store.generation(),
    })))
}
