//! The audit log (issue 9, "Who changed what"): an append-only record of every
//! administrative act, written by [`append`] inside the act's own transaction so an act and
//! its entry commit or fail together. Rows form a hash chain (migration 015): each row's
//! `hash` is the SHA-256 of the previous row's hash and of its own fields, so
//! [`chain_problems`] (part of `langso verify`) finds any row changed, removed or inserted
//! out of order.

use crate::auth::sha256;
use crate::{Result, Store, StoreError, now_ms};
use langso_domain::audit::{Actor, Via};
use rusqlite::{Connection, OptionalExtension, params};

/// The hash the first row chains from.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The most entries one [`Store::audit`] call returns.
pub const MAX_AUDIT_PAGE: usize = 1000;

/// One entry of the log, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// 1, 2, 3, … in commit order; the cursor of [`AuditQuery::after_id`].
    pub id: i64,
    /// When the act committed (Unix ms, the server's clock).
    pub at_ms: i64,
    pub who: String,
    pub via: Via,
    pub addr: Option<String>,
    /// A stable dotted code such as `user.create` or `target.set`.
    pub action: String,
    /// What was acted on, such as `user:hoa` or `team:T000123`.
    pub subject: String,
    /// The changed values before, as JSON text (`None`: nothing existed).
    pub before: Option<String>,
    /// The changed values after, as JSON text (`None`: removed).
    pub after: Option<String>,
    /// SHA-256 (hex) chaining this entry to the one before.
    pub hash: String,
}

/// Which entries to read: all filters optional; oldest first from `after_id`.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Only entries at or after this instant (Unix ms).
    pub since_ms: Option<i64>,
    /// Only entries before this instant (Unix ms).
    pub until_ms: Option<i64>,
    /// Only actions equal to this code or under it (`user` matches `user.disable`).
    pub action: Option<String>,
    /// Only acts by this actor (`who`, exactly).
    pub who: Option<String>,
    /// Only entries after this id (the cursor of the previous page).
    pub after_id: Option<i64>,
    /// At most this many (capped at [`MAX_AUDIT_PAGE`]).
    pub limit: usize,
}

/// Appends one entry for `action` on `subject` by `actor`, in the caller's transaction.
/// `before`/`after` carry the changed values only: never passwords, hashes, one-time codes,
/// tokens or keys.
pub(crate) fn append(
    tx: &Connection,
    actor: &Actor,
    action: &str,
    subject: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    let prev: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = prev.map_or((1, GENESIS.to_owned()), |(id, h)| (id + 1, h));
    let entry = AuditEntry {
        id,
        at_ms: now_ms(),
        who: actor.who.clone(),
        via: actor.via,
        addr: actor.addr.clone(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        before: before.map(|v| v.to_string()),
        after: after.map(|v| v.to_string()),
        hash: String::new(),
    };
    let hash = entry_hash(&prev_hash, &entry);
    tx.execute(
        "INSERT INTO audit_log (id, at_ms, who, via, addr, action, subject, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            entry.id,
            entry.at_ms,
            entry.who,
            entry.via.as_str(),
            entry.addr,
            entry.action,
            entry.subject,
            entry.before,
            entry.after,
            prev_hash,
            hash
        ],
    )?;
    Ok(())
}

/// SHA-256 (hex) of the previous hash and the entry's fields, each length-prefixed so no
/// two different rows hash the same text.
fn entry_hash(prev_hash: &str, e: &AuditEntry) -> String {
    let fields: [Option<&str>; 9] = [
        Some(prev_hash),
        Some(&e.id.to_string()),
        Some(&e.at_ms.to_string()),
        Some(&e.who),
        Some(e.via.as_str()),
        e.addr.as_deref(),
        Some(&e.action),
        Some(&e.subject),
        e.before.as_deref(),
    ];
    let mut text = String::new();
    for f in fields.into_iter().chain([e.after.as_deref()]) {
        match f {
            Some(s) => text.push_str(&format!("{}:{s};", s.len())),
            None => text.push_str("-;"),
        }
    }
    sha256(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const COLUMNS: &str = "id, at_ms, who, via, addr, action, subject, before, after, hash";

fn entry_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AuditEntry, String)> {
    let via: String = r.get(3)?;
    Ok((
        AuditEntry {
            id: r.get(0)?,
            at_ms: r.get(1)?,
            who: r.get(2)?,
            via: Via::parse(&via).unwrap_or(Via::Cli),
            addr: r.get(4)?,
            action: r.get(5)?,
            subject: r.get(6)?,
            before: r.get(7)?,
            after: r.get(8)?,
            hash: r.get(9)?,
        },
        via,
    ))
}

/// The rows breaking the chain, in words: a hash that is not its fields' hash, a row whose
/// `prev_hash` is not its predecessor's hash, a gap in the ids (a removed row).
pub(crate) fn chain_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, prev_hash FROM audit_log ORDER BY id"
    ))?;
    let mut rows = stmt.query([])?;
    let (mut problems, mut expected_prev, mut expected_id) = (Vec::new(), GENESIS.to_owned(), 1);
    while let Some(r) = rows.next()? {
        let (entry, via) = entry_of(r)?;
        let prev_hash: String = r.get(10)?;
        let id = entry.id;
        if id != expected_id {
            problems.push(format!(
                "audit entry {id} follows {}: entries are missing",
                expected_id - 1
            ));
        }
        if prev_hash != expected_prev {
            problems.push(format!(
                "audit entry {id} does not chain from the entry before it"
            ));
        }
        if Via::parse(&via).is_none() || entry_hash(&prev_hash, &entry) != entry.hash {
            problems.push(format!("audit entry {id} was changed after it was written"));
        }
        expected_prev = entry.hash;
        expected_id = id + 1;
    }
    Ok(problems)
}

impl Store {
    /// Reads the audit log, oldest first (see [`AuditQuery`]). Errors: `Invalid` for a
    /// limit of 0.
    pub fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        if q.limit == 0 {
            return Err(StoreError::Invalid("limit must be at least 1".into()));
        }
        let limit = q.limit.min(MAX_AUDIT_PAGE) as i64;
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM audit_log
                 WHERE id > ?1 AND at_ms >= ?2 AND at_ms < ?3
                   AND (?4 IS NULL OR action = ?4 OR substr(action, 1, length(?4) + 1) = ?4 || '.')
                   AND (?5 IS NULL OR who = ?5)
                 ORDER BY id LIMIT ?6"
            ))?;
            let rows = stmt.query_map(
                params![
                    q.after_id.unwrap_or(0),
                    q.since_ms.unwrap_or(i64::MIN),
                    q.until_ms.unwrap_or(i64::MAX),
                    q.action,
                    q.who,
                    limit
                ],
                |r| entry_of(r).map(|(e, _)| e),
            )?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
