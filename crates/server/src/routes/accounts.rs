//! Leader accounts: set a password with a one-time code, log in (tokens for the API, or a
//! session cookie for the dashboard), refresh, log out, and who am I.

use super::{MAX_SMALL_BODY, parse_json, read_body, small_json};
use crate::AppState;
use crate::error::ApiError;
use crate::leader::{self, Leader, check_password};
use crate::wire::rfc3339_ms;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::audit::Actor;
use langso_store::users::{self, User};
use langso_store::{LeaderTokens, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetPasswordBody {
    username: String,
    code: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    refresh_token: String,
}

/// `{username, role, scope: {kind, id, name}}`; the name is null if the unit is gone from
/// the current hierarchy.
fn user_json(state: &AppState, user: &User) -> Result<Value, ApiError> {
    let name = state.store.unit_name(&user.scope)?;
    Ok(json!({
        "username": user.username,
        "role": user.role,
        "scope": {"kind": user.scope.kind, "id": user.scope.id, "name": name},
    }))
}

async fn token_answer(
    state: web::Data<AppState>,
    t: LeaderTokens,
) -> Result<HttpResponse, ApiError> {
    let (access, exp) = leader::sign_access(&state, t.user.id, t.session_id, t.access_iat)?;
    let user = crate::block(move || user_json(&state, &t.user)).await??;
    Ok(HttpResponse::Ok().json(json!({
        "access_token": access,
        "refresh_token": t.refresh_token,
        "access_expires_at": rfc3339_ms(exp * 1000),
        "refresh_expires_at": rfc3339_ms(t.refresh_expires_ms),
        "user": user,
    })))
}

pub async fn password(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: SetPasswordBody = small_json(&req, payload).await?;
    let user = apply_password(&state, &req, b.username, b.code, b.password).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Sets a leader's password with their one-time code (the API and the dashboard form).
pub async fn apply_password(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    username: String,
    code: String,
    password: String,
) -> Result<serde_json::Value, ApiError> {
    if let Some(why) = users::password_problem(&password) {
        return Err(ApiError::bad_request("invalid_password", why));
    }
    // The code is checked before hashing, so nobody makes the server hash for free.
    let st = state.clone();
    let addr = state.trusted_proxies.client_of(req).map(|a| a.to_string());
    let actor = Actor::user(&users::normalise_username(&username), addr);
    let done = crate::block(move || {
        if !st.store.password_code_valid(&username, &code)? {
            return Err(ApiError::from(StoreError::InvalidPasswordCode));
        }
        let hash = users::hash_password(&password)?;
        let user = st.store.set_password(&actor, &username, &code, hash)?;
        tracing::info!(user = %user.username, "leader password set");
        user_json(&st, &user)
    })
    .await?;
    match done {
        Err(e) if e.code == "invalid_code" => {
            actix_web::rt::time::sleep(leader::FAILURE_DELAY).await;
            Err(e)
        }
        other => other,
    }
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: LoginBody = small_json(&req, payload).await?;
    let user = check_password(&state, &req, &b.username, &b.password).await?;
    let store = state.store.clone();
    let tokens = crate::block(move || store.start_api_session(user)).await??;
    tracing::info!(user = %tokens.user.username, "leader logged in (API)");
    token_answer(state, tokens).await
}

pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: TokenBody = small_json(&req, payload).await?;
    let tokens = state.store.refresh_leader(&b.refresh_token).await?;
    token_answer(state, tokens).await
}

/// Dashboard login: a JSON or form (`application/x-www-form-urlencoded`) body; answers the
/// user and sets the session cookie.
pub async fn session(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // No cookie exists yet, so SameSite cannot help: refuse logins posted by other sites.
    leader::require_same_origin(&req, false)?;
    let body = read_body(&req, payload, MAX_SMALL_BODY, || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("this request's body may be at most {MAX_SMALL_BODY} bytes"),
        )
    })
    .await?;
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let b: LoginBody = if form {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::bad_request("invalid_body", "the form is not UTF-8"))?;
        web::Query::<LoginBody>::from_query(text)
            .map_err(|e| ApiError::bad_request("invalid_form", format!("invalid form body: {e}")))?
            .into_inner()
    } else {
        parse_json(&body)?
    };
    let user = check_password(&state, &req, &b.username, &b.password).await?;
    let st = state.clone();
    let (cookie, user) = crate::block(move || {
        let (secret, s) = st.store.start_cookie_session(user)?;
        let user = user_json(&st, &s.user)?;
        tracing::info!(user = %s.user.username, "leader logged in (session cookie)");
        Ok::<_, ApiError>((
            secret,
            json!({"user": user, "expires_at": rfc3339_ms(s.expires_ms)}),
        ))
    })
    .await??;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            leader::session_cookie_header(&cookie, state.cookie_secure),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(user))
}

/// Ends the session the request authenticated with (its tokens or its cookie).
pub async fn logout(state: web::Data<AppState>, who: Leader) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let session = who.session_id;
    crate::block(move || store.end_session(session)).await??;
    let mut res = HttpResponse::Ok();
    if who.via_cookie {
        res.insert_header((
            header::SET_COOKIE,
            leader::clear_cookie_header(state.cookie_secure),
        ));
    }
    Ok(res.json(json!({"status": "logged_out"})))
}

pub async fn me(state: web::Data<AppState>, who: Leader) -> Result<HttpResponse, ApiError> {
    let user = User {
        id: who.user_id,
        username: who.username,
        role: who.role,
        scope: who.scope,
    };
    let body = crate::block(move || user_json(&state, &user)).await??;
    Ok(HttpResponse::Ok().json(body))
}
