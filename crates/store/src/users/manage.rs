//! The province admin's hand on leader accounts (issue 9): the list with each account's
//! state, disabling and enabling, and resetting a password. Each act writes its audit
//! entry in its own transaction; no password, hash or code is ever audited.

use super::throttle::locked_anywhere;
use super::{
    PASSWORD_CODE_TTL_MS, User, issue_code, load_user, normalise_username, unit_name, user_row,
};
use crate::{Result, Store, StoreError, audit, now_ms};
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitRef};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

/// Where an account stands, most telling first: a disabled account is `Disabled` whatever
/// else holds; then a throttled one; then one whose password was never set (or was reset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserState {
    Active,
    Disabled,
    /// Login throttling locks the username (everywhere, or from some address) for now.
    Locked,
    /// No password: the one-time code from `create-user` or `reset-password` is unused.
    AwaitingPassword,
}

impl UserState {
    /// The stable code: `active`, `disabled`, `locked`, `awaiting_password`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
            Self::Locked => "locked",
            Self::AwaitingPassword => "awaiting_password",
        }
    }
}

/// One leader account as the province admin sees it.
#[derive(Clone, Debug)]
pub struct UserSummary {
    pub username: String,
    pub role: Role,
    pub scope: UnitRef,
    /// The scope's display name; None if the unit is not on the current map.
    pub scope_name: Option<String>,
    pub state: UserState,
    pub created_ms: i64,
    /// The latest successful login (API or dashboard), ms; None: never.
    pub last_login_ms: Option<i64>,
    pub disabled_ms: Option<i64>,
    /// Until when login throttling refuses the username (somewhere), ms.
    pub locked_until_ms: Option<i64>,
}

const SUMMARY_COLUMNS: &str = "id, username, role, scope_kind, scope_id, password_hash IS NOT NULL,
     created_ms, last_login_ms, disabled_ms";

fn summary(c: &Connection, r: &rusqlite::Row<'_>, now: i64) -> Result<UserSummary> {
    let user = user_row(r)?;
    let has_password: bool = r.get(5)?;
    let disabled_ms: Option<i64> = r.get(8)?;
    let locked_until_ms = locked_anywhere(c, &user.username, now)?;
    let state = match (disabled_ms, locked_until_ms, has_password) {
        (Some(_), _, _) => UserState::Disabled,
        (None, Some(_), _) => UserState::Locked,
        (None, None, false) => UserState::AwaitingPassword,
        (None, None, true) => UserState::Active,
    };
    Ok(UserSummary {
        scope_name: unit_name(c, &user.scope)?,
        username: user.username,
        role: user.role,
        scope: user.scope,
        state,
        created_ms: r.get(6)?,
        last_login_ms: r.get(7)?,
        disabled_ms,
        locked_until_ms,
    })
}

/// The summary of `username`, if the account exists.
pub(crate) fn summary_of(c: &Connection, username: &str) -> Result<Option<UserSummary>> {
    let now = now_ms();
    let mut stmt = c.prepare(&format!(
        "SELECT {SUMMARY_COLUMNS} FROM users WHERE username = ?1"
    ))?;
    let mut rows = stmt.query([username])?;
    match rows.next()? {
        Some(r) => Ok(Some(summary(c, r, now)?)),
        None => Ok(None),
    }
}

/// The account `username` (normalised), or [`StoreError::NotFound`].
pub(crate) fn find_user(c: &Connection, username: &str) -> Result<(User, Option<i64>)> {
    let id: Option<(i64, Option<i64>)> = c
        .prepare_cached("SELECT id, disabled_ms FROM users WHERE username = ?1")?
        .query_row([username], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (id, disabled) = id.ok_or_else(|| no_user(username))?;
    let user = load_user(c, id)?.ok_or_else(|| no_user(username))?;
    Ok((user, disabled))
}

fn no_user(username: &str) -> StoreError {
    StoreError::NotFound(format!(
        "no leader account '{}': check the username (langso users lists them)",
        langso_domain::text::quote(username)
    ))
}

/// Ends every live session of `user` (its cookies, refresh and access tokens); returns how
/// many ended.
pub(crate) fn end_sessions(tx: &Transaction<'_>, user: i64, now: i64) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE sessions SET revoked_ms = ?1 WHERE user_id = ?2 AND revoked_ms IS NULL",
        params![now, user],
    )?)
}

