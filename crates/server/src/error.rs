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

/// Longest `message` an error carries, in characters: a message may quote what the client
/// sent (an unknown query parameter, a serde error), and what a client sent is unbounded.
pub const MAX_MESSAGE_CHARS: usize = 300;

/// `message` at most [`MAX_MESSAGE_CHARS`] characters, ending with `…` where it was cut
/// (the `…` counted).
fn bounded(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message;
    }
    langso_domain::text::cut(&message, MAX_MESSAGE_CHARS - 1).into_owned()
}

impl ApiError {
    /// An error answer; `message` is cut to [`MAX_MESSAGE_CHARS`] characters.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: bounded(message.into()),
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
    /// 500 `internal_error`: a bug (a handler panicked), never a storage outage. Unlike a
    /// 503 it does not say "nothing was stored; retry later", because that is not known.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to handle this request (a bug, logged); retrying the same \
             request may fail the same way",
        )
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
            StoreError::AccountDisabled => Self::forbidden("account_disabled", e.to_string()),
            StoreError::SessionEnded => Self::unauthorized("token_revoked", e.to_string()),
            StoreError::SessionRefreshReused => {
                Self::unauthorized("refresh_token_reused", e.to_string())
            }
            StoreError::NotFound(m) => Self::not_found("not_found", m),
            StoreError::Invalid(m) => Self::bad_request("invalid_request", m),
            StoreError::InvalidCursor => Self::bad_request("invalid_cursor", e.to_string()),
            StoreError::Conflict(code, m) => {
                Self::new(actix_web::http::StatusCode::CONFLICT, code, m)
            }
            e => {
                tracing::error!(error = %e, "storage failure");
                Self::unavailable()
            }
        }
    }
}

/// A blocking task that did not finish panicked (or the pool is shutting down): a bug, not a
/// storage outage, so 500 rather than a 503 a phone would retry forever.
impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        tracing::error!("a blocking task of a handler failed (panicked)");
        Self::internal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_cut_on_a_character_boundary() {
        let long = "ế".repeat(10_000);
        let e = ApiError::bad_request("x", long);
        assert_eq!(e.message.chars().count(), MAX_MESSAGE_CHARS);
        assert!(e.message.ends_with('…'));
        assert_eq!(ApiError::bad_request("x", "short").message, "short");
        let exact = "a".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(ApiError::bad_request("x", exact.clone()).message, exact);
    }
}
