//! `langso import-roster` and `langso export-roster`: the province's villages, teams and
//! members from and to the files it keeps (CSV or XLSX).

use anyhow::{Context, Result, bail};
use langso_domain::audit::Actor;
use langso_store::{Changes, RosterReport};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct ImportArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// CSV (UTF-8, comma or semicolon) or XLSX files: villages, teams and members, one
    /// table per CSV file or XLSX sheet, told apart by their headings.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Check and print the report; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON (the same shape as `POST /v1/admin/roster`).
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// The XLSX file to write (refused if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Write the empty template (headings and instructions) instead of the current roster.
    #[arg(long)]
    template: bool,
}

/// Imports (or with `--dry-run` checks) a roster. Exit 1 when it has problems.
pub fn import(a: ImportArgs) -> Result<()> {
    let mut files = Vec::new();
    for f in &a.files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        files.push((file_name(f), bytes));
    }
    let store = crate::commands::open(&a.db)?;
    let report = store.import_roster(
        &Actor::operator(),
        langso_domain::roster::read(&files),
        a.dry_run,
    )?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    if !report.problems.is_empty() {
        bail!(
            "the roster has {} problem(s); nothing was changed",
            report.problems.len()
        );
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn counts(what: &str, c: &Changes, left_out: &str) -> String {
    format!(
        "{what}: {} new, {} updated, {} unchanged, {} {left_out}",
        c.created, c.updated, c.unchanged, c.left_out
    )
}

/// At most this many problems of one code are printed (`--json` lists them all): a
/// partial roster can leave thousands of villages without a team.
const SHOWN_PER_CODE: usize = 50;

/// The report for people: one line per problem (file, row or `file:` for the whole file,
/// column, reason; at most [`SHOWN_PER_CODE`] of one code, then how many more), then counts.
fn print(r: &RosterReport) {
    let mut shown: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in &r.problems {
        let n = shown.entry(p.code).or_default();
        *n += 1;
        if *n > SHOWN_PER_CODE {
            continue;
        }
        let column = if p.column.is_empty() {
            String::new()
        } else {
            format!(", column {}", p.column)
        };
        let at = match p.row {
            Some(row) => format!("row {row}"),
            None => "file".to_owned(),
        };
        outln!("{} {at}{column}: {} ({})", p.source, p.message, p.code);
    }
    for (code, n) in shown.iter().filter(|(_, n)| **n > SHOWN_PER_CODE) {
        outln!(
            "… and {} more {code} problem(s) ({n} in all; --json lists every one)",
            n - SHOWN_PER_CODE
        );
    }
    for s in &r.skipped_columns {
        let why = if s.personal {
            "personal data: not read, not stored"
        } else {
            "not a roster column"
        };
        outln!("{}: column {} skipped ({why})", s.source, s.column);
    }
    for w in &r.warnings {
        outln!("warning: {w}");
    }
    outln!(
        "{}",
        counts("villages", &r.villages, "not in this roster (kept)")
    );
    outln!(
        "{}",
        counts(
            "teams",
            &r.teams,
            "no longer on the roster (coverage ended)"
        )
    );
    outln!("{}", counts("members", &r.members, "deactivated"));
    outln!(
        "coverage: {} started, {} ended",
        r.coverage_started,
        r.coverage_ended
    );
    for d in &r.devices_moved {
        outln!(
            "device {} ({}) of member {} moves from team {} to team {}: what it recorded \
             before stays with {}",
            d.device_id,
            langso_domain::text::without_controls(&d.name),
            d.member_code,
            d.from_team,
            d.to_team,
            d.from_team
        );
    }
    let verdict = match (r.problems.is_empty(), r.dry_run) {
        (false, _) => "not imported: fix the problems above",
        (true, true) => "dry run: nothing changed",
        (true, false) => "imported",
    };
    outln!("{verdict}");
}

/// Writes the current roster (or the template) as XLSX.
pub fn export(a: ExportArgs) -> Result<()> {
    if a.out.exists() {
        bail!("{} exists: choose another file", a.out.display());
    }
    let bytes = if a.template {
        langso_server::template_xlsx()
    } else {
        let roster = crate::commands::open(&a.db)?.current_roster(None)?;
        langso_server::roster_xlsx(&roster)
    }
    .map_err(|e| anyhow::anyhow!("writing the workbook: {e}"))?;
    std::fs::write(&a.out, bytes).with_context(|| format!("writing {}", a.out.display()))?;
    eprintln!("roster written to {}", a.out.display());
    Ok(())
}
