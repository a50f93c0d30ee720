//! `langso evidence-rule set|list`: the qualifying rule a province pays team stipends by
//! (issue 9), from a month on. Past months keep the rule they were judged by.

use anyhow::{Result, anyhow};
use chrono::Utc;
use langso_domain::audit::Actor;
use langso_domain::evidence::{EvidenceRule, in_force, month_key, month_of, parse_month};
use langso_domain::time::vn_day;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct EvidenceRuleArgs {
    #[arg(long, env = "LANGSO_DB", global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Set the rule from a month on (default: the current month).
    Set {
        /// Days of the month with at least one event by the team (0 to 31).
        #[arg(long)]
        min_activity_days: u32,
        /// Members with at least one event in the month.
        #[arg(long)]
        min_active_members: u32,
        /// The first month it applies to, YYYY-MM.
        #[arg(long)]
        from: Option<String>,
    },
    /// Every rule, oldest first, and the one in force this month.
    List,
}

fn describe(r: &EvidenceRule) -> String {
    format!(
        "from {}: at least {} activity days and {} active members",
        month_key(r.from),
        r.min_activity_days,
        r.min_active_members
    )
}

pub fn run(a: EvidenceRuleArgs) -> Result<()> {
    let current = month_of(vn_day(Utc::now()));
    let db =
        a.db.ok_or_else(|| anyhow!("give --db PATH (or LANGSO_DB)"))?;
    match a.what {
        What::Set {
            min_activity_days,
            min_active_members,
            from,
        } => {
            let from = match from.as_deref() {
                None => current,
                Some(m) => parse_month(m)
                    .ok_or_else(|| anyhow!("--from must be a month, YYYY-MM (got {m:?})"))?,
            };
            let rule = EvidenceRule::new(from, min_activity_days, min_active_members)
                .map_err(|e| anyhow!(e))?;
            let set =
                crate::commands::open(&db)?.set_evidence_rule(&Actor::operator(), rule, current)?;
            if let Some(old) = set.replaced {
                eprintln!("replaced: {}", describe(&old));
            }
            println!("evidence rule {}", describe(&set.rule));
        }
        What::List => {
            let rules = crate::commands::open(&db)?.evidence_rules()?;
            for r in &rules {
                println!("{}", describe(r));
            }
            match in_force(&rules, current) {
                Some(r) => eprintln!("in force for {}: {}", month_key(current), describe(&r)),
                None => eprintln!("no rule in force for {}", month_key(current)),
            }
        }
    }
    Ok(())
}
