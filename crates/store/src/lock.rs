//! The running server's hold on its database file (issue 7, item 11).
//!
//! `langso serve` takes an exclusive advisory lock (`File::try_lock`, an OS file lock that
//! ends with the process, however it ends) on a sidecar file `PATH.lock`. A second `serve`
//! on the same database, and `langso restore` into it, find the lock taken and refuse.
//! Other commands (invite, verify, backup, …) do not take it: SQLite arbitrates their writes
//! with the server's, as before.

use crate::{Result, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Held while it lives; dropping it (or the process ending) releases the database.
#[derive(Debug)]
pub struct ServerLock {
    _file: File,
    path: PathBuf,
}

/// `PATH.lock` next to the database, found through symlinks so that two spellings of one
/// file share one lock.
pub fn lock_path(db: &Path) -> PathBuf {
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_owned());
    let mut name = db.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    db.with_file_name(name)
}

impl ServerLock {
    /// Takes the lock for `db`, or fails with [`StoreError::Locked`] at once (never waits)
    /// if another process holds it.
    pub fn acquire(db: &Path) -> Result<Self> {
        let path = lock_path(db);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| io_error(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked(format!(
                    "{} is in use by a running langso server (it holds {}); stop it first",
                    db.display(),
                    path.display()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(io_error(&path, e)),
        }
        // For an operator who wonders who holds it; the lock, not this text, is what counts.
        let _ = file.set_len(0);
        let _ = writeln!(file, "pid {}", std::process::id());
        Ok(Self { _file: file, path })
    }

    /// The sidecar file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("cannot use the lock file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("langso.db");
        let first = ServerLock::acquire(&db).unwrap();
        assert!(matches!(
            ServerLock::acquire(&db),
            Err(StoreError::Locked(_))
        ));
        drop(first);
        ServerLock::acquire(&db).unwrap();
    }
}
