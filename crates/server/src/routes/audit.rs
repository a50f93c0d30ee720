//! `GET /v1/admin/audit`: the audit log for the province administrator (issue 9, "Who
//! changed what"), as JSON pages or a CSV/XLSX download.

use super::reports::answer;
use crate::AppState;
use crate::error::ApiError;
use crate::export;
use crate::leader::Leader;
use actix_web::{HttpResponse, web};
use langso_domain::scope::Role;
use langso_domain::time::instant_ms;
use langso_store::{AuditEntry, AuditQuery, MAX_AUDIT_PAGE};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Entries per page when `limit` is not given.
const DEFAULT_LIMIT: usize = 100;

#[derive(Deserialize)]
pub struct AuditParams {
    since: Option<String>,
    until: Option<String>,
    action: Option<String>,
    who: Option<String>,
    after_id: Option<i64>,
    limit: Option<usize>,
    format: Option<String>,
}

/// One entry on the wire (schema `AuditEntry`): `before`/`after` are the JSON stored.
#[derive(Serialize)]
pub struct AuditEntryWire {
    id: i64,
    at: String,
    who: String,
    via: &'static str,
    addr: Option<String>,
    action: String,
    subject: String,
    before: Option<Box<RawValue>>,
    after: Option<Box<RawValue>>,
    hash: String,
}

/// A page (schema `AuditPage`): `next_after_id` is the cursor of the next page, null at
/// the end.
#[derive(Serialize)]
pub struct AuditPage {
    entries: Vec<AuditEntryWire>,
    next_after_id: Option<i64>,
}

/// An instant (RFC 3339) or a day (YYYY-MM-DD in Vietnam: its start, or for `until` the
/// start of the next day, so the day is kept) as Unix ms.
fn instant(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    instant_ms(v, name == "until").map(Some).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_query",
            format!("{name} is an RFC 3339 instant or a day YYYY-MM-DD (years 2000 to 2100)"),
        )
    })
}

fn wire(e: AuditEntry) -> AuditEntryWire {
    let raw = |s: Option<String>| s.and_then(|s| RawValue::from_string(s).ok());
    AuditEntryWire {
        id: e.id,
        at: export::audit_time(e.at_ms),
        who: e.who,
        via: e.via.as_str(),
        addr: e.addr,
        action: e.action,
        subject: e.subject,
        before: raw(e.before),
        after: raw(e.after),
        hash: e.hash,
    }
}

/// The query as the store takes it; 400 `invalid_query` for a bad instant or limit.
fn query(q: &AuditParams) -> Result<AuditQuery, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_AUDIT_PAGE {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit is 1 to {MAX_AUDIT_PAGE}"),
        ));
    }
    Ok(AuditQuery {
        since_ms: instant("since", q.since.as_deref())?,
        until_ms: instant("until", q.until.as_deref())?,
        action: q.action.clone().filter(|a| !a.is_empty()),
        who: q.who.clone().filter(|w| !w.is_empty()),
        after_id: q.after_id,
        limit,
    })
}

/// `GET /v1/admin/audit`: the province administrator only (403 `role_required`).
pub async fn audit(
    state: web::Data<AppState>,
    who: Leader,
    q: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    if who.role != Role::ProvinceAdmin {
        return Err(ApiError::forbidden(
            "role_required",
            "only the province administrator reads the audit log",
        ));
    }
    let format = super::reports::format(q.format.as_deref())?;
    let query = query(&q)?;
    let store = state.store.clone();
    let asked = query.clone();
    let entries = crate::block(move || store.audit(&asked)).await??;
    if format != export::Format::Json {
        return answer(&(), format, |_| export::audit_book(&entries));
    }
    let full = entries.len() == query.limit;
    let next_after_id = entries.last().map(|e| e.id).filter(|_| full);
    let page = AuditPage {
        entries: entries.into_iter().map(wire).collect(),
        next_after_id,
    };
    Ok(HttpResponse::Ok().json(page))
}
