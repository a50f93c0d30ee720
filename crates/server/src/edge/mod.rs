//! What every request passes through, around its handler, so that no route can forget it:
//!
//! - a request head over [`MAX_HEAD_BYTES`] is answered 431 before any handler runs;
//! - the body is read through [`SlowBody`]: one that trickles in is cut and the answer is
//!   408 `request_timeout`, whatever the handler made of the cut body, and the connection
//!   is closed;
//! - a panic in a handler answers 500 `internal_error` (logged), never a dropped connection
//!   nor a 503 that tells a phone to retry;
//! - every error leaves in the house shape: `{code, message}` JSON on the API, a
//!   Vietnamese (or English) HTML page on the dashboard's pages, whoever made it (actix's
//!   own extractors answer plain text);
//! - every answer without its own `Cache-Control` gets `no-store` (tokens, cookies,
//!   personal data: nothing is for caches);
//! - one log line per request: method, path, status, latency (never a query string);
//! - every answer has an `X-Request-Id`, and every log line of the request carries it
//!   ([`request_id`]).

mod body;
pub mod request_id;
mod unwind;

pub use body::BodyRate;

use crate::dashboard::{self, Lang};
use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, Service, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{ConnectionType, StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use body::SlowBody;
use futures_core::Stream;
use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Instant;
use tracing::Instrument;
use unwind::{CatchUnwind, panic_text};

/// The largest request head (request line and headers) a handler sees; larger ones are
/// answered 431 in the house shape. actix-http itself closes a connection whose head
/// passes 128 KiB or 96 headers with an empty-bodied 431 that no application can shape.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Runs one request through the edge rules (see the module doc), then `srv`.
pub fn handle<S, B>(
    mut req: ServiceRequest,
    srv: &S,
    rate: BodyRate,
) -> impl Future<Output = Result<ServiceResponse<BoxBody>, Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    S::Future: 'static,
    B: MessageBody + 'static,
{
    let started = Instant::now();
    let (method, path) = (req.method().clone(), req.path().to_owned());
    // Decided now: routing needs the request unshared, so no copy of it is kept.
    let shape = Shape::of(req.request());
    let cut = Rc::new(Cell::new(false));
    let id = request_id::of(&req);
    let span = tracing::info_span!("request", id = %id);
    let call = if head_bytes(&req) > MAX_HEAD_BYTES {
        Err(req)
    } else {
        let payload = SlowBody::new(req.take_payload(), rate, cut.clone());
        let boxed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(payload);
        req.set_payload(Payload::from(boxed));
        Ok(span.in_scope(|| CatchUnwind::new(srv.call(req))))
    };
    async move {
        let outcome = match call {
            Err(req) => Ok(req.into_response(close(shape.answer(&too_large_head())))),
            Ok(call) => match call.await {
                Ok(Ok(res)) => Ok(res.map_into_boxed_body()),
                Ok(Err(e)) => Err(shape.answer(&from_actix(&e))),
                Err(panic) => {
                    // The message may quote data (a note, a name): quoted spans are not logged.
                    let panic = langso_domain::text::redact_quoted(panic_text(&*panic), 200);
                    tracing::error!(%method, %path, %panic, "handler panicked");
                    Err(shape.answer(&ApiError::internal()))
                }
            },
        };
        // A cut body is 408 whatever the handler made of it.
        let timeout = || close(shape.answer(&request_timeout(rate)));
        let outcome = match (cut.get(), outcome) {
            (true, Ok(res)) => Ok(res.into_response(timeout())),
            (true, Err(_)) => Err(timeout()),
            (false, Ok(res)) => Ok(shape.reshape(res)),
            (false, Err(res)) => Err(res),
        };
        let status = match &outcome {
            Ok(res) => res.status(),
            Err(res) => res.status(),
        };
        // Paths only: query strings, headers and bodies (tokens, notes) never reach logs.
        tracing::info!(
            %method, %path, status = status.as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64, "request"
        );
        match outcome {
            Ok(mut res) => {
                no_store(res.headers_mut());
                request_id::stamp(res.headers_mut(), &id);
                Ok(res)
            }
            // Without the request (a panic took it), the answer leaves as an error whose
            // response is exactly that answer.
            Err(mut res) => {
                no_store(res.headers_mut());
                request_id::stamp(res.headers_mut(), &id);
                Err(actix_web::error::InternalError::from_response("edge", res).into())
            }
        }
    }
    .instrument(span)
}

/// The kind of answer a route gives: JSON, or a dashboard page in a language.
#[derive(Clone, Copy)]
enum Shape {
    Json,
    Page(Lang),
}

impl Shape {
    fn of(req: &HttpRequest) -> Self {
        if dashboard::is_page(req.path()) {
            Self::Page(dashboard::lang_of_request(req))
        } else {
            Self::Json
        }
    }

    fn answer(self, e: &ApiError) -> HttpResponse {
        match self {
            Self::Json => e.error_response(),
            Self::Page(lang) => dashboard::error_page(lang, e.status, e.code),
        }
    }

    /// An error answer not already in this shape (actix's plain-text extractor errors, an
    /// API error on a dashboard page) is remade in it, keeping its status and, when an
    /// [`ApiError`] made it, its code and message.
    fn reshape(self, res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
        let status = res.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return res;
        }
        let wanted = match self {
            Self::Json => "application/json",
            Self::Page(_) => "text/html",
        };
        let shaped = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(wanted));
        if shaped {
            return res;
        }
        let e = match res.response().error() {
            Some(e) => from_actix(e),
            None => generic(status),
        };
        let mut new = self.answer(&e);
        for name in [header::RETRY_AFTER, header::ALLOW] {
            if let Some(v) = res.headers().get(&name) {
                new.headers_mut().insert(name, v.clone());
            }
        }
        res.into_response(new)
    }
}

