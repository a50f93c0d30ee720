//! A team's phones on the dashboard (`/devices?team=T…`, issue 9): the team's leader (or a
//! leader whose scope contains the team) sees each phone's member, last sync and state,
//! keeps only those not synced for N days, revokes or un-revokes one, and reviews what a
//! revoked phone pushed (count it or discard it, with a reason). Every act is the store's
//! audited act, as over the API (crate::routes::devices_admin). Refusals are pages.

use super::numfmt::local_time;
use super::{Lang, error_page, html, lang_of, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::leader::Leader;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use langso_domain::scope::{Role, UnitKind, UnitRef};
use langso_domain::{DeviceId, TeamId};
use langso_store::{QuarantineDecision, QuarantinedBatch, TeamDevice};
use maud::{Markup, html as m};
use serde::Deserialize;

/// The page's words: (Vietnamese, English).
fn w(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Vi { vi } else { en }
}

#[derive(Deserialize)]
pub struct DevicesQuery {
    /// The team (a team leader's own when absent).
    team: Option<String>,
    /// Only phones not synced for this many days.
    stale_days: Option<String>,
    lang: Option<String>,
}

/// The team asked for, checked against the leader's scope: an error page otherwise.
fn team_of(
    store: &langso_store::Store,
    who: &Leader,
    asked: Option<&str>,
) -> Result<TeamId, ApiError> {
    let asked = asked.filter(|t| !t.is_empty());
    let id = match (asked, who.role) {
        (Some(t), _) => t.to_owned(),
        (None, Role::TeamLeader) => who.scope.id.clone(),
        (None, _) => return Err(ApiError::bad_request("invalid_query", "choose a team")),
    };
    let team =
        TeamId::parse(&id).ok_or_else(|| ApiError::not_found("unknown_unit", "no such team"))?;
    who.require_within(store, &UnitRef::new(UnitKind::Team, team.as_str()))?;
    Ok(team)
}

fn device_row(lang: Lang, team: &TeamId, d: &TeamDevice) -> Markup {
    let (action, label) = match d.revoked_ms {
        None => ("revoke", w(lang, "Thu hồi", "Revoke")),
        Some(_) => ("unrevoke", w(lang, "Cho dùng lại", "Un-revoke")),
    };
    m! {
        tr {
            td.name { (d.name) br; span.muted { (d.member_id) } }
            td { (local_time(lang, d.last_sync_ms)) }
            td { @if d.revoked_ms.is_some() { span.err { (w(lang, "Đã thu hồi", "Revoked")) } } @else { (w(lang, "Đang dùng", "In use")) } }
            td {
                form method="post" action={ "/devices/" (d.device_id) "?team=" (team) "&lang=" (lang.code()) } {
                    button.go name="action" value=(action) { (label) }
                }
            }
        }
    }
}

/// `counted` / `discarded` in the page's language.
fn decision_word(lang: Lang, d: &str) -> &str {
    match d {
        "counted" => w(lang, "Đã tính vào kết quả", "Counted"),
        "discarded" => w(lang, "Đã loại bỏ", "Discarded"),
        other => other,
    }
}

fn batch_row(lang: Lang, team: &TeamId, b: &QuarantinedBatch) -> Markup {
    let items = b.items.as_array().map_or(0, Vec::len);
    m! {
        tr {
            td { (local_time(lang, Some(b.received_ms))) br; span.muted { (b.device_id) } }
            td { (items) " " (w(lang, "mục", "items")) }
            td {
                @if let Some(d) = &b.decision {
                    (decision_word(lang, d)) " · " (b.decided_by.as_deref().unwrap_or("")) " · " (b.reason.as_deref().unwrap_or(""))
                } @else {
                    form.pick method="post" action={ "/quarantine/" (b.id) "?team=" (team) "&lang=" (lang.code()) } {
                        label { (w(lang, "Lý do", "Reason")) input name="reason" required maxlength="500"; }
                        button.go name="action" value="count" { (w(lang, "Tính vào kết quả", "Count it")) }
                        button.go name="action" value="discard" { (w(lang, "Loại bỏ", "Discard")) }
                    }
                }
            }
        }
    }
}

struct Listing {
    team: TeamId,
    stale_days: Option<u32>,
    devices: Vec<TeamDevice>,
    batches: Vec<QuarantinedBatch>,
}

fn page(lang: Lang, l: &Listing, notice: Option<&str>) -> Markup {
    let title = w(lang, "Thiết bị của tổ", "The team's phones");
    let body = m! {
        section {
            h2 { (title) " " (l.team) }
            p { a href={ "/?unit=team:" (l.team) "&lang=" (lang.code()) } { (w(lang, "← Trang của tổ", "← The team's page")) } }
            @if let Some(n) = notice { p.err role="alert" { (n) } }
            form.pick method="get" action="/devices" {
                input type="hidden" name="team" value=(l.team);
                input type="hidden" name="lang" value=(lang.code());
                label { (w(lang, "Chưa đồng bộ từ (ngày)", "Not synced for (days)"))
                    input name="stale_days" inputmode="numeric" value=[l.stale_days]; }
                button.go { (w(lang, "Lọc", "Filter")) }
            }
            div.table { table.stack id="devices" {
                thead { tr { th { (w(lang, "Thiết bị · thành viên", "Phone · member")) } th { (w(lang, "Đồng bộ gần nhất", "Last sync")) } th { (w(lang, "Trạng thái", "State")) } th {} } }
                tbody { @for d in &l.devices { (device_row(lang, &l.team, d)) } }
            } }
        }
        section {
            h2 { (w(lang, "Dữ liệu chờ xét (thiết bị đã thu hồi)", "Awaiting review (revoked phones)")) }
            @if l.batches.is_empty() { p.muted { (w(lang, "Không có.", "None.")) } }
            @else { div.table { table.stack id="quarantine" { tbody { @for b in &l.batches { (batch_row(lang, &l.team, b)) } } } } }
        }
    };
    super::page::layout(lang, title, None, body)
}

/// The stale filter: a whole number of days, or a 400 page.
fn stale(v: Option<&str>) -> Result<Option<u32>, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::bad_request("invalid_query", "stale_days is a whole number of days")
        }),
    }
}

