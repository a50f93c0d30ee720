//! Secrets sealed at rest (issue 9): the JWT signing keys (`signing_keys.secret`) and the
//! refresh secret (`meta.token_secret`) are stored encrypted with a master key the
//! operator keeps outside the database, so a stolen database file or backup cannot mint
//! tokens.
//!
//! - Cipher: XChaCha20-Poly1305 (the RustCrypto `chacha20poly1305` crate), a random
//!   24-byte nonce per value. A sealed value is `lsk1` ‖ nonce ‖ ciphertext ‖ 16-byte tag;
//!   the associated data names what it is (`token_secret`, `signing_key/<kid>`), so a
//!   sealed value moved to another row does not open.
//! - The master key: 32 random bytes, written as 64 hex digits (`openssl rand -hex 32`
//!   makes one). Where it comes from: [`MasterKey::resolve`].
//! - `meta.master_key_id` is the id of the key the secrets are sealed with (16 hex digits
//!   of a SHA-256 of the key: it tells keys apart and reveals nothing of them), and
//!   `signing_keys.sealed_with` the same per key (migration 019; NULL: still plaintext).
//! - Unsealed, the refresh secret lives only in the write connection's in-memory `temp`
//!   schema ([`crate::conn`]'s `temp_store=MEMORY`), and the signing keys in the handles'
//!   memory: never in the database file, its WAL or a backup.

mod at_open;
mod key;

pub(crate) use at_open::{load_token_secret, reseal, seal_on_open};
pub use key::{KEY_FILE_ENV, MASTER_KEY_ENV, MasterKey};

use crate::{Result, StoreError};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use langso_domain::audit::Actor;

const MAGIC: &[u8; 4] = b"lsk1";
const NONCE: usize = 24;

/// The associated data of a signing key's secret.
pub(crate) fn signing_key_label(kid: &str) -> String {
    format!("signing_key/{kid}")
}

/// The associated data of the refresh secret.
pub(crate) const TOKEN_SECRET_LABEL: &str = "token_secret";

impl MasterKey {
    /// `plain` sealed under this key, labelled `label` (see the module doc).
    pub(crate) fn seal(&self, label: &str, plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE] = crate::auth::random_bytes();
        let aad = [b"langso-sealed-v1/".as_slice(), label.as_bytes()].concat();
        let sealed = XChaCha20Poly1305::new(self.bytes().into())
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .expect("encrypting a short value cannot fail");
        [MAGIC.as_slice(), &nonce, &sealed].concat()
    }

    /// The secret `sealed` holds, or [`StoreError::MasterKey`] when it was sealed under
    /// another key or label, or is damaged.
    pub(crate) fn open(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>> {
        let wrong = || {
            StoreError::MasterKey(format!(
                "the {label} in this database does not open with the master key {} ({}): it \
                 was sealed with another key, or it is damaged",
                self.id(),
                self.origin()
            ))
        };
        let rest = sealed.strip_prefix(MAGIC.as_slice()).ok_or_else(wrong)?;
        if rest.len() < NONCE + 16 {
            return Err(wrong());
        }
        let (nonce, body) = rest.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().expect("split at NONCE");
        let aad = [b"langso-sealed-v1/".as_slice(), label.as_bytes()].concat();
        XChaCha20Poly1305::new(self.bytes().into())
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .map_err(|_| wrong())
    }
}

impl crate::Store {
    /// Rotates the master key: every secret is re-sealed under `new` and a new signing key
    /// (which signs from now on) is added, in one transaction; a generated `new` is written
    /// to its file (0600) first. Run it with the server stopped: a running server keeps the
    /// old key and could no longer open the signing keys. Returns the new signing key's kid.
    /// `StoreError::Invalid` when `new` is the current key.
    /// Audit entry `keys.rotate` (subject `keys`): the old and new master key ids and the
    /// new signing key's kid, never a key.
    pub fn rotate_master_key(&self, actor: &Actor, mut new: MasterKey) -> Result<String> {
        let old = self.master_key();
        if new.id() == old.id() {
            return Err(StoreError::Invalid(
                "the new master key is the one the database is sealed with already".into(),
            ));
        }
        new.save_if_new()?;
        let (sealer, actor) = (new.clone(), actor.clone());
        let kid = self.write_blocking(move |tx| {
            reseal(tx, &old, &sealer)?;
            let kid = crate::auth::insert_key(tx, crate::now_ms(), &sealer)?;
            let before = serde_json::json!({ "master_key_id": old.id() });
            let after = serde_json::json!({ "master_key_id": sealer.id(), "signing_kid": kid });
            crate::audit::append(tx, &actor, "keys.rotate", "keys", Some(before), Some(after))?;
            Ok(kid)
        })?;
        *self.inner.master_key.write().expect("key lock") = new;
        Ok(kid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_label_only() {
        let (k, other) = (MasterKey::generate(), MasterKey::generate());
        let sealed = k.seal("token_secret", b"0123456789abcdef0123456789abcdef");
        assert!(sealed.starts_with(MAGIC) && sealed.len() == 4 + 24 + 32 + 16);
        assert_eq!(
            k.open("token_secret", &sealed).unwrap(),
            b"0123456789abcdef0123456789abcdef"
        );
        assert!(other.open("token_secret", &sealed).is_err());
        assert!(k.open("signing_key/k1", &sealed).is_err());
        assert!(k.open("token_secret", &sealed[..20]).is_err());
        assert!(
            k.open("token_secret", b"0123456789abcdef0123456789abcdef")
                .is_err()
        );
    }
}
