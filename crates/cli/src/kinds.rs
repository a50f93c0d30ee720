//! `langso kinds list|add|edit|deactivate|reactivate` (issue 9): the province's activity
//! catalogue, from the operator's machine. Phones receive every change in their next pull.

use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use langso_domain::KindCode;
use langso_domain::audit::Actor;
use langso_domain::catalogue::{self, KindDraft, KindEdit, NewKind};
use langso_domain::kinds::ActivityKind;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct KindsArgs {
    /// The database (before or after the subcommand).
    #[arg(long, env = "LANGSO_DB", global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: KindsCommand,
}

#[derive(clap::Subcommand)]
enum KindsCommand {
    /// List the catalogue, inactive kinds too (weights in force today).
    List {
        /// Print JSON (the shape pulls deliver) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add a kind; its weight is in force from its first day.
    Add {
        /// Stable snake_case code, e.g. bdhvs_cert.
        #[arg(long)]
        code: String,
        #[arg(long)]
        label_vi: String,
        #[arg(long)]
        label_en: String,
        /// What one count is, in Vietnamese.
        #[arg(long)]
        unit_vi: String,
        /// What one count is, in English (default: the Vietnamese unit).
        #[arg(long)]
        unit_en: Option<String>,
        /// Leaderboard points per count (≥ 0).
        #[arg(long)]
        weight: f64,
    },
    /// Change a kind's labels, units or weight (from a local day on: --from).
    Edit {
        #[arg(long)]
        code: String,
        #[arg(long)]
        label_vi: Option<String>,
        #[arg(long)]
        label_en: Option<String>,
        #[arg(long)]
        unit_vi: Option<String>,
        #[arg(long)]
        unit_en: Option<String>,
        /// New points per count (≥ 0).
        #[arg(long)]
        weight: Option<f64>,
        /// First local day (YYYY-MM-DD, Asia/Ho_Chi_Minh) the new weight is in force;
        /// default today. Days before keep the weights they had.
        #[arg(long, requires = "weight")]
        from: Option<NaiveDate>,
    },
    /// Deactivate a kind from now: events recorded before are still accepted.
    Deactivate {
        #[arg(long)]
        code: String,
    },
    /// Reactivate a kind.
    Reactivate {
        #[arg(long)]
        code: String,
    },
}

fn code(s: &str) -> Result<KindCode> {
    KindCode::parse(s).ok_or_else(|| anyhow!("no kind '{s}' in the catalogue"))
}

fn label(what: &str, s: Option<String>) -> Result<Option<String>> {
    s.map(|s| catalogue::label(what, &s).map_err(|e| anyhow!(e)))
        .transpose()
}

fn print_kind(k: &ActivityKind) {
    let state = if k.active { "active" } else { "inactive" };
    let weights: Vec<String> = k
        .weights
        .iter()
        .map(|w| format!("{}:{}", w.from, w.weight))
        .collect();
    println!(
        "{}\t{state}\t{}\t{}\t{}\t{}\t{}\t{}",
        k.code,
        k.weight,
        k.label_vi,
        k.label_en,
        k.unit_vi,
        k.unit_en,
        weights.join(" ")
    );
}

fn edit(db: &Path, code_: &str, e: KindEdit) -> Result<()> {
    let k = crate::commands::open(db)?.edit_kind(&Actor::operator(), &code(code_)?, e)?;
    print_kind(&k);
    Ok(())
}

pub fn run(a: KindsArgs) -> Result<()> {
    let db =
        a.db.ok_or_else(|| anyhow!("--db (or LANGSO_DB) names the database"))?;
    match a.command {
        KindsCommand::List { json } => {
            let kinds = crate::commands::open(&db)?.catalogue()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&kinds)?);
            } else {
                println!("code\tstate\tweight\tlabel_vi\tlabel_en\tunit_vi\tunit_en\tweights");
                kinds.iter().for_each(print_kind);
            }
            Ok(())
        }
        KindsCommand::Add {
            code,
            label_vi,
            label_en,
            unit_vi,
            unit_en,
            weight,
        } => {
            let draft = KindDraft {
                code: &code,
                label_vi: &label_vi,
                label_en: &label_en,
                unit: None,
                unit_vi: Some(&unit_vi),
                unit_en: unit_en.as_deref(),
                weight,
            };
            let kind = NewKind::parse(&draft, true).map_err(|e| anyhow!(e))?;
            print_kind(&crate::commands::open(&db)?.add_kind(&Actor::operator(), kind)?);
            Ok(())
        }
        KindsCommand::Edit {
            code,
            label_vi,
            label_en,
            unit_vi,
            unit_en,
            weight,
            from,
        } => {
            let weight = weight
                .map(|w| catalogue::weight(w).map_err(|e| anyhow!(e)))
                .transpose()?;
            let e = KindEdit {
                label_vi: label("label_vi", label_vi)?,
                label_en: label("label_en", label_en)?,
                unit_vi: label("unit_vi", unit_vi)?,
                unit_en: label("unit_en", unit_en)?,
                weight: weight.map(|w| (w, from)),
                active: None,
            };
            if e.is_empty() {
                return Err(anyhow!(
                    "nothing to change: give --label-vi, --label-en, --unit-vi, --unit-en or --weight"
                ));
            }
            edit(&db, &code, e)
        }
        KindsCommand::Deactivate { code } => edit(
            &db,
            &code,
            KindEdit {
                active: Some(false),
                ..KindEdit::default()
            },
        ),
        KindsCommand::Reactivate { code } => edit(
            &db,
            &code,
            KindEdit {
                active: Some(true),
                ..KindEdit::default()
            },
        ),
    }
}
