//! Leaders' authentication: the `Leader` extractor (an access token with audience
//! `langso-leader`, or the dashboard's `langso_session` cookie), scope checks, the password
//! check with its throttle, and the session cookie.
//!
//! Scope decision: a unit that exists but lies outside the leader's scope answers 403
//! `out_of_scope` (administrative units are public, so existence is no secret; the body
//! carries no data of the unit); a unit that does not exist answers 404 `unknown_unit`.

use crate::AppState;
use crate::auth::{ACCESS_TTL_SECS, ISSUER};
use crate::error::ApiError;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitRef};
use langso_store::users::{self, User};
use langso_store::{Store, StoreError, now_ms};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The 403 code for a leader whose scope a change of the administrative map abolished (a
/// district after 2025-07-01, a split commune) until `langso rescope-user` gives a new one.
pub const SCOPE_NOT_ON_MAP: &str = "scope_not_on_map";

pub const LEADER_AUDIENCE: &str = "langso-leader";
pub const SESSION_COOKIE: &str = "langso_session";
/// Every failed login (or failed password-setting code) is answered this much later.
pub const FAILURE_DELAY: Duration = Duration::from_secs(1);
/// The longest a failed login is held back, however many failures its address made.
pub const MAX_FAILURE_DELAY: Duration = Duration::from_secs(5);

/// A leader's access-token claims: `sub` is the user id, `sid` the login session.
#[derive(Debug, Serialize, Deserialize)]
pub struct LeaderClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// An authenticated leader. Handlers take it as an argument and never read headers.
#[derive(Clone, Debug)]
pub struct Leader {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope: UnitRef,
    /// The login session this request came with (logout ends it).
    pub session_id: i64,
    /// Authenticated by the session cookie rather than a bearer token.
    pub via_cookie: bool,
    /// The client address (behind trusted proxies: the forwarded one), for the audit log.
    pub addr: Option<String>,
}

impl Leader {
    fn new(user: User, session_id: i64, via_cookie: bool, req: &HttpRequest) -> Self {
        let addr = state(req)
            .ok()
            .and_then(|s| s.trusted_proxies.client_of(req))
            .map(|a| a.to_string());
        Self {
            user_id: user.id,
            username: user.username,
            role: user.role,
            scope: user.scope,
            session_id,
            via_cookie,
            addr,
        }
    }

    /// This leader as the actor of an administrative act (the audit log's who and where).
    pub fn actor(&self) -> Actor {
        Actor::user(&self.username, self.addr.clone())
    }

    /// Ok if `target` lies within this leader's scope; 404 `unknown_unit` if it does not
    /// exist, 403 `out_of_scope` if it lies elsewhere, 403 [`SCOPE_NOT_ON_MAP`] if the
    /// leader's own scope is not on the current map. Blocking: call from `web::block`.
    pub fn require_within(&self, store: &Store, target: &UnitRef) -> Result<(), ApiError> {
        let found = store.scope_contains(&self.scope, target)?;
        if found != Some(true) && store.scope_contains(&self.scope, &self.scope)?.is_none() {
            // The map changed under this leader (issue 8): say so, not "not found".
            return Err(ApiError::forbidden(
                SCOPE_NOT_ON_MAP,
                format!(
                    "your scope ({} {}) is not on the current administrative map; \
                     the operator gives you a new one with `langso rescope-user`",
                    self.scope.kind.as_str(),
                    self.scope.id
                ),
            ));
        }
        match found {
            Some(true) => Ok(()),
            Some(false) => Err(ApiError::forbidden(
                "out_of_scope",
                format!(
                    "the {} asked for is outside your scope",
                    target.kind.as_str()
                ),
            )),
            None => Err(ApiError::not_found(
                "unknown_unit",
                format!("no {} '{}'", target.kind.as_str(), target.id),
            )),
        }
    }

    /// [`Leader::require_within`] for async handlers.
    pub async fn require_within_async(
        &self,
        store: &Store,
        target: UnitRef,
    ) -> Result<(), ApiError> {
        let (me, store) = (self.clone(), store.clone());
        crate::block(move || me.require_within(&store, &target)).await?
    }
}

impl FromRequest for Leader {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(ApiError::unavailable)
}

fn invalid_token() -> ApiError {
    ApiError::unauthorized("invalid_token", "the access token is invalid")
}

async fn authenticate(req: &HttpRequest) -> Result<Leader, ApiError> {
    let state = state(req)?;
    let store = state.store.clone();
    if let Some(h) = req.headers().get(header::AUTHORIZATION) {
        let token = h
            .to_str()
            .ok()
            .and_then(crate::auth::bearer_token)
            .ok_or_else(invalid_token)?;
        let claims: LeaderClaims = state.keys.verify_for(token, LEADER_AUDIENCE)?;
        let user: i64 = claims.sub.parse().map_err(|_| invalid_token())?;
        let sid: i64 = claims.sid.parse().map_err(|_| invalid_token())?;
        let found = crate::block(move || store.api_session_user(sid, user)).await??;
        return Ok(Leader::new(found, sid, false, req));
    }
    if let Some(secret) = session_cookie(req) {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            require_same_origin(req, true)?;
        }
        let found = crate::block(move || store.cookie_session(&secret))
            .await?
            .map_err(|e| match e {
                StoreError::SessionEnded => ApiError::unauthorized(
                    "invalid_session",
                    "the session cookie is unknown, expired or logged out; log in again",
                ),
                e => e.into(),
            })?;
        return Ok(Leader::new(found.user, found.session_id, true, req));
    }
    Err(ApiError::unauthorized(
        "missing_token",
        "send Authorization: Bearer <access_token>, or log in for a session cookie",
    ))
}

