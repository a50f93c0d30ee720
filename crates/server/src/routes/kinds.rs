//! The activity catalogue (issue 9): the province administrator lists, adds and edits
//! kinds (`/v1/admin/kinds`). A kind is sent in the shape a pull delivers it; an edit names
//! only what changes. Phones receive every change in their next pull.
//!
//! Codes: 403 `role_required` (anyone but the province administrator), 400 `invalid_kind`
//! (a code that is not stable snake_case, an empty or overlong label, a negative or
//! non-finite weight, a bad `weight_from`), 404 `unknown_kind`, 409 `kind_exists`.

use super::small_json;
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::KindCode;
use langso_domain::catalogue::{self, KindDraft, KindEdit, NewKind};
use langso_domain::kinds::WeightFrom;
use langso_domain::scope::Role;
use langso_store::StoreError;
use serde::Deserialize;
use serde_json::json;

/// A kind as a pull delivers it. `weights` and `deactivated` parts of that shape are read
/// but not taken: a new kind's `weight` is in force from its first day.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindBody {
    #[serde(default)]
    code: Option<String>,
    label_vi: String,
    label_en: String,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    unit_vi: Option<String>,
    #[serde(default)]
    unit_en: Option<String>,
    weight: f64,
    /// PUT only: the first local day (YYYY-MM-DD) a changed weight is in force.
    #[serde(default)]
    weight_from: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    weights: Option<Vec<WeightFrom>>,
    #[serde(default)]
    active: Option<bool>,
}

/// What a PATCH changes; absent fields stay as they are.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindPatch {
    label_vi: Option<String>,
    label_en: Option<String>,
    unit_vi: Option<String>,
    unit_en: Option<String>,
    weight: Option<f64>,
    /// The first local day (YYYY-MM-DD) the new weight is in force; today when absent.
    weight_from: Option<String>,
    active: Option<bool>,
}

fn invalid(why: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_kind", why)
}

fn require_admin(who: &Leader) -> Result<(), ApiError> {
    if who.role == Role::ProvinceAdmin {
        return Ok(());
    }
    Err(ApiError::forbidden(
        "role_required",
        "only the province administrator manages the activity catalogue",
    ))
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound(m) => ApiError::not_found("unknown_kind", m),
        StoreError::Invalid(m) => invalid(m),
        e => e.into(),
    }
}

fn opt_label(what: &str, s: Option<String>) -> Result<Option<String>, ApiError> {
    s.map(|s| catalogue::label(what, &s))
        .transpose()
        .map_err(invalid)
}

/// The weight part of an edit: a weight, and its first day if one is named.
fn weight_edit(
    weight: Option<f64>,
    from: Option<String>,
) -> Result<Option<(f64, Option<chrono::NaiveDate>)>, ApiError> {
    let from = from
        .map(|d| {
            langso_domain::time::parse_day(&d)
                .ok_or_else(|| invalid("weight_from must be a date, YYYY-MM-DD"))
        })
        .transpose()?;
    match (weight, from) {
        (None, Some(_)) => Err(invalid("weight_from needs a weight")),
        (None, None) => Ok(None),
        (Some(w), from) => Ok(Some((catalogue::weight(w).map_err(invalid)?, from))),
    }
}

impl KindBody {
    fn draft(&self) -> KindDraft<'_> {
        KindDraft {
            code: self.code.as_deref().unwrap_or_default(),
            label_vi: &self.label_vi,
            label_en: &self.label_en,
            unit: self.unit.as_deref(),
            unit_vi: self.unit_vi.as_deref(),
            unit_en: self.unit_en.as_deref(),
            weight: self.weight,
        }
    }
}

fn code_in_path(code: &str) -> Result<KindCode, ApiError> {
    KindCode::parse(code)
        .ok_or_else(|| ApiError::not_found("unknown_kind", "no such kind in the catalogue"))
}

/// `GET /v1/admin/kinds`: the whole catalogue, inactive kinds too.
pub async fn list(state: web::Data<AppState>, who: Leader) -> Result<HttpResponse, ApiError> {
    require_admin(&who)?;
    let st = state.clone();
    let kinds = crate::block(move || st.store.catalogue()).await??;
    Ok(HttpResponse::Ok().json(json!({ "kinds": kinds })))
}

/// `POST /v1/admin/kinds`: adds a kind (201 with the kind as pulls deliver it).
pub async fn add(
    state: web::Data<AppState>,
    who: Leader,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_admin(&who)?;
    let body: KindBody = small_json(&req, payload).await?;
    if body.weight_from.is_some() {
        return Err(invalid(
            "a new kind's weight is in force from its first day",
        ));
    }
    let kind = NewKind::parse(&body.draft(), body.active.unwrap_or(true)).map_err(invalid)?;
    let (st, actor) = (state.clone(), who.actor());
    let added = crate::block(move || st.store.add_kind(&actor, kind))
        .await?
        .map_err(store_error)?;
    tracing::info!(by = %who.username, kind = %added.code, "kind added");
    Ok(HttpResponse::build(StatusCode::CREATED).json(added))
}

async fn apply(
    state: web::Data<AppState>,
    who: Leader,
    code: KindCode,
    edit: KindEdit,
) -> Result<HttpResponse, ApiError> {
    if edit.is_empty() {
        return Err(invalid("nothing to change"));
    }
    let (st, actor) = (state.clone(), who.actor());
    let edited = crate::block(move || st.store.edit_kind(&actor, &code, edit))
        .await?
        .map_err(store_error)?;
    tracing::info!(by = %who.username, kind = %edited.code, "kind edited");
    Ok(HttpResponse::Ok().json(edited))
}

/// An edit's request: the admin check, the path's code and the body.
async fn edit_request<T: serde::de::DeserializeOwned>(
    who: &Leader,
    path: &str,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(KindCode, T), ApiError> {
    require_admin(who)?;
    let code = code_in_path(path)?;
    Ok((code, small_json(req, payload).await?))
}

/// `PATCH /v1/admin/kinds/{code}`: changes what the body names.
pub async fn patch(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (code, b): (_, KindPatch) = edit_request(&who, &path, &req, payload).await?;
    let edit = KindEdit {
        label_vi: opt_label("label_vi", b.label_vi)?,
        label_en: opt_label("label_en", b.label_en)?,
        unit_vi: opt_label("unit_vi", b.unit_vi)?,
        unit_en: opt_label("unit_en", b.unit_en)?,
        weight: weight_edit(b.weight, b.weight_from)?,
        active: b.active,
    };
    apply(state, who, code, edit).await
}

/// `PUT /v1/admin/kinds/{code}`: the whole kind, in the shape of `POST` (`code`, if sent,
/// must be the path's); a weight other than today's is in force from `weight_from`.
pub async fn put(
    state: web::Data<AppState>,
    who: Leader,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (code, b): (_, KindBody) = edit_request(&who, &path, &req, payload).await?;
    if b.code.as_deref().is_some_and(|c| c != code.as_str()) {
        return Err(invalid("the body's code is not the path's"));
    }
    let from = weight_edit(Some(b.weight), b.weight_from.clone())?.and_then(|w| w.1);
    let edit = KindEdit::whole(&b.draft(), from, b.active).map_err(invalid)?;
    apply(state, who, code, edit).await
}
