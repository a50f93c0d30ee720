//! The accounts page (`/accounts`, issue 9): the province administrator sees every leader
//! account with its role, scope, state and last login, and disables, enables, unlocks or
//! resets the password of one with a button. A reset shows the new one-time code on the
//! answer, once (never stored, never logged). Others get a 403 page. Every act is the
//! store's audited act, as over the API (crate::routes::users_admin).

use super::kinds::refusal;
use super::numfmt::local_time;
use super::{Lang, LangQuery, html, lang_of, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::scope::Role;
use langso_store::StoreError;
use langso_store::users::{UserState, UserSummary, normalise_username};
use maud::{Markup, html as m};
use serde::Deserialize;

/// The page's words: (Vietnamese, English).
fn w(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Vi { vi } else { en }
}

fn state_word(lang: Lang, s: UserState) -> &'static str {
    match s {
        UserState::Active => w(lang, "Đang hoạt động", "Active"),
        UserState::Disabled => w(lang, "Đã vô hiệu hóa", "Disabled"),
        UserState::Locked => w(lang, "Tạm khóa (đăng nhập sai)", "Locked (failed logins)"),
        UserState::AwaitingPassword => w(lang, "Chưa đặt mật khẩu", "No password yet"),
    }
}

/// A role in the page's language.
pub(super) fn role_word(lang: Lang, r: Role) -> &'static str {
    match r {
        Role::TeamLeader => w(lang, "Tổ trưởng", "Team leader"),
        Role::CommuneLeader => w(lang, "Cán bộ xã", "Commune leader"),
        Role::GroupingLeader => w(lang, "Cán bộ cụm xã", "Grouping leader"),
        Role::DistrictLeader => w(lang, "Cán bộ huyện", "District leader"),
        Role::ProvinceAdmin => w(lang, "Quản trị tỉnh", "Province administrator"),
    }
}

/// One button posting `action` for `username`.
fn button(lang: Lang, username: &str, action: &str, label: &str) -> Markup {
    m! {
        form method="post" action={ "/accounts/" (username) "?lang=" (lang.code()) } style="display:inline" {
            button.go name="action" value=(action) { (label) }
        }
    }
}

fn row(lang: Lang, me: &str, u: &UserSummary) -> Markup {
    let last = local_time(lang, u.last_login_ms);
    m! {
        tr {
            td.name { b { (u.username) } }
            td { (role_word(lang, u.role)) }
            td { (u.scope_name.as_deref().unwrap_or(&u.scope.id)) " (" (u.scope.id) ")" }
            td { (state_word(lang, u.state)) }
            td { (last) }
            td {
                @if u.state == UserState::Disabled {
                    (button(lang, &u.username, "enable", w(lang, "Kích hoạt lại", "Enable")))
                } @else if u.username != me {
                    (button(lang, &u.username, "disable", w(lang, "Vô hiệu hóa", "Disable")))
                }
                @if u.state == UserState::Locked {
                    " " (button(lang, &u.username, "unlock", w(lang, "Mở khóa", "Unlock")))
                }
                " " (button(lang, &u.username, "reset", w(lang, "Cấp lại mật khẩu", "Reset password")))
            }
        }
    }
}

/// The page; `notice` is a line at the top (a new code, or why an act was refused).
fn page(lang: Lang, me: &str, users: &[UserSummary], notice: Option<Markup>) -> Markup {
    let title = w(lang, "Tài khoản cán bộ", "Leader accounts");
    let heads = [
        w(lang, "Tên đăng nhập", "Username"),
        w(lang, "Vai trò", "Role"),
        w(lang, "Phạm vi", "Scope"),
        w(lang, "Trạng thái", "State"),
        w(lang, "Đăng nhập gần nhất", "Last login"),
        "",
    ];
    let body = m! {
        section {
            h2 { (title) }
            p { a href={ "/?lang=" (lang.code()) } { (w(lang, "← Bảng điều khiển", "← Dashboard")) } }
            @if let Some(n) = notice { (n) }
            div.table { table.stack id="accounts" {
                thead { tr { @for h in heads { th { (h) } } } }
                tbody { @for u in users { (row(lang, me, u)) } }
            } }
        }
        (rescope_form(lang, users))
    };
    super::page::layout(lang, title, None, body)
}

async fn render(
    state: &web::Data<AppState>,
    lang: Lang,
    me: String,
    status: StatusCode,
    notice: Option<Markup>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let users = crate::block(move || st.store.list_users()).await??;
    Ok(html(status, lang, page(lang, &me, &users, notice)))
}

/// `GET /accounts`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: web::Query<LangQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req, q.lang.as_deref());
    if let Some(answer) = refusal(&who, lang) {
        return Ok(answer);
    }
    let me = who.map(|w| w.username).unwrap_or_default();
    render(&state, lang, me, StatusCode::OK, None).await
}

#[derive(Deserialize)]
pub struct ActForm {
    /// `disable`, `enable`, `unlock` or `reset`.
    action: String,
}

#[derive(Deserialize)]
pub struct RescopeForm {
    username: String,
    /// The new role; empty: unchanged.
    #[serde(default)]
    role: String,
    /// A unit code of the role's level, or a team id for a team leader.
    scope: String,
}

