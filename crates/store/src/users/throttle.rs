//! The failed-login record (`login_failures`) and what it decides.
//!
//! Guessing is throttled where it cannot hurt the right user on a shared address (an
//! office, carrier NAT, the reverse proxy): a username is locked from one address after
//! [`MAX_FAILURES_PER_ADDRESS_USER`] failures there, and everywhere after
//! [`MAX_FAILURES_PER_USER`] (guesses spread over many addresses). An address is never
//! locked out: its failures only make its *failed* answers slower (see
//! [`LoginAttempt::address_failures`]), so a right password from a known user is never
//! refused because others failed from the same address.
//!
//! Each attempt is recorded (one write, serialised by the writer) before its password is
//! verified and forgotten if it was right, so concurrent guesses cannot slip past a limit.
//! Rows are keyed `user:<username>`, `pair:<address> <username>` (addresses hold no
//! spaces) and `ip:<address>`; unknown usernames are cut to [`MAX_KEY_USERNAME`] characters,
//! so a long made-up name costs no more room than a real one.

use super::normalise_username;
use crate::{Result, Store, StoreError, now_ms};
use langso_domain::audit::Actor;
use rusqlite::{Connection, OptionalExtension, params};

/// Failed logins are counted over this window, and a lockout lasts this long.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures of one username from one client address that lock the username from there.
pub const MAX_FAILURES_PER_ADDRESS_USER: i64 = 5;
/// Failures of one username from anywhere that lock it everywhere.
pub const MAX_FAILURES_PER_USER: i64 = 10;
/// Usernames are 3 to 64 characters; a longer made-up one is cut to this in the record.
pub const MAX_KEY_USERNAME: usize = 65;

/// A recorded attempt: pass it to [`Store::forget_login_attempt`] if the password was right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginAttempt {
    ids: Vec<i64>,
    /// Failures from the client address within the window, this attempt not counted: the
    /// caller slows a failed answer down by it.
    pub address_failures: i64,
}

/// The keys an attempt is recorded under, with the limit that locks each (`None`: never).
fn keys(username: &str, address: Option<&str>) -> Vec<(String, Option<i64>)> {
    let name: String = normalise_username(username)
        .chars()
        .take(MAX_KEY_USERNAME)
        .collect();
    let mut keys = vec![(format!("user:{name}"), Some(MAX_FAILURES_PER_USER))];
    if let Some(a) = address {
        keys.push((
            format!("pair:{a} {name}"),
            Some(MAX_FAILURES_PER_ADDRESS_USER),
        ));
        keys.push((format!("ip:{a}"), None));
    }
    keys
}

impl Store {
    /// Until when (ms) logins for `username` from `address` are refused, if they are.
    pub fn login_locked_until(&self, username: &str, address: Option<&str>) -> Result<Option<i64>> {
        let keys = keys(username, address);
        self.read(move |c| locked_until(c, &keys, now_ms()))
    }

    /// Counts a login attempt as a failure *before* the password is checked: `Err(until_ms)`
    /// when the username is locked (from this address or everywhere; nothing is recorded),
    /// else the recorded attempt.
    pub fn begin_login_attempt(
        &self,
        username: &str,
        address: Option<&str>,
    ) -> Result<std::result::Result<LoginAttempt, i64>> {
        let keys = keys(username, address);
        self.write_blocking(move |tx| {
            let now = now_ms();
            if let Some(until) = locked_until(tx, &keys, now)? {
                return Ok(Err(until));
            }
            tx.execute(
                "DELETE FROM login_failures WHERE at_ms <= ?1",
                [now - LOGIN_WINDOW_MS],
            )?;
            let mut attempt = LoginAttempt {
                ids: Vec::with_capacity(keys.len()),
                address_failures: 0,
            };
            for (key, limit) in keys {
                if limit.is_none() {
                    attempt.address_failures = failures(tx, &key, now)?;
                }
                tx.execute(
                    "INSERT INTO login_failures (key, at_ms) VALUES (?1, ?2)",
                    params![key, now],
                )?;
                attempt.ids.push(tx.last_insert_rowid());
            }
            Ok(Ok(attempt))
        })
    }

    /// Removes the rows of an attempt whose password was right.
    pub fn forget_login_attempt(&self, attempt: LoginAttempt) -> Result<()> {
        self.write_blocking(move |tx| {
            for id in attempt.ids {
                tx.execute("DELETE FROM login_failures WHERE id = ?1", [id])?;
            }
            Ok(())
        })
    }

    /// Forgets every failed login of `username` (from everywhere), lifting its lockouts
    /// (`langso unlock-user`). Returns how many failures were forgotten; a username with no
    /// leader account is [`StoreError::Invalid`] and nothing is forgotten.
    pub fn unlock_user(&self, actor: &Actor, username: &str) -> Result<usize> {
        let (name, actor) = (normalise_username(username), actor.clone());
        self.write_blocking(move |tx| {
            let known = tx
                .prepare_cached("SELECT 1 FROM users WHERE username = ?1")?
                .exists([&name])?;
            if !known {
                return Err(StoreError::Invalid(format!(
                    "no leader account '{name}': check the username (langso create-user makes one)"
                )));
            }
            // `pair:<address> <name>`: addresses hold no spaces, so the name follows the first.
            let forgotten = tx.execute(
                "DELETE FROM login_failures WHERE key = 'user:' || ?1
                 OR (key LIKE 'pair:%' AND substr(key, instr(key, ' ') + 1) = ?1)",
                [&name],
            )?;
            let after = serde_json::json!({ "failures_forgotten": forgotten });
            let subject = format!("user:{name}");
            crate::audit::append(tx, &actor, "user.unlock", &subject, None, Some(after))?;
            Ok(forgotten)
        })
    }
}

/// Failures recorded under `key` within the window.
fn failures(c: &Connection, key: &str, now: i64) -> Result<i64> {
    Ok(
        c.prepare_cached("SELECT count(*) FROM login_failures WHERE key = ?1 AND at_ms > ?2")?
            .query_row(params![key, now - LOGIN_WINDOW_MS], |r| r.get(0))?,
    )
}

/// A key with `limit` failures within the window is locked until 15 minutes after the one
/// that reached the limit.
fn locked_until(c: &Connection, keys: &[(String, Option<i64>)], now: i64) -> Result<Option<i64>> {
    let mut until: Option<i64> = None;
    for (key, limit) in keys {
        let Some(limit) = limit else { continue };
        let nth: Option<i64> = c
            .prepare_cached(
                "SELECT at_ms FROM login_failures WHERE key = ?1 AND at_ms > ?2
                 ORDER BY at_ms DESC LIMIT 1 OFFSET ?3",
            )?
            .query_row(params![key, now - LOGIN_WINDOW_MS, limit - 1], |r| r.get(0))
            .optional()?;
        if let Some(at) = nth {
            until = until.max(Some(at + LOGIN_WINDOW_MS));
        }
    }
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::keys;

    #[test]
    fn made_up_usernames_are_cut_and_addresses_only_slow_down() {
        let k = keys(&"X".repeat(10_000), Some("10.0.0.1"));
        assert_eq!(k[0].0, format!("user:{}", "x".repeat(65)));
        assert_eq!(k[1].0, format!("pair:10.0.0.1 {}", "x".repeat(65)));
        assert_eq!(k[2], ("ip:10.0.0.1".to_owned(), None));
        assert_eq!(keys("lan", None).len(), 1);
    }
}
