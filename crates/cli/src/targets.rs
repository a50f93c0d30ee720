//! `langso target`: sets a target (a count, or a share of a unit's population, adults or
//! households) for one unit, or the province-wide default for a kind.

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use langso_domain::audit::Actor;
use langso_domain::scope::{UnitKind, UnitRef};
use langso_domain::targets::{Basis, TargetRule};
use langso_store::TargetScope;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct TargetArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// village, team, commune, district or province; omit both unit options for the default.
    #[arg(long, requires = "unit")]
    unit_kind: Option<String>,
    /// Village id, team id or unit code of the current hierarchy.
    #[arg(long, requires = "unit_kind")]
    unit: Option<String>,
    /// Activity kind code, e.g. vneid_activation.
    #[arg(long)]
    kind: String,
    /// count, population, adults or households.
    #[arg(long, default_value = "count")]
    basis: String,
    /// A whole count, or a share from 0 to 1 (0.95 = 95%).
    #[arg(long)]
    value: f64,
    /// Count from this day (YYYY-MM-DD); default: from the first event.
    #[arg(long)]
    start: Option<NaiveDate>,
    /// The deadline (YYYY-MM-DD), shown with the coverage.
    #[arg(long)]
    due: Option<NaiveDate>,
    /// Where the target comes from.
    #[arg(long, default_value = "")]
    note: String,
}

pub fn run(a: TargetArgs) -> Result<()> {
    let basis = Basis::parse(&a.basis)
        .ok_or_else(|| anyhow!("--basis must be count, population, adults or households"))?;
    let rule = TargetRule::new(a.kind, basis, a.value).map_err(|e| anyhow!(e))?;
    let target = match (a.unit_kind, a.unit) {
        (Some(k), Some(id)) => TargetScope::Unit(UnitRef::new(
            UnitKind::parse(&k).ok_or_else(|| {
                anyhow!("--unit-kind must be village, team, commune, district or province")
            })?,
            id,
        )),
        _ => TargetScope::Default,
    };
    let what = match &target {
        TargetScope::Default => "the default".to_owned(),
        TargetScope::Unit(u) => format!("{} {}", u.kind.as_str(), u.id),
    };
    crate::commands::open(&a.db)?.set_target(
        &Actor::operator(),
        target,
        rule.clone(),
        a.start,
        a.due,
        a.note,
    )?;
    eprintln!(
        "target for {what}: {} {} {}",
        rule.kind,
        rule.value,
        rule.basis.as_str()
    );
    Ok(())
}
