//! Sealing on open, the unsealed refresh secret, and master-key rotation.

use super::{MasterKey, TOKEN_SECRET_LABEL, signing_key_label};
use crate::{Result, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

fn sealed_with(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'master_key_id'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// Makes sure the database's secrets are sealed with `key`, before the writer starts:
/// a database sealed with another key (or with a key whose file is missing) is refused
/// with [`StoreError::MasterKey`], changing nothing; a database not yet sealed (new, or
/// from before migration 019) is sealed with it now, its plaintext overwritten
/// (`secure_delete`) and the WAL emptied, and a generated key is saved to its file first.
pub(crate) fn seal_on_open(conn: &mut Connection, key: &mut MasterKey) -> Result<()> {
    match sealed_with(conn)? {
        Some(id) if id == key.id() => Ok(()),
        Some(id) if key.is_unsaved() => Err(StoreError::MasterKey(format!(
            "no master key at {}: this database's secrets are sealed with key {id}; give that \
             key with --key-file, LANGSO_KEY_FILE or LANGSO_MASTER_KEY",
            key.origin().trim_start_matches("file ")
        ))),
        Some(id) => Err(StoreError::MasterKey(format!(
            "the master key {} ({}) is not this database's: its secrets are sealed with key \
             {id}. A database (or a copy of it) cannot be used without the key it was sealed \
             with; give that key with --key-file, LANGSO_KEY_FILE or LANGSO_MASTER_KEY",
            key.id(),
            key.origin()
        ))),
        None => {
            key.save_if_new()?;
            seal_plaintext(conn, key)
        }
    }
}

fn seal_plaintext(conn: &mut Connection, key: &MasterKey) -> Result<()> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let tx = conn.transaction()?;
    let plain: Option<Vec<u8>> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'token_secret'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(plain) = plain {
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'token_secret'",
            [key.seal(TOKEN_SECRET_LABEL, &plain)],
        )?;
    }
    seal_signing_keys(&tx, "sealed_with IS NULL", key, |_, plain| {
        Ok(plain.to_vec())
    })?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('master_key_id', ?1)",
        [key.id()],
    )?;
    tx.commit()?;
    conn.pragma_update(None, "secure_delete", "OFF")?;
    // The WAL may still hold pages written before the sealing: empty it.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

/// Opens the refresh secret into the write connection's in-memory `temp` schema, where
/// [`crate::auth::token_secret`] reads it.
pub(crate) fn load_token_secret(conn: &Connection, key: &MasterKey) -> Result<()> {
    let sealed: Vec<u8> = conn.query_row(
        "SELECT value FROM meta WHERE key = 'token_secret'",
        [],
        |r| r.get(0),
    )?;
    let plain = key.open(TOKEN_SECRET_LABEL, &sealed)?;
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS unsealed (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO temp.unsealed (name, value) VALUES ('token_secret', ?1)",
        [plain],
    )?;
    Ok(())
}

/// Re-seals every secret under `new` (the refresh secret from its unsealed copy, each
/// signing key opened with `old`) and records `new`'s id, in `tx`.
pub(crate) fn reseal(tx: &Transaction<'_>, old: &MasterKey, new: &MasterKey) -> Result<()> {
    let plain: Vec<u8> = tx.query_row(
        "SELECT value FROM temp.unsealed WHERE name = 'token_secret'",
        [],
        |r| r.get(0),
    )?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'token_secret'",
        [new.seal(TOKEN_SECRET_LABEL, &plain)],
    )?;
    seal_signing_keys(tx, "1", new, |label, sealed| old.open(label, sealed))?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'master_key_id'",
        [new.id()],
    )?;
    Ok(())
}

/// Seals under `key` the signing keys `which` (an SQL condition) selects, each secret as
/// `unseal` gives it from its label and stored value.
fn seal_signing_keys(
    tx: &Connection,
    which: &str,
    key: &MasterKey,
    unseal: impl Fn(&str, &[u8]) -> Result<Vec<u8>>,
) -> Result<()> {
    let keys: Vec<(String, Vec<u8>)> = tx
        .prepare(&format!(
            "SELECT kid, secret FROM signing_keys WHERE {which}"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (kid, stored) in keys {
        let label = signing_key_label(&kid);
        let secret = unseal(&label, &stored)?;
        tx.execute(
            "UPDATE signing_keys SET secret = ?1, sealed_with = ?2 WHERE kid = ?3",
            params![key.seal(&label, &secret), key.id(), kid],
        )?;
    }
    Ok(())
}
