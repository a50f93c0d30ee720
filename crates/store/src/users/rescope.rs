//! Giving a leader a new scope (and role) after the map changed under them
//! (`langso rescope-user`, issue 8).

use super::{User, load_user, normalise_username};
use crate::{Result, Store, StoreError, audit, scope};
use langso_domain::audit::Actor;
use langso_domain::scope::{Role, UnitRef};
use rusqlite::{OptionalExtension, params};
use serde_json::json;

impl Store {
    /// Moves `username` to the unit `scope` (a code of the current hierarchy at the
    /// role's level, or a team id for a team leader), with `role` if given, else the
    /// user's role; the unit must exist. Their sessions go on and see the new scope from
    /// their next request. Returns the user.
    pub fn rescope_user(
        &self,
        actor: &Actor,
        username: &str,
        role: Option<Role>,
        scope: &str,
    ) -> Result<User> {
        let username = normalise_username(username);
        let (scope, actor) = (scope.to_owned(), actor.clone());
        self.write_blocking(move |tx| {
            let found: Option<(i64, String, String, String)> = tx
                .query_row(
                    "SELECT id, role, scope_kind, scope_id FROM users WHERE username = ?1",
                    [&username],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (id, old_role, old_kind, old_scope) =
                found.ok_or_else(|| StoreError::NotFound(format!("no user '{username}'")))?;
            let role = role.or_else(|| Role::parse(&old_role)).ok_or_else(|| {
                StoreError::Invalid(format!("stored role '{old_role}' is unknown"))
            })?;
            let scope = UnitRef::new(role.scope_level(), scope);
            if scope::contains(tx, &scope, &scope)?.is_none() {
                return Err(StoreError::Invalid(format!(
                    "no {} '{}' in the current hierarchy",
                    scope.kind.as_str(),
                    scope.id
                )));
            }
            tx.execute(
                "UPDATE users SET role = ?2, scope_kind = ?3, scope_id = ?4 WHERE id = ?1",
                params![id, role.as_str(), scope.kind.as_str(), scope.id],
            )?;
            let before = json!({"role": old_role, "scope_kind": old_kind, "scope_id": old_scope});
            let after = json!({"role": role.as_str(), "scope_kind": scope.kind.as_str(), "scope_id": scope.id});
            let subject = format!("user:{username}");
            audit::append(tx, &actor, "user.rescope", &subject, Some(before), Some(after))?;
            load_user(tx, id)?.ok_or_else(|| StoreError::NotFound(format!("no user '{username}'")))
        })
    }
}