/// The value of the `langso_session` cookie, if the request carries one.
fn session_cookie(req: &HttpRequest) -> Option<String> {
    cookie_value(req, SESSION_COOKIE)
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie_value(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim_matches('"').to_owned())
}

/// `host[:port]` of an `Origin` or `Referer` URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// CSRF defence for cookie-authenticated requests that change state (on top of
/// SameSite=Strict): the `Origin` header, or failing that the `Referer`, must name this
/// host. With `required`, a request carrying neither is refused too.
pub fn require_same_origin(req: &HttpRequest, required: bool) -> Result<(), ApiError> {
    let h = req.headers();
    let host = h
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let source = h
        .get(header::ORIGIN)
        .or_else(|| h.get(header::REFERER))
        .map(|v| v.to_str().unwrap_or_default());
    let ok = match source {
        None => !required,
        Some(src) => authority(src)
            .zip(host.as_deref())
            .is_some_and(|(a, host)| a.eq_ignore_ascii_case(host)),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "csrf_failed",
            "a cookie-authenticated request that changes state must carry an Origin (or \
             Referer) header naming this site",
        ))
    }
}

/// `Set-Cookie` for a new dashboard session: HttpOnly, SameSite=Strict, whole site, a
/// browser-session cookie (the server ends it after 12 idle hours), `Secure` if configured.
pub fn session_cookie_header(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie_header(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{secure}")
}

/// Signs a leader's access token (15 minutes); returns it and its expiry (seconds).
pub fn sign_access(
    state: &AppState,
    user: i64,
    session: i64,
    iat: i64,
) -> Result<(String, i64), ApiError> {
    let exp = iat + ACCESS_TTL_SECS;
    let claims = LeaderClaims {
        iss: ISSUER.into(),
        aud: LEADER_AUDIENCE.into(),
        sub: user.to_string(),
        sid: session.to_string(),
        iat,
        nbf: iat,
        exp,
    };
    Ok((state.keys.sign_claims(&claims)?, exp))
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid_credentials", "the username or password is wrong")
}

/// How much later a failed login is answered: [`FAILURE_DELAY`], plus a quarter second
/// for each failure from the same client address within the window beyond the fifth, at
/// most [`MAX_FAILURE_DELAY`]. An address is slowed down, never locked out.
pub fn failure_delay(address_failures: i64) -> Duration {
    let extra = Duration::from_millis(250).saturating_mul((address_failures - 5).max(0) as u32);
    (FAILURE_DELAY + extra).min(MAX_FAILURE_DELAY)
}

/// Checks a username and password, with the throttle: returns the user id, or 401
/// `invalid_credentials` (after [`failure_delay`]; the same answer, in the same time,
/// whether or not the username exists) or 429 `too_many_attempts` with `Retry-After` when
/// the username is locked from this address or everywhere (see
/// `langso_store::users::throttle`).
pub async fn check_password(
    state: &AppState,
    req: &HttpRequest,
    username: &str,
    password: &str,
) -> Result<i64, ApiError> {
    let ip = state.trusted_proxies.client_of(req).map(|a| a.to_string());
    let (store, username, password) = (
        state.store.clone(),
        users::normalise_username(username),
        password.to_owned(),
    );
    let outcome = crate::block(move || {
        let attempt = match store.begin_login_attempt(&username, ip.as_deref())? {
            Ok(attempt) => attempt,
            Err(until) => {
                let secs = ((until - now_ms()).max(1000) as u64).div_ceil(1000);
                return Ok::<_, StoreError>(Err(Ok(secs)));
            }
        };
        let creds = store.user_credentials(&username)?;
        let hash = creds.as_ref().and_then(|(_, h)| h.as_deref());
        if let (true, Some((id, _))) = (users::verify_password(&password, hash), &creds) {
            store.forget_login_attempt(attempt)?;
            return Ok(Ok(*id));
        }
        Ok(Err(Err(failure_delay(attempt.address_failures))))
    })
    .await??;
    state.metrics.login(match &outcome {
        Ok(_) => Ok(()),
        Err(Ok(_)) => Err("too_many_attempts"),
        Err(Err(_)) => Err("invalid_credentials"),
    });
    match outcome {
        Ok(id) => Ok(id),
        Err(Ok(secs)) => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed logins for this username; try again later",
        )
        .with_retry_after(secs)),
        Err(Err(delay)) => {
            actix_web::rt::time::sleep(delay).await;
            Err(invalid_credentials())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_session_cookie_is_read_among_others() {
        let req = TestRequest::default()
            .insert_header((header::COOKIE, "a=1; langso_session=lss_x; b=2"))
            .to_http_request();
        assert_eq!(session_cookie(&req).as_deref(), Some("lss_x"));
        let none = TestRequest::default()
            .insert_header((header::COOKIE, "langso_sessionx=1"))
            .to_http_request();
        assert_eq!(session_cookie(&none), None);
    }

    #[test]
    fn same_origin_compares_origin_or_referer_with_host() {
        let req = |headers: &[(header::HeaderName, &str)]| {
            let mut r = TestRequest::post().insert_header((header::HOST, "langso.example:8080"));
            for (k, v) in headers {
                r = r.insert_header((k.clone(), *v));
            }
            r.to_http_request()
        };
        let ok = |r: &HttpRequest, required| require_same_origin(r, required).is_ok();
        assert!(ok(
            &req(&[(header::ORIGIN, "https://langso.example:8080")]),
            true
        ));
        assert!(ok(
            &req(&[(header::REFERER, "http://LANGSO.example:8080/x?y")]),
            true
        ));
        assert!(!ok(&req(&[(header::ORIGIN, "https://evil.example")]), true));
        assert!(!ok(&req(&[(header::ORIGIN, "null")]), true));
        assert!(!ok(
            &req(&[(header::ORIGIN, "https://langso.example:8080.evil.example")]),
            true
        ));
        assert!(!ok(&req(&[]), true));
        assert!(ok(&req(&[]), false));
    }

    #[test]
    fn failed_logins_from_a_busy_address_slow_down_to_a_cap() {
        assert_eq!(failure_delay(0), Duration::from_secs(1));
        assert_eq!(failure_delay(5), Duration::from_secs(1));
        assert_eq!(failure_delay(9), Duration::from_secs(2));
        assert_eq!(failure_delay(10_000), MAX_FAILURE_DELAY);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_when_configured() {
        let plain = session_cookie_header("v", false);
        assert_eq!(plain, "langso_session=v; Path=/; HttpOnly; SameSite=Strict");
        assert!(session_cookie_header("v", true).ends_with("; Secure"));
        assert!(clear_cookie_header(true).contains("Max-Age=0"));
    }
}
