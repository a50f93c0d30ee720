//! The administrative map changes (issue 8): `langso import-units [--current]`,
//! `langso switch-map` and `langso rescope-user`.

use crate::commands::{create_or_open, open};
use anyhow::{Context, Result, anyhow, bail};
use langso_domain::audit::Actor;
use langso_domain::map_switch::{PlacementRow, parse_placements};
use langso_domain::scope::Role;
use langso_domain::units;
use langso_store::{Carried, SwitchPlan, SwitchRequest};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How a switch is asked for, shared by `import-units --current` and `switch-map`.
#[derive(clap::Args)]
pub struct SwitchOptions {
    /// Print the whole plan (villages per commune, provisional places, refusals, teams,
    /// leaders and targets carried) and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// The operator's placements: CSV `village_code,commune_code` (a heading line, BOM and
    /// `;` allowed). These villages go exactly there, confirming or changing provisional places.
    #[arg(long)]
    placements: Option<PathBuf>,
    /// Print the plan as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `langso import-units`: load a version; with `--current`, switch to it.
#[derive(clap::Args)]
pub struct ImportUnitsArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// A hierarchy file (JSON, as in data/quang-ninh/).
    #[arg(required_unless_present = "builtin", conflicts_with = "builtin")]
    file: Option<PathBuf>,
    /// A map shipped inside the binary: quang-ninh-2024-09 (177 communes),
    /// quang-ninh-2024-11 (171) or quang-ninh-2025 (54, today's map).
    #[arg(long, value_name = "NAME")]
    builtin: Option<String>,
    /// Make this version the one reports roll up along: every village is placed in it and
    /// history re-rolled (see `langso switch-map`).
    #[arg(long)]
    current: bool,
    #[command(flatten)]
    switch: SwitchOptions,
}

/// `langso switch-map`: make an imported version current.
#[derive(clap::Args)]
pub struct SwitchMapArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// The version's key, its first valid day: 2024-09-01, 2024-11-01 or 2025-07-01 for
    /// the files in data/quang-ninh/. Switching to the current one again applies a
    /// placements file.
    #[arg(long)]
    to: String,
    #[command(flatten)]
    switch: SwitchOptions,
}

/// `langso rescope-user`: a leader's new scope (and role) after the map changed.
#[derive(clap::Args)]
pub struct RescopeArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    #[arg(long)]
    username: String,
    /// A unit code of the current hierarchy (a team id for a team leader, a grouping code
    /// for a grouping leader).
    #[arg(long)]
    scope: String,
    /// A new role too: team_leader, commune_leader, grouping_leader, district_leader or
    /// province_admin.
    #[arg(long)]
    role: Option<String>,
}

pub fn import_units(a: ImportUnitsArgs) -> Result<()> {
    let (json, what) = match (&a.file, &a.builtin) {
        (_, Some(name)) => (
            crate::maps::builtin(name)?.to_owned(),
            format!("built-in map {name}"),
        ),
        (Some(file), None) => (
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?,
            file.display().to_string(),
        ),
        (None, None) => bail!("give a hierarchy FILE or --builtin NAME"),
    };
    let h = units::parse_hierarchy(&json).with_context(|| format!("parsing {what}"))?;
    eprintln!(
        "hierarchy {}: {} districts, {} communes, {} successions",
        h.key,
        h.count(units::Level::District),
        h.count(units::Level::Commune),
        h.successions.len()
    );
    let store = create_or_open(&a.db)?;
    if !a.current && (a.switch.dry_run || a.switch.placements.is_some()) {
        bail!("--dry-run and --placements go with --current (or use `langso switch-map`)");
    }
    if !a.current {
        let done = store.import_units(&Actor::operator(), h, false)?;
        eprintln!("{}", loaded_line(&done));
        return Ok(());
    }
    let req = SwitchRequest {
        import: Some(h),
        ..request(&a.switch)?
    };
    run(&store, req, &a.switch)
}

/// What `import-units` without `--current` says it did: never "not current" for the
/// current version.
fn loaded_line(d: &langso_store::UnitsImported) -> String {
    let what = match d.unchanged {
        true => "already loaded, unchanged",
        false => "imported",
    };
    match d.current {
        true => format!("hierarchy {}: {what}; it is the current version", d.key),
        false => format!(
            "hierarchy {}: {what}; not current (make it current with `langso switch-map --to {}`)",
            d.key, d.key
        ),
    }
}

