//! Tally reports. A device may read its own team's villages and commune.

use crate::AppState;
use crate::auth::Device;
use crate::error::ApiError;
use actix_web::{HttpResponse, web};
use langso_domain::time::Day;
use langso_domain::units::Level;
use langso_store::{StoreError, TallyQuery};
use serde::Deserialize;
use serde_json::json;

/// Longest range one report may span.
pub const MAX_RANGE_DAYS: i64 = 366;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TallyParams {
    level: String,
    unit: String,
    from: Day,
    to: Day,
}

pub async fn tallies(
    state: web::Data<AppState>,
    device: Device,
    q: web::Query<TallyParams>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let (from, to) = (q.from.0, q.to.0);
    let level = Level::parse(&q.level).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_level",
            format!("level must be one of {}", Level::names(&Level::ALL)),
        )
    })?;
    if to < from {
        return Err(ApiError::bad_request("invalid_range", "to is before from"));
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(ApiError::bad_request(
            "range_too_large",
            format!("a report spans at most {MAX_RANGE_DAYS} days"),
        ));
    }
    let store = state.store.clone();
    let query = TallyQuery {
        level,
        unit: q.unit.clone(),
        from,
        to,
    };
    let level_name = q.level.clone();
    let report = crate::block(move || {
        let dev = store.device_state(&device.id, device.iat_ms)?;
        let Some(unit) = store.unit_info(level, &query.unit)? else {
            return Ok(Err(ApiError::not_found(
                "unknown_unit",
                format!("no {level_name} '{}'", query.unit),
            )));
        };
        if !store.device_may_read(dev.team_id, &unit)? {
            return Ok(Err(ApiError::forbidden(
                "out_of_scope",
                "a device may read its own team's villages and commune only",
            )));
        }
        Ok::<_, StoreError>(Ok((unit, store.tallies(&query)?)))
    })
    .await???;
    let (unit, report) = report;
    Ok(HttpResponse::Ok().json(json!({
        "level": q.level,
        "unit": unit.id,
        "unit_name": unit.name,
        "from": from,
        "to": to,
        "totals": report.totals,
        "rows": report.rows,
    })))
}
