//! Leader accounts: users with a role and a scope, one-time password-setting codes,
//! passwords (argon2id); the failed-login record that slows down password guessing is
//! [`throttle`].
//!
//! Password hashing is slow on purpose (tens of milliseconds): callers run it off the async
//! executor, and never on the writer thread (hash first, then write the hash).

use crate::auth::{new_code, normalise_code, sha256};
use crate::reference::current_version;
use crate::{Result, Store, StoreError, audit, now_ms, scope};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitKind, UnitRef};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;
use std::sync::OnceLock;

mod rescope;
pub mod throttle;

pub const PASSWORD_CODE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A leader account as authorisation needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub scope: UnitRef,
}

/// Lower-cased and trimmed: what a leader types is forgiven its case.
pub fn normalise_username(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// 3 to 64 characters of `a-z 0-9 . _ -` (after [`normalise_username`]).
pub fn valid_username(s: &str) -> bool {
    (3..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// Why `password` is not acceptable, if it is not: 10 to 128 characters (Unicode scalar
/// values after NFC normalisation), no other composition rule.
pub fn password_problem(password: &str) -> Option<String> {
    let n = langso_domain::text::nfc(password).chars().count();
    (!(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n)).then(|| {
        format!("a password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters long")
    })
}

/// The argon2id PHC string of `password` (NFC-normalised, so precomposed and combining
/// Vietnamese diacritics are the same password), with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let pw = langso_domain::text::nfc(password);
    Argon2::default()
        .hash_password(pw.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Unavailable(format!("password hashing failed: {e}")))
}

/// A hash of a password nobody knows: verifying against it costs what a real verify costs,
/// so an unknown username takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            crate::auth::random_bytes::<32>(),
        );
        hash_password(&random).expect("argon2 hashes with default parameters")
    })
}

/// Whether `password` matches `hash`. With no hash (unknown user, or no password set yet)
/// it verifies against a dummy hash, taking the same time, and answers false.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let pw = langso_domain::text::nfc(password);
    let ok = Argon2::default()
        .verify_password(pw.as_bytes(), hash.unwrap_or(dummy_hash()))
        .is_ok();
    ok && hash.is_some()
}

pub(crate) fn load_user(c: &Connection, id: i64) -> Result<Option<User>> {
    Ok(c.prepare_cached(
        "SELECT id, username, role, scope_kind, scope_id FROM users WHERE id = ?1",
    )?
    .query_row([id], user_row)
    .optional()?)
}

pub(crate) fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("stored {what} is not valid").into(),
        )
    };
    let role: String = r.get(2)?;
    let kind: String = r.get(3)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| bad(2, "role"))?,
        scope: UnitRef::new(
            UnitKind::parse(&kind).ok_or_else(|| bad(3, "scope kind"))?,
            r.get::<_, String>(4)?,
        ),
    })
}

/// The display name of a unit or team; None when it does not exist.
pub(crate) fn unit_name(c: &Connection, u: &UnitRef) -> Result<Option<String>> {
    let name = match u.kind {
        UnitKind::Team => c
            .prepare_cached("SELECT name FROM teams WHERE team_id = ?1")?
            .query_row([&u.id], |r| r.get(0))
            .optional()?,
        UnitKind::Village => c
            .prepare_cached("SELECT name FROM villages WHERE village_id = ?1")?
            .query_row([&u.id], |r| r.get(0))
            .optional()?,
        UnitKind::Grouping => crate::hierarchy::name_of(c, &u.id)?,
        UnitKind::Commune | UnitKind::District | UnitKind::Province => c
            .prepare_cached(
                "SELECT name FROM units WHERE version_id = ?1 AND code = ?2 AND level = ?3",
            )?
            .query_row(params![current_version(c)?, u.id, u.kind.as_str()], |r| {
                r.get(0)
            })
            .optional()?,
    };
    Ok(name)
}

