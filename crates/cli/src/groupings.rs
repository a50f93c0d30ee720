//! `langso import-groupings` (issue 8): the province's own groupings of communes of the
//! current map, from a CSV file or derived as the former districts; and the groupings part
//! of `langso units --level grouping`.

use crate::maps::BUILTIN;
use anyhow::{Context, Result, anyhow, bail};
use langso_domain::audit::Actor;
use langso_domain::grouping::{self, Grouping};
use langso_domain::units::{self, HierarchyVersion};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// `langso import-groupings`: replace the current map's groupings.
#[derive(clap::Args)]
pub struct ImportGroupingsArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// CSV (or XLSX) with one row per commune: grouping_code, grouping_name, kind,
    /// commune_code (headings `Mã cụm`, `Tên cụm`, `Loại`, `Mã xã` also accepted).
    #[arg(
        required_unless_present = "former_districts",
        conflicts_with = "former_districts"
    )]
    file: Option<PathBuf>,
    /// Derive the former districts of the current map's communes from the built-in maps
    /// (the current one, e.g. quang-ninh-2025, and the one before it, 2024-11).
    #[arg(long)]
    former_districts: bool,
    /// Print the groupings and change nothing.
    #[arg(long)]
    dry_run: bool,
}

/// The built-in maps, oldest first.
fn builtin_maps() -> Result<Vec<HierarchyVersion>> {
    let mut maps = BUILTIN
        .iter()
        .map(|(name, _, json)| {
            units::parse_hierarchy(json).with_context(|| format!("built-in map {name}"))
        })
        .collect::<Result<Vec<_>>>()?;
    maps.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(maps)
}

/// The former districts of map `key`'s communes, from the built-in map of that key and
/// the built-in map before it.
fn former_districts(key: &str) -> Result<Vec<Grouping>> {
    let maps = builtin_maps()?;
    let at = maps.iter().position(|m| m.key == key).ok_or_else(|| {
        anyhow!("the current map ({key}) is not a built-in map; give the groupings as a CSV file")
    })?;
    let Some(old) = at.checked_sub(1).map(|i| &maps[i]) else {
        bail!(
            "the current map ({key}) has no built-in map before it to derive former districts from"
        );
    };
    let gs = grouping::former_districts(old, &maps[at]);
    if gs.is_empty() {
        bail!(
            "the current map ({key}) names no successions from {}: no former districts",
            old.key
        );
    }
    Ok(gs)
}

/// Refuses `--former-districts` on a map that still has districts (Quảng Ninh's until
/// 2025-07-01): there the districts are the map's own level, and the successions into it
/// would make groupings of only the few communes that changed.
fn still_has_districts(store: &langso_store::Store) -> Result<()> {
    let (key, levels) = store.current_levels()?;
    if levels.contains(&units::Level::District) {
        bail!(
            "the current map ({key}) still has districts (its levels: {}): they are its own \
             level (`langso units --level district`, leaderboards of=districts); former \
             districts are derived only on a map without districts. Nothing was changed",
            units::Level::names(&levels)
        );
    }
    Ok(())
}

/// Reads a groupings file, its commune codes checked against `communes` (the current
/// map's): every problem is printed at once, by row (or `file:`) and column.
fn read_file(path: &Path, communes: &HashSet<String>) -> Result<Vec<Grouping>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    grouping::parse_csv(&name, &bytes, &|c| communes.contains(c)).map_err(|problems| {
        for p in &problems {
            let column = if p.column.is_empty() {
                String::new()
            } else {
                format!(", column {}", p.column)
            };
            let at = p
                .row
                .map_or_else(|| "file".to_owned(), |r| format!("row {r}"));
            eprintln!("{name}: {at}{column}: {} ({})", p.reason, p.code);
        }
        anyhow!(
            "the groupings file has {} problem(s); nothing was changed",
            problems.len()
        )
    })
}

fn print(gs: &[Grouping]) {
    for g in gs {
        outln!(
            "{}\t{}\t{}\t{}",
            g.code,
            g.kind,
            langso_domain::text::without_controls(&g.name),
            g.communes.join(",")
        );
    }
}

pub fn import(a: ImportGroupingsArgs) -> Result<()> {
    let store = crate::commands::open(&a.db)?;
    let (key, _) = store.groupings(None)?;
    let gs = match &a.file {
        Some(path) => {
            let communes = store
                .list_units(Some("commune"), None)
                .map(|l| l.units.into_iter().map(|u| u.code).collect())
                .unwrap_or_default();
            read_file(path, &communes)?
        }
        None => {
            still_has_districts(&store)?;
            former_districts(&key)?
        }
    };
    if a.dry_run {
        print(&gs);
        eprintln!(
            "{} grouping(s) for the map {key}; nothing changed (--dry-run)",
            gs.len()
        );
        return Ok(());
    }
    let n = store.import_groupings(&Actor::operator(), &key, gs)?;
    eprintln!("{n} grouping(s) of the map {key} imported (the previous ones replaced)");
    Ok(())
}

/// `langso units --level grouping`: the current map's groupings, one a line: code,
/// `grouping`, kind, name, commune codes; or JSON.
pub fn list(db: &Path, json: bool) -> Result<()> {
    let (key, gs) = crate::commands::open(db)?.groupings(None)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "hierarchy": key, "groupings": gs })
            )?
        );
        return Ok(());
    }
    eprintln!(
        "{} grouping(s) of the current map, valid from {key}",
        gs.len()
    );
    for g in &gs {
        outln!(
            "{}\tgrouping\t{}\t{}\t{}",
            g.code,
            g.kind,
            langso_domain::text::without_controls(&g.name),
            g.communes.join(",")
        );
    }
    Ok(())
}
