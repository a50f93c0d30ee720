//! Leaders' reports: a unit's summary (series, totals, coverage), leaderboards, and
//! per-village coverage, as JSON or exported (`format=csv|xlsx`).
//!
//! Every report needs a [`Leader`], and the leader's scope must contain the unit asked for
//! (for a leaderboard, the scope it ranks within): 404 `unknown_unit` if it does not
//! exist, 403 `out_of_scope` if it lies elsewhere. Targets are set by the province
//! administrator (`POST /v1/targets`).

use crate::AppState;
use crate::error::ApiError;
use crate::export::{self, Book, Format};
use crate::leader::Leader;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use langso_domain::periods::{Granularity, Period};
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Basis, TargetRule};
use langso_domain::time::Day;
use langso_domain::time::vn_day;
use langso_domain::units::Level;
use langso_store::{Entrants, LeaderboardQuery, RankBy, StoreError, SummaryQuery, TargetScope};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    unit_kind: String,
    unit: String,
    period: Option<String>,
    date: Option<Day>,
    from: Option<Day>,
    to: Option<Day>,
    granularity: Option<String>,
    format: Option<String>,
    /// A hierarchy version's key (its first day): sum along that map (issue 8).
    hierarchy: Option<Day>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaderboardParams {
    scope_kind: String,
    scope: String,
    of: String,
    period: Option<String>,
    date: Option<Day>,
    from: Option<Day>,
    to: Option<Day>,
    rank_by: Option<String>,
    format: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageParams {
    unit_kind: String,
    unit: String,
    period: Option<String>,
    date: Option<Day>,
    from: Option<Day>,
    to: Option<Day>,
    format: Option<String>,
}

pub(super) fn unit(kind: &str, id: &str, what: &'static str) -> Result<UnitRef, ApiError> {
    let kind = UnitKind::parse(kind).ok_or_else(|| {
        ApiError::bad_request(
            what,
            format!("{kind:?} is not one of {}", UnitKind::names()),
        )
    })?;
    Ok(UnitRef::new(kind, id))
}

pub(super) fn period(
    p: Option<&str>,
    date: Option<Day>,
    from: Option<Day>,
    to: Option<Day>,
) -> Result<Period, ApiError> {
    let day = |d: Option<Day>| d.map(|d| d.0);
    Period::from_query(p, day(date), day(from), day(to), vn_day(Utc::now()))
        .map_err(|e| ApiError::bad_request(e.code(), e.to_string()))
}

pub(super) fn format(f: Option<&str>) -> Result<Format, ApiError> {
    f.map_or(Ok(Format::Json), |f| {
        Format::parse(f).ok_or_else(|| {
            ApiError::bad_request("invalid_format", "format must be json, csv or xlsx")
        })
    })
}

/// A store refusal of the query itself is the client's mistake.
pub(super) fn invalid(code: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Invalid(m) => ApiError::bad_request(code, m),
        e => e.into(),
    }
}

/// The report as JSON, or its export as a download.
pub(super) fn answer<T: serde::Serialize>(
    report: &T,
    format: Format,
    book: impl FnOnce(&T) -> Book,
) -> Result<HttpResponse, ApiError> {
    if format == Format::Json {
        return Ok(HttpResponse::Ok().json(report));
    }
    attachment(export::render(&book(report), format))
}

/// A rendered export as a download (its failure logged, answered 503).
pub(super) fn attachment(
    rendered: Result<(Vec<u8>, &'static str, String), String>,
) -> Result<HttpResponse, ApiError> {
    let (bytes, content_type, file) = rendered.map_err(|e| {
        tracing::error!(error = %e, "export failed");
        ApiError::unavailable()
    })?;
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .body(bytes))
}

pub async fn summary(
    state: web::Data<AppState>,
    leader: Leader,
    q: web::Query<SummaryParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let target = unit(&q.unit_kind, &q.unit, "invalid_unit_kind")?;
    let period = period(q.period.as_deref(), q.date, q.from, q.to)?;
    let granularity = q
        .granularity
        .as_deref()
        .map(|g| {
            Granularity::parse(g).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_granularity",
                    "granularity must be one of day, week, month, quarter, year",
                )
            })
        })
        .transpose()?;
    if let Err(e) = period.points(granularity.unwrap_or_else(|| period.default_granularity())) {
        return Err(ApiError::bad_request(e.code(), e.to_string()));
    }
    let format = format(q.format.as_deref())?;
    let hierarchy = q.hierarchy.map(|d| d.0.to_string());
    let store = state.store.clone();
    let report = crate::block(move || {
        match &hierarchy {
            Some(key) => leader.require_along(&store, key, &target)?,
            None => leader.require_within(&store, &target)?,
        }
        store
            .report_summary(&SummaryQuery {
                unit: target,
                period,
                granularity,
                now: Utc::now(),
                hierarchy,
            })
            .map_err(ApiError::from)
    })
    .await??;
    answer(&report, format, export::summary_book)
}

