//! Who may read `GET /metrics`. The numbers are not personal, but they tell an outsider how
//! busy the province is and when, so they are not public:
//!
//! - a request straight from the machine itself (TCP peer on loopback, and no
//!   `Forwarded`, `X-Forwarded-For` or `X-Real-IP` header: a reverse proxy on the same
//!   machine forwards the internet's requests from loopback too, and such a request is
//!   not the operator's), or
//! - a request with `Authorization: Bearer <token>` where the token is the server's
//!   `--metrics-token` (`LANGSO_METRICS_TOKEN`), for a Prometheus on another machine;
//!   compared in constant time.
//!
//! Anyone else is answered 403 `metrics_forbidden`.

use crate::error::ApiError;
use actix_web::HttpRequest;
use actix_web::http::header;

/// The `--metrics-token`, if any (see the module doc).
#[derive(Clone, Debug, Default)]
pub struct MetricsAccess {
    token: Option<String>,
}

impl MetricsAccess {
    /// Loopback only without a token; a token of at least 16 characters is also accepted.
    pub fn new(token: Option<String>) -> Result<Self, String> {
        match token {
            Some(t) if t.trim().len() < 16 => {
                Err("the metrics token must be at least 16 characters".into())
            }
            token => Ok(Self {
                token: token.map(|t| t.trim().to_owned()),
            }),
        }
    }

    /// Ok when `req` may read the metrics.
    pub fn check(&self, req: &HttpRequest) -> Result<(), ApiError> {
        if self.has_token(req) || direct_from_loopback(req) {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "metrics_forbidden",
            "the metrics are read from the server's own machine, or with the server's metrics token (Authorization: Bearer)",
        ))
    }

    fn has_token(&self, req: &HttpRequest) -> bool {
        let (Some(want), Some(given)) = (&self.token, bearer(req)) else {
            return false;
        };
        let (a, b) = (want.as_bytes(), given.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(str::trim)
}

fn direct_from_loopback(req: &HttpRequest) -> bool {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| req.headers().contains_key(*h));
    let peer = req.peer_addr().map(|a| a.ip().to_canonical());
    !forwarded && peer.is_some_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn from(peer: &str) -> TestRequest {
        TestRequest::default().peer_addr(peer.parse().unwrap())
    }

    #[test]
    fn loopback_alone_reads_without_a_token_and_a_forwarded_request_does_not() {
        let open = MetricsAccess::new(None).unwrap();
        assert!(
            open.check(&from("127.0.0.1:5000").to_http_request())
                .is_ok()
        );
        assert!(open.check(&from("[::1]:5000").to_http_request()).is_ok());
        assert!(
            open.check(&from("10.0.0.5:5000").to_http_request())
                .is_err()
        );
        let proxied = from("127.0.0.1:5000").insert_header(("X-Forwarded-For", "203.0.113.9"));
        assert!(open.check(&proxied.to_http_request()).is_err());
    }

    #[test]
    fn the_token_opens_it_from_anywhere_and_a_wrong_one_does_not() {
        let t = MetricsAccess::new(Some("s3cret-s3cret-s3cret".into())).unwrap();
        let ok =
            from("10.0.0.5:5000").insert_header(("Authorization", "Bearer s3cret-s3cret-s3cret"));
        assert!(t.check(&ok.to_http_request()).is_ok());
        let bad =
            from("10.0.0.5:5000").insert_header(("Authorization", "Bearer s3cret-s3cret-s3creX"));
        assert!(t.check(&bad.to_http_request()).is_err());
        assert!(MetricsAccess::new(Some("short".into())).is_err());
    }
}
