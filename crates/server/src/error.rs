//! API errors: a stable snake_case `code` and a human `message`; the status comes from the
//! variant. A 5xx never shows its cause to the client; the log has it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use langso_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header (503s default to 1).
    pub retry_after: Option<u64>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage_unavailable",
            "storage is unavailable; nothing was stored; retry later",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after {
            res.insert_header(("Retry-After", secs.to_string()));
        } else if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header(("Retry-After", "1"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header(("WWW-Authenticate", "Bearer"));
        }
        res.json(Body {
            code: self.code,
            message: &self.message,
        })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DeviceRevoked => Self::forbidden("device_revoked", e.to_string()),
            StoreError::TokensRevoked => Self::unauthorized("token_revoked", e.to_string()),
            StoreError::UnknownDevice => Self::unauthorized("token_expired", e.to_string()),
            StoreError::InvalidCode => Self::unauthorized("invalid_code", e.to_string()),
            StoreError::InvalidRefreshToken => {
                Self::unauthorized("invalid_refresh_token", e.to_string())
            }
            StoreError::RefreshTokenReused => {
                Self::unauthorized("refresh_token_reused", e.to_string())
            }
            StoreError::InvalidPasswordCode => Self::unauthorized("invalid_code", e.to_string()),
            StoreError::SessionEnded => Self::unauthorized("token_revoked", e.to_string()),
            StoreError::SessionRefreshReused => {
                Self::unauthorized("refresh_token_reused", e.to_string())
            }
            StoreError::NotFound(m) => Self::not_found("not_found", m),
            StoreError::Invalid(m) => Self::bad_request("invalid_request", m),
            StoreError::InvalidCursor => Self::bad_request("invalid_cursor", e.to_string()),
            e => {
                tracing::error!(error = %e, "storage failure");
                Self::unavailable()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        Self::unavailable()
    }
}
