pub(crate) mod accounts;
mod admin;
mod devices;
mod health;
mod push_items;
mod reports;
mod sync;
mod tallies;

use crate::error::ApiError;
use actix_web::{HttpResponse, web};
use admin::revoke;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/v1/devices/enroll", web::post().to(devices::enroll))
        .route("/v1/devices/token", web::post().to(devices::token))
        .route("/v1/sync/push", web::post().to(sync::push))
        .route("/v1/sync/pull", web::get().to(sync::pull))
        .route("/v1/tallies", web::get().to(tallies::tallies))
        // Leader accounts and what leaders manage.
        .route("/v1/auth/set-password", web::post().to(accounts::password))
        .route("/v1/auth/login", web::post().to(accounts::login))
        .route("/v1/auth/token", web::post().to(accounts::token))
        .route("/v1/auth/session", web::post().to(accounts::session))
        .route("/v1/auth/logout", web::post().to(accounts::logout))
        .route("/v1/me", web::get().to(accounts::me))
        .route("/v1/teams/{team_id}/invites", web::post().to(admin::invite))
        .route("/v1/teams/{team_id}/devices", web::get().to(admin::devices))
        .route("/v1/devices/{device_id}/revoke", web::post().to(revoke))
        // Leaders' reports (issue 3).
        .route("/v1/reports/summary", web::get().to(reports::summary))
        .route(
            "/v1/reports/leaderboard",
            web::get().to(reports::leaderboard),
        )
        .route("/v1/reports/coverage", web::get().to(reports::coverage))
        .route("/v1/targets", web::post().to(reports::set_target))
        .default_service(web::to(not_found));
}

async fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::not_found("not_found", "no such endpoint"))
}

/// Query-string errors answer in the API's error shape.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        ApiError::bad_request("invalid_query", format!("invalid query string: {err}")).into()
    })
}

/// Small JSON bodies (enrollment, token refresh) are refused above this size.
pub const MAX_SMALL_BODY: usize = 16 * 1024;

/// Reads a request body of at most `limit` bytes; `too_large` is the answer beyond it.
pub async fn read_body(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    limit: usize,
    too_large: impl Fn() -> ApiError,
) -> Result<web::Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| too_large())?
        .map_err(|_| ApiError::bad_request("invalid_body", "the request body could not be read"))
}

/// Reads and parses a small JSON body.
pub async fn small_json<T: serde::de::DeserializeOwned>(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<T, ApiError> {
    let body = read_body(req, payload, MAX_SMALL_BODY, || {
        ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("this request's body may be at most {MAX_SMALL_BODY} bytes"),
        )
    })
    .await?;
    parse_json(&body)
}

/// Parses a small JSON body strictly (unknown fields are an error), answering in the
/// API's error shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        // The parser quotes the input it choked on: cut, never echoed whole.
        let why = langso_domain::text::cut_quoted(&e.to_string(), 200);
        ApiError::bad_request("invalid_json", format!("invalid JSON body: {why}"))
    })
}
