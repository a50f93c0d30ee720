//! `langso audit`: the audit log (issue 9, "Who changed what"), as text lines or a CSV or
//! XLSX file; reading it never changes it.

use anyhow::{Context, Result, bail};
use langso_domain::time::instant_ms;
use langso_store::{AuditEntry, AuditQuery, MAX_AUDIT_PAGE};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct AuditArgs {
    #[arg(long, env = "LANGSO_DB")]
    db: PathBuf,
    /// Only entries at or after this instant (RFC 3339) or day (YYYY-MM-DD, Vietnam).
    #[arg(long)]
    since: Option<String>,
    /// Only entries before this instant, or up to the end of this day.
    #[arg(long)]
    until: Option<String>,
    /// Only this action or those under it (`user` matches `user.disable`).
    #[arg(long)]
    action: Option<String>,
    /// Only acts by this actor (a username, or operator:<os user>).
    #[arg(long)]
    who: Option<String>,
    /// Write a csv or xlsx file to --out instead of printing lines.
    #[arg(long, requires = "out")]
    format: Option<String>,
    /// The file to write (refused if it exists).
    #[arg(long, requires = "format")]
    out: Option<PathBuf>,
}

/// An instant or a day (for `until`, the day kept whole) as Unix ms.
fn instant(v: Option<&str>, until: bool) -> Result<Option<i64>> {
    let Some(v) = v else { return Ok(None) };
    match instant_ms(v, until) {
        Some(t) => Ok(Some(t)),
        None => bail!("'{v}' is not an RFC 3339 instant or a day YYYY-MM-DD"),
    }
}

/// Prints (or writes) the entries asked for, oldest first.
pub fn run(a: AuditArgs) -> Result<()> {
    if let Some(out) = a.out.as_ref().filter(|o| o.exists()) {
        bail!("{} exists: choose another file", out.display());
    }
    let store = crate::commands::open(&a.db)?;
    let mut q = AuditQuery {
        since_ms: instant(a.since.as_deref(), false)?,
        until_ms: instant(a.until.as_deref(), true)?,
        action: a.action.clone(),
        who: a.who.clone(),
        after_id: None,
        limit: MAX_AUDIT_PAGE,
    };
    let mut entries: Vec<AuditEntry> = Vec::new();
    loop {
        let page = store.audit(&q)?;
        let full = page.len() == MAX_AUDIT_PAGE;
        q.after_id = page.last().map(|e| e.id);
        entries.extend(page);
        if !full {
            break;
        }
    }
    if let (Some(format), Some(out)) = (&a.format, &a.out) {
        let bytes = langso_server::audit_file(&entries, format).map_err(anyhow::Error::msg)?;
        std::fs::write(out, bytes).with_context(|| format!("writing {}", out.display()))?;
        eprintln!(
            "{} audit entries written to {}",
            entries.len(),
            out.display()
        );
        return Ok(());
    }
    for e in &entries {
        outln!(
            "{} {} {} ({}{}) {} {} before={} after={}",
            e.id,
            langso_server::audit_time(e.at_ms),
            e.who,
            e.via.as_str(),
            e.addr
                .as_deref()
                .map(|a| format!(" {a}"))
                .unwrap_or_default(),
            e.action,
            e.subject,
            e.before.as_deref().unwrap_or("-"),
            e.after.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}
