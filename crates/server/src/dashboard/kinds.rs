//! The catalogue page (`/kinds`, issue 9): the province administrator lists the kinds, adds
//! one, edits labels, units and weight (from a day), deactivates or reactivates one. Plain
//! forms, no scripts; each change answers 303 back to the page, a refused one the page again
//! with the reason (400/404/409). Other leaders get a 403 page.

use super::{Lang, LangQuery, error_page, html, lang_of, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::KindCode;
use langso_domain::audit::Actor;
use langso_domain::catalogue::{KindDraft, KindEdit, NewKind};
use langso_domain::kinds::ActivityKind;
use langso_domain::scope::Role;
use maud::{Markup, html as m};
use serde::Deserialize;

/// The page's words: (Vietnamese, English).
fn w(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Vi { vi } else { en }
}

/// What both forms send: labels, units and weight.
#[derive(Deserialize)]
pub struct Fields {
    label_vi: String,
    label_en: String,
    unit_vi: String,
    unit_en: String,
    weight: String,
}

impl Fields {
    /// The fields as a draft of kind `code`; a weight that is no number is refused.
    fn draft<'a>(&'a self, code: &'a str) -> Result<KindDraft<'a>, String> {
        let weight = self.weight.trim().replace(',', ".");
        Ok(KindDraft {
            code,
            label_vi: &self.label_vi,
            label_en: &self.label_en,
            unit: None,
            unit_vi: Some(&self.unit_vi),
            unit_en: Some(&self.unit_en),
            weight: weight.parse().map_err(|_| "weight must be a number")?,
        })
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    code: String,
    #[serde(flatten)]
    fields: Fields,
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(flatten)]
    fields: Fields,
    #[serde(default)]
    weight_from: String,
    /// `save`, `deactivate` or `reactivate`.
    action: String,
}

fn new_kind(f: &AddForm) -> Result<NewKind, String> {
    NewKind::parse(&f.fields.draft(f.code.trim())?, true)
}

fn edit_of(f: &EditForm) -> Result<KindEdit, String> {
    let from = match f.weight_from.trim() {
        "" => None,
        d => Some(
            langso_domain::time::parse_day(d).ok_or("weight_from must be a date, YYYY-MM-DD")?,
        ),
    };
    let active = match f.action.as_str() {
        "deactivate" => Some(false),
        "reactivate" => Some(true),
        _ => None,
    };
    KindEdit::whole(&f.fields.draft("")?, from, active)
}

fn row(lang: Lang, k: &ActivityKind) -> Markup {
    let weights: Vec<String> = k
        .weights
        .iter()
        .map(|x| format!("{} → {}", x.from, x.weight))
        .collect();
    m! {
        tr {
            td { b { (k.code) } br; span.muted { (weights.join("; ")) } }
            td colspan="6" {
                form.pick method="post" action={ "/kinds/" (k.code) "?lang=" (lang.code()) } {
                    label { (w(lang, "Tên (tiếng Việt)", "Name (Vietnamese)")) input name="label_vi" value=(k.label_vi) required; }
                    label { (w(lang, "Tên (tiếng Anh)", "Name (English)")) input name="label_en" value=(k.label_en) required; }
                    label { (w(lang, "Đơn vị (tiếng Việt)", "Unit (Vietnamese)")) input name="unit_vi" value=(k.unit_vi) required; }
                    label { (w(lang, "Đơn vị (tiếng Anh)", "Unit (English)")) input name="unit_en" value=(k.unit_en) required; }
                    label { (w(lang, "Trọng số", "Weight")) input name="weight" value=(k.weight) inputmode="decimal" required; }
                    label { (w(lang, "Từ ngày", "From")) input name="weight_from" type="date"; }
                    button.go name="action" value="save" { (w(lang, "Lưu", "Save")) }
                    @if k.active {
                        button.go name="action" value="deactivate" { (w(lang, "Ngừng dùng", "Deactivate")) }
                    } @else {
                        span.err { (w(lang, "Đã ngừng", "Inactive")) }
                        button.go name="action" value="reactivate" { (w(lang, "Dùng lại", "Reactivate")) }
                    }
                }
            }
        }
    }
}

fn page(lang: Lang, kinds: &[ActivityKind], error: Option<&str>) -> Markup {
    let title = w(lang, "Danh mục hoạt động", "Activity catalogue");
    let body = m! {
        section {
            h2 { (title) }
            p { a href={ "/?lang=" (lang.code()) } { (w(lang, "← Bảng điều khiển", "← Dashboard")) } }
            @if let Some(e) = error { p.err role="alert" { (e) } }
            div.table { table.stack { tbody { @for k in kinds { (row(lang, k)) } } } }
        }
        section {
            h2 { (w(lang, "Thêm loại hoạt động", "Add a kind")) }
            form.pick method="post" action={ "/kinds?lang=" (lang.code()) } {
                label { (w(lang, "Mã (vd. bdhvs_cert)", "Code (e.g. bdhvs_cert)")) input name="code" required; }
                label { (w(lang, "Tên (tiếng Việt)", "Name (Vietnamese)")) input name="label_vi" required; }
                label { (w(lang, "Tên (tiếng Anh)", "Name (English)")) input name="label_en" required; }
                label { (w(lang, "Đơn vị (tiếng Việt)", "Unit (Vietnamese)")) input name="unit_vi" required; }
                label { (w(lang, "Đơn vị (tiếng Anh)", "Unit (English)")) input name="unit_en" required; }
                label { (w(lang, "Trọng số", "Weight")) input name="weight" inputmode="decimal" required; }
                button.go { (w(lang, "Thêm", "Add")) }
            }
        }
    };
    super::page::layout(lang, title, None, body)
}

/// The answer for anyone but a signed-in province administrator (None: go on): the login
/// page when not signed in, else a 403 page.
pub(super) fn refusal(who: &Result<Leader, ApiError>, lang: Lang) -> Option<HttpResponse> {
    match who {
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            Some(see_other(&format!("/login?lang={}", lang.code())))
        }
        Err(e) => Some(error_page(lang, e.status, e.code)),
        Ok(l) if l.role != Role::ProvinceAdmin => {
            Some(error_page(lang, StatusCode::FORBIDDEN, "role_required"))
        }
        Ok(_) => None,
    }
}

