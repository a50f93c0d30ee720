//! The secrets sealed in a test server's database (issue 9), for tests that forge tokens.

use std::path::Path;

/// The signing key `kid` of the database at `db`, unsealed with its master key (the
/// harness's servers use the default `<db>.key`).
pub fn signing_secret(db: &Path, kid: &str) -> Vec<u8> {
    let store = langso_store::Store::open_existing(db).expect("open the server's database");
    let keys = store.signing_keys().expect("read the signing keys");
    let key = keys.into_iter().find(|k| k.kid == kid);
    key.expect("the token's signing key").secret
}
