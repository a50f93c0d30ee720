//! The activity evidence a province pays team stipends by (issue 9): `GET
//! /v1/reports/evidence` (a month, per team, with commune and unit totals; JSON, CSV or
//! XLSX laid out for printing) and the qualifying rule, `GET|PUT /v1/admin/evidence-rule`.
//!
//! The report has the other reports' scope rules (404 `unknown_unit`, 403 `out_of_scope`);
//! the rule is read by any leader and set by the province administrator only (403
//! `role_required`).

use super::reports::{attachment, format, invalid, period, unit};
use crate::AppState;
use crate::error::ApiError;
use crate::export;
use crate::leader::Leader;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use langso_domain::evidence::{EvidenceRule, month_of, parse_month};
use langso_domain::periods::PeriodKind;
use langso_domain::scope::Role;
use langso_domain::time::{Day, vn_day};
use langso_store::EvidenceQuery;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceParams {
    unit_kind: String,
    unit: String,
    period: Option<String>,
    date: Option<Day>,
    format: Option<String>,
}

/// The month's evidence for a team, commune, grouping, district or the province.
pub async fn report(
    state: web::Data<AppState>,
    leader: Leader,
    q: web::Query<EvidenceParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let target = unit(&q.unit_kind, &q.unit, "invalid_unit_kind")?;
    let period = period(q.period.as_deref(), q.date, None, None)?;
    if period.kind != PeriodKind::Month {
        return Err(ApiError::bad_request(
            "invalid_period",
            "the evidence report is monthly: period must be month (or left out)",
        ));
    }
    if period.from > vn_day(Utc::now()) {
        // A month not begun would list every team as not qualifying.
        return Err(ApiError::bad_request(
            "invalid_period",
            format!(
                "{} has not begun: evidence is for this month or a past one",
                period.from.format("%Y-%m")
            ),
        ));
    }
    let format = format(q.format.as_deref())?;
    let store = state.store.clone();
    let report = crate::block(move || {
        leader.require_within(&store, &target)?;
        store
            .report_evidence(&EvidenceQuery {
                unit: target,
                period,
                now: Utc::now(),
            })
            .map_err(invalid("invalid_unit_kind"))
    })
    .await??;
    if format == export::Format::Json {
        return Ok(HttpResponse::Ok().json(&report));
    }
    attachment(export::render_printable(
        &export::evidence_printable(&report),
        format,
    ))
}

/// Every qualifying rule, oldest first, and the one in force this month.
pub async fn rules(state: web::Data<AppState>, _leader: Leader) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let rules = crate::block(move || store.evidence_rules()).await??;
    let now = langso_domain::evidence::in_force(&rules, vn_day(Utc::now()));
    Ok(HttpResponse::Ok().json(json!({ "rules": rules, "in_force": now })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// Numbers, so `4.0` reads as 4 (JSON Schema's integers): see [`whole`].
    min_activity_days: f64,
    min_active_members: f64,
    /// `YYYY-MM`; default: the current month.
    from: Option<String>,
}

fn invalid_rule(m: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_evidence_rule", m)
}

/// A threshold: a whole, non-negative number (`4` or `4.0`); the rule checks its range.
fn whole(name: &str, v: f64) -> Result<u32, ApiError> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        Ok(v as u32)
    } else {
        Err(invalid_rule(format!(
            "{name} must be a whole number from 0"
        )))
    }
}

/// Sets the rule from a month on: the province administrator's job.
pub async fn set_rule(
    state: web::Data<AppState>,
    leader: Leader,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if leader.role != Role::ProvinceAdmin {
        return Err(ApiError::forbidden(
            "role_required",
            "only the province administrator sets the evidence rule",
        ));
    }
    let b: RuleBody = super::small_json(&req, payload).await?;
    let current = month_of(vn_day(Utc::now()));
    let from = match b.from.as_deref() {
        None => current,
        Some(m) => parse_month(m).ok_or_else(|| invalid_rule("from must be a month, YYYY-MM"))?,
    };
    let days = whole("min_activity_days", b.min_activity_days)?;
    let members = whole("min_active_members", b.min_active_members)?;
    let rule = EvidenceRule::new(from, days, members).map_err(invalid_rule)?;
    let store = state.store.clone();
    let actor = leader.actor();
    let set = crate::block(move || store.set_evidence_rule(&actor, rule, current))
        .await?
        .map_err(invalid("invalid_evidence_rule"))?;
    Ok(HttpResponse::Ok().json(json!({ "rule": set.rule, "replaced": set.replaced })))
}