/// The re-scope form: an account, a role (or unchanged) and a scope.
fn rescope_form(lang: Lang, users: &[UserSummary]) -> Markup {
    m! {
        section {
            h2 { (w(lang, "Đổi vai trò, phạm vi", "Change role or scope")) }
            form.pick id="rescope" method="post" action={ "/accounts?lang=" (lang.code()) } {
                label { (w(lang, "Tên đăng nhập", "Username"))
                    select name="username" { @for u in users { option value=(u.username) { (u.username) } } } }
                label { (w(lang, "Vai trò", "Role"))
                    select name="role" {
                        option value="" { (w(lang, "(giữ nguyên)", "(unchanged)")) }
                        @for r in Role::ALL { option value=(r.as_str()) { (role_word(lang, r)) } }
                    } }
                label { (w(lang, "Phạm vi (mã xã, cụm, tỉnh hoặc mã tổ)", "Scope (commune, grouping, province code or team id)"))
                    input name="scope" required; }
                button.go { (w(lang, "Đổi", "Change")) }
            }
        }
    }
}

/// What an act did, for the page: a new code to hand over, or nothing to say.
enum Done {
    Nothing,
    Code(String),
}

/// `POST /accounts/{username}`: one act on one account; 303 back to the page, or (a
/// reset) the page with the new code, or the page with why the act was refused.
pub async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    path: web::Path<String>,
    q: web::Query<LangQuery>,
    form: web::Form<ActForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req, q.lang.as_deref());
    if let Some(answer) = refusal(&who, lang) {
        return Ok(answer);
    }
    let who = who?;
    let (me, actor, name) = (who.username.clone(), who.actor(), normalise_username(&path));
    let action = form.into_inner().action;
    if action == "disable" && name == me {
        let why = w(
            lang,
            "Bạn không thể tự vô hiệu hóa tài khoản của mình.",
            "You cannot disable your own account.",
        );
        return render(
            &state,
            lang,
            me,
            StatusCode::CONFLICT,
            Some(m! { p.err role="alert" { (why) } }),
        )
        .await;
    }
    let (st, target) = (state.clone(), name.clone());
    let done = crate::block(move || -> Result<Done, StoreError> {
        let store = &st.store;
        match action.as_str() {
            "disable" => store.disable_user(&actor, &target).map(|_| Done::Nothing),
            "enable" => store.enable_user(&actor, &target).map(|_| Done::Nothing),
            "unlock" => store.unlock_user(&actor, &target).map(|_| Done::Nothing),
            "reset" => store.reset_password(&actor, &target).map(Done::Code),
            other => Err(StoreError::Invalid(format!("unknown action '{other}'"))),
        }
    })
    .await?;
    match done {
        Ok(Done::Nothing) => Ok(see_other(&format!("/accounts?lang={}", lang.code()))),
        Ok(Done::Code(code)) => {
            let say = w(
                lang,
                "Mã đặt mật khẩu mới (dùng một lần, 7 ngày) cho",
                "New one-time password code (7 days) for",
            );
            let notice = m! { p id="new-code" role="status" { (say) " " b { (name) } ": " code { (code) } } };
            render(&state, lang, me, StatusCode::OK, Some(notice)).await
        }
        Err(StoreError::NotFound(_) | StoreError::Invalid(_)) => {
            let why = w(
                lang,
                "Không có tài khoản này, hoặc thao tác không hợp lệ.",
                "No such account, or no such action.",
            );
            render(
                &state,
                lang,
                me,
                StatusCode::NOT_FOUND,
                Some(m! { p.err role="alert" { (why) } }),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /accounts`: re-scopes an account (the form below the list); 303 back to the page,
/// or the page with why it was refused. An admin keeps their own role (as over the API).
pub async fn rescope(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: web::Query<LangQuery>,
    form: web::Form<RescopeForm>,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(&req, q.lang.as_deref());
    if let Some(answer) = refusal(&who, lang) {
        return Ok(answer);
    }
    let who = who?;
    let f = form.into_inner();
    let (me, actor, name) = (
        who.username.clone(),
        who.actor(),
        normalise_username(&f.username),
    );
    let role = match f.role.as_str() {
        "" => None,
        r => Role::parse(r),
    };
    let refused = |vi, en| Some(m! { p.err role="alert" { (w(lang, vi, en)) } });
    if !f.role.is_empty() && role.is_none() {
        let no = refused("Không có vai trò này.", "No such role.");
        return render(&state, lang, me, StatusCode::BAD_REQUEST, no).await;
    }
    if name == me && role.is_some_and(|r| r != Role::ProvinceAdmin) {
        let no = refused(
            "Bạn không thể bỏ vai trò quản trị tỉnh của chính mình.",
            "You cannot give up your own province administrator role.",
        );
        return render(&state, lang, me, StatusCode::CONFLICT, no).await;
    }
    let st = state.clone();
    let done =
        crate::block(move || st.store.rescope_user(&actor, &name, role, f.scope.trim())).await?;
    match done {
        Ok(_) => Ok(see_other(&format!("/accounts?lang={}", lang.code()))),
        Err(StoreError::NotFound(_) | StoreError::Invalid(_)) => {
            let no = refused(
                "Không có tài khoản này, hoặc phạm vi không có trên bản đồ hiện hành ở cấp của vai trò.",
                "No such account, or no unit of the role's level with this code on the current map.",
            );
            render(&state, lang, me, StatusCode::BAD_REQUEST, no).await
        }
        Err(e) => Err(e.into()),
    }
}
