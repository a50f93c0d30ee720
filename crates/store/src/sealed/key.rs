//! The master key and where it comes from.

use crate::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable holding the master key itself (64 hex digits).
pub const MASTER_KEY_ENV: &str = "LANGSO_MASTER_KEY";
/// The environment variable naming the master key file.
pub const KEY_FILE_ENV: &str = "LANGSO_KEY_FILE";

/// The key the database's secrets are sealed with (see [`crate::sealed`]). Its `Debug`
/// shows only its id and origin.
#[derive(Clone)]
pub struct MasterKey {
    bytes: [u8; 32],
    /// Where it came from, for messages: "file /etc/langso/master.key", "LANGSO_MASTER_KEY".
    origin: String,
    /// A key generated because its file did not exist: written there (0600) when a
    /// database is first sealed with it, never otherwise.
    unsaved: Option<PathBuf>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({}, {})", self.id(), self.origin)
    }
}

fn invalid(origin: &str) -> StoreError {
    StoreError::MasterKey(format!(
        "the master key from {origin} is not 64 hex digits (32 bytes; `openssl rand -hex 32` makes one)"
    ))
}

impl MasterKey {
    /// A new random key (not saved anywhere).
    pub fn generate() -> Self {
        Self {
            bytes: crate::auth::random_bytes(),
            origin: "a new key".into(),
            unsaved: None,
        }
    }

    /// Parses 64 hex digits (surrounding whitespace ignored); `origin` is for messages.
    pub fn from_hex(text: &str, origin: &str) -> Result<Self> {
        let t = text.trim().as_bytes();
        if t.len() != 64 {
            return Err(invalid(origin));
        }
        let mut bytes = [0u8; 32];
        for (i, pair) in t.chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).map_err(|_| invalid(origin))?;
            bytes[i] = u8::from_str_radix(hex, 16).map_err(|_| invalid(origin))?;
        }
        Ok(Self {
            bytes,
            origin: origin.to_owned(),
            unsaved: None,
        })
    }

    /// The key of a database: `LANGSO_MASTER_KEY` when set; else the file `key_file`, else
    /// the file `LANGSO_KEY_FILE` names, else `<db>.key` beside the database. A file that
    /// does not exist yet gets a new key, written there with mode 0600 when a database is
    /// first sealed with it (a database already sealed refuses it: see
    /// [`crate::Store::open_with_key`]).
    pub fn resolve(db: &Path, key_file: Option<&Path>) -> Result<Self> {
        if let Ok(hex) = std::env::var(MASTER_KEY_ENV) {
            return Self::from_hex(&hex, MASTER_KEY_ENV);
        }
        let path = match (key_file, std::env::var_os(KEY_FILE_ENV)) {
            (Some(p), _) => p.to_owned(),
            (None, Some(p)) if !p.is_empty() => PathBuf::from(p),
            _ => beside(db),
        };
        Self::from_file(&path)
    }

    /// The key in `path`, or a new one to be saved there if the file does not exist.
    pub fn from_file(path: &Path) -> Result<Self> {
        let origin = format!("file {}", path.display());
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(&text, &origin),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                unsaved: Some(path.to_owned()),
                origin,
                ..Self::generate()
            }),
            Err(e) => Err(StoreError::MasterKey(format!(
                "cannot read the {origin}: {e}"
            ))),
        }
    }

    /// The key's id: 16 hex digits of SHA-256("langso-master-key-id" ‖ key).
    pub fn id(&self) -> String {
        let h = Sha256::new()
            .chain_update(b"langso-master-key-id")
            .chain_update(self.bytes)
            .finalize();
        h[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Where the key came from (for messages).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Whether the key was generated and not yet written to its file.
    pub fn is_unsaved(&self) -> bool {
        self.unsaved.is_some()
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Writes a generated key to its file (mode 0600, never over an existing file) and
    /// says so loudly on stderr; a no-op for a key that came from elsewhere.
    pub(crate) fn save_if_new(&mut self) -> Result<()> {
        let Some(path) = self.unsaved.take() else {
            return Ok(());
        };
        write_new(&path, &self.hex()).map_err(|e| {
            StoreError::MasterKey(format!(
                "cannot write the new master key to {}: {e}",
                path.display()
            ))
        })?;
        eprintln!(
            "NOTICE: a new master key was written to {} (mode 0600). It seals this \
             database's signing keys and refresh secret: keep it, and keep it apart from the \
             database's backups (a backup without it cannot mint tokens; the database \
             cannot be used without it). See docs/operations.md, \"Secrets and the master key\".",
            path.display()
        );
        Ok(())
    }

    /// The key as 64 hex digits, as its file holds it.
    pub(crate) fn hex(&self) -> String {
        self.bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// `<db>.key`: the default key file.
pub fn beside(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".key");
    PathBuf::from(p)
}

/// Writes `hex` and a newline to a new file readable by its owner only.
pub(crate) fn write_new(path: &Path, hex: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(format!("{hex}\n").as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_from_hex_and_a_bad_one_is_refused() {
        let k = MasterKey::generate();
        let again = MasterKey::from_hex(&format!(" {}\n", k.hex()), "test").unwrap();
        assert_eq!(again.bytes, k.bytes);
        assert_eq!(again.id(), k.id());
        assert_eq!(k.id().len(), 16);
        for bad in ["", "abc", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(MasterKey::from_hex(bad, "test").is_err(), "{bad}");
        }
    }
}
