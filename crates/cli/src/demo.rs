//! `langso demo` (and `serve --demo`): the demo database, built as a province's would have
//! grown. The 177-commune map of 2024-09 with generated villages, one team for every village
//! and their members (each with a phone); some activity before 2024-11-01; the switch to the
//! 171-commune map; more activity before 2025-07-01; the switch to today's 54 communes
//! without districts, made current through the real switch (`Store::switch_map`: split
//! communes' villages take provisional places); the commune teams the 54 communes formed;
//! most activity from 2025-07-01 to yesterday. Deterministic from the seed, apart from the
//! days "yesterday" moves.

use crate::activity::Activity;
use crate::commands::create_or_open;
use anyhow::{Result, anyhow, bail};
use chrono::Utc;
use langso_domain::audit::Actor;
use langso_domain::map_switch::PlacementRow;
use langso_domain::units::{self, HierarchyVersion};
use langso_domain::{demo, grouping, kinds};
use langso_store::{DEMO_DEVICE_PREFIX, Store, SwitchRequest};
use std::path::Path;

/// The maps the demo's history goes through, oldest first: built-in name and how many
/// tenths of the events fall while it is in force (most on today's map).
const HISTORY: [(&str, usize); 3] = [
    ("quang-ninh-2024-09", 1),
    ("quang-ninh-2024-11", 2),
    ("quang-ninh-2025", 7),
];

/// The map the demo ends on by default: today's.
pub const TODAY: &str = "quang-ninh-2025";

/// Events in the whole history: enough for every report to show something, few enough
/// that `serve --demo` starts in seconds (docs/performance.md).
pub const EVENTS: usize = 40_000;

/// Builds the demo in `db` (created if missing; refused if it holds villages already),
/// its history of `events` events ending on built-in map `last` (`quang-ninh-2025`,
/// today's map, unless a test wants one with districts); returns the store.
pub fn build(db: &Path, seed: u64, last: &str, events: usize) -> Result<Store> {
    let end = HISTORY
        .iter()
        .position(|(name, _)| *name == last)
        .ok_or_else(|| {
            let names: Vec<&str> = HISTORY.iter().map(|h| h.0).collect();
            anyhow!(
                "the demo has no map '{last}'; its maps: {}",
                names.join(", ")
            )
        })?;
    let maps: Vec<(HierarchyVersion, usize)> = HISTORY[..=end]
        .iter()
        .map(|(name, tenths)| {
            Ok((
                units::parse_hierarchy(crate::maps::builtin(name)?)?,
                *tenths,
            ))
        })
        .collect::<Result<_>>()?;
    let store = create_or_open(db)?;
    if store.has_villages()? {
        bail!(
            "{} already holds villages: the demo is built only into a new database (nothing was changed)",
            db.display()
        );
    }
    let first = &maps[0].0;
    let data = demo::generate(first, seed);
    let last_map = &maps[end].0;
    let (commune_teams, commune_members) =
        demo::commune_teams(&last_map.communes().collect::<Vec<_>>(), &data, seed);
    let counts = (
        data.villages.len(),
        data.teams.len() + commune_teams.len(),
        data.members.len() + commune_members.len(),
    );
    store.import_units(&Actor::operator(), first.clone(), true)?;
    store.seed_demo(data, kinds::default_catalogue())?;
    // No history, no phones: a quiet demo for tests that count from zero.
    let mut activity = match events {
        0 => None,
        _ => Some(Activity::new(&store, devices(&store)?, seed)?),
    };
    let today = langso_domain::time::vn_day(Utc::now());
    let tenths: usize = maps.iter().map(|m| m.1).sum();
    for (i, (map, share)) in maps.iter().enumerate() {
        if i > 0 {
            switch(&store, map.clone())?;
        }
        let from = map.valid_from;
        if i == end {
            if i > 0 && map.count(units::Level::District) == 0 {
                // A map without districts: the former ones become groupings, so a former
                // district's leader keeps its communes' and teams' leaderboards.
                let former = grouping::former_districts(&maps[i - 1].0, map);
                store.import_groupings(&Actor::operator(), &map.key, former)?;
            }
            let formed = langso_domain::periods::vn_midnight(from).timestamp_millis();
            store.seed_commune_teams(commune_teams.clone(), commune_members.clone(), formed)?;
        }
        let until = maps.get(i + 1).map_or(today, |m| m.0.valid_from);
        if until <= from {
            bail!("map {} is not in force before {until}", map.key);
        }
        if let Some(activity) = &mut activity {
            if i == end {
                activity.set_devices(devices(&store)?)?;
            }
            store.bulk_load(activity.events(from, until, events * share / tenths))?;
        }
    }
    eprintln!(
        "demo data (seed {seed}): {} villages, {} teams, {} members, {events} events; \
         history over {} maps, hierarchy {} current",
        counts.0,
        counts.1,
        counts.2,
        maps.len(),
        last_map.key
    );
    Ok(store)
}

/// A phone for every member that has none, named `demo phone N` (not real activity for
/// `langso simulate`).
fn devices(store: &Store) -> Result<Vec<langso_store::BenchDevice>> {
    Ok(store.generated_devices(DEMO_DEVICE_PREFIX, true)?)
}

/// Where the demo's operator puts the villages of a commune the map's file gives no
/// successor (new version, old commune, commune of the new version): Phường Yết Kiêu left
/// the GSO list on 2024-11-01 without a receiving ward named in the file; its neighbour
/// Bãi Cháy takes them, as the operator would with `--placements`.
const OPERATOR_PLACES: [(&str, &str, &str); 1] = [("2024-11-01", "06682", "06673")];

/// Makes `map` current through the real switch: villages the file cannot place go where
/// [`OPERATOR_PLACES`] says; split communes' villages keep their provisional places.
fn switch(store: &Store, map: HierarchyVersion) -> Result<()> {
    let key = map.key.clone();
    let dry = store.switch_map(
        &Actor::operator(),
        SwitchRequest {
            import: Some(map.clone()),
            dry_run: true,
            ..Default::default()
        },
        |_| {},
    )?;
    let placements: Vec<PlacementRow> = dry
        .refused
        .iter()
        .filter_map(|r| {
            let (_, _, to) = OPERATOR_PLACES
                .iter()
                .find(|(k, old, _)| *k == key && *old == r.commune)?;
            Some(PlacementRow {
                line: 0,
                village: r.village.clone(),
                commune: (*to).to_owned(),
            })
        })
        .collect();
    let plan = store.switch_map(
        &Actor::operator(),
        SwitchRequest {
            import: Some(map),
            placements,
            ..Default::default()
        },
        |_| {},
    )?;
    if !plan.applied {
        bail!(
            "switching the demo to hierarchy {key}: {} village(s) refused",
            plan.refused.len()
        );
    }
    Ok(())
}
