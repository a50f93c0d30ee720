//! The roster (issue 8, "Real rosters"): the province administrator uploads the
//! province's villages, teams and members (`POST /v1/admin/roster`); any leader downloads
//! the roster within their scope, or the empty template, as XLSX.
//!
//! The upload is `multipart/form-data` with one or more files (CSV or XLSX, told apart by
//! content; parts read by `actix-multipart`), or a single file as the raw body (`text/csv`
//! or the XLSX media type). Nothing of the files is logged: only who imported, and the
//! counts.

use super::read_body;
use crate::AppState;
use crate::error::ApiError;
use crate::export::XLSX_TYPE;
use crate::leader::Leader;
use actix_multipart::{Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_core::Stream;
use langso_domain::scope::Role;
use serde::Deserialize;
use serde_json::json;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

/// Largest roster upload, all files together: a province's 11,000 members fit in 2 MiB.
pub const MAX_ROSTER_BYTES: usize = 16 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    #[serde(default)]
    dry_run: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadParams {
    format: Option<String>,
}

/// One uploaded file: its name (the part's file name, else its field name) and its bytes.
type File = (String, Vec<u8>);

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("a roster upload may be at most {MAX_ROSTER_BYTES} bytes"),
    )
}

fn unsupported() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("send multipart/form-data, text/csv or {XLSX_TYPE}"),
    )
}

fn malformed(why: MultipartError) -> ApiError {
    match why {
        // `multipart/form-data` with no usable boundary is no form: as before, 415.
        MultipartError::BoundaryMissing | MultipartError::ContentTypeParse => unsupported(),
        why => ApiError::bad_request(
            "invalid_body",
            format!("not a multipart/form-data body: {why}"),
        ),
    }
}

/// The body, already read and bounded, as the one-chunk stream `Multipart` reads.
struct Whole(Option<web::Bytes>);

impl Stream for Whole {
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

/// Every part of a `multipart/form-data` body (RFC 7578), in order: any part with a body
/// counts as a file (the store tells CSV from XLSX by content and name).
async fn form_files(req: &HttpRequest, body: web::Bytes) -> Result<Vec<File>, ApiError> {
    let mut form = pin!(Multipart::new(req.headers(), Whole(Some(body))));
    let mut files = Vec::new();
    while let Some(part) = std::future::poll_fn(|cx| form.as_mut().poll_next(cx)).await {
        let mut part = part.map_err(malformed)?;
        // The reader refuses a form-data part without a name (RFC 7578, section 4.2).
        let name = part
            .content_disposition()
            .and_then(|d| d.get_filename().or_else(|| d.get_name()))
            .unwrap_or_default()
            .to_owned();
        let bytes = part
            .bytes(MAX_ROSTER_BYTES)
            .await
            .map_err(|_| too_large())?
            .map_err(malformed)?;
        files.push((name, bytes.to_vec()));
    }
    if files.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_body",
            "the form holds no file",
        ));
    }
    Ok(files)
}

/// The uploaded files of a request, by its media type: a form's parts, or the raw body as
/// one file.
async fn files(req: &HttpRequest, body: web::Bytes) -> Result<Vec<File>, ApiError> {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let name = match media.as_str() {
        "multipart/form-data" => return form_files(req, body).await,
        "text/csv" => "roster.csv",
        m if m == XLSX_TYPE => "roster.xlsx",
        _ => return Err(unsupported()),
    };
    Ok(vec![(name.to_owned(), body.to_vec())])
}

pub async fn import(
    state: web::Data<AppState>,
    who: Leader,
    q: web::Query<ImportParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if who.role != Role::ProvinceAdmin {
        return Err(ApiError::forbidden(
            "role_required",
            "only the province administrator imports the roster",
        ));
    }
    let body = read_body(&req, payload, MAX_ROSTER_BYTES, too_large).await?;
    let files = files(&req, body).await?;
    let dry_run = q.dry_run.unwrap_or(false);
    let (store, actor) = (state.store.clone(), who.actor());
    let report = crate::block(move || {
        let roster = langso_domain::roster::read(&files);
        store.import_roster(&actor, roster, dry_run)
    })
    .await??;
    tracing::info!(
        by = %who.username,
        dry_run,
        applied = report.applied,
        problems = report.problems.len(),
        "roster import"
    );
    if !report.problems.is_empty() {
        let n = report.problems.len();
        return Ok(
            HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY).json(json!({
                "code": "invalid_roster",
                "message": format!("the roster has {n} problem(s); nothing was changed"),
                "report": report,
            })),
        );
    }
    Ok(HttpResponse::Ok().json(report))
}

fn xlsx_answer(bytes: Result<Vec<u8>, String>, file: &str) -> Result<HttpResponse, ApiError> {
    let bytes = bytes.map_err(|e| {
        tracing::error!(error = %e, "roster workbook failed");
        ApiError::unavailable()
    })?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX_TYPE)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes))
}

fn xlsx_only(format: Option<&str>) -> Result<(), ApiError> {
    match format {
        None | Some("xlsx") => Ok(()),
        Some(_) => Err(ApiError::bad_request(
            "invalid_format",
            "format must be xlsx",
        )),
    }
}

/// The roster within the leader's scope (the whole of it for the province).
pub async fn download(
    state: web::Data<AppState>,
    who: Leader,
    q: web::Query<DownloadParams>,
) -> Result<HttpResponse, ApiError> {
    xlsx_only(q.format.as_deref())?;
    let store = state.store.clone();
    let roster = crate::block(move || {
        let scope = (who.role != Role::ProvinceAdmin).then_some(&who.scope);
        store.current_roster(scope)
    })
    .await??;
    xlsx_answer(crate::roster_xlsx(&roster), "langso-roster.xlsx")
}

/// The empty roster workbook: headings and instructions.
pub async fn template(_who: Leader) -> Result<HttpResponse, ApiError> {
    xlsx_answer(crate::template_xlsx(), "langso-roster-template.xlsx")
}