fn subject(username: &str) -> String {
    format!("user:{username}")
}

impl Store {
    /// Every leader account, by username.
    pub fn list_users(&self) -> Result<Vec<UserSummary>> {
        self.read(|c| {
            let now = now_ms();
            let mut stmt = c.prepare(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM users ORDER BY username"
            ))?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(summary(c, r, now)?);
            }
            Ok(out)
        })
    }

    /// The account `username` as [`Store::list_users`] shows it ([`StoreError::NotFound`]
    /// if there is none).
    pub fn user_summary(&self, username: &str) -> Result<UserSummary> {
        let name = normalise_username(username);
        self.read(|c| summary_of(c, &name)?.ok_or_else(|| no_user(&name)))
    }

    /// Disables `username`: logins are refused (403 `account_disabled`) and every session
    /// ends at once. Disabling a disabled account changes nothing (and audits nothing).
    pub fn disable_user(&self, actor: &Actor, username: &str) -> Result<UserSummary> {
        let (name, actor) = (normalise_username(username), actor.clone());
        self.write_blocking(move |tx| {
            let (user, disabled) = find_user(tx, &name)?;
            if disabled.is_none() {
                let now = now_ms();
                tx.execute(
                    "UPDATE users SET disabled_ms = ?1 WHERE id = ?2",
                    params![now, user.id],
                )?;
                let ended = end_sessions(tx, user.id, now)?;
                audit::append(
                    tx,
                    &actor,
                    "user.disable",
                    &subject(&name),
                    Some(json!({"disabled": false})),
                    Some(json!({"disabled": true, "sessions_ended": ended})),
                )?;
            }
            summary_of(tx, &name)?.ok_or_else(|| no_user(&name))
        })
    }

    /// Enables `username` again (they log in afresh; ended sessions stay ended). Enabling
    /// an enabled account changes nothing.
    pub fn enable_user(&self, actor: &Actor, username: &str) -> Result<UserSummary> {
        let (name, actor) = (normalise_username(username), actor.clone());
        self.write_blocking(move |tx| {
            let (user, disabled) = find_user(tx, &name)?;
            if disabled.is_some() {
                tx.execute(
                    "UPDATE users SET disabled_ms = NULL WHERE id = ?1",
                    [user.id],
                )?;
                audit::append(
                    tx,
                    &actor,
                    "user.enable",
                    &subject(&name),
                    Some(json!({"disabled": true})),
                    Some(json!({"disabled": false})),
                )?;
            }
            summary_of(tx, &name)?.ok_or_else(|| no_user(&name))
        })
    }

    /// Resets the password of `username`: the old password stops working, every session
    /// and every outstanding code ends, and a new one-time code (valid 7 days) is returned
    /// for the leader to set a password with. The code is never stored in clear nor audited.
    pub fn reset_password(&self, actor: &Actor, username: &str) -> Result<String> {
        let (name, actor) = (normalise_username(username), actor.clone());
        self.write_blocking(move |tx| {
            let (user, _) = find_user(tx, &name)?;
            let now = now_ms();
            tx.execute(
                "UPDATE password_codes SET used_ms = ?1 WHERE user_id = ?2 AND used_ms IS NULL",
                params![now, user.id],
            )?;
            tx.execute(
                "UPDATE users SET password_hash = NULL WHERE id = ?1",
                [user.id],
            )?;
            let ended = end_sessions(tx, user.id, now)?;
            let code = issue_code(tx, user.id, now)?;
            audit::append(
                tx,
                &actor,
                "user.reset_password",
                &subject(&name),
                None,
                Some(
                    json!({"sessions_ended": ended, "code_expires_ms": now + PASSWORD_CODE_TTL_MS}),
                ),
            )?;
            Ok(code)
        })
    }

    /// Refuses a login of a disabled account ([`StoreError::AccountDisabled`]).
    pub fn require_enabled(&self, user: i64) -> Result<()> {
        self.read(|c| require_enabled(c, user))
    }
}

/// [`StoreError::AccountDisabled`] if the account `user` is disabled.
pub(crate) fn require_enabled(c: &Connection, user: i64) -> Result<()> {
    let disabled: Option<i64> = c
        .prepare_cached("SELECT disabled_ms FROM users WHERE id = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .flatten();
    match disabled {
        Some(_) => Err(StoreError::AccountDisabled),
        None => Ok(()),
    }
}