pub async fn leaderboard(
    state: web::Data<AppState>,
    leader: Leader,
    q: web::Query<LeaderboardParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let scope = unit(&q.scope_kind, &q.scope, "invalid_scope_kind")?;
    let of = Entrants::parse(&q.of).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_leaderboard",
            format!(
                "of must be one of {}",
                Entrants::ALL.map(Entrants::as_str).join(", ")
            ),
        )
    })?;
    if !of.scopes().contains(&scope.kind) {
        let kinds: Vec<&str> = of.scopes().iter().map(|k| k.as_str()).collect();
        return Err(ApiError::bad_request(
            "invalid_leaderboard",
            format!(
                "a leaderboard of {} ranks within a {}",
                q.of,
                kinds.join(" or ")
            ),
        ));
    }
    let period = period(q.period.as_deref(), q.date, q.from, q.to)?;
    let rank_by = match q.rank_by.as_deref() {
        None | Some("score") => RankBy::Score,
        Some(kind) => RankBy::Kind(kind.to_owned()),
    };
    let format = format(q.format.as_deref())?;
    let store = state.store.clone();
    let report = crate::block(move || {
        leader.require_within(&store, &scope)?;
        if of == Entrants::Districts {
            no_districts_on_map(&store)?;
        }
        store
            .report_leaderboard(&LeaderboardQuery {
                scope,
                of,
                period,
                rank_by,
                now: Utc::now(),
            })
            .map_err(invalid("invalid_rank_by"))
    })
    .await??;
    answer(&report, format, export::leaderboard_book)
}

/// The stable code of a leaderboard of a level the current map lacks.
pub const LEVEL_NOT_ON_MAP: &str = "level_not_on_map";

/// 400 `level_not_on_map` when the current map has no districts (Quảng Ninh's since
/// 2025-07-01): a district leaderboard would rank nothing. The message names the map's
/// levels and the former districts' leaderboard, `of=groupings`.
fn no_districts_on_map(store: &langso_store::Store) -> Result<(), ApiError> {
    let (key, levels) = store.current_levels()?;
    if levels.contains(&Level::District) {
        return Ok(());
    }
    Err(ApiError::bad_request(
        LEVEL_NOT_ON_MAP,
        format!(
            "the current map ({key}) has no level 'district'; its levels: {}. The former \
             districts are groupings of communes: ask of=groupings",
            Level::names(&levels)
        ),
    ))
}

pub async fn coverage(
    state: web::Data<AppState>,
    leader: Leader,
    q: web::Query<CoverageParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let target = unit(&q.unit_kind, &q.unit, "invalid_unit_kind")?;
    let period = period(q.period.as_deref(), q.date, q.from, q.to)?;
    let format = format(q.format.as_deref())?;
    let store = state.store.clone();
    let report = crate::block(move || {
        leader.require_within(&store, &target)?;
        store
            .report_coverage(&target, &period, Utc::now())
            .map_err(ApiError::from)
    })
    .await??;
    answer(&report, format, export::coverage_book)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetBody {
    unit_kind: Option<String>,
    unit: Option<String>,
    kind: String,
    basis: String,
    value: f64,
    start_date: Option<Day>,
    due_date: Option<Day>,
    #[serde(default)]
    note: String,
}

fn invalid_target(m: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_target", m)
}

/// Sets (or replaces) a target: the province administrator's job.
pub async fn set_target(
    state: web::Data<AppState>,
    leader: Leader,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if leader.role != langso_domain::scope::Role::ProvinceAdmin {
        return Err(ApiError::forbidden(
            "role_required",
            "only the province administrator sets targets",
        ));
    }
    let b: TargetBody = super::small_json(&req, payload).await?;
    let (start_date, due_date) = (b.start_date.map(|d| d.0), b.due_date.map(|d| d.0));
    let basis = Basis::parse(&b.basis)
        .ok_or_else(|| invalid_target("basis must be count, population, adults or households"))?;
    let rule = TargetRule::new(b.kind, basis, b.value).map_err(invalid_target)?;
    let target = match (b.unit_kind.as_deref(), b.unit) {
        (Some(k), Some(id)) => TargetScope::Unit(unit(k, &id, "invalid_target")?),
        (None, None) => TargetScope::Default,
        _ => return Err(invalid_target("give both unit_kind and unit, or neither")),
    };
    let answer = json!({
        "unit_kind": match &target { TargetScope::Unit(u) => json!(u.kind), TargetScope::Default => json!(null) },
        "unit": match &target { TargetScope::Unit(u) => json!(u.id), TargetScope::Default => json!(null) },
        "kind": rule.kind, "basis": rule.basis, "value": rule.value,
        "start_date": start_date, "due_date": due_date, "note": b.note,
    });
    let store = state.store.clone();
    crate::block(move || {
        if let TargetScope::Unit(u) = &target {
            leader.require_within(&store, u)?;
        }
        store
            .set_target(&leader.actor(), target, rule, start_date, due_date, b.note)
            .map_err(invalid("invalid_target"))
    })
    .await??;
    Ok(HttpResponse::Ok().json(answer))
}