fn no_store(headers: &mut header::HeaderMap) {
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
}

/// The answer, with the connection closed after it (the rest of the request is unread).
fn close(mut res: HttpResponse) -> HttpResponse {
    res.head_mut().set_connection_type(ConnectionType::Close);
    res
}

/// The house error for an actix error: the [`ApiError`] inside, or one for its status.
fn from_actix(e: &Error) -> ApiError {
    match e.as_error::<ApiError>() {
        Some(api) => ApiError::new(api.status, api.code, api.message.clone()),
        None => generic(e.as_response_error().status_code()),
    }
}

/// The request line and headers, in bytes, about as they came over the wire.
fn head_bytes(req: &ServiceRequest) -> usize {
    let target = req.uri().path_and_query().map_or(1, |p| p.as_str().len());
    let line = req.method().as_str().len() + target + 12;
    let headers: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    line + headers
}

fn request_timeout(rate: BodyRate) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "the request body arrived too slowly (a body must average {} bytes/s once {} s \
             have passed); nothing was stored; send it again",
            rate.min_bytes_per_sec,
            rate.grace.as_secs()
        ),
    )
}

fn too_large_head() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        "headers_too_large",
        format!("the request line and headers may be at most {MAX_HEAD_BYTES} bytes"),
    )
}

/// The house error for a status that reached the edge without one.
fn generic(status: StatusCode) -> ApiError {
    let (code, message) = match status.as_u16() {
        404 => ("not_found", "no such endpoint"),
        405 => (
            "method_not_allowed",
            "this endpoint does not take this method",
        ),
        408 => (
            "request_timeout",
            "the request arrived too slowly; send it again",
        ),
        413 => ("body_too_large", "the request body is too large"),
        415 => (
            "unsupported_media_type",
            "the request body's Content-Type is not one this endpoint reads",
        ),
        431 => ("headers_too_large", "the request headers are too large"),
        500 => ("internal_error", "the server failed to handle this request"),
        503 => (
            "storage_unavailable",
            "the server is unavailable; retry later",
        ),
        s if s >= 500 => ("internal_error", "the server failed to handle this request"),
        _ => ("invalid_request", "the request could not be read"),
    };
    ApiError::new(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, test, web};

    async fn boom() -> HttpResponse {
        panic!("boom")
    }

    async fn answer(path: &str) -> (StatusCode, String, String) {
        let app = test::init_service(
            App::new()
                .wrap_fn(|req, srv| handle(req, srv, BodyRate::default()))
                .route("/v1/boom", web::get().to(boom))
                .route(
                    "/v1/blocking-boom",
                    web::get().to(|| async {
                        crate::block(|| panic!("boom")).await?;
                        Ok::<_, ApiError>(HttpResponse::Ok().finish())
                    }),
                )
                .route("/", web::get().to(boom)),
        )
        .await;
        let res =
            match test::try_call_service(&app, test::TestRequest::get().uri(path).to_request())
                .await
            {
                Ok(res) => res.into_parts().1,
                Err(e) => e.error_response(),
            };
        let ct = res
            .headers()
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        let status = res.status();
        let body = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        (status, ct, String::from_utf8(body.to_vec()).unwrap())
    }

    #[actix_web::test]
    async fn a_panicking_handler_answers_500_internal_error_never_503() {
        for path in ["/v1/boom", "/v1/blocking-boom"] {
            let (status, ct, body) = answer(path).await;
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {body}");
            assert!(ct.starts_with("application/json"), "{path}: {ct}");
            assert!(
                body.contains(r#""code":"internal_error""#),
                "{path}: {body}"
            );
        }
        let (status, ct, body) = answer("/").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(body.contains("internal_error"), "{body}");
    }
}