async fn render(
    state: &web::Data<AppState>,
    who: Leader,
    q: DevicesQuery,
    lang: Lang,
    status: StatusCode,
    notice: Option<&str>,
) -> HttpResponse {
    let st = state.clone();
    let listed = crate::block(move || -> Result<Listing, ApiError> {
        let stale_days = stale(q.stale_days.as_deref())?;
        let team = team_of(&st.store, &who, q.team.as_deref())?;
        let devices = st.store.team_devices(&team, stale_days)?;
        let batches = st.store.team_quarantine(&team)?;
        Ok(Listing {
            team,
            stale_days,
            devices,
            batches,
        })
    })
    .await;
    match listed {
        Ok(Ok(l)) => html(status, lang, page(lang, &l, notice)),
        Ok(Err(e)) => error_page(lang, e.status, e.code),
        Err(_) => error_page(lang, StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

/// The signed-in leader, or the answer for no one: the login page, or an error page.
fn signed_in(who: Result<Leader, ApiError>, lang: Lang) -> Result<Leader, Box<HttpResponse>> {
    who.map_err(|e| {
        Box::new(match e.status {
            StatusCode::UNAUTHORIZED => see_other(&format!("/login?lang={}", lang.code())),
            status => error_page(lang, status, e.code),
        })
    })
}

/// `GET /devices`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: web::Query<DevicesQuery>,
) -> HttpResponse {
    let q = q.into_inner();
    let lang = lang_of(&req, q.lang.as_deref());
    match signed_in(who, lang) {
        Ok(who) => render(&state, who, q, lang, StatusCode::OK, None).await,
        Err(answer) => *answer,
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    /// `revoke`, `unrevoke`, `count` or `discard`.
    action: String,
    #[serde(default)]
    reason: String,
}

/// What a form asks for.
enum Act {
    Device(DeviceId, bool),
    Batch(i64, QuarantineDecision, String),
}

/// Runs `act` for `who` when the thing acted on belongs to a team in their scope.
fn run(store: &langso_store::Store, who: &Leader, act: Act) -> Result<(), ApiError> {
    let team = match &act {
        Act::Device(d, _) => store.device_team(d)?,
        Act::Batch(id, _, _) => store.quarantine_team(*id)?,
    }
    .ok_or_else(|| ApiError::not_found("not_found", "no such phone or batch"))?;
    who.require_within(store, &UnitRef::new(UnitKind::Team, team.as_str()))?;
    let actor = who.actor();
    match act {
        Act::Device(d, true) => store.revoke_device(&actor, &d)?,
        Act::Device(d, false) => drop(store.unrevoke_device(&actor, &d)?),
        Act::Batch(id, decision, reason) => {
            drop(store.decide_quarantine(&actor, id, decision, &reason)?)
        }
    }
    Ok(())
}

async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    q: DevicesQuery,
    act: Option<Act>,
) -> HttpResponse {
    let lang = lang_of(&req, q.lang.as_deref());
    let who = match signed_in(who, lang) {
        Ok(who) => who,
        Err(answer) => return *answer,
    };
    let Some(act) = act else {
        return error_page(lang, StatusCode::NOT_FOUND, "not_found");
    };
    let (st, me) = (state.clone(), who.clone());
    let done = crate::block(move || run(&st.store, &me, act)).await;
    match done {
        Ok(Ok(())) => {
            let team = q.team.as_deref().unwrap_or_default();
            see_other(&format!(
                "/devices?team={}&lang={}",
                super::view::encode(team),
                lang.code()
            ))
        }
        Ok(Err(e)) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            error_page(lang, e.status, e.code)
        }
        Ok(Err(e)) if e.status.is_client_error() => {
            let why = match e.code {
                "already_decided" => w(
                    lang,
                    "Lô này đã được xét.",
                    "This batch was already decided.",
                ),
                "device_not_revoked" => w(
                    lang,
                    "Thiết bị này không bị thu hồi.",
                    "This phone is not revoked.",
                ),
                "device_moved" => w(
                    lang,
                    "Đây là bản ghi công việc cũ của một điện thoại đã chuyển sang tổ khác; \
                     điện thoại vẫn đồng bộ với tổ mới.",
                    "This is the record of a phone's work before it moved to another team; \
                     the phone syncs with its new team.",
                ),
                _ => w(
                    lang,
                    "Hãy ghi lý do (tối đa 500 ký tự).",
                    "Give a reason (at most 500 characters).",
                ),
            };
            render(&state, who, q, lang, e.status, Some(why)).await
        }
        Ok(Err(e)) => error_page(lang, e.status, e.code),
        Err(_) => error_page(lang, StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

/// `POST /devices/{device_id}`: revoke or un-revoke; 303 back to the list.
pub async fn device(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    path: web::Path<String>,
    q: web::Query<DevicesQuery>,
    form: web::Form<ActForm>,
) -> HttpResponse {
    let act = DeviceId::parse(&path).and_then(|d| match form.action.as_str() {
        "revoke" => Some(Act::Device(d, true)),
        "unrevoke" => Some(Act::Device(d, false)),
        _ => None,
    });
    answer(state, req, who, q.into_inner(), act).await
}

/// `POST /quarantine/{id}`: count or discard a batch, with a reason; 303 back to the list.
pub async fn batch(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: Result<Leader, ApiError>,
    path: web::Path<String>,
    q: web::Query<DevicesQuery>,
    form: web::Form<ActForm>,
) -> HttpResponse {
    let form = form.into_inner();
    let decision = match form.action.as_str() {
        "count" => Some(QuarantineDecision::Count),
        "discard" => Some(QuarantineDecision::Discard),
        _ => None,
    };
    let act = path
        .parse()
        .ok()
        .zip(decision)
        .map(|(id, d)| Act::Batch(id, d, form.reason));
    answer(state, req, who, q.into_inner(), act).await
}
