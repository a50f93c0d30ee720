//! The master key (`--key-file`, `LANGSO_KEY_FILE`, `LANGSO_MASTER_KEY`) and key rotation:
//! `langso rotate-keys`. See docs/operations.md, "Secrets and the master key".

use anyhow::{Result, bail};
use langso_domain::audit::Actor;
use langso_store::{MasterKey, ServerLock};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The global `--key-file`, set once from the command line.
static KEY_FILE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Records the command line's `--key-file` (first call only).
pub fn set_key_file(path: Option<PathBuf>) {
    let _ = KEY_FILE.set(path);
}

/// The master key for `db`: `LANGSO_MASTER_KEY`, else `--key-file` / `LANGSO_KEY_FILE`,
/// else `<db>.key` (see [`MasterKey::resolve`]).
pub fn master_key(db: &Path) -> Result<MasterKey> {
    let file = KEY_FILE.get().and_then(|p| p.as_deref());
    Ok(MasterKey::resolve(db, file)?)
}

/// `langso rotate-keys`: a new signing key; with `new_key_file`, the master key too (the
/// server must be stopped: the command takes the server's lock).
pub fn rotate(db: &Path, new_key_file: Option<&Path>) -> Result<()> {
    let Some(new_file) = new_key_file else {
        return crate::commands::rotate_key(db);
    };
    let _lock = ServerLock::acquire(db)?;
    let store = crate::commands::open(db)?;
    let new = MasterKey::from_file(new_file)?;
    if !new.is_unsaved() {
        eprintln!("using the existing key in {}", new_file.display());
    }
    let id = new.id();
    let kid = match store.rotate_master_key(&Actor::operator(), new) {
        Ok(kid) => kid,
        Err(e) => bail!("the master key was not rotated: {e}"),
    };
    eprintln!(
        "every secret of {} is now sealed with the master key {id} in {} and signs with the \
         new key {kid}; start the server with --key-file {} (the old key no longer opens \
         this database; keep it only as long as backups made before now)",
        db.display(),
        new_file.display(),
        new_file.display()
    );
    Ok(())
}
