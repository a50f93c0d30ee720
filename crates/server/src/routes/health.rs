use crate::AppState;
use crate::error::ApiError;
use actix_web::{HttpResponse, web};
use serde_json::json;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database takes a write lock, so pushes can be committed.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.check_writable().await.map_err(|e| {
        tracing::debug!(error = %e, "not ready");
        ApiError::unavailable()
    })?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "generation": state.store.generation()})))
}