pub fn switch_map(a: SwitchMapArgs) -> Result<()> {
    let req = SwitchRequest {
        to: Some(a.to.trim().to_owned()),
        ..request(&a.switch)?
    };
    run(&open(&a.db)?, req, &a.switch)
}

pub fn rescope_user(a: RescopeArgs) -> Result<()> {
    let store = open(&a.db)?;
    let role = a
        .role
        .as_deref()
        .map(|r| Role::parse(r).ok_or_else(|| anyhow!("'{r}' is not a role")))
        .transpose()?;
    let user = store.rescope_user(&Actor::operator(), &a.username, role, a.scope.trim())?;
    eprintln!(
        "user '{}' is now {} of {} {}",
        user.username,
        user.role.as_str(),
        user.scope.kind.as_str(),
        user.scope.id
    );
    Ok(())
}

fn request(o: &SwitchOptions) -> Result<SwitchRequest> {
    Ok(SwitchRequest {
        placements: o
            .placements
            .as_deref()
            .map(read_placements)
            .transpose()?
            .unwrap_or_default(),
        dry_run: o.dry_run,
        ..Default::default()
    })
}

fn read_placements(path: &Path) -> Result<Vec<PlacementRow>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_placements(&text).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow!("{}: {}", path.display(), lines.join("; "))
    })
}

fn run(store: &langso_store::Store, req: SwitchRequest, o: &SwitchOptions) -> Result<()> {
    let started = Instant::now();
    let plan = store.switch_map(&Actor::operator(), req, move |step| {
        eprintln!(
            "re-rolling history along the new map: {step} [{:.1}s]",
            started.elapsed().as_secs_f64()
        );
    })?;
    if o.json {
        outln!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print_plan(&plan);
    }
    if !plan.refused.is_empty() {
        bail!(
            "{} village(s) have no place in hierarchy {}: nothing was changed; place them with --placements FILE",
            plan.refused.len(),
            plan.to
        );
    }
    if plan.applied {
        eprintln!(
            "hierarchy {} is current ({:.1}s)",
            plan.to,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn print_plan(p: &SwitchPlan) {
    let state = match (p.applied, p.refused.is_empty()) {
        (true, _) => "applied",
        (false, true) => "dry run: nothing changed",
        (false, false) => "refused: nothing changed",
    };
    outln!(
        "switch to hierarchy {} from {} ({state})",
        p.to,
        p.from.as_deref().unwrap_or("none")
    );
    outln!(
        "villages: {} placed, {} newly placed or moved, {} provisional, {} by the operator, {} refused",
        p.villages,
        p.moved,
        p.provisional.len(),
        p.by_operator.len(),
        p.refused.len()
    );
    outln!("villages per commune:");
    for c in &p.communes {
        outln!("  {} {}: {}", c.code, c.name, c.villages);
    }
    if !p.provisional.is_empty() {
        outln!(
            "provisional (a split commune; confirm or change with --placements FILE, CSV village_code,commune_code):"
        );
        for v in &p.provisional {
            let from = v.from_commune.as_deref().unwrap_or("?");
            outln!(
                "  {} {}: {from} -> {} (could be {})",
                v.village,
                v.name,
                v.commune,
                v.choices.join(", ")
            );
        }
    }
    for v in &p.by_operator {
        outln!(
            "  by the operator: {} {} -> {}",
            v.village,
            v.name,
            v.commune
        );
    }
    if !p.refused.is_empty() {
        outln!("refused (no place at all; give them one with --placements FILE):");
        for r in &p.refused {
            outln!(
                "  {} {}: commune {} of {}: {}",
                r.village,
                r.name,
                r.commune,
                r.from,
                r.reason
            );
        }
    }
    carried("teams", &p.teams);
    carried("leaders", &p.leaders);
    carried("targets", &p.targets);
}

fn carried(what: &str, list: &[Carried]) {
    if list.is_empty() {
        return;
    }
    outln!("{what}:");
    for c in list {
        let to =
            c.to.as_deref()
                .map_or("NOT CARRIED".to_owned(), |t| format!("-> {t}"));
        let note = if c.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.note)
        };
        outln!("  {}: {} {to}{note}", c.subject, c.from);
    }
}
