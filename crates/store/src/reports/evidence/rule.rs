//! The province's qualifying rules (migration 018): setting one, and reading those in force.

use crate::{Result, Store, StoreError, now_ms};
use chrono::NaiveDate;
use langso_domain::audit::Actor;
use langso_domain::evidence::{EvidenceRule, month_key, rewrites_past};
use langso_domain::time::{day_from_number, day_number};
use rusqlite::{Connection, params};

/// Every rule, oldest first.
pub(crate) fn all(c: &Connection) -> Result<Vec<EvidenceRule>> {
    let mut stmt = c.prepare_cached(
        "SELECT from_month, min_activity_days, min_active_members FROM evidence_rules
         ORDER BY from_month",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(EvidenceRule {
            from: day_from_number(r.get(0)?),
            min_activity_days: r.get(1)?,
            min_active_members: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The rule set for exactly `from`'s month, if any (what a new one replaces).
fn at(c: &Connection, from: NaiveDate) -> Result<Option<EvidenceRule>> {
    Ok(all(c)?.into_iter().find(|r| r.from == from))
}

/// What setting a rule did: the rule now set, and the one it replaced for the same month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    pub rule: EvidenceRule,
    pub replaced: Option<EvidenceRule>,
}

fn set(c: &Connection, actor: &Actor, rule: EvidenceRule, current: NaiveDate) -> Result<RuleSet> {
    let existing: Vec<NaiveDate> = all(c)?.iter().map(|r| r.from).collect();
    if rewrites_past(&existing, rule.from, current) {
        return Err(StoreError::Invalid(format!(
            "a rule from {} would change the rule of a past month that was already judged \
             by one; set it from {} or later",
            month_key(rule.from),
            month_key(current)
        )));
    }
    let replaced = at(c, rule.from)?;
    c.execute(
        "INSERT INTO evidence_rules (from_month, min_activity_days, min_active_members, set_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (from_month) DO UPDATE SET min_activity_days = excluded.min_activity_days,
             min_active_members = excluded.min_active_members, set_ms = excluded.set_ms",
        params![
            day_number(rule.from),
            rule.min_activity_days,
            rule.min_active_members,
            now_ms()
        ],
    )?;
    let json = |r: &EvidenceRule| serde_json::to_value(r).ok();
    crate::audit::append(
        c,
        actor,
        "evidence_rule.set",
        &format!("evidence_rule:{}", month_key(rule.from)),
        replaced.as_ref().and_then(json),
        json(&rule),
    )?;
    Ok(RuleSet { rule, replaced })
}

impl Store {
    /// Sets the qualifying rule from `rule.from`'s month on (replacing one set for that same
    /// month), while `current` is the current month (Asia/Ho_Chi_Minh), and audits it
    /// (`evidence_rule.set`) in the same transaction. `Invalid` if it would change the rule
    /// of a past month that already had one.
    pub fn set_evidence_rule(
        &self,
        actor: &Actor,
        rule: EvidenceRule,
        current: NaiveDate,
    ) -> Result<RuleSet> {
        let actor = actor.clone();
        self.write_blocking(move |tx| set(tx, &actor, rule, current))
    }

    /// Every qualifying rule, oldest first.
    pub fn evidence_rules(&self) -> Result<Vec<EvidenceRule>> {
        self.read(all)
    }
}
