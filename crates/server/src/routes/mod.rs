mod devices;
mod health;
mod sync;
mod tallies;

use crate::error::ApiError;
use actix_web::{HttpResponse, web};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/v1/devices/enroll", web::post().to(devices::enroll))
        .route("/v1/devices/token", web::post().to(devices::token))
        .route("/v1/sync/push", web::post().to(sync::push))
        .route("/v1/sync/pull", web::get().to(sync::pull))
        .route("/v1/tallies", web::get().to(tallies::tallies))
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

/// Parses a small JSON body strictly (unknown fields are an error), answering in the
/// API's error shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("invalid JSON body: {e}")))
}