async fn render(
    state: &web::Data<AppState>,
    lang: Lang,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let st = state.clone();
    let kinds = crate::block(move || st.store.catalogue()).await??;
    Ok(html(status, lang, page(lang, &kinds, error)))
}

/// `GET /kinds`.
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
    render(&state, lang, StatusCode::OK, None).await
}

/// The page again after a change: 303 to it, or the page with the refusal.
async fn after(
    state: &web::Data<AppState>,
    lang: Lang,
    done: Result<(), ApiError>,
) -> Result<HttpResponse, ApiError> {
    match done {
        Ok(()) => Ok(see_other(&format!("/kinds?lang={}", lang.code()))),
        Err(e) if e.status.is_client_error() => {
            render(state, lang, e.status, Some(&e.message)).await
        }
        Err(e) => Err(e),
    }
}

/// Runs a checked change as the signed-in administrator, then answers with the page.
async fn act<T: Send + 'static>(
    state: web::Data<AppState>,
    req: &HttpRequest,
    who: Result<Leader, ApiError>,
    lang: Option<&str>,
    checked: Result<T, ApiError>,
    change: impl FnOnce(&langso_store::Store, &Actor, T) -> langso_store::Result<ActivityKind>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let lang = lang_of(req, lang);
    let actor = match (refusal(&who, lang), who) {
        (Some(answer), _) => return Ok(answer),
        (None, Ok(who)) => who.actor(),
        (None, Err(e)) => return Err(e),
    };
    let done = match checked {
        Err(e) => Err(e),
        Ok(input) => {
            let st = state.clone();
            crate::block(move || change(&st.store, &actor, input))
                .await?
                .map(|_| ())
                .map_err(ApiError::from)
        }
    };
    after(&state, lang, done).await
}

/// `POST /kinds`: adds a kind.
pub async fn add(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: web::Query<LangQuery>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, ApiError> {
    let checked = new_kind(&form).map_err(|why| ApiError::bad_request("invalid_kind", why));
    act(
        state,
        &req,
        who,
        q.lang.as_deref(),
        checked,
        |store, actor, kind| store.add_kind(actor, kind),
    )
    .await
}

/// `POST /kinds/{code}`: saves an edit, or deactivates or reactivates the kind.
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    path: web::Path<String>,
    q: web::Query<LangQuery>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, ApiError> {
    let checked = match (KindCode::parse(&path), edit_of(&form)) {
        (None, _) => Err(ApiError::not_found("unknown_kind", "no such kind")),
        (_, Err(why)) => Err(ApiError::bad_request("invalid_kind", why)),
        (Some(code), Ok(e)) => Ok((code, e)),
    };
    act(
        state,
        &req,
        who,
        q.lang.as_deref(),
        checked,
        |store, actor, (code, e)| store.edit_kind(actor, &code, e),
    )
    .await
}