impl Store {
    /// Creates a leader account and returns its one-time password-setting code (7 days).
    /// The scope must be a team for a team leader, else a unit of the role's level in the
    /// current hierarchy, and it must exist.
    pub fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        role: Role,
        scope: &UnitRef,
    ) -> Result<String> {
        let username = normalise_username(username);
        if !valid_username(&username) {
            return Err(StoreError::Invalid(format!(
                "'{username}' is not a valid username: 3 to 64 characters of a-z, 0-9, '.', '_', '-'"
            )));
        }
        if scope.kind != role.scope_level() {
            return Err(StoreError::Invalid(format!(
                "a {} is scoped to a {}, not a {}",
                role.as_str(),
                role.scope_level().as_str(),
                scope.kind.as_str()
            )));
        }
        let (scope, actor) = (scope.clone(), actor.clone());
        self.write_blocking(move |tx| {
            if scope::contains(tx, &scope, &scope)?.is_none() {
                return Err(StoreError::Invalid(format!(
                    "no {} '{}' in the current hierarchy",
                    scope.kind.as_str(),
                    scope.id
                )));
            }
            let now = now_ms();
            let inserted = tx.execute(
                "INSERT INTO users (username, role, scope_kind, scope_id, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (username) DO NOTHING",
                params![username, role.as_str(), scope.kind.as_str(), scope.id, now],
            )?;
            if inserted == 0 {
                return Err(StoreError::Invalid(format!(
                    "the username '{username}' is taken"
                )));
            }
            let user = tx.last_insert_rowid();
            let code = new_code();
            tx.execute(
                "INSERT INTO password_codes (code_hash, user_id, created_ms, expires_ms)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    sha256(normalise_code(&code).as_bytes()),
                    user,
                    now,
                    now + PASSWORD_CODE_TTL_MS
                ],
            )?;
            let after = json!({"role": role.as_str(), "scope_kind": scope.kind.as_str(), "scope_id": scope.id});
            audit::append(tx, &actor, "user.create", &format!("user:{username}"), None, Some(after))?;
            Ok(code)
        })
    }

    /// Whether `code` is a live password-setting code of `username` (checked again, and
    /// used up, by [`Store::set_password`]; this lets callers refuse before hashing).
    pub fn password_code_valid(&self, username: &str, code: &str) -> Result<bool> {
        let (username, hash) = (
            normalise_username(username),
            sha256(normalise_code(code).as_bytes()),
        );
        self.read(|c| code_owner(c, &username, &hash, now_ms()).map(|u| u.is_some()))
    }

    /// Uses `code` (once) to set the password of `username` to `password_hash` (from
    /// [`hash_password`]); returns the user. Every other outstanding code of the user is
    /// used up too, and every session of the user ends.
    /// `actor` is the user themselves (a new password is audited as `user.set_password`, without
    /// any value).
    pub fn set_password(
        &self,
        actor: &Actor,
        username: &str,
        code: &str,
        password_hash: String,
    ) -> Result<User> {
        let (username, hash) = (
            normalise_username(username),
            sha256(normalise_code(code).as_bytes()),
        );
        let actor = actor.clone();
        self.write_blocking(move |tx| {
            let now = now_ms();
            let user =
                code_owner(tx, &username, &hash, now)?.ok_or(StoreError::InvalidPasswordCode)?;
            tx.execute(
                "UPDATE password_codes SET used_ms = ?1 WHERE user_id = ?2 AND used_ms IS NULL",
                params![now, user],
            )?;
            tx.execute(
                "UPDATE users SET password_hash = ?1, password_set_ms = ?2 WHERE id = ?3",
                params![password_hash, now, user],
            )?;
            tx.execute(
                "UPDATE sessions SET revoked_ms = ?1 WHERE user_id = ?2 AND revoked_ms IS NULL",
                params![now, user],
            )?;
            audit::append(
                tx,
                &actor,
                "user.set_password",
                &format!("user:{username}"),
                None,
                None,
            )?;
            load_user(tx, user)?.ok_or(StoreError::InvalidPasswordCode)
        })
    }

    /// The user id and password hash of `username` (None: no such user).
    pub fn user_credentials(&self, username: &str) -> Result<Option<(i64, Option<String>)>> {
        let username = normalise_username(username);
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT id, password_hash FROM users WHERE username = ?1")?
                    .query_row([&username], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?,
            )
        })
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        self.read(|c| load_user(c, id))
    }

    /// The display name of a team or unit (None: it does not exist).
    pub fn unit_name(&self, unit: &UnitRef) -> Result<Option<String>> {
        self.read(|c| unit_name(c, unit))
    }
}

fn code_owner(c: &Connection, username: &str, code_hash: &[u8], now: i64) -> Result<Option<i64>> {
    Ok(c.prepare_cached(
        "SELECT u.id FROM password_codes p JOIN users u ON u.id = p.user_id
         WHERE p.code_hash = ?1 AND u.username = ?2 AND p.used_ms IS NULL AND p.expires_ms > ?3",
    )?
    .query_row(params![code_hash, username, now], |r| r.get(0))
    .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(normalise_username("  Lan.Nguyen "), "lan.nguyen");
        assert!(valid_username("lan.nguyen_01-x"));
        assert!(!valid_username("la"));
        assert!(!valid_username("lan nguyen"));
        assert!(!valid_username("lân"));
    }

    #[test]
    fn passwords_are_10_to_128_characters_counted_after_nfc() {
        assert!(password_problem("123456789").is_some());
        assert!(password_problem("1234567890").is_none());
        // Ten characters although some are written with combining marks.
        assert!(password_problem("Tie\u{302}\u{301}n Ye\u{302}n 12").is_none());
        assert!(password_problem(&"a".repeat(128)).is_none());
        assert!(password_problem(&"a".repeat(129)).is_some());
    }

    #[test]
    fn a_hash_verifies_its_password_only_and_no_hash_verifies_nothing() {
        let h = hash_password("Tiên Yên 2025!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Tiên Yên 2025!", Some(&h)));
        // The same password with decomposed diacritics.
        assert!(verify_password("Tie\u{302}n Ye\u{302}n 2025!", Some(&h)));
        assert!(!verify_password("Tiên Yên 2024!", Some(&h)));
        assert!(!verify_password("Tiên Yên 2025!", None));
    }
}
