//! The leaders' web dashboard at `/`: log in, pick a unit and a period, see totals against
//! targets, the trend, the leaderboard and per-village coverage, download exports.
//! Server-rendered (maud), Vietnamese by default (`?lang=en` switches, remembered in a
//! cookie), no scripts, one round trip of HTML with inline CSS and SVG. Numbers are
//! written the reader's way (`numfmt`); every name links to its own page; errors are pages.

mod account_pages;
mod accounts;
mod chart;
mod compare;
mod data;
mod data_more;
mod devices;
mod error_page;
mod i18n;
mod kinds;
mod numfmt;
mod page;
mod sections;
mod view;

use crate::AppState;
use crate::error::ApiError;
use crate::leader::{self, Leader};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
pub use i18n::Lang;
use maud::Markup;
use serde::Deserialize;

const LANG_COOKIE: &str = "langso_lang";

/// The paths outside `/v1/` that answer machines, not people: their errors stay JSON.
const MACHINE_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Whether `path` is a dashboard page, so that its errors answer an HTML page: every path
/// but the API's (`/v1/…`) and the probes'. A mistyped page address (`/dashbord`) is a
/// person's, and gets a Vietnamese page with a way back, not JSON.
pub fn is_page(path: &str) -> bool {
    !(path == "/v1" || path.starts_with("/v1/") || MACHINE_PATHS.contains(&path))
}

/// The language of a request: `?lang=`, else the cookie, else Vietnamese.
pub fn lang_of_request(req: &HttpRequest) -> Lang {
    let asked = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    lang_of(req, asked.as_deref())
}

/// An error page for `status` with the stable `code`, in `lang`.
pub fn error_page(lang: Lang, status: StatusCode, code: &str) -> HttpResponse {
    html(status, lang, error_page::page(lang, status, code))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index))
        .route("/login", web::get().to(login_page))
        .route("/login", web::post().to(login))
        .route("/logout", web::post().to(logout))
        .route("/set-password", web::get().to(set_password_page))
        .route("/set-password", web::post().to(set_password))
        .route("/kinds", web::get().to(kinds::show))
        .route("/kinds", web::post().to(kinds::add))
        .route("/kinds/{code}", web::post().to(kinds::edit))
        .route("/accounts", web::get().to(accounts::show))
        .route("/accounts", web::post().to(accounts::rescope))
        .route("/accounts/{username}", web::post().to(accounts::act))
        .route("/devices", web::get().to(devices::show))
        .route("/devices/{device_id}", web::post().to(devices::device))
        .route("/quarantine/{id}", web::post().to(devices::batch));
}

/// The language: `?lang=` first, then the cookie, then Vietnamese.
fn lang_of(req: &HttpRequest, asked: Option<&str>) -> Lang {
    asked
        .and_then(Lang::parse)
        .or_else(|| leader::cookie_value(req, LANG_COOKIE).and_then(|c| Lang::parse(&c)))
        .unwrap_or(Lang::Vi)
}

fn html(status: StatusCode, lang: Lang, page: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::SET_COOKIE,
            format!("{LANG_COOKIE}={}; Path=/; SameSite=Strict", lang.code()),
        ))
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(printable(page.into_string()))
}

/// The page without a raw control character (NUL, escape …; tab and line breaks stay):
/// maud escapes markup but not those, and stored text may hold them (a name enrolled
/// before enrolment refused them, an imported unit name). HTML forbids them in text.
fn printable(page: String) -> String {
    match langso_domain::text::without_controls(&page) {
        std::borrow::Cow::Borrowed(_) => page,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

#[derive(Deserialize)]
pub struct IndexQuery {
    /// `kind:id` of the unit shown (the leader's own when absent).
    unit: Option<String>,
    period: Option<String>,
    date: Option<String>,
    lang: Option<String>,
    /// What the leaderboards rank by: `score` (default) or a kind's code.
    rank: Option<String>,
    /// A unit search: names (without their marks) or codes.
    q: Option<String>,
}

async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: web::Query<IndexQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let lang = lang_of(&req, q.lang.as_deref());
    let Ok(who) = who else {
        return Ok(see_other(&format!("/login?lang={}", lang.code())));
    };
    let store = state.store.clone();
    let view = crate::block(move || data::load(&store, &who, lang, &q)).await??;
    Ok(html(StatusCode::OK, lang, page::dashboard(&view)))
}

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

async fn login_page(req: HttpRequest, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = lang_of(&req, q.lang.as_deref());
    html(StatusCode::OK, lang, account_pages::login(lang, None, None))
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    lang: Option<String>,
}

async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    let lang = lang_of(&req, form.lang.as_deref());
    // No cookie exists yet, so SameSite cannot help: refuse logins posted by other sites.
    leader::require_same_origin(&req, false)?;
    let user = match leader::check_password(&state, &req, &form.username, &form.password).await {
        Ok(user) => user,
        Err(e)
            if e.status == StatusCode::UNAUTHORIZED
                || e.status == StatusCode::TOO_MANY_REQUESTS =>
        {
            let msg = account_pages::refusal(lang, e.code);
            return Ok(html(
                e.status,
                lang,
                account_pages::login(lang, Some(msg), None),
            ));
        }
        Err(e) => return Err(e),
    };
    let store = state.store.clone();
    let started = crate::block(move || store.start_cookie_session(user)).await?;
    let (secret, _) = match started {
        Err(langso_store::StoreError::AccountDisabled) => {
            let msg = account_pages::refusal(lang, "account_disabled");
            let page = account_pages::login(lang, Some(msg), None);
            return Ok(html(StatusCode::FORBIDDEN, lang, page));
        }
        other => other?,
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/?lang={}", lang.code())))
        .insert_header((
            header::SET_COOKIE,
            leader::session_cookie_header(&secret, state.cookie_secure),
        ))
        .finish())
}

async fn logout(state: web::Data<AppState>, who: Leader) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let session = who.session_id;
    crate::block(move || store.end_session(session)).await??;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/login"))
        .insert_header((
            header::SET_COOKIE,
            leader::clear_cookie_header(state.cookie_secure),
        ))
        .finish())
}

async fn set_password_page(req: HttpRequest, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = lang_of(&req, q.lang.as_deref());
    html(
        StatusCode::OK,
        lang,
        account_pages::set_password(lang, None),
    )
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    username: String,
    code: String,
    password: String,
    /// The password typed a second time; it must equal `password`.
    #[serde(default)]
    password_confirm: String,
    lang: Option<String>,
}

async fn set_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let f = form.into_inner();
    let lang = lang_of(&req, f.lang.as_deref());
    leader::require_same_origin(&req, false)?;
    if f.password != f.password_confirm {
        let msg = account_pages::refusal(lang, "password_mismatch");
        let page = account_pages::set_password(lang, Some(msg));
        return Ok(html(StatusCode::BAD_REQUEST, lang, page));
    }
    match crate::routes::accounts::apply_password(&state, &req, f.username, f.code, f.password)
        .await
    {
        Ok(_) => Ok(html(
            StatusCode::OK,
            lang,
            account_pages::login(lang, None, Some(lang.t().password_set)),
        )),
        Err(e) if e.status.is_client_error() => Ok(html(
            e.status,
            lang,
            account_pages::set_password(lang, Some(account_pages::refusal(lang, e.code))),
        )),
        Err(e) => Err(e),
    }
}
