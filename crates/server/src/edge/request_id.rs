//! The request id: every answer carries one in `X-Request-Id`, and every log line written
//! while the request is handled carries it too (the `request{id=…}` tracing span), so an
//! operator can find a phone's or a proxy's complaint in the log.
//!
//! An incoming `X-Request-Id` (a reverse proxy's, e.g. nginx's `$request_id`) is kept when
//! it is sane: 1 to [`MAX_ID_CHARS`] characters of `A–Z a–z 0–9 . _ -`. Anything else
//! (empty, too long, spaces, quotes, non-ASCII) is replaced by a fresh random id (32 hex
//! digits), so a client cannot forge log lines or smuggle text into them.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

/// The header, in and out.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest incoming id kept.
pub const MAX_ID_CHARS: usize = 64;

/// The request's id: its own `X-Request-Id` when sane, else a new one.
pub fn of(req: &ServiceRequest) -> String {
    let given = req.headers().get(HEADER).and_then(|v| v.to_str().ok());
    match given {
        Some(id) if is_sane(id) => id.to_owned(),
        _ => uuid::Uuid::new_v4().simple().to_string(),
    }
}

fn is_sane(id: &str) -> bool {
    (1..=MAX_ID_CHARS).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Puts the id on an answer (replacing any a handler set).
pub fn stamp(headers: &mut HeaderMap, id: &str) {
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(HEADER, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sane_ids_are_kept_and_others_are_not() {
        assert!(is_sane("a1b2-c3.d4_e5"));
        assert!(is_sane(&"x".repeat(MAX_ID_CHARS)));
        for bad in ["", "with space", "quote\"", "line\nbreak", "phở"] {
            assert!(!is_sane(bad), "{bad:?}");
        }
        assert!(!is_sane(&"x".repeat(MAX_ID_CHARS + 1)));
    }
}
