pub(crate) mod accounts;
mod admin;
mod audit;
mod devices;
mod devices_admin;
mod evidence;
mod health;
mod kinds;
mod people;
mod push_items;
mod reports;
mod roster;
mod sync;
mod tallies;
mod users_admin;

use crate::error::ApiError;
use actix_web::dev::Handler;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, Resource, Responder, Route, web};
use admin::revoke;

/// Every API path and its operations. A known path called with another method answers
/// 405 `method_not_allowed` with an `Allow` header listing the path's methods; an unknown
/// path answers 404 `not_found`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    use Method as M;
    let paths = [
        // HEAD too: load balancers probe with it.
        api(
            "/healthz",
            [op(M::GET, health::healthz), op(M::HEAD, health::healthz)],
        ),
        api(
            "/readyz",
            [op(M::GET, health::readyz), op(M::HEAD, health::readyz)],
        ),
        api("/metrics", [op(M::GET, crate::metrics::scrape)]),
        api("/v1/devices/enroll", [op(M::POST, devices::enroll)]),
        api("/v1/devices/token", [op(M::POST, devices::token)]),
        api("/v1/sync/push", [op(M::POST, sync::push)]),
        api("/v1/sync/pull", [op(M::GET, sync::pull)]),
        api("/v1/tallies", [op(M::GET, tallies::tallies)]),
        // Leader accounts and what leaders manage.
        api("/v1/auth/set-password", [op(M::POST, accounts::password)]),
        api("/v1/auth/login", [op(M::POST, accounts::login)]),
        api("/v1/auth/token", [op(M::POST, accounts::token)]),
        api("/v1/auth/session", [op(M::POST, accounts::session)]),
        api("/v1/auth/logout", [op(M::POST, accounts::logout)]),
        api("/v1/me", [op(M::GET, accounts::me)]),
        api("/v1/teams/{team_id}/invites", [op(M::POST, admin::invite)]),
        api("/v1/teams/{team_id}/devices", [op(M::GET, admin::devices)]),
        api("/v1/devices/{device_id}/revoke", [op(M::POST, revoke)]),
        // Running accounts and devices day to day (issue 9).
        api("/v1/admin/users", [op(M::GET, users_admin::list)]),
        api(
            "/v1/admin/users/{username}/disable",
            [op(M::POST, users_admin::disable)],
        ),
        api(
            "/v1/admin/users/{username}/enable",
            [op(M::POST, users_admin::enable)],
        ),
        api(
            "/v1/admin/users/{username}/reset-password",
            [op(M::POST, users_admin::reset_password)],
        ),
        api(
            "/v1/admin/users/{username}/unlock",
            [op(M::POST, users_admin::unlock)],
        ),
        api(
            "/v1/admin/users/{username}/scope",
            [op(M::POST, users_admin::rescope)],
        ),
        api(
            "/v1/devices/{device_id}/unrevoke",
            [op(M::POST, devices_admin::unrevoke)],
        ),
        api(
            "/v1/teams/{team_id}/quarantine",
            [op(M::GET, devices_admin::quarantine)],
        ),
        api(
            "/v1/quarantine/{batch}/count",
            [op(M::POST, devices_admin::count)],
        ),
        api(
            "/v1/quarantine/{batch}/discard",
            [op(M::POST, devices_admin::discard)],
        ),
        // People, not phones (issue 8).
        api("/v1/teams/{team_id}/members", [op(M::GET, people::members)]),
        api(
            "/v1/teams/{team_id}/members/{member_id}/merge",
            [op(M::POST, people::merge)],
        ),
        api(
            "/v1/devices/{device_id}/member",
            [op(M::POST, people::move_device)],
        ),
        // Leaders' reports (issue 3).
        api("/v1/reports/summary", [op(M::GET, reports::summary)]),
        api(
            "/v1/reports/leaderboard",
            [op(M::GET, reports::leaderboard)],
        ),
        api("/v1/reports/coverage", [op(M::GET, reports::coverage)]),
        api("/v1/targets", [op(M::POST, reports::set_target)]),
        // The evidence a province pays teams by (issue 9).
        api("/v1/reports/evidence", [op(M::GET, evidence::report)]),
        api(
            "/v1/admin/evidence-rule",
            [op(M::GET, evidence::rules), op(M::PUT, evidence::set_rule)],
        ),
        // Real rosters (issue 8).
        api(
            "/v1/admin/roster",
            [op(M::GET, roster::download), op(M::POST, roster::import)],
        ),
        api("/v1/admin/audit", [op(M::GET, audit::audit)]),
        api("/v1/admin/roster/template", [op(M::GET, roster::template)]),
        // The activity catalogue (issue 9).
        api(
            "/v1/admin/kinds",
            [op(M::GET, kinds::list), op(M::POST, kinds::add)],
        ),
        api(
            "/v1/admin/kinds/{code}",
            [op(M::PATCH, kinds::patch), op(M::PUT, kinds::put)],
        ),
    ];
    for resource in paths {
        cfg.service(resource);
    }
    cfg.default_service(web::to(not_found));
}

/// One operation of a path: its method and handler.
fn op<F, Args>(method: Method, handler: F) -> (Method, Route)
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    (method.clone(), web::method(method).to(handler))
}

/// A path with its operations; any other method answers 405 with `Allow`.
fn api<const N: usize>(path: &str, ops: [(Method, Route); N]) -> Resource {
    let allow = ops
        .iter()
        .map(|(m, _)| m.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut resource = web::resource(path);
    for (_, route) in ops {
        resource = resource.route(route);
    }
    resource.default_service(web::to(move |req: HttpRequest| {
        let allow = allow.clone();
        async move { method_not_allowed(req.method(), &allow) }
    }))
}

fn method_not_allowed(method: &Method, allow: &str) -> HttpResponse {
    let err = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed here; this path allows {allow}"),
    );
    let mut resp = actix_web::ResponseError::error_response(&err);
    if let Ok(v) = HeaderValue::from_str(allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
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

/// Parses a small JSON body strictly (an object, unknown fields are an error), answering
/// in the API's error shape.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    json_object(body).map_err(|why| {
        // The parser quotes the input it choked on: cut, never echoed whole.
        let why = langso_domain::text::cut_quoted(&why, 200);
        ApiError::bad_request("invalid_json", format!("invalid JSON body: {why}"))
    })
}

/// Reads `json` as a JSON object into `T`; the error is the reason, for a message.
///
/// Every request body and every push item goes through here. serde's derived `Deserialize`
/// also takes a JSON array for a struct (its fields by position), so `["CODE", "phone"]`
/// would enroll a device; the contract says objects, so anything but an object is refused
/// before serde sees it. (No body has a nested object: the outer one is all to check.)
pub(crate) fn json_object<'a, T: serde::Deserialize<'a>>(json: &'a [u8]) -> Result<T, String> {
    let found = match json.trim_ascii_start().first() {
        Some(b'{') => return serde_json::from_slice(json).map_err(|e| e.to_string()),
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "something that is not JSON",
        None => "nothing",
    };
    Err(format!("expected a JSON object, found {found}"))
}
