//! The province admin's hand on leader accounts (issue 9): list, disable, enable, reset a
//! password, unlock after login throttling, re-scope. Province admin only (403
//! `role_required`); an unknown username answers 404 `unknown_user`.

use super::small_json;
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use crate::wire::rfc3339_ms;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::audit::Actor;
use langso_domain::scope::Role;
use langso_store::users::{PASSWORD_CODE_TTL_MS, UserSummary, normalise_username};
use langso_store::{StoreError, now_ms};
use serde::Deserialize;
use serde_json::{Value, json};

/// The body of a re-scope: the new scope (a unit code of the role's level, or a team id
/// for a team leader) and, if it changes, the role.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeBody {
    scope: String,
    #[serde(default)]
    role: Option<String>,
}

/// The account as the list shows it.
pub(crate) fn summary_json(u: &UserSummary) -> Value {
    json!({
        "username": u.username,
        "role": u.role,
        "scope": {"kind": u.scope.kind, "id": u.scope.id, "name": u.scope_name},
        "state": u.state.as_str(),
        "created_at": rfc3339_ms(u.created_ms),
        "last_login_at": u.last_login_ms.map(rfc3339_ms),
        "disabled_at": u.disabled_ms.map(rfc3339_ms),
        "locked_until": u.locked_until_ms.map(rfc3339_ms),
    })
}

/// 403 `role_required` unless `who` is the province admin.
fn require_admin(who: &Leader) -> Result<(), ApiError> {
    if who.role == Role::ProvinceAdmin {
        return Ok(());
    }
    Err(ApiError::forbidden(
        "role_required",
        "only the province administrator manages leader accounts",
    ))
}

/// A store refusal about an account, in this API's codes.
fn account_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(m) => ApiError::not_found("unknown_user", m),
        StoreError::Invalid(m) => ApiError::bad_request("invalid_scope", m),
        e => e.into(),
    }
}

/// Runs an act on an account for the province admin, off the executor.
async fn act<T: Send + 'static>(
    state: &web::Data<AppState>,
    who: Leader,
    f: impl FnOnce(&AppState, &Actor) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    require_admin(&who)?;
    let actor = who.actor();
    let st = state.clone();
    crate::block(move || f(&st, &actor).map_err(account_error)).await?
}

pub async fn list(state: web::Data<AppState>, who: Leader) -> Result<HttpResponse, ApiError> {
    require_admin(&who)?;
    let store = state.store.clone();
    let users = crate::block(move || store.list_users()).await??;
    let users: Vec<Value> = users.iter().map(summary_json).collect();
    Ok(HttpResponse::Ok().json(json!({"users": users})))
}

pub async fn disable(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = normalise_username(&path);
    if name == who.username {
        return Err(ApiError::new(
            actix_web::http::StatusCode::CONFLICT,
            "cannot_disable_self",
            "you cannot disable your own account; another admin or the operator can",
        ));
    }
    let u = act(&state, who, move |st, a| st.store.disable_user(a, &name)).await?;
    Ok(HttpResponse::Ok().json(summary_json(&u)))
}

pub async fn enable(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let u = act(&state, who, move |st, a| st.store.enable_user(a, &name)).await?;
    Ok(HttpResponse::Ok().json(summary_json(&u)))
}

pub async fn reset_password(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = normalise_username(&path);
    let (code, expires_ms) = act(&state, who, move |st, a| {
        let expires_ms = now_ms() + PASSWORD_CODE_TTL_MS;
        Ok((st.store.reset_password(a, &name)?, expires_ms))
    })
    .await?;
    tracing::info!(user = %normalise_username(&path), "leader password reset");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({
            "username": normalise_username(&path),
            "code": code,
            "expires_at": rfc3339_ms(expires_ms),
        })))
}

pub async fn unlock(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = normalise_username(&path);
    let (forgotten, u) = act(&state, who, move |st, a| {
        let forgotten = match st.store.unlock_user(a, &name) {
            Err(StoreError::Invalid(m)) => return Err(StoreError::NotFound(m)),
            other => other?,
        };
        Ok((forgotten, st.store.user_summary(&name)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"failures_forgotten": forgotten, "user": summary_json(&u)})))
}

pub async fn rescope(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Leader,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let b: ScopeBody = small_json(&req, payload).await?;
    let role = b
        .role
        .map(|r| {
            Role::parse(&r).ok_or_else(|| {
                let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                ApiError::bad_request(
                    "invalid_role",
                    format!("role must be one of {}", roles.join(", ")),
                )
            })
        })
        .transpose()?;
    let name = normalise_username(&path);
    if name == who.username && role.is_some_and(|r| r != Role::ProvinceAdmin) {
        // As with disabling: the province must not be left without its administrator.
        return Err(ApiError::new(
            actix_web::http::StatusCode::CONFLICT,
            "cannot_demote_self",
            "you cannot take the province administrator's role from your own account; \
             another admin or the operator can",
        ));
    }
    let u = act(&state, who, move |st, a| {
        st.store.rescope_user(a, &name, role, b.scope.trim())?;
        st.store.user_summary(&name)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary_json(&u)))
}
