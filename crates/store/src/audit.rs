//! TEMPORARY stand-in for the lead's audit log (issue 9): replaced by main's at merge.

use crate::Result;
use langso_domain::audit::Actor;

/// Appends an audit entry in the act's own transaction (stand-in: writes nothing).
pub fn append(
    _tx: &rusqlite::Connection,
    _actor: &Actor,
    _action: &str,
    _subject: &str,
    _before: Option<serde_json::Value>,
    _after: Option<serde_json::Value>,
) -> Result<()> {
    Ok(())
}
